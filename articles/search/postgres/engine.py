"""``PostgresSearchEngine``: the app's ``SearchEngine`` over the tables of ``0009_search_postgres``.

Matching is a GIN lookup of ``tsquery`` literals (``compile``); ranking is BM25 with the Whoosh
engine's parameters and idf (Whoosh's BM25F idf for ``match="all"``, Lucene's for ``"any"``),
summed in SQL from the postings of the query's terms only, with ``df``, ``N`` and the average
field lengths read from ``search_term`` and ``search_totals``. Categories, tags and mentions are
read live from the articles' own tables (filters and facets), so they cannot drift at all.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from articles.jalali import naive_utc
from articles.search import engine
from articles.search.postgres import neighbours, shared
from articles.search.postgres.compile import COLUMNS, Compiled, compile_any, compile_search, field_of, key, tsquery
from articles.search.postgres.documents import TEXT, TITLE
from articles.search.postgres.writer import PostgresWriter, lock

# As Whoosh orders them: ties (the same second) reversed with the sort, and undated articles as if
# after every date (Whoosh's column default): first when newest first.
_ORDER = {
    "newest": "m.published DESC NULLS LAST, m.article_id DESC",  # undated last, as on Whoosh
    "oldest": "m.published ASC NULLS LAST, m.article_id",
}


def whoosh_idf(n: int, df: int) -> float:
    """Whoosh's BM25F idf (``match="all"``): never below 1."""
    return math.log(n / (df + 1)) + 1


def lucene_idf(n: int, df: int) -> float:
    """Lucene's idf (``match="any"``, ``articles.search.whoosh.scoring.LuceneBM25``)."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class PostgresSearchEngine(engine.SearchEngine):
    transactional = True
    # Every match is scored in SQL to rank a page (a common word: most of the archive), and every
    # worker shares the kept hits (``search_cache``): the first five pages of 20 come from one query.
    result_window = 100

    def __init__(self) -> None:
        if connection.vendor != "postgresql":
            raise ImproperlyConfigured(
                "the PostgreSQL search engine needs the archive's database on PostgreSQL: "
                "set DATABASE_URL=postgres://… or NEWSARCHIVE_SEARCH=whoosh"
            )

    # -- searching ---------------------------------------------------------------------------

    def search(self, request: engine.SearchRequest) -> engine.SearchResult:
        if request.match == "any":
            return self._search(request, _compiled(request), lucene_idf)
        result = self._search(request, _compiled(request), whoosh_idf)
        if result.count == 0 and request.relaxes():
            result = self._search(request, _compiled(request, relaxed=True), whoosh_idf)
            result.relaxed = True
        return result

    def _search(self, request: engine.SearchRequest, compiled: Compiled, idf) -> engine.SearchResult:
        with planned() as cursor:
            if request.sort == "relevance" and compiled.scored:
                sql, params = _ranked(cursor, compiled, idf)
                order = "score DESC, m.article_id"
            else:
                sql, params = _unranked(compiled), compiled.params
                order = _ORDER.get(request.sort, "m.article_id")
            # Materialized: inlined, a sort by date walked the date index matching every row's vector.
            cursor.execute(
                f"WITH m AS MATERIALIZED ({sql}) SELECT m.article_id, m.score, count(*) OVER () FROM m "
                f"ORDER BY {order} LIMIT %s OFFSET %s",
                [*params, request.limit, request.offset],
            )
            rows = cursor.fetchall()
            if rows:
                count = rows[0][2]
            else:
                cursor.execute(f"SELECT count(*) FROM search_document d WHERE {compiled.sql()}", compiled.params)
                count = cursor.fetchone()[0]
            result = engine.SearchResult(hits=[(pk, float(score)) for pk, score, _ in rows], count=count)
            if request.facets:
                result.facets = _facets(cursor, compiled) if count else {name: [] for name in engine.FACET_FIELDS}
        return result

    def published_dates(self, request: engine.SearchRequest) -> list[dt.datetime]:
        compiled = _compiled(request)
        dates = _published(compiled)
        if not dates and request.relaxes():
            dates = _published(_compiled(request, relaxed=True))
        return dates

    def dated(self, request: engine.SearchRequest) -> engine.DayCounts:
        """Counted per Tehran day in SQL: the chart needs no more, and no date per article travels."""
        found = _days(_compiled(request))
        if not found.days and request.relaxes():
            found = _days(_compiled(request, relaxed=True))
        return found

    def similar(self, article, limit: int) -> list[int]:
        return neighbours.similar(article, limit)

    def neighbours(self, article, limit: int) -> list[tuple[int, float]]:
        return neighbours.neighbours(article, limit)

    def published_frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        return neighbours.published_frequencies(terms)

    def written_forms(self, term: str) -> list[str]:
        return neighbours.written_forms(term)

    # -- the index ---------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[PostgresWriter]:
        """The current transaction (a savepoint inside one); the first write locks the totals row."""
        with transaction.atomic():
            yield PostgresWriter()

    def version(self) -> tuple:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version FROM search_totals WHERE id = 1")
            return ("postgres", cursor.fetchone()[0])

    def recall(self, key: tuple):
        return shared.recall(key, key[-1][1]) if _ours(key) else None

    def keep(self, key: tuple, value) -> None:
        if _ours(key):
            shared.keep(key, value, key[-1][1])

    def indexed_versions(self) -> dict[int, dt.datetime | None]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT article_id, updated FROM search_document")
            return {pk: naive_utc(updated) if updated else None for pk, updated in cursor.fetchall()}

    def doc_count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT documents FROM search_totals WHERE id = 1")
            return cursor.fetchone()[0]

    def clear(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            lock(cursor)
            cursor.execute("TRUNCATE search_document, search_posting, search_term")
            cursor.execute("UPDATE search_totals SET documents = 0, text_length = 0, title_length = 0 WHERE id = 1")


def _ours(key: tuple) -> bool:
    """A key ending with this engine's ``version()``."""
    return bool(key) and isinstance(key[-1], tuple) and key[-1][:1] == ("postgres",)


@contextmanager
def planned() -> Iterator:
    """A cursor whose statements scan ``search_document`` through its indexes, never sequentially.

    The planner does not count the cost of reading a ``tsvector`` back from TOAST: for a word in a
    fifth of the articles it chose a sequential scan matching ``@@`` on every row (every vector
    read: 200 ms at 6,456 articles) over the GIN index (no vector read for a plain word: 20 ms).
    ``SET LOCAL`` holds until the transaction ends: set back when the block succeeds; rolled
    back with it otherwise."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        yield cursor
        cursor.execute("SET LOCAL enable_seqscan = on")


def _compiled(request: engine.SearchRequest, relaxed: bool = False) -> Compiled:
    """The request's query in SQL, as its ``match`` reads the words."""
    if request.match == "any":
        return compile_any(request.parsed, request.filters)
    return compile_search(request.parsed, request.filters, relaxed=relaxed)


def _unranked(compiled: Compiled) -> str:
    return f"SELECT d.article_id, d.published, 0.0 AS score FROM search_document d WHERE {compiled.sql()}"


Statistics = tuple[int, dict[str, float], dict[tuple[str, str], tuple[int, int]]]


def statistics(cursor, keys: set[tuple[str, str]]) -> Statistics:
    """``N``, the average length of each field, and ``(term id, df)`` of each ``(field, term)`` indexed."""
    cursor.execute("SELECT documents, text_length, title_length FROM search_totals WHERE id = 1")
    n, text_length, title_length = cursor.fetchone()
    average = {TEXT: (text_length / n if n else 0) or 1, TITLE: (title_length / n if n else 0) or 1}
    keys = sorted(keys)
    cursor.execute(
        "SELECT field, term, id, df FROM search_term WHERE (field, term) IN "
        "(SELECT * FROM unnest(%s::varchar[], %s::text[]))",
        [[k[0] for k in keys], [k[1] for k in keys]],
    )
    return n, average, {(name, term): (term_id, df) for name, term, term_id, df in cursor.fetchall()}


def _ranked(cursor, compiled: Compiled, idf) -> tuple[str, list]:
    """The matching documents with their BM25: per query term, its postings among the matches
    (``s0``, ``s1``…), then per scored clause the sum of its terms (a phrase only where it matches)."""
    from articles.search.engine import bm25

    k1, b = bm25()
    terms = list(dict.fromkeys((field_of(c), term) for c in compiled.scored for term in c.terms))
    n, average, found = statistics(cursor, set(terms))
    slots = {t: i for i, t in enumerate(terms) if t in found}
    flags, flag_params, parts = [], [], []
    for c in compiled.scored:
        summed = " + ".join(f"coalesce(s.s{slots[(field_of(c), t)]}, 0)" for t in c.terms if (field_of(c), t) in slots)
        if not summed:
            continue
        if c.is_phrase and key(c) not in compiled.certain:
            flags.append(f", {COLUMNS[field_of(c)]} @@ %s::tsquery AS p{len(flags)}")
            flag_params.append(tsquery(c))
            summed = f"CASE WHEN d.p{len(flags) - 1} THEN {summed} ELSE 0 END"
        parts.append(f"({summed})")
    if not slots:
        return _unranked(compiled), compiled.params
    values = ", ".join("(%s, %s::float8, %s::float8, %s)" for _ in slots)
    value_params = []
    for t, slot in slots.items():
        term_id, df = found[t]
        value_params += [term_id, idf(n, df), average[t[0]], slot]
    columns = ", ".join(f"sum(x) FILTER (WHERE slot = {i}) AS s{i}" for i in slots.values())
    # The postings joined to the matches: a few matches (every word required) look their terms'
    # entries up by (term, article); many (any word) read the terms' entries whole and hash.
    sql = f"""
        WITH d AS MATERIALIZED (
            SELECT d.article_id, d.published{"".join(flags)} FROM search_document d WHERE {compiled.sql()}
        ), s AS (
            SELECT p.article_id, {columns} FROM (
                SELECT p.article_id, q.slot,
                    q.idf * p.tf * %s / (p.tf + %s * (%s + %s * p.length / q.average)) AS x
                FROM (VALUES {values}) AS q(term_id, idf, average, slot)
                JOIN search_posting p ON p.term_id = q.term_id
                JOIN d ON d.article_id = p.article_id
            ) p GROUP BY p.article_id
        )
        SELECT d.article_id, d.published, {" + ".join(parts) or "0.0"} AS score FROM d
        LEFT JOIN s ON s.article_id = d.article_id
    """
    return sql, [*flag_params, *compiled.params, k1 + 1, k1, 1 - b, b, *value_params]


def _facets(cursor, compiled: Compiled) -> dict[str, list[tuple[str, int]]]:
    """Values of the whole matching set: its sources, categories and entities, read live."""
    from articles.models import Article, Category, Entity, Mention, Source

    categories, mentions = Article.categories.through._meta.db_table, Mention._meta.db_table
    # Counted per id, then named: the groups are integers, and each name is joined once, not per
    # mention (an entity facet of a common word counts ~15 mentions per match).
    cursor.execute(
        f"""
        WITH m AS MATERIALIZED (SELECT d.article_id, d.source_id FROM search_document d WHERE {compiled.sql()})
        SELECT 'source', t.slug, c.n FROM (SELECT source_id AS id, count(*) AS n FROM m GROUP BY source_id) c
            JOIN {Source._meta.db_table} t ON t.id = c.id
        UNION ALL
        SELECT 'categories', t.slug, c.n FROM (
            SELECT r.category_id AS id, count(*) AS n FROM m JOIN {categories} r ON r.article_id = m.article_id
            GROUP BY r.category_id
        ) c JOIN {Category._meta.db_table} t ON t.id = c.id
        UNION ALL
        SELECT 'entities', t.slug, c.n FROM (
            SELECT r.entity_id AS id, count(*) AS n FROM m JOIN {mentions} r ON r.article_id = m.article_id
            GROUP BY r.entity_id
        ) c JOIN {Entity._meta.db_table} t ON t.id = c.id
        """,
        compiled.params,
    )
    facets: dict[str, list[tuple[str, int]]] = {name: [] for name in engine.FACET_FIELDS}
    for name, slug, count in cursor.fetchall():
        if slug:
            facets[name].append((slug, count))
    return facets


def _days(compiled: Compiled) -> engine.DayCounts:
    """Counted per stored Tehran day in SQL, with the first and last time (the chart's span)."""
    with planned() as cursor:
        # Materialized: inlined, ``published >= 1900`` let the planner take every row from the date
        # index and match each one's vector (130 ms at 10,000 articles; the GIN index alone: 10 ms).
        cursor.execute(
            f"WITH m AS MATERIALIZED (SELECT d.published, d.published_day FROM search_document d"
            f" WHERE {compiled.sql()}) SELECT published_day, count(*), min(published), max(published)"
            " FROM m WHERE published >= %s GROUP BY published_day",
            [*compiled.params, _EARLIEST],
        )
        rows = cursor.fetchall()
    if not rows:
        return engine.DayCounts()
    return engine.DayCounts(
        {day: n for day, n, _, _ in rows},
        naive_utc(min(first for _, _, first, _ in rows)),
        naive_utc(max(last for _, _, _, last in rows)),
    )


_EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)  # earlier dates are typos: not charted (as ``_published``)


def _published(compiled: Compiled) -> list[dt.datetime]:
    with planned() as cursor:
        # Unordered: ordered by id, the planner walked the primary key and matched every row's vector;
        # materialized: inlined, it took every dated row from the date index and matched its vector.
        cursor.execute(
            f"WITH m AS MATERIALIZED (SELECT d.published FROM search_document d WHERE {compiled.sql()})"
            " SELECT published FROM m WHERE published IS NOT NULL",
            compiled.params,
        )
        return sorted(naive_utc(value) for (value,) in cursor.fetchall() if value.year >= 1900)
