"""The PostgreSQL search engine on a real PostgreSQL server (marker ``postgres``: deselected on
SQLite and in the fast tier; ``make test-all`` runs them when ``DATABASE_URL`` is PostgreSQL).

Articles are saved through the models, so every index change goes through the signals, inside
the test's transaction, as an editor's save would."""

from __future__ import annotations

import datetime as dt
import io
import math
import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import persian
from articles.models import Article, Category, Entity, Mention, Source
from articles.search import indexing, query
from articles.search.engine import DayCounts, Filters, SearchRequest, bm25, get_engine
from articles.search.postgres import documents
from articles.search.postgres.engine import PostgresSearchEngine, planned

ENGINE = "articles.search.postgres.engine.PostgresSearchEngine"
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def postgres_engine(settings):
    settings.NEWSARCHIVE_SEARCH_ENGINE = ENGINE
    engine = get_engine()
    engine.clear()
    return engine


def make(title: str, body: str = "", source: Source | None = None, days: int = 0, **fields) -> Article:
    published = dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC) + dt.timedelta(days=days)
    return Article.objects.create(
        external_id=f"test:{title}", title=title, body=body, source=source, published=published, **fields
    )


def search(q: str, match: str = "all", **options) -> list[int]:
    return [pk for pk, _ in get_engine().search(request(q, match, **options)).hits]


def request(q: str, match: str = "all", filters: Filters | None = None, **options) -> SearchRequest:
    return SearchRequest(parsed=query.parse(q), filters=filters or Filters(), match=match, **options)


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.fixture
def archive() -> dict[str, Article]:
    isna = Source.objects.create(name="ایسنا", slug="isna")
    irna = Source.objects.create(name="ایرنا", slug="irna")
    return {
        "white_house": make("دیدار در کاخ سفید", "رئیس‌جمهور آمریکا در کاخ سفید با پوتین دیدار کرد.", isna, 1),
        "apart": make("کاخ موزه", "این کاخ قدیمی است و دیوارهای سفید دارد.", irna, 2),
        "oil": make("قیمت نفت", "قیمت نفت خام در بازار جهانی افزایش یافت.", isna, 3),
        "putin": make("سفر پوتین", "پوتین به تهران سفر کرد و درباره نفت گفت‌وگو کرد.", irna, 4),
        "draft": make("پیش‌نویس نفت", "متن پیش‌نویس درباره نفت.", isna, 5, status=Article.Status.DRAFT),
    }


def test_a_phrase_finds_its_words_side_by_side_only(archive):
    assert search('"کاخ سفید"') == [archive["white_house"].pk]
    assert set(search("کاخ سفید")) == {archive["white_house"].pk, archive["apart"].pk}


def test_or_exclusion_and_title_clauses(archive):
    assert set(search("تهران OR بازار")) == {archive["putin"].pk, archive["oil"].pk}
    assert search("نفت -پوتین") == [archive["oil"].pk]
    assert search('کاخ -"کاخ سفید"') == [archive["apart"].pk]
    assert search("title:پوتین") == [archive["putin"].pk]
    assert set(search("پوتین")) == {archive["putin"].pk, archive["white_house"].pk}


def test_drafts_are_indexed_but_only_editors_find_them(archive):
    draft = archive["draft"].pk
    assert draft not in search("نفت") and draft not in search("نفت", "any")
    assert draft in search("نفت", filters=Filters(include_drafts=True))
    assert rows("SELECT status FROM search_document WHERE article_id = %s", [draft]) == [("draft",)]


def test_match_all_relaxes_to_most_words_when_nothing_has_them_all(archive):
    result = get_engine().search(request("نفت کاخ"))
    assert result.relaxed and result.count == 4


def test_match_any_ranks_by_the_words_held_and_plus_requires(archive):
    assert search("پوتین تهران", "any")[0] == archive["putin"].pk
    assert set(search("نفت +تهران", "any")) == {archive["putin"].pk}


def test_filters_sort_page_and_count(archive):
    isna = Filters(sources=("isna",))
    assert set(search("نفت", filters=isna)) == {archive["oil"].pk}
    assert search("نفت", "any", sort="newest") == [archive["putin"].pk, archive["oil"].pk]
    assert search("نفت", "any", sort="oldest") == [archive["oil"].pk, archive["putin"].pk]
    second = get_engine().search(request("نفت", "any", sort="oldest", offset=1, limit=1))
    assert second.hits == [(archive["putin"].pk, 0.0)] and second.count == 2
    beyond = get_engine().search(request("نفت", offset=10))
    assert beyond.hits == [] and beyond.count == 2
    dates = Filters(published_from=dt.datetime(2024, 3, 4), published_before=dt.datetime(2024, 3, 5, 12))
    assert search("نفت", filters=dates) == [archive["oil"].pk]


def test_category_and_entity_filters_and_facets_are_read_live(archive):
    economy = Category.objects.create(name="اقتصاد", slug="economy")
    archive["oil"].categories.add(economy)
    putin = Entity.objects.create(name="ولادیمیر پوتین", slug="putin")
    Mention.objects.create(article=archive["putin"], entity=putin)

    assert search("نفت", filters=Filters(categories=("economy",))) == [archive["oil"].pk]
    assert search("نفت", filters=Filters(categories=("economy", "sports"))) == [archive["oil"].pk]
    assert search("نفت", filters=Filters(entities=("putin",))) == [archive["putin"].pk]
    facets = get_engine().search(request("نفت")).facets
    assert sorted(facets["source"]) == [("irna", 1), ("isna", 1)]
    assert facets["categories"] == [("economy", 1)] and facets["entities"] == [("putin", 1)]


def test_published_dates_of_the_matching_set(archive):
    assert get_engine().published_dates(request("نفت")) == [dt.datetime(2024, 3, 4, 12), dt.datetime(2024, 3, 5, 12)]


def test_published_days_group_by_the_tehran_day_kept_with_every_save(archive):
    """The chart's counts come grouped from SQL; a date moved to 20:45 UTC is the next Tehran day
    (00:15 there), and the stored day follows a save that changes only the date."""
    engine = get_engine()
    assert engine.dated(request("نفت")) == DayCounts(
        {dt.date(2024, 3, 4): 1, dt.date(2024, 3, 5): 1}, dt.datetime(2024, 3, 4, 12), dt.datetime(2024, 3, 5, 12)
    )
    archive["putin"].published = dt.datetime(2024, 3, 5, 20, 45, tzinfo=dt.UTC)
    archive["putin"].save()
    found = engine.dated(request("نفت"))
    assert found.days == {dt.date(2024, 3, 4): 1, dt.date(2024, 3, 6): 1}
    assert found.last == dt.datetime(2024, 3, 5, 20, 45, tzinfo=dt.UTC)
    assert engine.dated(request("واژه‌ای-که-نیست")) == DayCounts()


def test_terms_reach_postgresql_as_they_are_quoted_never_analyzed():
    awkward = ["it's", "a\\b", "x:y", "'", "&|!<->", "گفت‌وگو"]
    vector = " ".join(f"{documents.quote(term)}:{i}" for i, term in enumerate(awkward, 1))
    stored = rows("SELECT lexeme FROM unnest(%s::tsvector) ORDER BY lexeme", [vector])
    assert sorted(t for (t,) in stored) == sorted(awkward)
    for term in awkward:
        assert rows("SELECT %s::tsvector @@ %s::tsquery", [vector, documents.quote(term)]) == [(True,)]
    assert rows("SELECT %s::tsvector @@ %s::tsquery", [vector, "'it''s' <-> 'a\\\\b'"]) == [(True,)]


def test_a_rolled_back_save_leaves_no_index_row(archive):
    def state():
        return rows("SELECT * FROM search_totals"), rows("SELECT field, term, df FROM search_term ORDER BY 1, 2")

    before = state()
    with pytest.raises(RuntimeError), transaction.atomic():
        article = make("زلزله در کرمان", "زلزله‌ای شدید کرمان را لرزاند.")
        archive["oil"].title = "قیمت نفت و زلزله"
        archive["oil"].save()
        assert set(search("زلزله")) == {article.pk, archive["oil"].pk}  # inside: found at once
        raise RuntimeError
    assert search("زلزله") == []
    assert rows("SELECT count(*) FROM search_document WHERE article_id = %s", [article.pk]) == [(0,)]
    assert state() == before


def test_delete_removes_the_row_and_its_statistics(archive):
    pk = archive["apart"].pk
    archive["apart"].delete()
    assert rows("SELECT count(*) FROM search_document WHERE article_id = %s", [pk]) == [(0,)]
    assert rows("SELECT count(*) FROM search_posting WHERE article_id = %s", [pk]) == [(0,)]
    assert search("کاخ") == [archive["white_house"].pk]
    assert get_engine().doc_count() == 4


def recount() -> tuple[dict, tuple]:
    """df and totals as the stored articles' own analysis gives them."""
    df: Counter = Counter()
    totals = [0, 0, 0]
    for article in Article.objects.all():
        fields = documents.analyze_article(article)
        df.update((name, term) for name, f in fields.items() for term in f.positions)
        totals = [totals[0] + 1, totals[1] + fields["text"].length, totals[2] + fields["title"].length]
    return dict(df), tuple(totals)


def test_statistics_stay_exact_through_updates_deletes_and_status_changes(archive):
    archive["oil"].body += " نفت نفت و گاز"
    archive["oil"].save()
    archive["apart"].delete()
    archive["putin"].status = Article.Status.DRAFT
    archive["putin"].save(update_fields=["status"])
    make("گاز طبیعی", "صادرات گاز طبیعی.")

    df, totals = recount()
    stored = {(name, term): n for name, term, n in rows("SELECT field, term, df FROM search_term")}
    assert stored == df
    assert rows("SELECT documents, text_length, title_length FROM search_totals") == [totals]
    assert rows("SELECT t.id, t.df FROM search_term t ORDER BY 1") == rows(
        "SELECT term_id, count(*) FROM search_posting GROUP BY 1 ORDER BY 1"
    )


@pytest.mark.django_db(transaction=True)
def test_writers_in_parallel_transactions_keep_the_statistics_exact(archive):
    """Two connections saving and deleting at once, each save in its own transaction: the
    totals row serializes them, so no df update is lost and nothing deadlocks."""
    texts = ["نفت و گاز ایران", "بازار نفت تهران", "قیمت گاز و نفت", "سفر پوتین به تهران"]
    errors = []

    def write(worker: int) -> None:
        try:
            for i in range(12):
                with transaction.atomic():
                    article = make(f"{texts[i % 4]} {worker}-{i}", texts[(i + worker) % 4] * 3)
                if i % 3 == 2:
                    article.delete()
        except Exception as exc:  # reported below: a thread's exception would vanish
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    df, totals = recount()
    assert {(name, term): n for name, term, n in rows("SELECT field, term, df FROM search_term")} == df
    assert rows("SELECT documents, text_length, title_length FROM search_totals") == [totals]
    assert get_engine().doc_count() == Article.objects.count() == 5 + 2 * 8


def test_bm25_score_of_a_hit_is_the_hand_computation(archive):
    k1, b = bm25()
    oil = archive["oil"]
    text = documents.analyze(documents.text_of(oil))
    analyzed = [documents.analyze(documents.text_of(a)) for a in Article.objects.all()]
    n, average = len(analyzed), sum(f.length for f in analyzed) / len(analyzed)

    def bm25_of(term: str, idf) -> float:
        df = sum(1 for f in analyzed if term in f.positions)
        tf = len(text.positions[term])
        return idf(n, df) * tf * (k1 + 1) / (tf + k1 * ((1 - b) + b * text.length / average))

    def whoosh(n, df):
        return math.log(n / (df + 1)) + 1

    def lucene(n, df):
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    [nafť, price] = persian.terms("نفت قیمت")
    hits = dict(get_engine().search(request("نفت قیمت")).hits)
    assert hits[oil.pk] == pytest.approx(bm25_of(nafť, whoosh) + bm25_of(price, whoosh), rel=1e-12)
    hits = dict(get_engine().search(request("نفت قیمت", "any")).hits)
    assert hits[oil.pk] == pytest.approx(bm25_of(nafť, lucene) + bm25_of(price, lucene), rel=1e-12)


def test_version_moves_with_every_index_change_and_check_index_agrees(archive):
    engine = get_engine()
    before = engine.version()
    archive["oil"].categories.add(Category.objects.create(name="انرژی", slug="energy"))
    assert engine.version() != before
    assert indexing.compare().ok
    engine.remove([archive["oil"].pk])  # as if its save had never reached the index
    assert indexing.compare().missing == {archive["oil"].pk}
    call_command("check_index", fix=True, stdout=io.StringIO())
    assert indexing.compare().ok and archive["oil"].pk in search("نفت")


@pytest.mark.django_db(transaction=True)  # committed rows, as a flush between tests finds them
def test_flushing_the_articles_empties_the_index_with_them(archive):
    before = get_engine().version()
    call_command("flush", interactive=False, verbosity=0)  # TRUNCATE: no row signal
    assert rows("SELECT count(*) FROM search_document") == [(0,)] and rows("SELECT count(*) FROM search_term") == [(0,)]
    assert get_engine().doc_count() == 0 and get_engine().version() != before


def test_rebuild_index_writes_every_article_again(archive):
    get_engine().clear()
    assert search("نفت") == [] and get_engine().doc_count() == 0
    call_command("rebuild_index", interactive=False, verbosity=0)
    assert get_engine().doc_count() == 5 and set(search("نفت")) == {archive["oil"].pk, archive["putin"].pk}
    assert recount()[1] == rows("SELECT documents, text_length, title_length FROM search_totals")[0]


def test_clear_index_and_update_index_work_on_postgresql(archive):
    call_command("clear_index", interactive=False, verbosity=0)
    assert get_engine().doc_count() == 0 and indexing.compare().missing == {a.pk for a in archive.values()}
    call_command("update_index", verbosity=0)
    assert indexing.compare().ok and get_engine().doc_count() == 5


def test_no_statement_matches_vectors_row_by_row(archive):
    """Every ``@@`` is answered by the GIN index (or rechecks its candidates): a plan that reads
    each row's vector back from TOAST cost 10-40x at a few thousand articles."""
    engine = get_engine()
    with CaptureQueriesContext(connection) as captured:
        for sort in ("relevance", "newest", "oldest"):
            for match in ("all", "any"):
                engine.search(request('نفت "کاخ سفید" -پوتین title:قیمت', match, sort=sort))
                engine.search(request("نفت OR کاخ", match, sort=sort))
        engine.published_dates(request("نفت"))
    statements = [q["sql"] for q in captured if "@@" in q["sql"]]
    assert statements
    with planned() as cursor:
        # A handful of rows plans unlike thousands: sorting made dear stands in for a big result
        # (it tempted the planner to walk the date index instead of sorting the matches).
        cursor.execute("SET LOCAL enable_sort = off")
        for sql in statements:
            cursor.execute("EXPLAIN " + sql)
            plan = [line for (line,) in cursor.fetchall()]
            node = ""
            for line in plan:
                if "->" in line or line is plan[0]:
                    node = line
                elif "Filter:" in line and "@@" in line:  # only a bitmap's candidates may be rechecked
                    assert "Bitmap Heap Scan" in node, "\n".join(plan)
            assert not [line for line in plan if "Seq Scan on search_document" in line], "\n".join(plan)


def test_the_engine_refuses_a_database_that_is_not_postgresql(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(Exception, match="DATABASE_URL=postgres"):
        PostgresSearchEngine()
