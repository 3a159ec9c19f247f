"""``match="any"``: BM25 with Lucene's idf over an OR of the query's words gives, through the
engine (and ``fast_search``'s OR path), exactly the hits, order and scores of Whoosh's own
evaluation of the same query with the same weighting."""

from __future__ import annotations

import itertools
from math import log

import pytest
from whoosh import query as wq
from whoosh.searching import Searcher

from articles.models import Article, Source
from articles.search import query
from articles.search.engine import SearchRequest, bm25, get_engine
from articles.search.service import SearchParams, _request
from articles.search.whoosh import fast_search
from articles.search.whoosh.compile import compile_any
from articles.search.whoosh.scoring import LuceneBM25
from articles.tests.conftest import REPO, SEED

DEMO = REPO / "demo" / "articles.jsonl"

pytestmark = pytest.mark.django_db(transaction=True)  # the index follows commits


@pytest.fixture
def archive(import_paths):
    """Demo and seed articles, some drafts, an edited one (a deleted document) and two segments."""
    import_paths(DEMO, SEED)
    for article in Article.objects.order_by("pk")[:20:4]:
        article.status = Article.Status.DRAFT
        article.save()
    edited = Article.objects.published().order_by("pk").last()
    edited.title += " روسیه"
    edited.save()
    engine = get_engine()
    searcher = engine.backend.index.searcher()._searcher
    assert searcher.reader().has_deletions() and len(searcher.leaf_searchers()) > 1
    k1, b = bm25()  # the tuned parameters the engine ranks with
    weighting = LuceneBM25(B=b, K1=k1)
    return engine, Searcher(searcher.reader(), weighting=weighting, fromindex=searcher._ix, closereader=False)


def _whoosh(searcher, request: SearchRequest):
    """Whoosh's own answer to the compiled query: every match scored, masked and filtered."""
    compiled = compile_any(request.parsed, request.filters)
    mask = set(searcher.docs_for_query(wq.Or(compiled.excluded)))
    allow = set(searcher.docs_for_query(wq.And(compiled.allowed))) if compiled.allowed else None
    results = searcher.search(compiled.query, limit=None, mask=mask, filter=allow)
    hits = [(int(searcher.stored_fields(d)["django_id"]), score) for score, d in results.top_n]
    return hits, len(results)


def test_any_ranks_and_scores_as_whoosh_does_with_lucene_idf(archive):
    engine, searcher = archive
    source = Source.objects.filter(articles__status=Article.Status.PUBLISHED).values_list("slug", flat=True)[0]
    texts = [
        "پوتین ترامپ",
        "گفت‌وگوی پوتین و ترامپ در آلاسکا",
        "ایران نفت تحریم",
        "+ترامپ پوتین روسیه",
        '"کاخ سفید" ترامپ',
        "روسیه -اوکراین",
        "پوتین OR ترامپ کرملین",
        "title:ترامپ روسیه",
    ]
    checked = 0
    for text, filters in itertools.product(texts, ({}, {"source": source})):
        params = SearchParams(q=text, **filters)
        parsed = query.parse(text)
        request = _request(params, parsed, limit=5, match="any")
        expected, count = _whoosh(searcher, request)
        for offset in (0, 5):
            found = engine.search(SearchRequest(**{**request.__dict__, "offset": offset}))
            assert found.count == count, (text, filters)
            assert found.hits == expected[offset : offset + 5], (text, filters, offset)
        checked += count > 5
    assert checked >= 4


def test_a_plain_or_goes_the_fast_way_with_the_same_floats(archive):
    _, searcher = archive
    q = wq.Or([wq.Term("text", t) for t in query.parse("پوتین ترامپ روسیه آمریکا نشست").highlight_terms()])
    found = fast_search.search(searcher, q, 15)
    assert found is not None
    assert found.top_n == searcher.search(q, limit=None).top_n[:15]


def test_the_idf_is_lucenes_and_a_word_in_every_article_adds_almost_nothing(archive):
    _, searcher = archive
    total = searcher.doc_count_all()
    n = searcher.doc_frequency("text", "ترامپ")
    assert searcher.idf("text", "ترامپ") == pytest.approx(log(1 + (total - n + 0.5) / (n + 0.5)))
    common = max(searcher.reader().lexicon("text"), key=lambda t: searcher.doc_frequency("text", t))
    assert searcher.doc_frequency("text", common) > total * 0.9
    assert searcher.idf("text", common) < 0.15  # Whoosh's own idf never falls below 1


def test_plus_requires_a_word_and_any_finds_articles_with_some_of_the_words(archive):
    engine, _ = archive

    def pks(text: str, match: str) -> set[int]:
        parsed = query.parse(text)
        return {pk for pk, _ in engine.search(_request(SearchParams(q=text), parsed, limit=1000, match=match)).hits}

    both, putin, trump = pks("پوتین ترامپ", "all"), pks("پوتین", "all"), pks("ترامپ", "all")
    assert pks("پوتین ترامپ", "any") == putin | trump != both
    assert pks("+پوتین ترامپ", "any") == putin
