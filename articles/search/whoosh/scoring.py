"""BM25 with Lucene's idf, for ranking by an OR of the query's words (``match="any"``).

Whoosh's BM25F idf is ``log(N / (n + 1)) + 1``: never below 1, so a word in every article (در,
از, و) still adds to every score as much as a rare one nearly does. Lucene's
``log(1 + (N − n + 0.5) / (n + 0.5))`` falls towards 0 as a word becomes common. Only the idf
changes: the term-frequency part, its ``k1`` and ``b``, and Whoosh's block-quality bounds (which
read the scorer's ``idf``) stay Whoosh's, and ``fast_search`` reads the same scorer, so both
give the same floats.
"""

from __future__ import annotations

from math import log

from whoosh.scoring import BM25F


class LuceneBM25(BM25F):
    def idf(self, searcher, fieldname: str, text) -> float:
        n = searcher.doc_frequency(fieldname, text)
        total = searcher.doc_count_all()
        return log(1 + (total - n + 0.5) / (n + 0.5))
