"""The single Persian text pipeline: indexing, querying, highlighting, suggestions, matching.

Text becomes search terms in three cheap steps:

1. folding: one ``str.translate`` maps Arabic letter forms to Persian ones, alef/hamza variants to
   bare letters, every digit to Latin and Latin to lower case, and drops diacritics, tatweel and
   invisible marks;
2. tokenizing: one precompiled regex finds word pieces. A ZWNJ separates nothing (a word's
   canonical spelling is its glued form), and pieces separated by spaces are joined when one is a
   bound morpheme (می/نمی…, ها/های/تر/اند…) or the glued pair is a known compound. The decision
   only looks at glued strings, so ``می‌کند``, ``می کند`` and ``میکند`` give the same token;
3. ``term`` (per glued word, ``lru_cache``d): spelling variants, verb forms → past stem, and
   affixes stripped only when what remains is a known word, so names stay intact.

hazm's Normalizer costs ~1.8 ms per article, so it is used only by ``display``; the lexicons are
read straight from hazm's data files (importing hazm pulls in nltk), lazily, once per process.

Known exceptions to "every spelling gives the same terms" (each affects only that word):
* a compound found in no lexicon (``پلی‌استیشن``) is one term with ZWNJ or glued, but two terms
  with a space: add its ZWNJ spelling to the variants file or ``protect()`` it;
* a glued word is never split apart, except ``به`` glued to a known word (``بهعنوان``) and a
  participle glued to ``است`` (``شدهاست``), which are split as they are written with a space.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from whoosh.analysis import Analyzer, CompositeAnalyzer, Tokenizer
from whoosh.analysis import Token as WhooshToken

VARIANTS_FILE = Path(__file__).resolve().parent / "data" / "spelling_variants.txt"

ZWNJ = "\u200c"
# Marks become tatweel inside ``tokenize``: it is a letter to the regex, so a diacritic or ZWNJ
# inside a word keeps the word one piece while offsets still point into the original text.
_MARK = "\u0640"

# ---------------------------------------------------------------------------------------------
# Step 1: character folding tables (built once at import; plain dicts for str.translate)

_LETTERS = {
    "ي": "ی", "ى": "ی", "ۍ": "ی", "ې": "ی", "ێ": "ی",
    # ئ→ی: writers alternate رئیس/رییس, پائیز/پاییز, تائید/تایید; مسئله/مساله is a variant group.
    "ئ": "ی",
    "ك": "ک", "ڪ": "ک", "ػ": "ک",
    "ة": "ه", "ۀ": "ه", "ە": "ه", "ھ": "ه", "ہ": "ه", "ۂ": "ه",
    "أ": "ا", "إ": "ا", "ٱ": "ا", "آ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ؤ": "و",
}  # fmt: skip
_SPACES = "\t\v\f\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_MARK_RANGES = (
    (0x0610, 0x061A), (0x061C, 0x061C), (0x0640, 0x0640), (0x064B, 0x065F), (0x0670, 0x0670),
    (0x06D6, 0x06DC), (0x06DF, 0x06E8), (0x06EA, 0x06ED), (0x08D3, 0x08FF),
    (0x00AD, 0x00AD), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2069), (0xFEFF, 0xFEFF),
)  # fmt: skip
_MARKS = [cp for lo, hi in _MARK_RANGES for cp in range(lo, hi + 1)]


def _base_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # Arabic presentation forms (old PDFs, Word exports) → their base letters.
    for cp in (*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)):
        base = unicodedata.normalize("NFKC", chr(cp))
        if len(base) == 1 and "\u0621" <= base <= "\u06ff":
            table[cp] = _LETTERS.get(base, base)
    table.update({ord(k): v for k, v in _LETTERS.items()})
    for i in range(10):
        table[0x06F0 + i] = table[0x0660 + i] = str(i)
    table.update({cp: chr(cp + 32) for cp in range(ord("A"), ord("Z") + 1)})
    table.update({ord(c): " " for c in _SPACES})
    return table


_FOLD = {**_base_table(), **{cp: None for cp in _MARKS if cp != ord(ZWNJ)}}
_KEEP = {**_base_table(), **{cp: _MARK for cp in _MARKS}}  # same length as the input


def fold(text: str) -> str:
    """Character folding only: letter forms, digits, case, diacritics and invisible marks.

    Spaces, line breaks and ZWNJ are kept, so the result is still readable text; it may be
    shorter than the input.
    """
    return text.translate(_FOLD)


# ---------------------------------------------------------------------------------------------
# Morphology: bound morphemes and affixes (data that is part of the algorithm, not of the corpus)

# A piece after which the next piece is always part of the same word.
_PREFIXES = frozenset(["می", "نمی", "بی", "برمی", "درمی", "بازمی", "فرامی", "فرومی", "وامی", "برنمی", "درنمی", "بازنمی"])
# A piece that never stands alone: it belongs to the word before it.
_BOUND = frozenset(
    """ها های هایی هایم هایت هایش هایمان هایتان هایشان هاشان هاست ای ام ات اش ایم اید اند ی
    تر ترین تری ترها ترینها ساز سازی سازان پذیر پذیری ناپذیر گذاری گذار گذاران گیری کننده
    کنندگان کنندگی دهنده دهندگان رسان رسانی طلبان طلبی طلبانه گرا گرایی گرایان گرایانه شدگان
    دیدگان باختگان کنندهای آمیز انگیز مند مندی مندان زاده پور نژاد""".translate(_FOLD).split()
)
# Suffixes a known word can carry: (suffix, restore, productive). The stem is word[:-len(suffix)]
# + restore. Productive suffixes (written with ZWNJ, never part of a stem by chance) may be
# stripped from weak lexicon words and leave a weak word; the others need a strong lexicon stem.
_SUFFIXES = sorted(
    [(s, "", True) for s in ["ها", "های", "هایی", "هایم", "هایت", "هایش", "هایمان", "هایتان", "هایشان", "هاشان", "هاست"]]
    + [(s, "", True) for s in ("تر", "ترین", "تری", "ترها")]
    + [("ه" + s, "ه", True) for s in ("ای", "ی", "ام", "ات", "اش", "ایم", "اید", "ایی")]
    + [("یان", "ی", True), ("گان", "ه", False), ("ات", "ه", False), ("ات", "ت", False)]
    + [(s, "", False) for s in ["ان", "ات", "ی", "ام", "اش", "م", "ت", "ش", "مان", "تان", "شان"]],
    key=lambda rule: -len(rule[0]),
)
_VERB_PREFIXES = ("می", "نمی")
# Function words that a suffix must not be stripped down to (بهترین is not به, برتر not بر).
_NOT_STEMS = frozenset(["به", "بر", "که", "از", "در", "با", "تا", "را"])


class Token(NamedTuple):
    term: str  # the final search term
    start: int  # offsets into the original text, spanning every joined piece
    end: int
    text: str  # original[start:end]


# ---------------------------------------------------------------------------------------------
# Lexicons (lazy singletons: loaded on first use, shared by every analyzer in the process)


class _Lexicon:
    def __init__(self) -> None:
        data = Path(importlib.util.find_spec("hazm").submodule_search_locations[0]) / "data"
        self.strong: dict[str, tuple[int, bool]] = {}  # word → (frequency, is plural)
        self.weak: set[str] = set()  # words hazm lists without a POS tag: many inflected forms
        self.compounds: set[str] = set()  # glued forms of words hazm spells with ZWNJ
        with open(data / "words.dat", encoding="utf-8") as lines:
            for line in lines:
                word, freq, tags = line.rstrip("\n").split("\t")
                word = word.translate(_FOLD)
                glued = word.replace(ZWNJ, "")
                if ZWNJ in word:
                    self.compounds.add(glued)
                if tags == "0":
                    self.weak.add(glued)
                else:
                    self.strong[glued] = (int(freq), "PL" in tags.split(","))
        self.verbs: dict[str, str] = {"است": "است", "هست": "هست", "نیست": "نیست"}
        with open(data / "verbs.dat", encoding="utf-8") as lines:
            for line in lines:
                past, present = line.strip().translate(_FOLD).split("#")
                if past and present:
                    for form in _verb_forms(past, present):
                        self.verbs.setdefault(form, past)
        self.protected: set[str] = set()
        groups = _read_groups(VARIANTS_FILE)
        self.variants = _variants_from(groups)
        # A ZWNJ spelling in the variants file is a compound too: جست‌وجو makes "جست وجو" join.
        self.compounds.update(v.replace(ZWNJ, "") for g in groups for v in g if ZWNJ in v)

    def known(self, word: str) -> bool:
        return (
            word in self.strong
            or word in self.weak
            or word in self.verbs
            or word in self.protected
            or word in self.variants
            or word in self.compounds
        )


def _verb_forms(past: str, present: str) -> Iterator[str]:
    """Glued, folded conjugations of one verb (person endings, می/نمی/ن/ب, participles)."""
    neg = "نی" if past.startswith("ا") else "ن"  # ن+آمد → نیامد
    for pre in ("", neg, "می", "نمی"):
        for end in ("", "م", "ی", "یم", "ید", "ند"):
            yield pre + past + end
        for end in ("ه", "هام", "های", "هایم", "هاید", "هاند"):
            yield pre + past + end
    yield past + "ن"
    yield neg + past + "ن"
    sub = "بی" if present.startswith("ا") else "ب"
    neg = "نی" if present.startswith("ا") else "ن"
    for pre in ("", neg, sub, "می", "نمی"):
        for end in ("م", "ی", "د", "یم", "ید", "ند"):
            yield pre + present + end
    yield sub + present
    yield neg + present


@functools.cache
def _lexicon() -> _Lexicon:
    return _Lexicon()


def _clear_caches() -> None:
    _term.cache_clear()
    _is_compound.cache_clear()
    _split_at.cache_clear()


def protect(words: Iterable[str]) -> None:
    """Keep these words (entity names, aliases) intact; a ZWNJ spelling also joins when spaced."""
    lex = _lexicon()
    for word in words:
        for part in fold(word).split():
            glued = part.replace(ZWNJ, "")
            if glued:
                lex.protected.add(glued)
                if ZWNJ in part.strip(ZWNJ):
                    lex.compounds.add(glued)
    _clear_caches()


def _read_groups(path: str | Path) -> list[list[str]]:
    """Folded spellings per line of a variants file (``#`` comments, spaces or commas)."""
    groups = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        spellings = fold(line.split("#", 1)[0]).replace(",", " ").replace("،", " ").split()
        if spellings:
            groups.append([s.strip(ZWNJ) for s in spellings])
    return groups


def _variants_from(groups: list[list[str]]) -> dict[str, str]:
    variants = {}
    for group in groups:
        canonical = group[0].replace(ZWNJ, "")
        for spelling in group:
            variants[spelling.replace(ZWNJ, "")] = canonical
    return variants


def load_variants(path: str | Path | None = None) -> dict[str, str]:
    """Parse a variants file: one group a line, first spelling canonical, ``#`` comments.

    Returns ``{folded glued spelling: canonical}`` (canonical is folded and glued as well).
    """
    return _variants_from(_read_groups(path or VARIANTS_FILE))


# ---------------------------------------------------------------------------------------------
# Step 3: one glued word → its term


@functools.lru_cache(maxsize=1 << 18)
def _term(word: str) -> str:
    lex = _lexicon()
    if word in lex.variants:
        return lex.variants[word]
    if word < "\u0621":  # digits and Latin: folding already did the work
        return word if word.isascii() else word.lower()
    if max(word) >= "\ufb50":  # ligatures the 1:1 table cannot fold (ﻻ)
        word = unicodedata.normalize("NFKC", word).translate(_FOLD)
    if word in lex.protected:
        return word
    verb = lex.verbs.get(word)
    # A known word wins over a verb reading (مردم is not "I died", هلند not a verb) unless the
    # prefix می/نمی makes it unambiguous.
    if verb and (word not in lex.strong or word.startswith(_VERB_PREFIXES)):
        return verb
    strong = lex.strong.get(word)
    if strong and not strong[1]:
        return word
    stem = _stem(word, lex, productive_only=strong is None and word in lex.weak)
    return lex.variants.get(stem, stem) if stem else word


def _stem(word: str, lex: _Lexicon, productive_only: bool) -> str:
    """Strip one suffix if a known word remains; among candidates the most frequent wins."""
    best, best_freq, best_suffix = "", -1, ""
    for suffix, restore, productive in _SUFFIXES:
        if best and len(suffix) < len(best_suffix):
            break
        if (productive_only and not productive) or not word.endswith(suffix):
            continue
        stem = word[: -len(suffix)] + restore
        if len(stem) < 2 or stem in _NOT_STEMS:
            continue
        if stem in lex.protected or stem in lex.variants:
            freq = 1 << 62
        elif stem in lex.strong:
            freq = lex.strong[stem][0]
        elif productive and stem in lex.weak:
            freq = 0
        else:
            continue
        if restore:
            freq *= 3  # ه/ت restored (منطقه‌ای, حملات) unless the bare stem is far more frequent
        if freq > best_freq:
            best, best_freq, best_suffix = stem, freq, suffix
    return best


# ---------------------------------------------------------------------------------------------
# Step 2: pieces → words

_PIECE = re.compile(r"[^\W\d_]+|\d+")  # letters (tatweel-marks included) or digits
_SOFT = " " + _MARK  # a gap made only of these may be a lost half-space


@functools.lru_cache(maxsize=1 << 16)
def _is_compound(glued: str) -> bool:
    compounds = _lexicon().compounds
    if glued in compounds:
        return True
    return any(
        glued.endswith(suffix) and glued[: -len(suffix)] + restore in compounds
        for suffix, restore, productive in _SUFFIXES
        if productive
    )


def _joins(group: str, last: str, piece: str) -> bool:
    """Is ``piece`` part of the same word as the pieces before it (``last`` is the latest)?"""
    if (piece < "\u0621" and not piece.isalpha()) or group[-1].isdigit():
        return False  # numbers stand alone ("1400 ها" keeps its digits searchable)
    if last in _PREFIXES or piece in _BOUND:
        return True
    # A lone letter other than و is a fragment of a word broken by a stray ZWNJ or space (د‌ولت).
    if len(piece) == 1 or len(last) == 1:
        lone = piece if len(piece) == 1 else last
        return lone != "و" and "\u0621" <= lone <= "\u06ff"
    return _is_compound(group + piece)


@functools.lru_cache(maxsize=1 << 16)
def _split_at(glued: str) -> int:
    """Where to split a glued word that is written as two words when spaced, or 0.

    Only two patterns, both frequent with ZWNJ: ``به`` + a known word (به‌عنوان, به‌شدت) and a
    participle + ``است`` (شده‌است). The split only happens when the spaced pair would not be
    joined again, so every spelling agrees.
    """
    lex = _lexicon()
    if len(glued) < 5 or lex.known(glued) or _term(glued) != glued:
        return 0
    if glued.startswith("به") and _splittable("به", glued[2:], lex):
        return 2
    if glued.endswith("هاست") and _splittable(glued[:-3], "است", lex):
        return len(glued) - 3
    return 0


def _splittable(left: str, right: str, lex: _Lexicon) -> bool:
    known = lex.known(left) and (lex.known(right) or _term(right) != right)
    return known and len(right) > 1 and not _joins(left, left, right)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into words with their final terms and offsets into ``text``."""
    folded = text.translate(_KEEP)
    pieces: list[tuple[int, int, str]] = []
    for match in _PIECE.finditer(folded):
        start, end = match.span()
        glued = match.group()
        if _MARK in glued:
            raw, glued = glued, glued.replace(_MARK, "")
            if not glued:
                continue
            start += len(raw) - len(raw.lstrip(_MARK))
        cut = _split_at(glued) if len(glued) > 4 else 0
        if cut:
            middle = _offset_after(folded, start, cut)
            pieces.append((start, middle, glued[:cut]))
            start = middle + len(folded[middle:end]) - len(folded[middle:end].lstrip(_MARK))
            glued = glued[cut:]
        pieces.append((start, end, glued))

    tokens = []
    i, count = 0, len(pieces)
    while i < count:
        start, end, group = pieces[i]
        last = group
        i += 1
        while i < count:
            next_start, next_end, piece = pieces[i]
            gap = folded[end:next_start]
            if gap.strip(_SOFT) or (not gap and start != next_start):
                break  # punctuation, a line break, or letters touching digits
            if _joins(group, last, piece):
                group, last, end = group + piece, piece, next_end
                i += 1
            elif piece == "و" and i + 1 < count and _joins_around_va(folded, group, pieces[i + 1], next_end):
                group, last, end = group + piece + pieces[i + 1][2], pieces[i + 1][2], pieces[i + 1][1]
                i += 2
            else:
                break
        tokens.append(Token(_term(group), start, end, text[start:end]))
    return tokens


def _joins_around_va(folded: str, group: str, after: tuple[int, int, str], va_end: int) -> bool:
    """گفت و گو, جست و جو: a compound spelled with و between two spaces."""
    gap = folded[va_end : after[0]]
    return bool(gap) and not gap.strip(_SOFT) and _is_compound(group + "و" + after[2])


def _offset_after(folded: str, start: int, count: int) -> int:
    """Offset just after the ``count``-th letter (marks are not letters) from ``start``."""
    position = start
    while count:
        if folded[position] != _MARK:
            count -= 1
        position += 1
    return position


_tokenize = tokenize  # PersianTokenizer.__call__ has a Whoosh argument named "tokenize"


def terms(text: str) -> list[str]:
    return [token.term for token in tokenize(text)]


def term(word: str) -> str:
    """The term of one word or phrase; a phrase that stays several words gives them space-joined."""
    return " ".join(terms(word))


def match_key(text: str) -> str:
    """A key for comparing titles and names whatever their spelling."""
    return " ".join(terms(text))


def cache_info() -> dict[str, int | float]:
    """Hit/miss statistics of the per-word term cache (for benchmarks)."""
    info = _term.cache_info()
    lookups = info.hits + info.misses
    return {
        "hits": info.hits,
        "misses": info.misses,
        "size": info.currsize,
        "maxsize": info.maxsize,
        "hit_rate": info.hits / lookups if lookups else 0.0,
    }


# ---------------------------------------------------------------------------------------------
# Display: hazm's Normalizer, for showing scraped text to readers (not used for terms)


@functools.cache
def _normalizer():
    from hazm import Normalizer  # heavy import (nltk): only when something is displayed

    return Normalizer()


@functools.lru_cache(maxsize=4096)
def display(text: str) -> str:
    """Readable text: half-spaces restored, Persian ی/ک and digits, paragraphs kept."""
    normalize = _normalizer().normalize
    lines = (normalize(line).strip() if line.strip() else "" for line in text.splitlines())
    return "\n".join(lines).strip("\n")


# ---------------------------------------------------------------------------------------------
# Whoosh


class PersianTokenizer(Tokenizer):
    """Whoosh tokenizer yielding final terms from ``tokenize``; holds no state, so it pickles."""

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __hash__(self) -> int:
        return hash(self.__class__.__name__)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[WhooshToken]:
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:  # e.g. range query bounds: the whole value is one term
            words = [Token(term(value), 0, len(value), value)]
        else:
            words = _tokenize(value)
        for pos, word in enumerate(words):
            token.text = word.term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word.text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + word.start
                token.endchar = start_char + word.end
            yield token


def PersianAnalyzer() -> Analyzer:
    """The analyzer for Persian text fields: terms are final, so no filters follow."""
    return CompositeAnalyzer(PersianTokenizer())
