"""More like this and did-you-mean's reads on PostgreSQL (part 2 of issue #15 fills them in).

Kept apart from ``engine`` so that work replaces this file whole.
"""

from __future__ import annotations

from collections.abc import Iterable


def similar(article, limit: int) -> list[int]:
    raise NotImplementedError("PostgresSearchEngine.similar: not written yet")


def published_frequencies(terms: Iterable[str]) -> dict[str, int]:
    raise NotImplementedError("PostgresSearchEngine.published_frequencies: not written yet")


def written_forms(term: str) -> list[str]:
    raise NotImplementedError("PostgresSearchEngine.written_forms: not written yet")
