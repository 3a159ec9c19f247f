"""Step 2 of the pipeline: pieces → glued words (joining spaced pieces, splitting glued ones).

A ZWNJ separates nothing (a word's canonical form is its glued spelling); pieces separated by
spaces join when one is a bound morpheme or when the lexicon spells the pair as one compound with
a half-space exactly there; a glued word hazm does not know splits into the two known words it is
spaced as (``split``). The decisions look only at glued strings, so every spelling agrees.
"""

from __future__ import annotations

import functools
import re

from persian.fold import MARK
from persian.lexicon import Lexicon
from persian.morphology import (
    ANY_ENDING,
    BOUND_FORMS,
    ENDINGS,
    GLUED_SHORT,
    GLUED_SHORT_AFTER,
    LEFT_ENDINGS,
    NON_JOINING,
    NUMBERS,
    ORDINALS,
    PREFIXES,
    STEM_OF,
    SUFFIX_STRINGS,
    SUFFIXES,
    SURNAME_ENDS,
    SURNAME_JOINS,
    TAILS,
)
from persian.stems import is_known, shared_lexicon, strip_suffix, word_term

_NOTHING: frozenset[str] = frozenset()

# A piece (letters with the marks inside them, or digits) and everything before it: findall
# consumes the text contiguously, so offsets are running sums of lengths.
_PIECE = re.compile(r"([\W_\u0640]*)(?:([^\W\d_\u0640][^\W\d_]*)|(\d[\d\u0640]*))")
_SOFT = " " + MARK  # a gap of only these may stand for a lost half-space


def glued_words(folded: str) -> list[tuple[str, int, int]]:
    """Glued words and their spans: pieces joined by ``_joins``, and three-part compounds.

    A ZWNJ is a mark inside a piece. Only spaces (and marks) between two pieces may stand for a
    lost half-space; punctuation, line breaks and digits touching letters are hard boundaries,
    and numbers never join.
    """
    lex = shared_lexicon()
    heads, rights = lex.heads, lex.rights
    words: list[tuple[str, int, int]] = []
    group = last = ""  # the word being built and its latest piece
    start = end = position = 0
    joinable = False  # the word is letters...
    lone = False  # ...and a single piece that followed the previous word after a space
    for gap, letters, digits in _PIECE.findall(folded):
        position += len(gap)
        if digits:
            if group:
                words.append((group, start, end))
            group, start, end, joinable = digits.replace(MARK, ""), position, position + len(digits), False
            position = end
            continue
        piece_start, position = position, position + len(letters)
        soft = joinable and gap and (gap == " " or not gap.strip(_SOFT))
        piece = letters.replace(MARK, "") if MARK in letters else letters
        parts = ((piece, piece_start, position, soft),)
        # A piece the word before takes (بی رحمانه, تخت روانچی once protected) is not split first.
        if len(piece) > 3 and (split := split_glued(piece)) and not (soft and _joins(group, last, piece, rights)):
            left, right = split
            middle = _offset_after(folded, piece_start, len(left))
            rest = position - len(folded[middle:position].lstrip(MARK))
            parts = ((left, piece_start, middle, soft), (right, rest, position, True))
        for piece, piece_start, piece_end, soft in parts:
            if soft:
                if lone and words[-1][0] in rights:  # previous word + this one + the next piece
                    head = words[-1][0] + group
                    if head in heads and _is_compound(head, piece, rights):
                        start = words.pop()[1]
                        group, last, end, lone = head + piece, piece, piece_end, False
                        continue
                if _joins(group, last, piece, rights):
                    group, last, end, lone = group + piece, piece, piece_end, False
                    continue
            if group:
                words.append((group, start, end))
            group = last = piece
            start, end, lone, joinable = piece_start, piece_end, bool(soft), True
    if group:
        words.append((group, start, end))
    return words


def _joins(group: str, last: str, piece: str, rights: dict[str, set[str]]) -> bool:
    """Does the letters ``piece`` belong to the word ``group`` (whose latest piece is ``last``)?"""
    if last in PREFIXES or piece in BOUND_FORMS or _bound_after(group, piece):
        return True
    # A stray ZWNJ after a letter that never joins is invisible, and scraped text has many
    # (د‌ولت, شد‌ه); a space in its place leaves a lone letter to glue back.
    if len(group) == 1:
        return group in NON_JOINING and group != "و"
    if len(piece) == 1:
        return group[-1] in NON_JOINING and piece not in NON_JOINING
    return group in rights and _is_compound(group, piece, rights)


def _bound_after(group: str, piece: str) -> bool:
    """A surname's ending or an ordinal's, which belongs to the word before (رضایی نژاد, دو مین)."""
    if piece in SURNAME_JOINS:
        return len(group) > 2 and group not in GLUED_SHORT
    return piece in ORDINALS and group.endswith(NUMBERS)


def _is_compound(group: str, piece: str, rights: dict[str, set[str]]) -> bool:
    """Is there a compound (maybe inflected) with a half-space exactly between group and piece?"""
    return not rights.get(group, _NOTHING).isdisjoint(_bases(piece))


@functools.lru_cache(maxsize=1 << 17)
def _bases(piece: str, depth: int = 2) -> frozenset[str]:
    """The piece and what is left without up to two suffixes (وگوهای → وگو); not ش (روش ≠ رو+ش)."""
    bases = {piece}
    for suffix, restore, _ in SUFFIXES if depth else ():
        if len(suffix) < len(piece) and piece.endswith(suffix) and suffix != "ش":
            bases |= _bases(piece[: -len(suffix)] + restore, depth - 1)
    bases.update(
        piece[: -len(end)] for end in ORDINALS if piece.endswith(end) and _bound_after(piece[: -len(end)], end)
    )
    return frozenset(bases)


@functools.lru_cache(maxsize=1 << 17)
def split_glued(glued: str) -> tuple[str, str] | tuple[()]:
    """The two words a glued word is when spaced (``()``: it is one word).

    It only splits where the two words would not be joined again, so all spellings agree: an
    unknown word into two known ones (کره‌جنوبی, کرهجنوبی → کره + جنوبی), and ``به`` + a word,
    a participle + ``است`` and a word ending in a vowel + ``ست`` (اروپاست) even if hazm lists the
    glued form.
    """
    lex = shared_lexicon()
    if lex.whole(glued):
        return ()
    if any(glued.endswith(end) and len(glued) > len(end) + 2 for end in SURNAME_ENDS):
        return ()  # a surname stays whole: حسینی‌منش is not حسین + یمنش (Yemen)
    if glued.endswith("هاست") and glued[:-3] in lex.verbs and _splittable(glued[:-3], "است", lex):
        return glued[:-3], "است"  # شده‌است
    if glued[-3:-2] in ("ا", "و") and glued.endswith("ست") and lex.whole(glued[:-2]):
        return glued[:-2], "است"  # اروپاست: the alef of است is dropped after a vowel
    # Not بهداشتی (بهداشت + ی), nor any other known word with a suffix.
    if glued.startswith("به") and not strip_suffix(glued, lex, ANY_ENDING) and _splittable("به", glued[2:], lex):
        return "به", glued[2:]
    if glued.startswith("ال") or _inflected(glued, lex):
        return ()  # and Arabic names and phrases (المسلمین, الکاظمی) stay whole
    for tail in TAILS:  # as when the tail is spaced off: کره‌جنوبی‌ها is کره‌جنوبی + ها
        if glued.endswith(tail) and len(glued) > len(tail) + 3:
            core = split_glued(glued[: -len(tail)])
            return (core[0], core[1] + tail) if core else ()
    if any(_rejoined(glued[:cut], glued[cut:], lex) for cut in range(2, len(glued) - 1)):
        return ()
    best, best_score = 0, (0, 0, 0)
    for cut in range(1, len(glued) - 1):
        left, right = glued[:cut], glued[cut:]
        kinds = _part(left, lex, True), _part(right, lex, False)
        if min(kinds) and max(kinds) > 1 and right not in SURNAME_ENDS and not _joins(left, left, right, lex.rights):
            score = (left in GLUED_SHORT, sum(kinds), min(_frequency(left, lex), _frequency(right, lex)))
            if score > best_score:
                best, best_score = cut, score
    return (glued[:best], glued[best:]) if best and not _misspelt(glued, lex) else ()


_LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"


def _misspelt(glued: str, lex: Lexicon) -> bool:
    """Is it a known word with one letter dropped or added (ابولفضل for ابوالفضل)? Then it is a
    misspelt name, kept whole rather than split into fragments (ابول + فضل)."""
    if len(glued) < 5:
        return False
    cuts = range(1, len(glued))
    return any(glued[:i] + glued[i + 1 :] in lex.strong for i in cuts) or any(
        glued[:i] + letter + glued[i:] in lex.strong for i in cuts for letter in _LETTERS
    )


def _rejoined(left: str, right: str, lex: Lexicon) -> bool:
    """Spaced there, is it one word again (برمی گردانیم, حسین زاده, a known compound)? Then it stays whole."""
    return (
        left in PREFIXES
        or right in BOUND_FORMS
        or _bound_after(left, right)
        or (left in lex.rights and _is_compound(left, right, lex.rights))
    )


def _inflected(glued: str, lex: Lexicon) -> bool:
    """Is this a word hazm knows (even untagged), with an ending (امیدواریم) or without one (چندرسانه)?"""
    return (
        is_known(glued, lex)  # an unknown word's term has any suffix stripped already
        or any(
            glued.endswith(end) and is_known(glued[: -len(end)], lex) for end in ENDINGS if len(glued) > len(end) + 1
        )
        or any(glued + end in lex.weak or glued + end in lex.strong for end in STEM_OF)
    )


def _part(word: str, lex: Lexicon, left: bool) -> int:
    """Is this one of the two words of a split? 2: a tagged word, verb or compound, maybe inflected;
    1: another word hazm lists, of three letters or more; 0: no.

    Untagged entries alone are not enough (hazm's include glued pairs and fragments), nor are
    one- and two-letter words, which make up too many names (ما + کرون), except the few often
    glued on. A first word may only carry the endings of a word inside a phrase (تماس‌های‌تلفنی,
    not کرهش + مالی).
    """
    if len(word) < 3 and word not in (GLUED_SHORT if left else GLUED_SHORT_AFTER):
        return 0
    if word in lex.imperatives and word not in lex.strong:
        return 0
    if lex.whole(word):
        return 2
    listed = word in lex.weak
    if (listed or word.endswith(SUFFIX_STRINGS)) and (not left or word.endswith(LEFT_ENDINGS)):
        stem = word_term(word)  # an unknown word's term has any suffix stripped already
        if stem == word and listed:
            stem = strip_suffix(word, lex, ANY_ENDING)
        if stem and stem != word and (lex.whole(stem) or stem in lex.weak):
            return 2 if lex.whole(stem) else 1
    return 1 if listed and len(word) > 2 else 0


def _frequency(word: str, lex: Lexicon) -> int:
    """hazm's count of a word or of its term (a verb form counts as a common word)."""
    counted = lex.strong.get(word) or lex.strong.get(word_term(word))
    return counted[0] if counted else 1000 if word in lex.verbs else 0


def _splittable(left: str, right: str, lex: Lexicon) -> bool:
    return len(right) > 1 and is_known(left, lex) and is_known(right, lex) and not _joins(left, left, right, lex.rights)


def _offset_after(folded: str, start: int, count: int) -> int:
    """Offset just after the ``count``-th letter from ``start`` (marks are not counted)."""
    while count:
        count -= folded[start] != MARK
        start += 1
    return start


@functools.lru_cache(maxsize=1 << 18)
def word_terms(word: str, depth: int = 3) -> tuple[str, ...]:
    """The terms of a glued word, each of which analyses to itself again.

    A query is analysed once more when it is re-read (a saved search, a quoted phrase, the
    highlighter), so a term must be a fixed point. The joining and splitting rules see a word in
    its context (دست‌به‌دست → دست + بهدست), which its term alone does not have: a term that
    analyses to something else is replaced by what it analyses to, so index and query agree.
    """
    term = word_term(word)
    again = glued_again(term)
    if (again == (term,) and word_term(term) == term) or not depth:
        return (term,)
    return tuple(settled for glued in again for settled in word_terms(glued, depth - 1))


def glued_again(glued: str) -> tuple[str, ...]:
    """``glued_words`` of one glued word (letters only, or digits only): itself, or its split."""
    split = split_glued(glued) if len(glued) > 3 and not glued[0].isdigit() else ()
    return split or (glued,)


def clear_caches() -> None:
    """Forget every per-word decision (after ``protect``, and for benchmarks of a fresh process)."""
    word_term.cache_clear()
    _bases.cache_clear()
    split_glued.cache_clear()
    word_terms.cache_clear()
