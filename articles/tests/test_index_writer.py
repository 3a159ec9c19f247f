"""The Whoosh writer an import commits with: a batch's postings are sorted in memory."""

from __future__ import annotations

import pytest
from haystack import connections

from articles.models import Article
from articles.search import indexing
from articles.search.engine import get_engine
from articles.search.whoosh.backend import _Writer
from articles.search.whoosh.merge import StreamingWriter
from articles.tests.conftest import REPO

DEMO = REPO / "demo" / "articles.jsonl"

pytestmark = pytest.mark.django_db


def test_an_import_batch_is_sorted_in_memory_not_in_temporary_files(import_paths):
    """The writer's pool holds an import's batch (``indexing.COMMIT_EVERY`` articles) of twice the
    demo articles' average length: past its limit Whoosh pickles every posting to temporary files
    and merges them back, a sixth of the indexing process's CPU in a 20,000-article import. The
    demo articles' postings, by Whoosh's own accounting of the pool's memory, projected."""
    engine = get_engine()
    if engine.transactional:
        pytest.skip("the Whoosh engine's writer")
    import_paths(DEMO)
    backend = engine.backend
    articles = list(Article.objects.order_by("pk"))
    writer = StreamingWriter(backend.index.refresh()._index, limitmb=backend.limitmb)
    try:
        _Writer(backend, writer).update(connections["default"].get_unified_index().get_index(Article), articles)
        pool = writer.pool
        assert not pool.runs and pool.current  # this little sorts in memory in any case
        per_article = pool.currentsize / len(articles)
        assert 2 * per_article * indexing.COMMIT_EVERY < pool.limit, f"{per_article:.0f} bytes an article"
    finally:
        writer.cancel()
