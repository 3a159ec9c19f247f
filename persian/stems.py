"""Step 3 of the pipeline: a glued word → its search term (``lru_cache``d per word).

Spelling variants, verb forms → past stem, and a suffix stripped only when what remains is a
known word, so names stay whole. The lexicon is a lazy per-process singleton shared by every
analyzer (``protect`` adds to it).
"""

from __future__ import annotations

import functools
import unicodedata

from persian.fold import FOLD, fold
from persian.lexicon import VERB_PREFIXES, Lexicon
from persian.morphology import ANY_ENDING, DERIVATIONAL, NOT_STEMS, PLURAL_ENDINGS, SUFFIXES, UNAMBIGUOUS


@functools.cache
def shared_lexicon() -> Lexicon:
    """hazm's words and verbs and the variants file, folded as text is (``protect`` adds to it)."""
    return Lexicon(fold)


def is_known(word: str, lex: Lexicon) -> bool:
    """Does hazm list it (even untagged), or is it a known word with a suffix (its term differs)?"""
    return word in lex.weak or lex.whole(word) or word_term(word) != word


@functools.lru_cache(maxsize=1 << 18)
def word_term(word: str) -> str:
    lex = shared_lexicon()
    if word in lex.variants:
        return lex.variants[word]
    if word < "\u0621":  # digits and Latin: folding did the work
        return word if word.isascii() else word.lower()
    if max(word) >= "\ufb50":  # ligatures the 1:1 table cannot fold (ﻻ)
        word = unicodedata.normalize("NFKC", word).translate(FOLD)
    if word in lex.protected:
        return word
    if word.endswith("اء"):  # صنعاء, اجزاء: Persian drops the hamza after alef
        return word_term(word[:-1])
    verb, strong = lex.verbs.get(word), lex.strong.get(word)
    # A tagged word beats a verb reading (مردم is not "I died", هلند not "you hold") unless
    # می/نمی makes the verb certain.
    if verb and (strong is None or word.startswith(VERB_PREFIXES)):
        return verb
    if strong and not strong[1]:
        return word
    stem = strip_suffix(word, lex, PLURAL_ENDINGS if strong else UNAMBIGUOUS if word in lex.weak else ANY_ENDING)
    return word_term(stem) if stem else word


def derived(word: str, lex: Lexicon) -> tuple[str, str] | tuple[()]:
    """A known word of three letters or more + a morpheme that makes a new word of it
    (جنگل + زدایی, تولید + کننده), or ``()``; not دی + گر in دیگر."""
    for size in _DERIVATIONAL_SIZES:  # longest first, and the same answer in every process
        if len(word) > size + 2 and (end := word[-size:]) in DERIVATIONAL:
            left = word[:-size]
            if lex.whole(left) and left not in NOT_STEMS:
                return left, end
    return ()


_DERIVATIONAL_SIZES = sorted({len(end) for end in DERIVATIONAL}, reverse=True)


def strip_suffix(word: str, lex: Lexicon, kinds: frozenset[int]) -> str:
    """Strip the longest allowed suffix that leaves a known word ("" if none); a stem the
    variants file or ``protect`` lists wins over a longer suffix (فیلترها is فیلتر + ها, not فیل + ترها)."""
    best, best_score, best_length = "", (-1, -1), 0
    for suffix, restore, kind in SUFFIXES:
        if best and len(suffix) < best_length and best_score[0] == 2:
            break
        if kind not in kinds or not word.endswith(suffix):
            continue
        stem = word[: -len(suffix)] + restore
        if suffix == "یان" and stem[-2:-1] in ("ا", "و"):
            stem = stem[:-1]  # دانشجویان, آقایان: ی is a glide after a vowel
        if len(stem) < 2 or stem in NOT_STEMS:
            continue
        if stem in lex.protected or stem in lex.variants:
            score = (2, 0)
        elif stem in lex.strong:
            # hazm's frequencies are rough: a restored ه/ت (منطقه‌ای, حملات) wins unless the
            # bare stem is far more frequent (روزهای is روز‌های).
            score = (1, lex.strong[stem][0] * (3 if restore else 1))
        elif (kind in UNAMBIGUOUS and stem in lex.weak) or derived(stem, lex):
            score = (0, 0)  # شرکت‌کنندگان is شرکت‌کننده as تولیدکنندگان is تولیدکننده
        else:
            continue
        if (score > best_score and (not best or len(suffix) == best_length)) or (score[0] == 2 > best_score[0]):
            best, best_score, best_length = stem, score, len(suffix)
    return best
