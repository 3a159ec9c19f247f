"""``search_cache``: what one worker computed for a search, read by the others until the index
changes (marker ``postgres``). A worker's own cache is emptied to stand for another worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Source
from articles.search import service
from articles.search.engine import get_engine
from articles.search.params import SearchParams
from articles.search.postgres import shared

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
FACETS_SQL = "SELECT d.article_id, d.source_id FROM search_document d"  # the facet query's matching set


@pytest.fixture(autouse=True)
def postgres_engine(settings):
    settings.NEWSARCHIVE_SEARCH_ENGINE = "articles.search.postgres.engine.PostgresSearchEngine"
    get_engine().clear()
    service._engine_cache = service._LRU(512)  # another worker: nothing of its own kept


def make(title: str, source: Source, day: int) -> Article:
    return Article.objects.create(
        external_id=f"test:{title}",
        title=title,
        body=f"{title}. قیمت نفت خام در بازار جهانی تغییر کرد.",
        source=source,
        published=dt.datetime(2024, 3, day, 12, tzinfo=dt.UTC),
    )


def facet_statements(q: str) -> tuple[service.SearchPage, int]:
    with CaptureQueriesContext(connection) as captured:
        page = service.run_search(SearchParams(q=q))
    return page, sum(FACETS_SQL in query["sql"] for query in captured.captured_queries)


def test_another_worker_reads_the_facets_and_chart_until_the_index_changes():
    isna = Source.objects.create(name="ایسنا", slug="isna")
    make("قیمت نفت", isna, 3)
    make("بازار نفت", isna, 4)
    first, counted = facet_statements("نفت")
    assert counted == 1 and first.count == 2
    assert service.attention(SearchParams(q="نفت"), first) == [
        ("1402-12-13", "۱۳ اسفند ۱۴۰۲", 1),
        ("1402-12-14", "۱۴ اسفند ۱۴۰۲", 1),
    ]

    service._engine_cache = service._LRU(512)
    second, counted = facet_statements("نفت")
    assert counted == 0  # read from search_cache, not counted again
    assert second.facets == first.facets and second.facets["source"][0].count == 2
    with CaptureQueriesContext(connection) as captured:
        chart = service.attention(SearchParams(q="نفت"), second)
    assert chart[-1] == ("1402-12-14", "۱۴ اسفند ۱۴۰۲", 1)
    assert not any("published_day" in query["sql"] for query in captured.captured_queries)

    make("نفت و گاز", isna, 5)  # a new version: every kept row is stale
    service._engine_cache = service._LRU(512)
    third, counted = facet_statements("نفت")
    assert counted == 1 and third.facets["source"][0].count == 3


def test_the_table_holds_a_bounded_number_of_rows_a_write_replacing_its_slot(monkeypatch):
    monkeypatch.setattr(shared, "SLOTS", 1)
    isna = Source.objects.create(name="ایسنا", slug="isna")
    make("قیمت نفت", isna, 3)
    make("بازار گاز", isna, 4)
    assert facet_statements("نفت")[1] == 1
    assert facet_statements("گاز")[1] == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_cache")
        assert cursor.fetchone()[0] == 1
    service._engine_cache = service._LRU(512)
    assert facet_statements("نفت")[1] == 1  # its slot holds another key now: counted again
    assert facet_statements("نفت")[1] == 0


def test_a_missing_table_is_a_miss_and_the_page_still_renders():
    isna = Source.objects.create(name="ایسنا", slug="isna")
    make("قیمت نفت", isna, 3)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE search_cache RENAME TO search_cache_away")
    try:
        page, counted = facet_statements("نفت")
        assert counted == 1 and page.count == 1 and not page.failed
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE search_cache_away RENAME TO search_cache")


def test_pages_are_cut_from_the_kept_top_hits_in_the_engines_order():
    isna = Source.objects.create(name="ایسنا", slug="isna")
    for day, title in enumerate(["قیمت نفت", "بازار نفت", "نفت و گاز", "صادرات نفت"], start=3):
        make(title, isna, day)
    engine = get_engine()
    whole = [pk for pk, _ in engine.search(request_of(SearchParams(q="نفت", sort="newest"))).hits]
    assert len(whole) == 4
    for number in (1, 2, 3, 4):
        service._engine_cache = service._LRU(512)
        with CaptureQueriesContext(connection) as captured:
            page = service.run_search(SearchParams(q="نفت", sort="newest", page=number, page_size=1))
        ranked = sum("ORDER BY" in query["sql"] and "LIMIT" in query["sql"] for query in captured.captured_queries)
        assert [hit.article.pk for hit in page.hits] == whole[number - 1 : number]
        assert page.count == 4 and ranked == (1 if number == 1 else 0)  # one ranking, by the first worker


def request_of(params: SearchParams):
    from articles.search import query

    return service._request(params, query.parse(params.q), offset=0, limit=10)
