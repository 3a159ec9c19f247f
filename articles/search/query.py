"""The reader's query language, parsed without ever failing.

``words`` (all of them first, then most of them), ``"exact phrase"``, ``-exclude``,
``-"excluded phrase"``, ``+required`` (when ranking by any of the words), ``a OR b``, and
``title:`` / ``source:`` fields. Anything else —
unbalanced quotes, stray operators, punctuation — is read as plain words, so a syntax error never
reaches the reader. Every word is turned into index terms by ``persian.text`` here, so the
engine only ever sees clean terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import persian

MAX_QUERY_CHARS = 1000
# Bounded cost: a query keeps at most this many terms that must (or may) match, and this many
# exclusions; the rest are dropped and the page says the query was trimmed. Exclusions cost one
# posting list each (they become one set of documents), terms a scored posting list each.
MAX_TERMS = 30
MAX_EXCLUDED = 100
FIELDS = ("title", "source")
# A token: an optional "-" or "+", an optional field prefix, then a quoted phrase or a bare word.
_TOKEN = re.compile(r'(?P<sign>[-+])?(?:(?P<field>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"+][^\s"]*))')


@dataclass(frozen=True)
class Clause:
    terms: tuple[str, ...]  # analyzed terms; more than one means a phrase
    field: str = ""  # "" (all text) or "title"
    text: str = ""  # as the reader typed it (for messages)
    must: bool = False  # typed with "+": required even when ranking by any of the words

    @property
    def is_phrase(self) -> bool:
        return len(self.terms) > 1


@dataclass
class ParsedQuery:
    required: list[Clause] = field(default_factory=list)
    any_of: list[list[Clause]] = field(default_factory=list)  # each group: one of these
    excluded: list[Clause] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # source: values as typed
    words: list[str] = field(default_factory=list)  # plain words as typed (for did-you-mean)
    trimmed: bool = False  # clauses beyond MAX_TERMS / MAX_EXCLUDED were dropped

    @property
    def is_empty(self) -> bool:
        return not (self.required or self.any_of)

    def key(self) -> tuple:
        """Everything that decides what the query matches, hashable (caches key on it)."""
        return (
            tuple(self.required),
            tuple(map(tuple, self.any_of)),
            tuple(self.excluded),
            tuple(self.sources),
        )

    def term_count(self) -> int:
        return sum(len(c.terms) for c in self.required) + sum(len(c.terms) for g in self.any_of for c in g)

    def highlight_terms(self) -> set[str]:
        clauses = self.required + [c for group in self.any_of for c in group]
        return {term for clause in clauses for term in clause.terms}

    def plain_terms(self) -> list[Clause]:
        """Single-word, whole-text required clauses: the ones "most words" may relax."""
        return [c for c in self.required if not c.is_phrase and not c.field and not c.must]


def parse(query: str) -> ParsedQuery:
    parsed = ParsedQuery()
    state = _State()
    words: list[str] = []  # a run of plain words, analyzed together ("امکان پذیر" is one term)

    def flush() -> None:
        if words:
            text = " ".join(words)
            parsed.words.extend(words)
            for term in persian.terms(text):
                state.add(parsed, Clause((term,), "", text))
            words.clear()

    for match in _TOKEN.finditer((query or "")[:MAX_QUERY_CHARS]):
        negative, field_name = match["sign"] == "-", (match["field"] or "").lower()
        must = match["sign"] == "+"
        raw = match["phrase"] if match["phrase"] is not None else match["word"]
        if field_name and field_name not in FIELDS:
            raw, field_name = f"{match['field']}:{raw}", ""  # "http:" etc.: just words
        if match["word"] is not None and not match["sign"] and not field_name:
            if raw == "OR":
                flush()
                state.pending_or = True
            else:
                words.append(raw)
            continue
        flush()
        if field_name != "source" and (
            len(parsed.excluded) >= MAX_EXCLUDED if negative else parsed.term_count() >= MAX_TERMS
        ):
            parsed.trimmed = True  # over a cap: not even analyzed
            continue
        if field_name == "source":
            if raw.strip():
                parsed.sources.append(raw.strip())
            continue
        terms = tuple(persian.terms(raw))
        if not terms:
            continue
        if match["phrase"] is None and len(terms) > 1 and not negative:
            # title:word-word gives several terms: each one required in the title.
            for term in terms:
                state.add(parsed, Clause((term,), field_name, raw, must))
        elif negative:
            parsed.excluded.append(Clause(terms[:MAX_TERMS], field_name, raw))
            parsed.trimmed |= len(terms) > MAX_TERMS
        else:
            state.add(parsed, Clause(terms, field_name, raw, must))
    flush()
    return parsed


@dataclass
class _State:
    """Tracks ``OR`` between clauses while parsing."""

    pending_or: bool = False
    last_in_group: bool = False  # the last clause added joined an OR group

    def add(self, parsed: ParsedQuery, clause: Clause) -> None:
        room = MAX_TERMS - parsed.term_count()
        if room < len(clause.terms):
            parsed.trimmed = True
            if room < 1 or not clause.is_phrase:
                self.pending_or = False
                return
            # A long pasted phrase: its start.
            clause = Clause(clause.terms[:room], clause.field, clause.text, clause.must)
        if self.pending_or and self.last_in_group:
            parsed.any_of[-1].append(clause)  # a OR b OR c
        elif self.pending_or and parsed.required:
            parsed.any_of.append([parsed.required.pop(), clause])
        else:
            parsed.required.append(clause)
        self.last_in_group = self.pending_or and bool(parsed.any_of)
        self.pending_or = False
