"""A compound's parts: indexed at the compound's own position, so a query for a part finds it.

A compound is one term however it is spelled (رفت‌وآمد, رفت و آمد, رفتوامد → رفتوامد), which a
query for the whole needs; an article that says «رفت و آمد» must also answer a query for «آمد».
The index therefore holds the whole term and its parts' terms at one position, while queries,
highlighting and entity matching keep reading whole terms (``persian.terms``). Parts come from the
lexicon's compounds (hazm's ZWNJ spellings and the variants file) and from a known word + a
derivational morpheme (جنگل‌زدایی, تولیدکننده).
"""

from __future__ import annotations

import functools

from persian.stems import derived, shared_lexicon
from persian.words import glued_again, word_terms


@functools.lru_cache(maxsize=1 << 17)
def parts(term: str) -> tuple[str, ...]:
    """The terms of a compound term's parts, each a term of its own (``()``: not a compound)."""
    lex = shared_lexicon()
    pieces = lex.parts.get(term) or derived(term, lex)
    found: list[str] = []
    for i, piece in enumerate(pieces):
        if i and piece.startswith("و") and len(piece) > 2 and not lex.whole(piece):
            piece = piece[1:]  # the و of رفت‌وآمد, گفت‌وگو is a word of its own
        for glued in glued_again(piece):
            found.extend(part for part in word_terms(glued) if part != term and part not in found and len(part) > 1)
    return tuple(found)
