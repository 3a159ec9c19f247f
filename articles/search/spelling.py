"""Did-you-mean: the reader's words with misspelt ones replaced by words published articles use.

Engine-independent: the engine answers two questions, how many published articles hold each of
some index terms (``frequencies``) and how a term is written in a few of them (``written``).

A misspelt word is corrected by generating its one-edit neighbours as strings (a letter deleted,
two neighbours swapped, a letter replaced or inserted, a space inserted; two typed words joined
when the typo added a space) and looking up the term of each, instead of walking the index's
vocabulary for terms near the misspelt *term*: a few hundred dictionary lookups whatever the
archive's size, a misspelt first letter is as easy as any other, and each neighbour is analyzed
as one whole word (``persian.word_term``), so the analyzer never splits a typo into fragments
that happen to exist (ابولفضل → ابول + فضل). The typed words are first grouped as the analyzer
reads them (``خامنه ای`` is one word).

The best neighbour has the most published articles times the likelihood of its typo (a key next
to the right one, a look-alike letter, a doubled or lost letter, a swap: likely; any other letter:
unlikely), its frequency discounted per suffix the analyzer stripped (a term counts every
inflection). It is shown as an article writes it, the written form nearest the neighbour, never
as a stem.

A word is corrected when no published article holds it, when the analyzer splits it into
fragments and a whole neighbour is more common than the rarer fragment, or when it is a rare
archive word (in at most ``RARE`` articles, a typo that made it into print) and a likely typo of
a far more common word.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import persian

Frequencies = Callable[[Iterable[str]], Mapping[str, int]]  # term → published articles; absent → left out
WrittenForms = Callable[[str], list[str]]  # a term → its occurrences as written in published articles

# Folded letters (``persian.fold`` maps آ→ا, ئ→ی, ؤ→و, ك→ک, so those spellings are covered).
ALPHABET = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیء"
MIN_LETTERS = 3  # shorter words have too many real neighbours to guess from
RARE = 2  # a word in at most this many articles may be a printed typo...
FAR_MORE = 50  # ...of a neighbour in this many times more articles
COMMON = 20  # ...and in at least this many
_KEYBOARD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})  # shown as a Persian keyboard types it


@dataclass(frozen=True)
class _Fix:
    words: tuple[str, ...]  # folded glued words that replace the typed one(s)
    terms: tuple[str, ...]
    frequency: int


def suggest(words: Sequence[str], frequencies: Frequencies, written: WrittenForms) -> str:
    """``words`` (as typed) with misspelt ones corrected, or "" when nothing needs correcting."""
    units = _units(words)
    glued = [persian.glued(text) for text, _ in units]
    joined = [persian.word_term(glued[i] + glued[i + 1]) for i in range(len(units) - 1)]
    known = frequencies({t for _, terms in units for t in terms} | {t for t in joined if t})
    found = [min((known.get(t, 0) for t in terms), default=None) for _, terms in units]
    fixes: dict[int, tuple[int, _Fix]] = {}  # first unit → (how many it replaces, fix)
    for i, term in enumerate(joined):
        # A space the typo added: joined, the two are a word more common than the rarer of
        # them, which is absent or rare (جل وهای: جل and وه are in one article each).
        pair = (found[i], found[i + 1])
        if None not in pair and min(pair) <= RARE and known.get(term, 0) > max(pair) and i - 1 not in fixes:
            fixes[i] = (2, _Fix((glued[i] + glued[i + 1],), (term,), known[term]))
    taken = {i + 1 for i in fixes} | set(fixes)
    wanted = [i for i, word in enumerate(glued) if i not in taken and _suspect(word, found[i], len(units[i][1]))]
    neighbours = {i: _neighbours(glued[i]) for i in wanted}
    counts = frequencies({t for fixes_of in neighbours.values() for fix in fixes_of for t in fix.terms})
    for i in wanted:
        best, score = _best(neighbours[i], counts, units[i][1])
        if best and _better(best.frequency, score, found[i], len(units[i][1])):
            fixes[i] = (1, best)
    if not fixes:
        return ""
    shown, i = [], 0
    while i < len(units):
        if i in fixes:
            span, fix = fixes[i]
            shown += [_as_written(word, term, written) for word, term in zip(fix.words, fix.terms, strict=True)]
            i += span
        else:
            shown.append(units[i][0])
            i += 1
    return " ".join(shown)


def _units(words: Sequence[str]) -> list[tuple[str, tuple[str, ...]]]:
    """The typed words grouped as the analyzer reads them, each group with its terms: ``خامنه
    ای`` is one word, ``ابولفضل`` two terms (ابول + فضل), and each is corrected as a whole."""
    text = " ".join(words)
    owner = [i for i, word in enumerate(words) for _ in range(len(word) + 1)]  # offset → word
    spans: list[list] = []  # [first word, last word, terms], in order
    for term, start, end in persian.spans(text):
        first, last = owner[start], owner[end - 1]
        if spans and first <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], last)
            spans[-1][2].append(term)
        else:
            spans.append([first, last, [term]])
    units, word = [], 0
    for first, last, terms in spans:
        units += [(w, ()) for w in words[word:first]]  # words without a term (punctuation)
        units.append((" ".join(words[first : last + 1]), tuple(terms)))
        word = last + 1
    return units + [(w, ()) for w in words[word:]]


def _suspect(glued: str, found: int | None, parts: int) -> bool:
    """Absent, rare or split into fragments (``found``: published articles holding its rarest
    term; None: no term at all), and a Persian word long enough to correct."""
    if found is None or len(glued) < MIN_LETTERS or not set(glued) <= _LETTERS:
        return False
    return found <= RARE or parts > 1


def _better(frequency: int, score: float, found: int, parts: int) -> bool:
    """Is a neighbour in ``frequency`` articles (``score``: weighed by how likely its typo is)
    worth offering for a word in ``found``?"""
    if not found:
        return True
    if parts > 1:  # the analyzer split it: a whole word beats its rarest fragment
        return frequency > found
    # A word in print needs a likely typo of a far more common one (not کولت → دولت).
    return score >= FAR_MORE * found and frequency >= COMMON


_LETTERS = frozenset(ALPHABET)


# How likely a typo is, by kind (the reader's word compared with the neighbour): one letter
# lost, two swapped, a key next to the right one or a look-alike letter, a letter doubled, a
# space: common; any other letter added or replaced: rare. Without this the most frequent
# neighbour wins (یفتند → گفتند rather than یافتند).
LIKELY, UNLIKELY_EXTRA, UNLIKELY_LETTER = 1.0, 0.2, 0.05
# A term counts every inflection of a word (کار: کارها, کارهای…; داد: every form of the verb),
# so its frequency overstates a neighbour the analyzer had to strip: each suffix stripped (or
# lemmatized away) divides it, or کارگاها would be کارهاها, a word of کار.
INFLECTED = 0.3
# Two common words are in many articles apart, which says little of the pair.
SPLIT = 0.5
_ROWS = ["ضصثقفغعهخحجچ", "شسیبلاتنمکگ", "ظطزرذدپو"]  # the Persian keyboard
_LOOK_ALIKE = ["بپتث", "جچحخ", "دذ", "رزژ", "سش", "صض", "طظ", "عغ", "فق", "کگ", "ءی"]
_NEAR = {
    letter: {other for group in _LOOK_ALIKE if letter in group for other in group}
    | {
        row[j]
        for row in _ROWS
        if letter in row
        for j in (row.index(letter) - 1, row.index(letter) + 1)
        if 0 <= j < len(row)
    }
    for letter in ALPHABET
}


def _neighbours(word: str) -> list[_Fix]:
    """Every string one edit from ``word``, with its term(s) and how likely the edit is as a
    typo (``frequency`` holds that weight here); a space splits it into two words."""
    weights: dict[str, float] = {}

    def add(string: str, weight: float) -> None:
        if weights.get(string, 0.0) < weight:
            weights[string] = weight

    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        for letter in ALPHABET:
            add(head + letter + tail, LIKELY)  # the reader lost this letter
        if tail:
            doubled = tail[0] == (head[-1:] or tail[1:2])
            add(head + tail[1:], LIKELY if doubled else UNLIKELY_EXTRA)  # an extra letter
            near = _NEAR.get(tail[0], ())
            for letter in ALPHABET:
                add(head + letter + tail[1:], LIKELY if letter in near else UNLIKELY_LETTER)
        if len(tail) > 1:
            add(head + tail[1] + tail[0] + tail[2:], LIKELY)  # swapped
        if len(head) >= MIN_LETTERS and len(tail) >= MIN_LETTERS:  # not در دو: short words glued
            add(head + " " + tail, LIKELY)  # a space the reader lost (the analyzer splits بهصورت)
    weights.pop(word, None)
    fixes = []
    for string, weight in weights.items():
        parts = tuple(string.split())
        terms = tuple(persian.word_term(part) for part in parts)
        # Not a stem of two letters (نهانی → نهای → نه): a long typo is never a short word's.
        if all(terms) and (len(terms) > 1 or len(terms[0]) >= MIN_LETTERS):
            for part, term in zip(parts, terms, strict=True):
                weight *= INFLECTED ** -(-max(len(part) - len(term), 0) // 2)  # ~ one suffix per two letters
            fixes.append(_Fix(parts, terms, weight * (SPLIT if len(parts) > 1 else 1.0)))
    return fixes


def _best(neighbours: list[_Fix], counts: Mapping[str, int], own: tuple[str, ...]) -> tuple[_Fix | None, float]:
    """The likeliest neighbour and its score: how often it is published times how likely its
    typo is."""
    best, best_score = None, 0.0
    for fix in neighbours:
        if fix.terms == own:
            continue
        frequency = min(counts.get(term, 0) for term in fix.terms)
        if frequency and frequency * fix.frequency > best_score:
            best, best_score = _Fix(fix.words, fix.terms, frequency), frequency * fix.frequency
    return best, best_score


def _as_written(word: str, term: str, written: WrittenForms) -> str:
    """How articles write ``term``, closest to the neighbour ``word`` (the same spelling if one
    is; else the nearest form, so a stem is never shown for an inflected word; ``word`` itself
    if none is found)."""
    forms = Counter(form.translate(_KEYBOARD) for form in written(term))
    if not forms:
        return word
    return min(forms, key=lambda form: (_distance(persian.glued(form), word), -forms[form], persian.ZWNJ not in form))


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (short words only)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def written_in(articles: Iterable, term: str, enough: int) -> list[str]:
    """How ``term`` is written in ``articles`` (title, lead and body): up to about ``enough``
    forms, from the paragraphs that likely hold it first. Each engine finds the articles."""
    paragraphs = [p for a in articles for p in f"{a.title}\n{a.lead}\n{a.body}".splitlines()]
    stem = term[: max(3, len(term) - 1)]  # مذاکرات is مذاکره: a restored ه or ت
    likely = [p for p in paragraphs if stem in persian.glued(p)]
    for chosen in (likely, paragraphs):
        forms: list[str] = []
        for paragraph in chosen:
            forms += [token.text for token in persian.tokenize(paragraph) if token.term == term]
            if len(forms) >= enough:
                break
        if forms:
            return forms
    return []
