"""Finding gazetteer names in text, with no database: ``Matcher`` and the clauses it reads.

Matching runs on search terms (``persian.terms``), never on raw text, so every spelling the search
treats as one word (Arabic ي/ك, a kasra, a lost or extra half-space) is one word here too, and a
name only matches whole terms: ``ایران`` is not found in ``ایرانی‌ها``.

Each distinct term of a gazetteer name becomes one symbol (a character), so a name is a short
string of symbols and a text is the string of its terms' symbols; one Aho–Corasick automaton over
all names then finds the leftmost-longest matches in one pass (``ولادیمیر پوتین`` counts once,
not also as ``پوتین``). Terms no name uses, and clause punctuation, become a filler symbol that no
name contains, so a name never spans ``روسیه، سفید``.

``entities`` builds the process's matcher from the database and keeps Mention rows with it;
``discovery`` uses one to skip names the gazetteer already has.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence

import ahocorasick

import persian
from persian.prepared import Lines

# Clause punctuation (and line breaks): a name never spans it. A hyphen is not here (کووید-۱۹).
BREAK = re.compile(r"[.!?؟:;؛،,()«»\"“”\[\]{}|/\n–—]+")
_FILLER = " "  # the symbol of every term no name uses, and of a break
_FIRST_SYMBOL = 0x100  # symbols are characters from here on (no name ever reaches the surrogates)


def segments(*texts: str, lines: Lines | None = None) -> list[list[str]]:
    """The terms of each clause of ``texts`` (title, lead, body …), clause by clause.

    ``lines``: analyse the texts line by line through it, which keeps each line's analysis for
    the index (an import's way); the clauses are the same (a line break is a clause break).
    """
    if lines is None:
        return [terms for text in texts if text for part in BREAK.split(text) if (terms := persian.terms(part))]
    clauses = []
    for text in texts:
        for line in text.split("\n") if text else ():
            breaks = [found.start() for found in BREAK.finditer(line)]
            by_clause: dict[int, list[str]] = {}
            for term, start, _end, _parts in lines.spans(line):  # in order, clause by clause
                by_clause.setdefault(bisect_right(breaks, start), []).append(term)
            clauses.extend(by_clause.values())
    return clauses


# ---------------------------------------------------------------------------------------------
# The matcher (no database: built from (entity id, name) pairs)


class Matcher:
    """Counts whole-term, leftmost-longest occurrences of many names in term sequences."""

    def __init__(self, names: Iterable[tuple[int, str]]) -> None:
        """``names``: (entity id, name or alias); the first entity to claim a spelling keeps it."""
        self._symbols: dict[str, str] = {}
        self._automaton = ahocorasick.Automaton()
        self.size = 0
        for entity_id, name in names:
            terms = persian.terms(name)
            if not terms:
                continue
            pattern = "".join([self._symbol(term) for term in terms])
            if not self._automaton.exists(pattern):
                self._automaton.add_word(pattern, (entity_id, len(terms)))
                self.size += 1
        if self.size:
            self._automaton.make_automaton()

    def _symbol(self, term: str) -> str:
        symbol = self._symbols.get(term)
        if symbol is None:
            symbol = self._symbols[term] = chr(_FIRST_SYMBOL + len(self._symbols))
        return symbol

    def _encode(self, segments: Iterable[Sequence[str]]) -> str:
        symbols = self._symbols
        return _FILLER.join(["".join([symbols.get(term, _FILLER) for term in terms]) for terms in segments])

    def count(self, segments: Iterable[Sequence[str]]) -> Counter[int]:
        """Mentions per entity id in clauses of terms (see ``segments``)."""
        counts: Counter[int] = Counter()
        if self.size:
            for _end, (entity_id, _length) in self._automaton.iter_long(self._encode(segments)):
                counts[entity_id] += 1
        return counts

    def spans(self, terms: Sequence[str]) -> list[tuple[int, int, int]]:
        """(start, end, entity id) of each match in one clause's terms, as term indexes."""
        if not self.size:
            return []
        found = self._automaton.iter_long(self._encode([terms]))
        return [(end + 1 - length, end + 1, entity_id) for end, (entity_id, length) in found]
