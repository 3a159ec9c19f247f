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


def _lists() -> dict[int, list[int | None]]:
    rows = SimilarArticle.objects.order_by("article_id", "rank").values_list("article_id", "similar_id")
    lists: dict[int, list[int | None]] = {}
    for article, neighbour in rows:
        lists.setdefault(article, []).append(neighbour)
    return lists


@pytest.mark.django_db(transaction=True)
def test_lists_shared_with_a_helper_process_are_those_computed_alone(import_paths, monkeypatch):
    """``fill(processes=2)`` (``fill_similar`` and ``rebuild_index`` on two cores) forks a helper
    that stores every other batch: the same lists as one process, every one stored, progress to
    the end, and the helper's CPU time reported."""
    import_paths(DEMO)
    monkeypatch.setattr(similar, "BATCH", 7)  # several batches each
    published = list(Article.objects.published().order_by("pk").values_list("pk", flat=True))
    assert similar.fill(published) == len(published)
    alone = _lists()
    SimilarArticle.objects.all().delete()
    seen, stats = [], {}
    saved = similar.fill(
        published, on_progress=lambda done, total: seen.append((done, total)), processes=2, stats=stats
    )
    assert saved == len(published) and _lists() == alone
    assert seen[-1] == (len(published), len(published)) and stats["helpers_cpu_s"] > 0


def test_inside_a_transaction_the_lists_are_not_shared_out(import_paths, monkeypatch):
    """A helper process reads what is committed: inside a transaction (this test's) ``fill``
    works alone, and every list is stored all the same."""
    import_paths(DEMO)
    monkeypatch.setattr(similar, "BATCH", 7)
    SimilarArticle.objects.all().delete()
    published = list(Article.objects.published().values_list("pk", flat=True))
    stats = {}
    assert similar.fill(published, processes=2, stats=stats) == len(published)
    assert set(_lists()) == set(published) and "helpers_cpu_s" not in stats
