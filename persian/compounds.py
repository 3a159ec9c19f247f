"""A compound's parts: indexed at the compound's own position, so a query for a part finds it.

A compound is one term however it is spelled (رفت‌وآمد, رفت و آمد, رفتوامد → رفتوامد), which a
query for the whole needs; an article that says «رفت و آمد» must also answer a query for «آمد».
The index therefore holds the whole term and its parts' terms at one position, while queries,
highlighting and entity matching keep reading whole terms (``persian.terms``). Parts come from the
lexicon's compounds (hazm's ZWNJ spellings and the variants file), always, and from a known word
+ a derivational morpheme (جنگل‌زدایی, تولید کننده) only where the text wrote the word with a
half-space or a space. Written glued, such words are mostly words of their own whose first letters
only look like a word (هوادار is no هوا, شهردار no شهر, خبرگزاری no خبر, استاندار no استان: on
1,500 corpus articles the glued ones were nearly all of this kind), and a surname ending (حسین‌زاده,
نجف‌پور, حسن‌نیا) makes a name, not a compound, however it is written.
"""

from __future__ import annotations

import functools

from persian.lexicon import ZWNJ
from persian.stems import derived, shared_lexicon
from persian.words import glued_again, word_terms

SURNAME_ENDINGS = frozenset(("زاده", "پور", "نیا", "نژاد", "فر", "راد"))


def parts(term: str, written: str = "") -> tuple[str, ...]:
    """The terms of a compound term's parts, each a term of its own (``()``: not a compound).

    ``written``: the word as the text has it; a derived compound has parts only when it was
    written apart (see the module's docstring).
    """
    return _parts(term, ZWNJ in written or " " in written.strip())


@functools.lru_cache(maxsize=1 << 17)
def _parts(term: str, apart: bool) -> tuple[str, ...]:
    lex = shared_lexicon()
    pieces = lex.parts.get(term) or (apart and _derived(term, lex))
    if not pieces:
        return ()
    found: list[str] = []
    for i, piece in enumerate(pieces):
        if i and piece.startswith("و") and len(piece) > 2 and not lex.whole(piece):
            piece = piece[1:]  # the و of رفت‌وآمد, گفت‌وگو is a word of its own
        for glued in glued_again(piece):
            found.extend(part for part in word_terms(glued) if part != term and part not in found and len(part) > 1)
    return tuple(found)


def _derived(term: str, lex) -> tuple[str, ...]:
    pieces = derived(term, lex)
    return () if pieces and pieces[-1] in SURNAME_ENDINGS else pieces


def clear_cache() -> None:
    """Forget every compound decision (``persian.protect`` changes what is a word)."""
    _parts.cache_clear()
