"""More like this and did-you-mean's reads on PostgreSQL, from the index's own tables.

- ``similar``: the article's most telling terms, weighted as Whoosh's ``key_terms_from_text``
  weights them (Bo1 over collection frequencies, see ``_key_terms``), then BM25 of an OR of them,
  each term boosted by its weight, as the Whoosh engine ranks it. Candidates are bounded: only the postings of the
  terms in at most ``CANDIDATE_DF`` articles are walked to find them; a common term of the ten
  only adds its score to those candidates, through the postings' primary key, so a page view
  never reads the postings of a word in half the archive.
- ``neighbours``: what ``articles.similar`` stores for each article as it is indexed: the same
  key terms, only the rarer ones scoring (the Whoosh engine's ``neighbours``).
- ``published_frequencies``: articles holding each term, drafts left out (counted exactly where
  that is cheap, as the Whoosh engine does).
- ``written_forms``: how a term is written, read from a few published articles holding it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from math import log2

from django.db import connection

from articles.search import spelling
from articles.search.engine import bm25, key_text
from articles.search.postgres.documents import TEXT, analyze

KEY_TERMS = 10  # as many as the Whoosh engine's similar() asks for
CANDIDATE_DF = 1000  # a term in more articles than this finds no candidates, it only scores them
NEIGHBOUR_DF = 1000  # the stored lists' terms: in at most this many articles (the Whoosh engine's)
SHORTLIST = 3 * KEY_TERMS  # terms weighed again with their exact collection frequency
EXACT_CF_DF = 2000  # ... when they are in at most this many articles (postings summed)
# Above this many articles (and the drafts), a term's df is its published count near enough:
# did-you-mean needs exact counts only where they are small (the Whoosh engine's rule).
COUNT_POSTINGS_UP_TO = 1000
DRAFT = "draft"


def similar(article, limit: int) -> list[int]:
    """Pks of published articles like ``article``, best first, itself left out: the OR of its ten
    key terms, candidates found by the rarer ones (see the module's docstring)."""
    with connection.cursor() as cursor:
        terms = _key_terms(cursor, _text_frequencies(article))
        if not terms:
            return []
        rare = _rare(terms, CANDIDATE_DF)
        cursor.execute(
            """
            WITH q(term_id, boost, idf, rare) AS (
                SELECT * FROM unnest(%(ids)s::int[], %(boosts)s::float8[], %(idfs)s::float8[], %(rare)s::bool[])
            ),
            candidates AS (
                SELECT DISTINCT p.article_id FROM q JOIN search_posting p ON p.term_id = q.term_id
                WHERE q.rare AND p.article_id <> %(self)s
                LIMIT %(cap)s
            )
            SELECT c.article_id,
                sum(q.boost * q.idf * p.tf * %(k1p1)s / (p.tf + %(k1)s * (%(omb)s + %(b)s * p.length / %(avg)s)))
                    AS score
            FROM candidates c
            JOIN search_document d ON d.article_id = c.article_id AND d.status <> %(draft)s
            CROSS JOIN q
            JOIN search_posting p ON p.term_id = q.term_id AND p.article_id = c.article_id
            GROUP BY c.article_id
            ORDER BY score DESC, c.article_id
            LIMIT %(limit)s
            """,
            {
                **_parameters(cursor, article, terms, limit),
                "rare": [t in rare for t in terms],
                "cap": CANDIDATE_DF * KEY_TERMS,
            },
        )
        return [pk for pk, _ in cursor.fetchall()]


def neighbours(article, limit: int) -> list[tuple[int, float]]:
    """``(pk, score)`` of published articles like ``article``, best first, itself left out: what
    ``articles.similar`` stores, computed as the Whoosh engine's ``neighbours`` computes it.

    Only the key terms in at most ``NEIGHBOUR_DF`` articles (the rarest one when all are more
    common) find and score the candidates, so the work is a few thousand postings at most, however
    large the archive. Scoring every candidate with the common terms too (as ``similar`` does)
    probed ten terms' postings for up to ten thousand candidates: 45 ms an article on average at
    55,000 articles, and three quarters of a PostgreSQL import's time in the database."""
    with connection.cursor() as cursor:
        terms = _rare(_key_terms(cursor, _text_frequencies(article)), NEIGHBOUR_DF)
        if not terms:
            return []
        cursor.execute(
            """
            WITH q(term_id, boost, idf) AS (
                SELECT * FROM unnest(%(ids)s::int[], %(boosts)s::float8[], %(idfs)s::float8[])
            )
            SELECT p.article_id,
                sum(q.boost * q.idf * p.tf * %(k1p1)s / (p.tf + %(k1)s * (%(omb)s + %(b)s * p.length / %(avg)s)))
                    AS score
            FROM q JOIN search_posting p ON p.term_id = q.term_id
            WHERE p.article_id <> %(self)s
                AND p.article_id NOT IN (SELECT article_id FROM search_document WHERE status = %(draft)s)
            GROUP BY p.article_id
            ORDER BY score DESC, p.article_id
            LIMIT %(limit)s
            """,
            _parameters(cursor, article, terms, limit),
        )
        return [(pk, float(score)) for pk, score in cursor.fetchall()]


def _parameters(cursor, article, terms: list[tuple], limit: int) -> dict:
    """The key terms, BM25's constants and what else both queries name."""
    k1, b = bm25()
    return {
        "ids": [t[0] for t in terms],
        "boosts": [t[3] for t in terms],
        "idfs": [t[4] for t in terms],
        "self": article.pk,
        "k1p1": k1 + 1,
        "k1": k1,
        "omb": 1 - b,
        "b": b,
        "avg": _average_text_length(cursor),
        "draft": DRAFT,
        "limit": limit,
    }


def _text_frequencies(article) -> Counter[str]:
    return analyze(key_text(article)).frequencies()


def _rare(terms: list[tuple], max_df: int) -> list[tuple]:
    """The key terms in at most ``max_df`` articles; the rarest one (ties: by term, as the
    Whoosh engine breaks them) when every one is more common."""
    return [t for t in terms if t[2] <= max_df] or ([min(terms, key=lambda t: (t[2], t[1]))] if terms else [])


def _key_terms(cursor, frequencies: Counter[str]) -> list[tuple[int, str, int, float, float]]:
    """``(term id, term, df, weight, idf)`` of the text's ``KEY_TERMS`` most telling indexed terms.

    Bo1 as Whoosh's ``Expander`` scores it (``tf·log2((1+f)/f) + log2(1+f)``, ``f = cf/N``, cf the
    term's occurrences in the archive), weights divided by the best one (``normalize=False``),
    ties broken by the term. ``search_term`` keeps df, not cf: the terms are shortlisted with df
    for cf, then the shortlist's rarer terms (in at most ``EXACT_CF_DF`` articles) are scored
    again with their cf summed from their postings; a common term keeps df (a bounded read)."""
    from articles.search.postgres.engine import whoosh_idf

    cursor.execute("SELECT documents FROM search_totals WHERE id = 1")
    n = cursor.fetchone()[0]
    if not n or not frequencies:
        return []
    cursor.execute(
        "SELECT id, term, df FROM search_term WHERE field = %s AND term = ANY(%s) AND df > 0",
        [TEXT, list(frequencies)],
    )
    rows = cursor.fetchall()

    def bo1(term: str, collection: int) -> float:
        f = collection / n
        return frequencies[term] * log2((1 + f) / f) + log2(1 + f)

    shortlist = sorted(rows, key=lambda r: (-bo1(r[1], r[2]), r[1]))[:SHORTLIST]
    cursor.execute(
        "SELECT term_id, sum(tf) FROM search_posting WHERE term_id = ANY(%s) GROUP BY term_id",
        [[term_id for term_id, _, df in shortlist if df <= EXACT_CF_DF]],
    )
    cf = dict(cursor.fetchall())
    scored = sorted(((bo1(term, cf.get(i, df)), term, i, df) for i, term, df in shortlist), key=lambda s: (-s[0], s[1]))
    best = scored[0][0] if scored else 1.0
    return [(term_id, term, df, score / best, whoosh_idf(n, df)) for score, term, term_id, df in scored[:KEY_TERMS]]


def _average_text_length(cursor) -> float:
    cursor.execute("SELECT documents, text_length FROM search_totals WHERE id = 1")
    n, total = cursor.fetchone()
    return (total / n if n else 0) or 1.0


def published_frequencies(terms: Iterable[str]) -> dict[str, int]:
    """Published articles holding each term; terms no published article holds are left out."""
    terms = sorted(set(terms))
    if not terms:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, term, df FROM search_term WHERE field = %s AND term = ANY(%s)", [TEXT, terms])
        found = cursor.fetchall()
        if any(df > COUNT_POSTINGS_UP_TO for _, _, df in found):
            cursor.execute("SELECT count(*) FROM search_document WHERE status = %s", [DRAFT])
            unseen = cursor.fetchone()[0]
        else:
            unseen = 0
        counts = {term: df for _, term, df in found if df > max(COUNT_POSTINGS_UP_TO, unseen)}
        exact = [term_id for term_id, term, _ in found if term not in counts]
        if exact:
            cursor.execute(
                """
                SELECT t.term, count(*) FROM search_term t
                JOIN search_posting p ON p.term_id = t.id
                JOIN search_document d ON d.article_id = p.article_id AND d.status <> %s
                WHERE t.id = ANY(%s) GROUP BY t.term
                """,
                [DRAFT, exact],
            )
            counts.update(cursor.fetchall())
    return counts


def written_forms(term: str, articles: int = 3, enough: int = 8) -> list[str]:
    """Occurrences of ``term`` as written in a few published articles (the first by id), at most
    ``enough``; paragraphs holding its letters are analyzed first, every paragraph only if that
    finds none (verbs: می‌کند is کرد)."""
    from articles.models import Article

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.article_id FROM search_term t
            JOIN search_posting p ON p.term_id = t.id
            JOIN search_document d ON d.article_id = p.article_id AND d.status <> %s
            WHERE t.field = %s AND t.term = %s ORDER BY p.article_id LIMIT %s
            """,
            [DRAFT, TEXT, term, articles],
        )
        pks = [pk for (pk,) in cursor.fetchall()]
    found = Article.objects.published_among(pks).order_by("pk").only("title", "lead", "body")
    return spelling.written_in(found, term, enough)
