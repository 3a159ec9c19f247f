"""An article as the PostgreSQL index stores it: its fields analyzed by ``persian``, with positions.

The fields are Whoosh's (``articles.search_indexes``): ``text`` is the title twice, the lead, the
body and the agency, as the haystack template writes it; ``title`` is the title alone. Compound
parts share their compound's position and count in the field's length, as in Whoosh, so both
engines see the same term frequencies and lengths.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import persian
from articles.search.engine import key_text

TEXT, TITLE = "text", "title"
FIELDS = (TEXT, TITLE)
# PostgreSQL refuses lexemes over 2047 bytes and positions over 16383 (it clamps them); a btree
# entry must stay under ~2.7 kB. Longer "words" (a pasted URL, a run of letters) are not indexed.
MAX_TERM_BYTES = 1000
MAX_POSITION = 16383


@dataclass
class Field:
    positions: dict[str, list[int]] = field(default_factory=dict)  # term → 1-based positions
    length: int = 0  # tokens, compound parts included (Whoosh's field length)

    def frequencies(self) -> Counter[str]:
        return Counter({term: len(found) for term, found in self.positions.items()})

    def tsvector(self) -> str:
        """The field as a ``tsvector`` literal: every lexeme quoted, positions clamped."""
        return " ".join(
            f"{quote(term)}:{','.join(str(min(p, MAX_POSITION)) for p in found)}"
            for term, found in self.positions.items()
        )


def analyze(value: str) -> Field:
    result = Field()
    for position, (term, _, _, parts) in enumerate(persian.index_spans(value), start=1):
        for name in (term, *parts):
            result.length += 1
            if len(name.encode()) <= MAX_TERM_BYTES:
                result.positions.setdefault(name, []).append(position)
    return result


def text_of(article) -> str:
    """The ``text`` field's source, as ``templates/search/indexes/articles/article_text.txt`` renders it."""
    return f"{key_text(article)}\n{article.agency}"


def digest(article) -> str:
    """Changes when the indexed text does: an unchanged article is not analyzed again."""
    return hashlib.sha1(text_of(article).encode()).hexdigest()


def analyze_article(article) -> dict[str, Field]:
    return {TEXT: analyze(text_of(article)), TITLE: analyze(article.title)}


def quote(term: str) -> str:
    """One lexeme for a ``tsvector`` or ``tsquery`` literal: quoted, ``'`` doubled, ``\\`` escaped.

    Inside quotes PostgreSQL reads ``:``, ``&``, ``|``, ``!``, ``<`` and spaces as letters, so a
    term is never split or taken for an operator; nothing is normalized (no dictionary)."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
