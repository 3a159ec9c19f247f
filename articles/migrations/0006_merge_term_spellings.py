"""One category (and one tag) however it is spelled: rows whose names share ``articles.terms``'s
key are merged into the busiest, their articles re-pointed; English section names become Persian.

The index documents of the re-pointed articles still hold the merged slugs: their ``updated``
time moves to now, so ``manage.py check_index`` reports them stale and ``check_index --fix``
re-indexes just them (``rebuild_index`` also does).
"""

from django.db import migrations
from django.utils import timezone

from articles.terms import merge_spellings


def merge(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    changed: set[int] = set()
    for model_name, relation, field in (("Category", "categories", "category"), ("Tag", "tags", "tag")):
        through = Article._meta.get_field(relation).remote_field.through
        changed |= merge_spellings(apps.get_model("articles", model_name), through, field)
    ids = sorted(changed)
    for start in range(0, len(ids), 500):  # a bounded IN list per query (SQLite's variable limit)
        Article.objects.filter(pk__in=ids[start : start + 500]).update(updated=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_term_key")]

    operations = [migrations.RunPython(merge, migrations.RunPython.noop)]
