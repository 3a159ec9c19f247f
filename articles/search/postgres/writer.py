"""Index rows, term statistics and totals, changed together inside the caller's transaction.

A batch is written as a handful of statements over arrays (``unnest``), whatever its size. Every
write first takes the one ``search_totals`` row (``UPDATE … version + 1``): writers are
serialized until their transaction ends, so ``df`` and the totals are exact and never deadlock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection

from articles.search import engine
from articles.search.postgres import documents
from articles.search.postgres.documents import FIELDS, TEXT, TITLE


def lock(cursor) -> None:
    """Serialize with every other index writer until this transaction ends; the version moves."""
    cursor.execute("UPDATE search_totals SET version = version + 1 WHERE id = 1")


class PostgresWriter(engine.IndexWriter):
    def __init__(self) -> None:
        self._locked = False

    def _cursor(self):
        cursor = connection.cursor()
        if not self._locked:
            lock(cursor)
            self._locked = True
        return cursor

    def touch(self) -> None:
        """Only the version moves (taking the lock moves it)."""
        self._cursor().close()

    def update(self, articles: Iterable) -> int:
        articles = list({a.pk: a for a in articles}.values())  # an article given twice is written once
        if not articles:
            return 0
        with self._cursor() as cursor:
            cursor.execute(
                "SELECT article_id, digest FROM search_document WHERE article_id = ANY(%s)", [[a.pk for a in articles]]
            )
            stored = dict(cursor.fetchall())
            texts = [a for a in articles if stored.get(a.pk) != documents.digest(a)]
            same = [a for a in articles if stored.get(a.pk) == documents.digest(a)]
            if same:
                _update_copies(cursor, same)
            if texts:
                indexed = [a.pk for a in texts if a.pk in stored]
                if indexed:  # a new article has nothing to subtract
                    self._remove(cursor, indexed)
                _add(cursor, texts)
        return len(articles)

    def remove(self, pks: Iterable[int]) -> None:
        pks = list(pks)
        if pks:
            with self._cursor() as cursor:
                self._remove(cursor, pks)

    @staticmethod
    def _remove(cursor, pks: list[int]) -> None:
        """Subtract these documents from df and the totals, then drop their postings and rows.

        A document's terms are its vectors' lexemes (every posting's term is one of them)."""
        cursor.execute(
            f"""
            WITH old AS ({_OLD_POSTINGS}),
            counts AS (SELECT term_id, count(*) AS n FROM old GROUP BY term_id)
            UPDATE search_term SET df = df - counts.n FROM counts WHERE search_term.id = counts.term_id
            RETURNING search_term.id, search_term.df
            """,
            {"pks": pks},
        )
        unused = [term_id for term_id, df in cursor.fetchall() if df <= 0]
        cursor.execute(
            f"""
            DELETE FROM search_posting p USING ({_OLD_POSTINGS}) AS old
            WHERE p.term_id = old.term_id AND p.article_id = old.article_id
            """,
            {"pks": pks},
        )
        if unused:
            cursor.execute("DELETE FROM search_term WHERE id = ANY(%s)", [unused])
        cursor.execute(
            """
            WITH gone AS (DELETE FROM search_document WHERE article_id = ANY(%(pks)s) RETURNING *)
            UPDATE search_totals SET documents = documents - (SELECT count(*) FROM gone),
                text_length = text_length - (SELECT coalesce(sum(text_length), 0) FROM gone),
                title_length = title_length - (SELECT coalesce(sum(title_length), 0) FROM gone)
            WHERE id = 1
            """,
            {"pks": pks},
        )


# The postings of the documents ``pks``: their vectors' lexemes, as term ids.
_OLD_POSTINGS = """
    SELECT d.article_id, t.id AS term_id
    FROM search_document d
    CROSS JOIN LATERAL (
        SELECT 'text' AS field, unnest(tsvector_to_array(d.text_vector)) AS term
        UNION ALL SELECT 'title', unnest(tsvector_to_array(d.title_vector))
    ) AS l
    JOIN search_term t ON t.field = l.field AND t.term = l.term
    WHERE d.article_id = ANY(%(pks)s)
"""


def _copies(article) -> tuple:
    return (article.status, article.published, tehran_day(article.published), article.source_id, article.updated)


def tehran_day(published):
    """The Tehran day of a publication time (the attention chart groups by it), as Python's time
    zone data reads it: the same day the Whoosh engine's chart puts the article on."""
    from articles.jalali import TEHRAN

    return published.astimezone(TEHRAN).date() if published else None


def _update_copies(cursor, articles: list) -> None:
    """An unchanged text: only the copies of the article's row (status, date, source, version)."""
    cursor.execute(
        """
        UPDATE search_document d SET status = c.status, published = c.published, published_day = c.published_day,
            source_id = c.source_id, updated = c.updated
        FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[], %s::date[], %s::bigint[], %s::timestamptz[])
            AS c(article_id, status, published, published_day, source_id, updated)
        WHERE d.article_id = c.article_id
        """,
        [[a.pk for a in articles], *map(list, zip(*(_copies(a) for a in articles), strict=True))],
    )


def _add(cursor, articles: list) -> None:
    """Analyze and insert these documents (absent from the index), their postings and statistics."""
    analyzed = [(a, documents.analyze_article(a)) for a in articles]
    df: Counter[tuple[str, str]] = Counter()
    for _, fields in analyzed:
        df.update((name, term) for name in FIELDS for term in fields[name].positions)
    keys = sorted(df)  # one order for every writer (they are serialized anyway)
    cursor.execute(
        """
        INSERT INTO search_term (field, term, df) SELECT * FROM unnest(%s::varchar[], %s::text[], %s::int[])
        ON CONFLICT (field, term) DO UPDATE SET df = search_term.df + excluded.df
        RETURNING field, term, id
        """,
        [[k[0] for k in keys], [k[1] for k in keys], [df[k] for k in keys]],
    )
    ids = {(name, term): term_id for name, term, term_id in cursor.fetchall()}
    postings: list[tuple[int, int, int, int]] = []
    rows = []
    for article, fields in analyzed:
        for name in FIELDS:
            found = fields[name]
            for term, tf in found.frequencies().items():
                postings.append((ids[name, term], article.pk, tf, found.length))
        text, title = fields[TEXT], fields[TITLE]
        vectors = (text.tsvector(), title.tsvector(), text.length, title.length)
        rows.append((article.pk, *vectors, documents.digest(article), *_copies(article)))
    cursor.execute(
        """
        INSERT INTO search_posting (term_id, article_id, tf, length)
        SELECT * FROM unnest(%s::int[], %s::bigint[], %s::int[], %s::int[])
        """,
        list(map(list, zip(*postings, strict=True))) if postings else [[], [], [], []],
    )
    cursor.execute(
        """
        INSERT INTO search_document (article_id, text_vector, title_vector, text_length, title_length,
            digest, status, published, published_day, source_id, updated)
        SELECT article_id, text_vector::tsvector, title_vector::tsvector, text_length, title_length,
            digest, status, published, published_day, source_id, updated
        FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::int[], %s::int[], %s::varchar[],
            %s::varchar[], %s::timestamptz[], %s::date[], %s::bigint[], %s::timestamptz[])
            AS r(article_id, text_vector, title_vector, text_length, title_length, digest, status,
                published, published_day, source_id, updated)
        """,
        list(map(list, zip(*rows, strict=True))),
    )
    cursor.execute(
        """
        UPDATE search_totals SET documents = documents + %s, text_length = text_length + %s,
            title_length = title_length + %s WHERE id = 1
        """,
        [len(rows), sum(f[TEXT].length for _, f in analyzed), sum(f[TITLE].length for _, f in analyzed)],
    )
