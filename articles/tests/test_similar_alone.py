"""An article with no neighbour at all: its "more like this" is stored empty, not missing (its
own archive: the one of ``test_similar.py`` is shared by that module's tests)."""

from __future__ import annotations

import sqlite3

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import similar
from articles.models import Article, SimilarArticle
from articles.search.engine import get_engine
from articles.tests.conftest import REPO, write_jsonl

DEMO = REPO / "demo" / "articles.jsonl"

pytestmark = pytest.mark.django_db


def test_an_article_with_no_neighbour_keeps_an_empty_list_not_a_missing_one(import_paths, tmp_path):
    """Alone in its archive, an article has no neighbour: one row without one says its list is
    stored, so no page view computes it again and ``check_index`` does not call it missing."""
    import_paths(
        write_jsonl(
            tmp_path / "alone.jsonl",
            [{"id": "alone-1", "title": "کاوش تازه در زیگورات چغازنبیل", "body": "باستان‌شناسان در شوش کار کردند."}],
        )
    )
    alone = Article.objects.get(external_id="alone-1")
    assert list(SimilarArticle.objects.filter(article=alone).values_list("similar_id", flat=True)) == [None]
    assert similar.missing() == []
    with CaptureQueriesContext(connection) as queries:
        assert similar.similar_articles(alone) == []
    assert len(queries) == 2  # the list, then that it is stored empty: nothing computed


@pytest.mark.django_db(transaction=True)
def test_computing_lists_holds_no_write_lock(import_paths, monkeypatch):
    """On SQLite a transaction takes the write lock at BEGIN: the lists are computed from the
    index before it, so an import's saves never wait for a batch's lists (they timed out at 100k
    on a busy machine, and "database is locked" ended the import)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL computes the lists inside the save's transaction")
    import_paths(DEMO)
    engine = get_engine()
    real, writable = type(engine).neighbours, []

    def neighbours_while_another_writes(self, article, limit):
        other = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")  # the write lock, at once or never
            other.rollback()
            writable.append(True)
        except sqlite3.OperationalError:  # database is locked
            writable.append(False)
        finally:
            other.close()
        return real(self, article, limit)

    monkeypatch.setattr(type(engine), "neighbours", neighbours_while_another_writes)
    articles = list(Article.objects.published()[:5])
    assert similar.store(articles) == 5
    assert writable == [True] * 5
    assert SimilarArticle.objects.filter(article__in=articles).values("article").distinct().count() == 5
