"""The single Persian text pipeline: indexing, querying, highlighting, suggestions, matching.

Text becomes search terms in three cheap steps (no hazm Normalizer: ~1.8 ms an article):

1. ``fold`` (``persian.fold``): one ``str.translate`` maps Arabic letter forms to Persian ones and
   alef/hamza forms to bare letters, every digit to Latin, Latin to lower case, and drops
   diacritics, tatweel and invisible marks.
2. ``tokenize`` (``persian.words``): one precompiled regex finds word pieces. A ZWNJ separates
   nothing (a word's canonical form is its glued spelling); pieces separated by spaces join when
   one is a bound morpheme (می/نمی, ها/های/تر/اند, پذیر, گذاری…, a surname's نژاد/راد/منش, an
   ordinal's مین after a number) or when hazm's lexicon, the variants file or ``protect()`` spells
   the pair as one compound with a half-space exactly there; a glued word hazm does not know
   splits into the two known words it is spaced as (``split_glued``). The decisions look only at
   glued strings, so ``می‌کند``, ``می کند`` and ``میکند`` give one token, and ``کره‌جنوبی``,
   ``کره جنوبی`` and ``کرهجنوبی`` two.
3. ``term`` (``persian.stems``, per glued word, ``lru_cache``d): spelling variants, verb forms →
   past stem, and a suffix stripped only when what remains is a known word, so names stay whole.

Every term analyses to itself again (``persian.words.word_terms``): a query is re-read by the
engine, a saved search and the highlighter, and a term that re-split would match nothing.
Queries read whole terms; the index also stores a compound's parts at its position
(``index_spans``, ``persian.compounds``), so «آمد» finds «رفت و آمد» and «جنگل» «جنگل‌زدایی».

The lexicons (``persian.lexicon``) come straight from hazm's data files (importing hazm pulls in
nltk) and the variants file, loaded once per process on first use.

Where one text still gives different terms depending on its half-spaces (shared corpus, 6,456
articles; the search-quality bench's 160 queries give the same terms in all four spellings, and
99.7% of 3,358 more):

* a glued word (a ZWNJ spelling is the same glued string) that hazm does not know, even with an
  ending, splits into the two known words it is spaced as (``کره‌جنوبی``, ``کرهجنوبی`` → کره +
  جنوبی; ``بهنظر``, ``اروپاست``, ``شده‌است`` too), choosing by hazm's frequencies: 0.7% of the
  corpus's words. It does not split words hazm lists (even untagged, so ``کی‌مون`` and
  ``چندرسانه‌ای`` stay whole: names go in the variants file or ``protect()``), words starting
  with ``ال`` or a prefix (می, بی…), parts of one or two letters (but به, در, و…: ``وفوت``),
  surnames ending in نژاد, راد, منش… (``حسینی‌منش`` is not حسین + یمن), or a known word with one
  letter dropped or added (``ابولفضل``). Other unknown names may still split, the same in every
  spelling; a spaced surname ending in فرد, مهر, دوست… stays two words.
* a glued form has one reading: ``زمینهای`` is زمین‌های or زمینه‌ای (hazm's frequencies decide);
  a ZWNJ inside a word (``یازد‌هم``), after a two-letter part (``وب‌کم``, ``مک‌بوک``) or in an
  acronym spelled letter by letter (``اف‌ای‌تی‌اف``) leaves several words when typed as a space.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from persian.compounds import clear_cache as _clear_compounds
from persian.compounds import parts
from persian.fold import KEEP, fold
from persian.lexicon import VARIANTS_FILE, ZWNJ, read_groups, variants_from
from persian.stems import shared_lexicon
from persian.stems import word_term as _term
from persian.words import clear_caches, glued_words, word_terms


class Token(NamedTuple):
    term: str  # the final search term
    start: int  # offsets into the original text, spanning every joined piece
    end: int
    text: str  # original[start:end]


def load_variants(path: str | Path | None = None) -> dict[str, str]:
    """Parse a variants file (default: ours) into ``{folded glued spelling: canonical term}``."""
    return variants_from(read_groups(path or VARIANTS_FILE, fold))


def protect(words: Iterable[str]) -> None:
    """Keep these words (entity names, aliases) whole; a ZWNJ spelling also joins when spaced."""
    lex = shared_lexicon()
    for word in words:
        for part in fold(word).split():
            if part.strip(ZWNJ):
                lex.protected.add(part.replace(ZWNJ, ""))
                if ZWNJ in part.strip(ZWNJ):
                    lex.add_compound(part)
    _clear_caches()


def _clear_caches() -> None:
    """Forget every per-word decision (after ``protect``; bench/ clears them for a cold start)."""
    clear_caches()
    _clear_compounds()


def tokenize(text: str) -> list[Token]:
    """Words of ``text`` with their terms and their spans in ``text`` (a word may give several)."""
    new = tuple.__new__  # skips NamedTuple's Python-level __new__ (once per word)
    return [new(Token, (term, start, end, text[start:end])) for term, start, end in spans(text)]


def terms(text: str) -> list[str]:
    """The search terms of ``text``; analysing any of them again gives it back."""
    return [term for word, _, _ in glued_words(text.translate(KEEP)) for term in word_terms(word)]


def spans(text: str) -> list[tuple[str, int, int]]:
    """``(term, start, end)`` of each term: ``tokenize`` without copying the words' text."""
    return [(term, start, end) for word, start, end in glued_words(text.translate(KEEP)) for term in word_terms(word)]


def index_spans(text: str) -> list[tuple[str, int, int, tuple[str, ...]]]:
    """``spans`` with each term's compound parts, which an index stores at the term's position."""
    return [(term, start, end, parts(term, text[start:end])) for term, start, end in spans(text)]


def term(word: str) -> str:
    """The term of a word or phrase ("" if none); several words come back space-separated."""
    return " ".join(terms(word))


def word_term(word: str) -> str:
    """The term of one word as the index would give it if it stayed whole ("" if no letters).

    ``terms`` splits a glued word hazm does not know into two known words (``_split``); a typo
    is such a word, and its fragments are no use to did-you-mean, which looks up the term of
    each one-edit neighbour of the word as a whole.
    """
    whole = glued(word)
    return _term(whole) if whole else ""


def glued(text: str) -> str:
    """``text`` folded, without spaces or half-spaces: how a word looks whatever its spacing."""
    return "".join(fold(text).split()).replace(ZWNJ, "")


def match_key(text: str) -> str:
    """A key for comparing titles and names whatever their spelling."""
    return " ".join(terms(text))


def cache_info() -> dict[str, int | float]:
    """Hit/miss statistics of the per-word terms cache."""
    info = word_terms.cache_info()
    lookups = info.hits + info.misses
    hit_rate = info.hits / lookups if lookups else 0.0
    return {
        "hits": info.hits,
        "misses": info.misses,
        "size": info.currsize,
        "maxsize": info.maxsize,
        "hit_rate": hit_rate,
    }
