"""Undated articles after dated ones in the default order (PostgreSQL sorts NULLs first), and the
related links stored before imports checked their addresses: junk ones dropped or emptied (see
``articles.links.clean_stored``; ``manage.py clean_links`` does the same on demand)."""

from django.db import migrations, models


def drop_junk_links(apps, schema_editor) -> None:
    from articles.links import clean_stored

    clean_stored(apps.get_model("articles", "RelatedLink").objects.all())


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_term_key_unique")]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": [models.OrderBy(models.F("published"), descending=True, nulls_last=True), "-id"],
                "verbose_name": "مقاله",
                "verbose_name_plural": "مقاله\u200cها",
            },
        ),
        migrations.RunPython(drop_junk_links, migrations.RunPython.noop),
    ]
