"""One category (and one tag) however it is spelled: rows whose names share ``articles.terms``'s
key are merged into the busiest, their articles re-pointed; English section names become Persian.

The search index keeps the merged slugs until it is rebuilt: run ``manage.py rebuild_index``
(or ``update_index``) after this migration.
"""

from django.db import migrations

from articles.terms import merge_spellings


def merge(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for model_name, relation, field in (("Category", "categories", "category"), ("Tag", "tags", "tag")):
        through = Article._meta.get_field(relation).remote_field.through
        merge_spellings(apps.get_model("articles", model_name), through, field)


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_term_key")]

    operations = [migrations.RunPython(merge, migrations.RunPython.noop)]
