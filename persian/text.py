"""The single Persian text pipeline: indexing, querying, highlighting, suggestions, matching.

Text becomes search terms in three cheap steps (no hazm Normalizer: ~1.8 ms an article):

1. ``fold``: one ``str.translate`` maps Arabic letter forms to Persian ones and alef/hamza forms
   to bare letters, every digit to Latin, Latin to lower case, and drops diacritics, tatweel and
   invisible marks.
2. ``tokenize``: one precompiled regex finds word pieces. A ZWNJ separates nothing (a word's
   canonical form is its glued spelling); pieces separated by spaces join when one is a bound
   morpheme (می/نمی, ها/های/تر/اند, پذیر, گذاری…) or when hazm's lexicon, the variants file or
   ``protect()`` spells the pair as one compound with a half-space exactly there; a glued word
   hazm does not know splits into the two known words it is spaced as (``_split``). The decisions
   look only at glued strings, so ``می‌کند``, ``می کند`` and ``میکند`` give one token, and
   ``کره‌جنوبی``, ``کره جنوبی`` and ``کرهجنوبی`` two.
3. ``term`` (per glued word, ``lru_cache``d): spelling variants, verb forms → past stem, and a
   suffix stripped only when what remains is a known word, so names stay whole.

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
  with ``ال`` or a prefix (می, بی…), parts of one or two letters (but به, در, و…: ``وفوت``), or
  surnames ending in نژاد, راد, منش… (``کیانوش‌راد`` stays whole, two words when spaced, for
  entity discovery). Unknown names may split into fragments (``بایدن`` → با + یدن), the same in
  every spelling.
* a glued form has one reading: ``زمینهای`` is زمین‌های or زمینه‌ای (hazm's frequencies decide);
  a ZWNJ inside a word (``یازد‌هم``), after a two-letter part (``وب‌کم``, ``مک‌بوک``) or in an
  acronym spelled letter by letter (``اف‌ای‌تی‌اف``) leaves several words when typed as a space.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from persian.lexicon import VARIANTS_FILE, VERB_PREFIXES, ZWNJ, Lexicon, read_groups, variants_from

# Inside ``tokenize`` every mark becomes a tatweel, which the regex counts as a letter: a kasra or
# ZWNJ inside a word keeps it one piece, and offsets still point into the original text.
_MARK = "\u0640"

# --- step 1: character folding ---------------------------------------------------------------

_LETTERS = {
    "ي": "ی", "ى": "ی", "ۍ": "ی", "ې": "ی", "ێ": "ی",
    "ئ": "ی",  # رئیس/رییس, پائیز/پاییز, تائید/تایید; مسئله/مساله is a variant group
    "ك": "ک", "ڪ": "ک", "ػ": "ک",
    "ة": "ه", "ۀ": "ه", "ە": "ه", "ھ": "ه", "ہ": "ه", "ۂ": "ه",
    "أ": "ا", "إ": "ا", "ٱ": "ا", "آ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ؤ": "و",
}  # fmt: skip
_SPACES = "\t\v\f\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_MARKS = [  # diacritics (fatha, kasra, tanwin, shadda, sukun, superscript alef…), tatweel, invisibles
    cp
    for lo, hi in [(0x610, 0x61A), (0x61C, 0x61C), (0x640, 0x640), (0x64B, 0x65F), (0x670, 0x670),
                   (0x6D6, 0x6DC), (0x6DF, 0x6E8), (0x6EA, 0x6ED), (0x8D3, 0x8FF), (0xAD, 0xAD),
                   (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2069), (0xFEFF, 0xFEFF)]
    for cp in range(lo, hi + 1)
]  # fmt: skip


def _base_table() -> dict[int, str]:
    table = {}
    for cp in (*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)):  # presentation forms (PDFs)
        base = unicodedata.normalize("NFKC", chr(cp))
        if len(base) == 1 and "\u0621" <= base <= "\u06ff":
            table[cp] = _LETTERS.get(base, base)
    table.update({ord(k): v for k, v in _LETTERS.items()})
    for i in range(10):
        table[0x6F0 + i] = table[0x660 + i] = str(i)
    table.update({cp: chr(cp + 32) for cp in range(ord("A"), ord("Z") + 1)})
    table.update({ord(c): " " for c in _SPACES})
    return table


_BASE = _base_table()
_FOLD = {**_BASE, **{cp: None for cp in _MARKS if cp != ord(ZWNJ)}}
# Same length as its input, for tokenize. A str indexed by code point translates 3× faster than
# a dict (characters beyond U+FFFF are left as they are).
_KEEP = "".join(_BASE.get(cp, chr(cp)) for cp in range(0x10000)).translate({cp: _MARK for cp in _MARKS})


def fold(text: str) -> str:
    """Character folding only; spaces, line breaks and ZWNJ are kept (the result may be shorter)."""
    return text.translate(_FOLD)


# --- morphology (part of the algorithm; editable word lists live in the variants file) ---------

# A piece after which the next piece belongs to the same word.
_PREFIXES = frozenset(
    ["می", "نمی", "بی", "برمی", "درمی", "بازمی", "فرامی", "فرومی", "وامی", "برنمی", "درنمی", "بازنمی"]
)
# A piece that never stands alone: it belongs to the word before it.
_BOUND = frozenset(
    """ها های هایی هایم هایت هایش هایمان هایتان هایشان هاشان هاست ای ام ات اش ایم اید اند ی ند یم
    تر ترین تری ترها ترینها ساز سازی سازان پذیر پذیری ناپذیر گذاری گذار گذاران گیری کننده کنندگان
    کنندگی دهنده دهندگان رسانی طلبان طلبی طلبانه گرا گرایی گرایان گرایانه شدگان دیدگان باختگان
    آمیز انگیز مند مندی مندان زاده پور فر شان مان تان گان دار داران پوش پوشان بگیر بگیران افزار
    زدایی ورزی اندرکار اندرکاران گر گری نگار نگاران خواه آوری آزمایی گزار گزاری گزاران جویانه جویی
    نیا""".translate(_FOLD).split()
)
_HA = ["ها", "های", "هایی", "هایم", "هایت", "هایش", "هایمان", "هایتان", "هایشان", "هاشان", "هاست"]
# ...also with endings of its own (گذاری‌های, نگارانی); not ها+ی after a consonant, since
# انگیز+های is also انگیزه+ای, a word of its own.
_BOUND_FORMS = frozenset(
    bound + e1 + e2
    for bound in _BOUND
    for e1 in ("", "ی")
    for e2 in ("", *_HA, "ای", "اش", "شان", "تر", "ترین")
    if not (e2.startswith("های") and not (bound + e1).endswith(("ی", "ه")))
)
# Suffixes: (suffix, stem ending to restore, kind). What may be stripped depends on what hazm says
# about the whole word: nothing from a tagged word (ایران, مردم), plural endings from a word tagged
# plural (خطرات; not سهام), unambiguous endings from an untagged entry (کتابها; not ایرانی), any
# from an unknown word. No ام/م/ت: "my/your" are rare in news and would break سهام, برجام, اقلام.
_KIND_HA, _KIND_TAR, _KIND_HEH, _KIND_YAN, _KIND_PLURAL, _KIND_OTHER = range(6)
_SUFFIXES = sorted(
    [(s, "", _KIND_HA) for s in _HA]
    + [(s, "", _KIND_TAR) for s in ("تر", "ترین", "تری", "ترها")]
    + [("ه" + s, "ه", _KIND_HEH) for s in ("ای", "ی", "ام", "ات", "اش", "ایم", "اید", "اند", "ایی")]
    + [("یان", "ی", _KIND_YAN), ("گان", "ه", _KIND_PLURAL), ("ات", "ه", _KIND_PLURAL)]
    + [("ات", "ت", _KIND_PLURAL), ("ات", "", _KIND_PLURAL), ("ان", "", _KIND_PLURAL)]
    + [(s, "", _KIND_OTHER) for s in ("ی", "یی", "اش", "ش", "مان", "شان")],
    key=lambda rule: -len(rule[0]),
)
# These may also leave an untagged stem; a bare -ان may not (مهران, سامان are names).
_SUFFIX_STRINGS = tuple({suffix for suffix, _, _ in _SUFFIXES})
_UNAMBIGUOUS = frozenset((_KIND_HA, _KIND_TAR, _KIND_HEH, _KIND_YAN))
_PLURAL_ENDINGS = frozenset((_KIND_HA, _KIND_YAN, _KIND_PLURAL))
_ANY_ENDING = frozenset(range(6))
_NOT_STEMS = frozenset(["به", "بر", "که", "از", "در", "با", "تا", "را"])  # بهترین is not به, برتر not بر
_NON_JOINING = frozenset("اآدذرزژو")  # letters that never join the next one
# Splitting an unknown glued word: the short words often glued to the next one (بهصورت,
# درخصوص, ونقل, یکهزار) or to the one before (بازهم, ادارهکل).
_GLUED_SHORT = frozenset(["به", "در", "بر", "با", "از", "هر", "یک", "دو", "سه", "و"])
_GLUED_SHORT_AFTER = frozenset(["هم", "کل"])
_LEFT_ENDINGS = ("ها", "های", "ی", "ای", "ان", "ات")
# Words that mostly end surnames (کاظم‌نژاد, کیانوش‌راد): such a name stays one word, as entity
# discovery needs; spaced, it is two unless protected.
_SURNAME_ENDS = frozenset(["نژاد", "راد", "منش", "فرد", "کیا", "مهر", "دوست", "پناه", "نیک"])
# Endings of a known word (امیدواریم, فرزندانشان, رحمانه, اروپاست) that keep it from being split.
_ENDINGS = ("ی", "یی", "م", "ت", "ش", "یم", "ید", "ند", "ام", "اش", "ای", "ان", "انی", "انه", "مان", "تان", "شان")
_ENDINGS += ("ها", "های", "ست", "است")
_STEM_OF = ("ی", "یی", "ای", "ان", "ها", "های")  # چندرسانه: hazm lists چندرسانه‌ای
_TAILS = (*sorted(_HA, key=len, reverse=True), "ترین", "تر")
_NOTHING: frozenset[str] = frozenset()


class Token(NamedTuple):
    term: str  # the final search term
    start: int  # offsets into the original text, spanning every joined piece
    end: int
    text: str  # original[start:end]


# --- lexicons (a lazy singleton, shared by every analyzer in the process) ----------------------


@functools.cache
def _lexicon() -> Lexicon:
    """hazm's words and verbs and the variants file, folded as text is (``protect`` adds to it)."""
    return Lexicon(fold)


def _known(word: str, lex: Lexicon) -> bool:
    """Does hazm list it (even untagged), or is it a known word with a suffix (its term differs)?"""
    return word in lex.weak or lex.whole(word) or _term(word) != word


def load_variants(path: str | Path | None = None) -> dict[str, str]:
    """Parse a variants file (default: ours) into ``{folded glued spelling: canonical term}``."""
    return variants_from(read_groups(path or VARIANTS_FILE, fold))


def protect(words: Iterable[str]) -> None:
    """Keep these words (entity names, aliases) whole; a ZWNJ spelling also joins when spaced."""
    lex = _lexicon()
    for word in words:
        for part in fold(word).split():
            if part.strip(ZWNJ):
                lex.protected.add(part.replace(ZWNJ, ""))
                if ZWNJ in part.strip(ZWNJ):
                    lex.add_compound(part)
    _clear_caches()


def _clear_caches() -> None:
    """Forget every per-word decision (after ``protect``, and for benchmarks of a fresh process)."""
    _term.cache_clear()
    _bases.cache_clear()
    _split.cache_clear()


# --- step 2: pieces → words --------------------------------------------------------------------

# A piece (letters with the marks inside them, or digits) and everything before it: findall
# consumes the text contiguously, so offsets are running sums of lengths.
_PIECE = re.compile(r"([\W_\u0640]*)(?:([^\W\d_\u0640][^\W\d_]*)|(\d[\d\u0640]*))")
_SOFT = " " + _MARK  # a gap of only these may stand for a lost half-space


def _words(folded: str) -> list[tuple[str, int, int]]:
    """Glued words and their spans: pieces joined by ``_joins``, and three-part compounds.

    A ZWNJ is a mark inside a piece. Only spaces (and marks) between two pieces may stand for a
    lost half-space; punctuation, line breaks and digits touching letters are hard boundaries,
    and numbers never join.
    """
    lex = _lexicon()
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
            group, start, end, joinable = digits.replace(_MARK, ""), position, position + len(digits), False
            position = end
            continue
        piece_start, position = position, position + len(letters)
        soft = joinable and gap and (gap == " " or not gap.strip(_SOFT))
        piece = letters.replace(_MARK, "") if _MARK in letters else letters
        parts = ((piece, piece_start, position, soft),)
        # A piece the word before takes (بی رحمانه, تخت روانچی once protected) is not split first.
        if len(piece) > 3 and (split := _split(piece)) and not (soft and _joins(group, last, piece, rights)):
            left, right = split
            middle = _offset_after(folded, piece_start, len(left))
            rest = position - len(folded[middle:position].lstrip(_MARK))
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
    if last in _PREFIXES or piece in _BOUND_FORMS:
        return True
    # A stray ZWNJ after a letter that never joins is invisible, and scraped text has many
    # (د‌ولت, شد‌ه); a space in its place leaves a lone letter to glue back.
    if len(group) == 1:
        return group in _NON_JOINING and group != "و"
    if len(piece) == 1:
        return group[-1] in _NON_JOINING and piece not in _NON_JOINING
    return group in rights and _is_compound(group, piece, rights)


def _is_compound(group: str, piece: str, rights: dict[str, set[str]]) -> bool:
    """Is there a compound (maybe inflected) with a half-space exactly between group and piece?"""
    return not rights.get(group, _NOTHING).isdisjoint(_bases(piece))


@functools.lru_cache(maxsize=1 << 17)
def _bases(piece: str, depth: int = 2) -> frozenset[str]:
    """The piece and what is left without up to two suffixes (وگوهای → وگو); not ش (روش ≠ رو+ش)."""
    bases = {piece}
    for suffix, restore, _ in _SUFFIXES if depth else ():
        if len(suffix) < len(piece) and piece.endswith(suffix) and suffix != "ش":
            bases |= _bases(piece[: -len(suffix)] + restore, depth - 1)
    return frozenset(bases)


@functools.lru_cache(maxsize=1 << 17)
def _split(glued: str) -> tuple[str, str] | tuple[()]:
    """The two words a glued word is when spaced (``()``: it is one word).

    It only splits where the two words would not be joined again, so all spellings agree: an
    unknown word into two known ones (کره‌جنوبی, کرهجنوبی → کره + جنوبی), and ``به`` + a word,
    a participle + ``است`` and a word ending in a vowel + ``ست`` (اروپاست) even if hazm lists the
    glued form.
    """
    lex = _lexicon()
    if lex.whole(glued):
        return ()
    if glued.endswith("هاست") and glued[:-3] in lex.verbs and _splittable(glued[:-3], "است", lex):
        return glued[:-3], "است"  # شده‌است
    if glued[-3:-2] in ("ا", "و") and glued.endswith("ست") and lex.whole(glued[:-2]):
        return glued[:-2], "است"  # اروپاست: the alef of است is dropped after a vowel
    # Not بهداشتی (بهداشت + ی), nor any other known word with a suffix.
    if glued.startswith("به") and not _stem(glued, lex, _ANY_ENDING) and _splittable("به", glued[2:], lex):
        return "به", glued[2:]
    if glued.startswith("ال") or _inflected(glued, lex):
        return ()  # and Arabic names and phrases (المسلمین, الکاظمی) stay whole
    for tail in _TAILS:  # as when the tail is spaced off: کره‌جنوبی‌ها is کره‌جنوبی + ها
        if glued.endswith(tail) and len(glued) > len(tail) + 3:
            core = _split(glued[: -len(tail)])
            return (core[0], core[1] + tail) if core else ()
    if any(_rejoined(glued[:cut], glued[cut:], lex) for cut in range(2, len(glued) - 1)):
        return ()
    best, best_score = 0, (0, 0, 0)
    for cut in range(1, len(glued) - 1):
        left, right = glued[:cut], glued[cut:]
        kinds = _part(left, lex, True), _part(right, lex, False)
        if min(kinds) and max(kinds) > 1 and right not in _SURNAME_ENDS and not _joins(left, left, right, lex.rights):
            score = (left in _GLUED_SHORT, sum(kinds), min(_frequency(left, lex), _frequency(right, lex)))
            if score > best_score:
                best, best_score = cut, score
    return (glued[:best], glued[best:]) if best else ()


def _rejoined(left: str, right: str, lex: Lexicon) -> bool:
    """Spaced there, is it one word again (برمی گردانیم, a known compound)? Then it stays whole."""
    return left in _PREFIXES or (left in lex.rights and _is_compound(left, right, lex.rights))


def _inflected(glued: str, lex: Lexicon) -> bool:
    """Is this a word hazm knows (even untagged), with an ending (امیدواریم) or without one (چندرسانه)?"""
    return (
        _known(glued, lex)  # an unknown word's term has any suffix stripped already
        or any(glued.endswith(end) and _known(glued[: -len(end)], lex) for end in _ENDINGS if len(glued) > len(end) + 1)
        or any(glued + end in lex.weak or glued + end in lex.strong for end in _STEM_OF)
    )


def _part(word: str, lex: Lexicon, left: bool) -> int:
    """Is this one of the two words of a split? 2: a tagged word, verb or compound, maybe inflected;
    1: another word hazm lists, of three letters or more; 0: no.

    Untagged entries alone are not enough (hazm's include glued pairs and fragments), nor are
    one- and two-letter words, which make up too many names (ما + کرون), except the few often
    glued on. A first word may only carry the endings of a word inside a phrase (تماس‌های‌تلفنی,
    not کرهش + مالی).
    """
    if len(word) < 3 and word not in (_GLUED_SHORT if left else _GLUED_SHORT_AFTER):
        return 0
    if word in lex.imperatives and word not in lex.strong:
        return 0
    if lex.whole(word):
        return 2
    listed = word in lex.weak
    if (listed or word.endswith(_SUFFIX_STRINGS)) and (not left or word.endswith(_LEFT_ENDINGS)):
        stem = _term(word)  # an unknown word's term has any suffix stripped already
        if stem == word and listed:
            stem = _stem(word, lex, _ANY_ENDING)
        if stem and stem != word and (lex.whole(stem) or stem in lex.weak):
            return 2 if lex.whole(stem) else 1
    return 1 if listed and len(word) > 2 else 0


def _frequency(word: str, lex: Lexicon) -> int:
    """hazm's count of a word or of its term (a verb form counts as a common word)."""
    counted = lex.strong.get(word) or lex.strong.get(_term(word))
    return counted[0] if counted else 1000 if word in lex.verbs else 0


def _splittable(left: str, right: str, lex: Lexicon) -> bool:
    return len(right) > 1 and _known(left, lex) and _known(right, lex) and not _joins(left, left, right, lex.rights)


def _offset_after(folded: str, start: int, count: int) -> int:
    """Offset just after the ``count``-th letter from ``start`` (marks are not counted)."""
    while count:
        count -= folded[start] != _MARK
        start += 1
    return start


# --- step 3: glued word → term -----------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 18)
def _term(word: str) -> str:
    lex = _lexicon()
    if word in lex.variants:
        return lex.variants[word]
    if word < "\u0621":  # digits and Latin: folding did the work
        return word if word.isascii() else word.lower()
    if max(word) >= "\ufb50":  # ligatures the 1:1 table cannot fold (ﻻ)
        word = unicodedata.normalize("NFKC", word).translate(_FOLD)
    if word in lex.protected:
        return word
    if word.endswith("اء"):  # صنعاء, اجزاء: Persian drops the hamza after alef
        return _term(word[:-1])
    verb, strong = lex.verbs.get(word), lex.strong.get(word)
    # A tagged word beats a verb reading (مردم is not "I died", هلند not "you hold") unless
    # می/نمی makes the verb certain.
    if verb and (strong is None or word.startswith(VERB_PREFIXES)):
        return verb
    if strong and not strong[1]:
        return word
    stem = _stem(word, lex, _PLURAL_ENDINGS if strong else _UNAMBIGUOUS if word in lex.weak else _ANY_ENDING)
    return _term(stem) if stem else word


def _stem(word: str, lex: Lexicon, kinds: frozenset[int]) -> str:
    """Strip the longest allowed suffix that leaves a known word ("" if none)."""
    best, best_score, best_length = "", (-1, -1), 0
    for suffix, restore, kind in _SUFFIXES:
        if best and len(suffix) < best_length:
            break
        if kind not in kinds or not word.endswith(suffix):
            continue
        stem = word[: -len(suffix)] + restore
        if suffix == "یان" and stem[-2:-1] in ("ا", "و"):
            stem = stem[:-1]  # دانشجویان, آقایان: ی is a glide after a vowel
        if len(stem) < 2 or stem in _NOT_STEMS:
            continue
        if stem in lex.protected or stem in lex.variants:
            score = (2, 0)
        elif stem in lex.strong:
            # hazm's frequencies are rough: a restored ه/ت (منطقه‌ای, حملات) wins unless the
            # bare stem is far more frequent (روزهای is روز‌های).
            score = (1, lex.strong[stem][0] * (3 if restore else 1))
        elif kind in _UNAMBIGUOUS and stem in lex.weak:
            score = (0, 0)
        else:
            continue
        if score > best_score:
            best, best_score, best_length = stem, score, len(suffix)
    return best


# --- public API ----------------------------------------------------------------------------------


def tokenize(text: str) -> list[Token]:
    """Words of ``text`` with their terms and their spans in ``text``."""
    new = tuple.__new__  # skips NamedTuple's Python-level __new__ (once per word)
    return [new(Token, (_term(w), start, end, text[start:end])) for w, start, end in _words(text.translate(_KEEP))]


def terms(text: str) -> list[str]:
    return [_term(word) for word, _, _ in _words(text.translate(_KEEP))]


def spans(text: str) -> list[tuple[str, int, int]]:
    """``(term, start, end)`` of each word: ``tokenize`` without copying the words' text."""
    return [(_term(word), start, end) for word, start, end in _words(text.translate(_KEEP))]


def term(word: str) -> str:
    """The term of a word or phrase ("" if none); several words come back space-separated."""
    return " ".join(terms(word))


def word_term(word: str) -> str:
    """The term of one word as the index would give it if it stayed whole ("" if no letters).

    ``terms`` splits a glued word hazm does not know into two known words (``_split``); a typo
    is such a word, and its fragments are no use to did-you-mean, which looks up the term of
    each one-edit neighbour of the word as a whole.
    """
    glued = "".join(fold(word).split()).replace(ZWNJ, "")
    return _term(glued) if glued else ""


def match_key(text: str) -> str:
    """A key for comparing titles and names whatever their spelling."""
    return " ".join(terms(text))


def cache_info() -> dict[str, int | float]:
    """Hit/miss statistics of the per-word term cache."""
    info = _term.cache_info()
    lookups = info.hits + info.misses
    hit_rate = info.hits / lookups if lookups else 0.0
    return {
        "hits": info.hits,
        "misses": info.misses,
        "size": info.currsize,
        "maxsize": info.maxsize,
        "hit_rate": hit_rate,
    }


class _GluedVerbForms:
    """What hazm's Normalizer asks when it puts a half-space after می/نمی: is ``می‌X`` a verb?

    Answered from our lexicon's conjugations instead of hazm's Lemmatizer, whose table of every
    form of every verb (346,000 strings) costs each worker ~56 MB.
    """

    def __contains__(self, spaced: str) -> bool:
        prefix, _, rest = spaced.partition(ZWNJ)
        return prefix in ("می", "نمی") and bool(rest) and prefix + rest in _lexicon().verbs


@functools.cache
def _normalizer():
    from hazm import Normalizer  # imported on first use: hazm imports nltk, slow to load

    normalizer = Normalizer(seperate_mi=False)
    normalizer._seperate_mi, normalizer._verbs = True, _GluedVerbForms()
    return normalizer


@functools.lru_cache(maxsize=512)  # whole articles: ~10 KB each
def display(text: str) -> str:
    """Scraped text made readable (hazm's Normalizer: half-spaces, ی/ک, digits); keeps paragraphs."""
    normalize = _normalizer().normalize
    return "\n".join(normalize(line).strip() if line.strip() else "" for line in text.splitlines()).strip("\n")
