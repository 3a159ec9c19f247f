"""The Whoosh backend's speed measures keep results right: a reused searcher sees every commit,
facet counts read from columns match the database, and the index is read in place."""

from __future__ import annotations

import os
import tracemalloc

import pytest
from django.db.models import Count
from haystack import connections
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.query import Term
from whoosh.sorting import Count as FacetCount
from whoosh.sorting import FieldFacet

from articles.models import Article
from articles.search import indexing
from articles.search.service import SearchParams, run_search
from articles.search.whoosh import facets
from articles.search.whoosh.schema import FacetKeyword, FacetListColumn
from articles.tests.conftest import REPO

pytestmark = pytest.mark.django_db

DEMO = REPO / "demo" / "articles.jsonl"


def _searcher(backend):
    return backend.index.searcher()._searcher


@pytest.mark.django_db(transaction=True)  # the index follows commits
def test_one_searcher_serves_until_a_commit_then_the_next_sees_it(import_paths):
    import_paths(DEMO)
    backend = indexing._backend()
    run_search(SearchParams(q="گفتوگو"))
    first = _searcher(backend)
    run_search(SearchParams(q="تماس های"))
    assert _searcher(backend) is first  # no reader opened per query

    article = Article.objects.published().first()
    article.title = "واژه‌ای تازه: زیستبوم"
    article.save()
    page = run_search(SearchParams(q="زیست‌بوم"))
    assert [hit.article.pk for hit in page.hits] == [article.pk]
    assert _searcher(backend) is not first


def test_facet_counts_read_from_columns_match_the_database(import_paths):
    import_paths(DEMO)
    schema = indexing._backend().index.schema
    assert all(isinstance(schema[name].column_type, FacetListColumn) for name in ("source", "categories", "entities"))
    assert schema["text"].column_type is None and not schema["text"].stored  # lean text fields

    page = run_search(SearchParams(q="ایران", page_size=100))
    ids = [hit.article.pk for hit in page.hits]
    assert page.count == len(ids) > 0
    rows = Article.objects.filter(pk__in=ids).values("source__slug").annotate(n=Count("pk"))
    by_source = {row["source__slug"]: row["n"] for row in rows}
    assert {v.slug: v.count for v in page.facets["source"]} == by_source


def test_the_index_is_read_in_place_not_copied_into_memory(import_paths):
    import_paths(DEMO)
    backend = indexing._backend()
    indexing.optimize()  # one segment holding every file
    on_disk = sum(entry.stat().st_size for entry in os.scandir(backend.path) if entry.name.endswith(".seg"))
    tracemalloc.start()
    try:
        run_search(SearchParams(q="اقتصاد"))
        run_search(SearchParams(q="ایران"))
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert on_disk > 200_000
    assert held < on_disk / 2, f"searching holds {held:,} bytes of a {on_disk:,}-byte index"


@pytest.mark.django_db(transaction=True)  # the index follows commits
def test_facet_counts_are_reused_until_the_index_changes(import_paths):
    from articles.models import Source
    from articles.search import service as search

    import_paths(DEMO)
    first = run_search(SearchParams(q="ایران"))
    key = next(iter(search._engine_cache._items))
    assert search._engine_cache.get(key) is not None
    assert run_search(SearchParams(q="ایران", page=2)).facets == first.facets  # another page: counts reused

    moved = next(hit.article for hit in first.hits)
    other = Source.objects.create(name="منبع تازه‌ی آزمون", slug="test-new-source")
    moved.source = other
    moved.save()  # a commit: a new index version, counted again
    after = run_search(SearchParams(q="ایران"))
    assert [(v.slug, v.count) for v in after.facets["source"] if v.slug == other.slug] == [(other.slug, 1)]


@pytest.mark.django_db(transaction=True)
def test_warm_decodes_facet_values_before_the_first_search(import_paths):
    from articles.search.service import FACET_FIELDS, warm

    import_paths(DEMO)
    facets._segment_values.clear()
    warm()  # what newsarchive.wsgi does before gunicorn forks
    segments = {s.segment_id() for s in indexing._backend().index._index._segments()}
    assert {key for key in facets._segment_values if key[0] in segments} == {
        (segment, name) for segment in segments for name in FACET_FIELDS
    }
    page = run_search(SearchParams(q="ایران"))
    assert page.count > 0 and page.facets["source"]


@pytest.mark.django_db(transaction=True)
def test_warm_with_a_broken_index_leaves_the_site_up(import_paths, caplog):
    from articles.search.service import warm

    import_paths(DEMO)
    backend = indexing._backend()
    for entry in os.scandir(backend.path):
        if entry.name.endswith(".toc"):
            with open(entry.path, "wb") as handle:
                handle.write(b"not a table of contents")
    # A server started now: the import kept a searcher in this thread (storing its articles'
    # more like this), and a kept searcher of the same generation goes on reading the segments.
    connections.reload("default")
    warm()  # logs instead of raising: the site starts and says so per search
    assert "could not read the search index" in caplog.text
    assert run_search(SearchParams(q="ایران")).unavailable


def test_a_segment_without_a_facet_column_is_searched_and_counted(tmp_path):
    # A segment none of whose documents has the field holds no column for it (an index written
    # before empty segments were dropped had such segments): its documents have no values.
    schema = Schema(id=ID(stored=True, unique=True), text=TEXT(), entities=FacetKeyword())
    ix = whoosh_index.create_in(str(tmp_path), schema)
    with ix.writer() as writer:
        writer.add_document(id="1", text="نفت ایران", entities="iran,opec")
        writer.add_document(id="2", text="نفت عراق", entities="iraq,opec")
    writer = ix.writer()
    writer.add_document(id="3", text="نفت روسیه")  # no entities at all
    writer.commit(merge=False)
    ix = ix.refresh()
    with ix.searcher() as searcher:
        assert [sub.reader().has_column("entities") for sub, _ in searcher.leaf_searchers()] == [True, False]
        facet = FieldFacet("entities", allow_overlap=True, maptype=FacetCount)
        results = searcher.search(Term("text", "نفت"), limit=None, groupedby=[facet])
        assert len(results) == 3
        assert results.groups("entities") == {"opec": 2, "iran": 1, "iraq": 1}
        fast = facets.grouped_search(searcher, Term("text", "نفت"), 10, [facet])
        assert fast is None or fast.groups("entities") == results.groups("entities")


@pytest.mark.django_db
def test_the_postgresql_document_text_is_the_whoosh_indexs(import_paths):
    """Both engines index the same text: PostgreSQL's document (``documents.text_of``) is what the
    Whoosh index's ``text`` field renders from its template (but the template file's final line
    break, which no analyzer sees); "more like this" draws its key
    terms from it, the agency line left out (``key_text``)."""
    from articles.search.engine import key_text
    from articles.search.postgres import documents
    from articles.search_indexes import ArticleIndex

    import_paths(REPO / "demo" / "articles.jsonl")
    field = ArticleIndex().fields["text"]
    articles = list(Article.objects.all())
    assert articles and any(article.agency for article in articles)
    for article in articles:
        assert f"{documents.text_of(article)}\n" == field.prepare(article)  # the template's last line ends
        assert documents.text_of(article) == f"{key_text(article)}\n{article.agency}"
