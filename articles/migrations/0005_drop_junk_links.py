"""Related links stored before imports checked their addresses: junk ones dropped or emptied
(see ``articles.links.clean_stored``; ``manage.py clean_links`` does the same on demand)."""

from django.db import migrations


def drop_junk_links(apps, schema_editor) -> None:
    from articles.links import clean_stored

    clean_stored(apps.get_model("articles", "RelatedLink").objects.all())


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_mention_listing")]

    operations = [migrations.RunPython(drop_junk_links, migrations.RunPython.noop)]
