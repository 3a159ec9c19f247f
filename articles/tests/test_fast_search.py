"""Plain conjunctions answered by ``fast_search`` find what Whoosh's own evaluation finds."""

from __future__ import annotations

import itertools

import pytest
from django.db.models import Count

from articles import fast_search, indexing, query
from articles.models import Article, Entity
from articles.search import SearchParams, _base_queryset, _text_sq, run_search
from articles.tests.conftest import REPO

DEMO = REPO / "demo" / "articles.jsonl"


def _engine_query(backend, params: SearchParams):
    parsed = query.parse(params.q)
    text = _text_sq(parsed, relaxed=False)
    sqs = _base_queryset(params, parsed)
    sqs = sqs.filter(text) if text is not None else sqs.all()
    return backend.parser.parse(sqs.query.build_query())


def _whoosh(searcher, q, limit, sort):
    """Whoosh's own answer: every match scored and ranked (no block skipping), or sorted."""
    if sort is None:
        results = searcher.search(q, limit=None)
        return results.top_n[:limit], len(results)
    results = searcher.search(q, limit=limit, sortedby=["published"], reverse=sort == "newest")
    return results.top_n, len(results)


@pytest.fixture
def archive(import_paths, corpus_dir, tmp_path):
    """~500 articles (frequent words span several posting blocks), some drafts, two segments
    and deleted documents (an edited article's old version)."""
    lines = (corpus_dir / "fars-news.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "fars.jsonl").write_text("".join(lines[:450]), encoding="utf-8")
    import_paths(DEMO, tmp_path / "fars.jsonl")
    for article in Article.objects.order_by("pk")[:40:4]:
        article.status = Article.Status.DRAFT
        article.save()
    edited = Article.objects.published().order_by("pk").last()
    edited.title += " ایران"
    edited.save()
    backend = indexing._backend()
    searcher = backend.index.searcher()._searcher
    assert searcher.reader().has_deletions() and len(searcher.leaf_searchers()) > 1
    return backend, searcher


def _word_samples(searcher) -> tuple[list[str], list[str]]:
    reader = searcher.reader()
    by_frequency = sorted(
        ((reader.doc_frequency("text", term), term.decode()) for term in reader.lexicon("text")),
        reverse=True,
    )
    common = [term for _, term in by_frequency[:60] if len(term) > 3][:6]
    rare = [term for n, term in by_frequency if 3 <= n <= 8 and len(term) > 3][:4]
    return common, rare


@pytest.mark.django_db(transaction=True)  # the index follows commits
def test_conjunctions_rank_count_and_sort_as_whoosh_does(archive):
    backend, searcher = archive
    common, rare = _word_samples(searcher)
    assert max(searcher.reader().doc_frequency("text", w) for w in common) > 128  # several blocks
    texts = [
        *common[:3],
        *rare[:2],
        " ".join(common[:2]),
        " ".join(common[1:4]),
        f"{common[0]} {rare[0]}",
        f"{common[0]} -{common[1]}",
        f"{common[2]} {common[3]} -{common[4]}",
        "وزارت امور خارجه",
        "ایران ایران",
    ]
    source = Article.objects.published().values_list("source__slug", flat=True).first()
    entity = Entity.objects.annotate(n=Count("mentions")).order_by("-n").values_list("slug", flat=True).first()
    filters = ({}, {"source": source}, {"entity": entity})
    checked = 0
    for text, sort, extra in itertools.product(texts, (None, "newest", "oldest"), filters):
        params = SearchParams(q=text, sort=sort or "relevance", **extra)
        q = _engine_query(backend, params)
        assert fast_search.plan(q) is not None, q
        expected, expected_count = _whoosh(searcher, q, 20, sort)
        found = fast_search.search(searcher, q, 20, ["published"] if sort else None, reverse=sort == "newest")
        assert (found.top_n, len(found)) == (expected, expected_count), (text, sort, extra)
        checked += expected_count > 0
    assert checked > 30


@pytest.mark.django_db(transaction=True)
def test_search_pages_show_whoosh_hits_in_whoosh_order(archive):
    backend, searcher = archive
    common, _ = _word_samples(searcher)
    for text, sort, page in [
        (common[0], "relevance", 1),
        (common[0], "relevance", 3),
        (f"{common[1]} {common[2]}", "newest", 2),
        (f'"{common[0]} {common[1]}"', "relevance", 1),  # a phrase: Whoosh answers it
    ]:
        params = SearchParams(q=text, sort=sort, page=page)
        q = _engine_query(backend, params)
        sort_key = None if sort == "relevance" else sort
        expected, count = _whoosh(searcher, q, page * params.page_size, sort_key)
        expected_pks = [int(searcher.stored_fields(docnum)["django_id"]) for _, docnum in expected]
        result = run_search(params)
        assert result.count == count
        assert [hit.article.pk for hit in result.hits] == expected_pks[(page - 1) * params.page_size :]


@pytest.mark.django_db(transaction=True)
def test_queries_it_does_not_answer_go_to_whoosh(archive):
    backend, searcher = archive
    common, _ = _word_samples(searcher)
    phrase = backend.parser.parse(f'"{common[0]} {common[1]}"')
    either = backend.parser.parse(f"{common[0]} OR {common[1]}")
    assert fast_search.plan(phrase) is None and fast_search.search(searcher, phrase, 10) is None
    assert fast_search.plan(either) is None and fast_search.search(searcher, either, 10) is None
