"""Importing the whole shared corpus loses nothing (runs when ../shared/corpus is present)."""

import json

import pytest

from articles.ingest import readers as importers
from articles.ingest.save import import_items
from articles.models import Article

pytestmark = [pytest.mark.django_db, pytest.mark.corpus]


def test_every_corpus_line_is_imported_or_held_for_review(corpus_dir):
    files = sorted(corpus_dir.glob("*.jsonl"))
    ids, untitled = set(), 0
    for path in files:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                ids.add(record["id"])
                untitled += not (record.get("title") or "").strip()
    assert len(ids) == 6456 and untitled == 157  # what the corpus README promises

    items = [item for path in files for item in importers.iter_path(path)]
    report = import_items(items, index=False)

    assert report.failed == 0, report.errors[:5]
    assert report.created == len(ids)
    assert set(Article.objects.values_list("external_id", flat=True)) == ids
    derived = Article.objects.filter(title_derived=True)
    assert derived.count() == untitled
    assert all(a.title and a.review_notes for a in derived)

    again = import_items([item for path in files for item in importers.iter_path(path)], index=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(ids))
