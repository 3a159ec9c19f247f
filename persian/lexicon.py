"""The words the Persian pipeline (``persian.text``) knows: hazm's lexicon and our variants file.

``Lexicon`` reads hazm's data files directly (importing hazm pulls in nltk, slow to load):

* ``words.dat``: tagged words with their frequencies and whether they are plural, untagged
  entries (rare words and many inflected forms), and the compounds spelled with a ZWNJ;
* ``verbs.dat``: every glued conjugation of a verb → its past stem, and its imperatives;
* ``data/spelling_variants.txt``: spellings of one word per line, the first canonical; a ZWNJ
  spelling there is also a compound.

Every spelling is folded with the function it is given (the pipeline's ``fold``), so the
lexicon and the text agree letter for letter. It holds data, not decisions: what a word's term
is and where words join or split is decided in ``persian.text``, which builds one
``Lexicon`` per process on first use and adds protected names to it (``protect()``).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path

VARIANTS_FILE = Path(__file__).resolve().parent / "data" / "spelling_variants.txt"
ZWNJ = "\u200c"
VERB_PREFIXES = ("می", "نمی")
# Where verbs.dat gives one present stem several past stems (کن: کرد, کند) the everyday one wins.
_EVERYDAY_VERBS = frozenset(
    ["کرد", "بود", "یافت", "ایستاد", "ماند", "کاشت", "نهاد", "ستاند", "پخت", "گذاشت", "گذشت", "شنید", "کشید", "رفت"]
)
# Archaic verbs of verbs.dat whose forms are everyday words: نیوز (news) is not "do not seek".
_ARCHAIC_VERBS = frozenset(["یوخت", "یوزید", "وردید", "جزید", "بسید", "سرید", "روژید", "ورتید", "شمید", "وشت", "دوسید"])


class Lexicon:
    def __init__(self, fold: Callable[[str], str]) -> None:
        data = Path(importlib.util.find_spec("hazm").submodule_search_locations[0]) / "data"
        self.strong: dict[str, tuple[int, bool]] = {}  # tagged words → (frequency, plural)
        self.weak: set[str] = set()  # untagged entries: rare words and many inflected forms
        self.compounds: set[str] = set()  # glued forms of words spelled with a ZWNJ
        self.parts: dict[str, tuple[str, ...]] = {}  # a compound's glued form → its parts
        self.rights: dict[str, set[str]] = {}  # glued part before a ZWNJ → glued rests after it
        self.heads: set[str] = set()  # two first parts of a compound: "به گونه ای", "گفت و گو"
        with open(data / "words.dat", encoding="utf-8") as lines:
            for line in lines:
                word, freq, tags = line.rstrip("\n").split("\t")
                word = fold(word)
                if ZWNJ in word:
                    self.add_compound(word)
                if tags == "0":
                    self.weak.add(word.replace(ZWNJ, ""))
                else:
                    self.strong[word.replace(ZWNJ, "")] = (int(freq), "PL" in tags.split(","))
        # Verb forms → past stem, so کرد, می‌کند and کردند share a term (verbs.dat lacks the copula).
        self.verbs = {c + e: c for c in ("هست", "نیست") for e in ("", "م", "ی", "یم", "ید", "ند")}
        self.verbs["است"] = "است"
        self.imperatives: set[str] = set()  # بکوب, نرو: rare in news, and they end typos (ریابکوب)
        with open(data / "verbs.dat", encoding="utf-8") as lines:
            stems = sorted((line.strip().split("#") for line in lines), key=lambda stems: _rare_verb(fold(stems[0])))
        for raw_past, raw_present in stems:
            past, present = fold(raw_past).replace(ZWNJ, ""), fold(raw_present)  # می‌راند: a verb of its own
            if past and present and past not in _ARCHAIC_VERBS:
                sub = "بی" if present.startswith("ا") else "ب"
                self.imperatives.update((sub + present, "ن" + present))
                for form in _verb_forms(past, present):
                    self.verbs.setdefault(form, past)
                    # A bare alef (not آ) after بی/نی is dropped: بیندازد, نیفتاد.
                    if form.startswith(("بیا", "نیا")) and raw_present.startswith("ا") and raw_past.startswith("ا"):
                        self.verbs.setdefault(form[:2] + form[3:], past)
        self._settle_verbs()
        self.protected: set[str] = set()
        groups = read_groups(VARIANTS_FILE, fold)
        self.variants = variants_from(groups)
        for spelling in (spelling for group in groups for spelling in group if ZWNJ in spelling):
            self.add_compound(spelling)  # جست‌وجو in the file makes "جست وجو" one word

    def _settle_verbs(self) -> None:
        """Make every past stem a term that analyses to itself, as a query re-analysed must.

        A past stem written alone is that verb (نگریست "looked", not ن + گریست "did not weep";
        سنجید, not سنج + ید of سختن) unless it is a form of an everyday verb (کند "does", not the
        past of کندن "dig"): then the rarer verb's forms take the everyday verb's term.
        """
        for past in set(self.verbs.values()):
            # ...nor when it reads as می + a verb (می‌راند "drives", not the past of میراندن).
            if self.verbs.get(past, past) not in _EVERYDAY_VERBS and not past.startswith(VERB_PREFIXES):
                self.verbs[past] = past
        for form, past in self.verbs.items():
            seen = {form}
            while self.verbs.get(past, past) != past and past not in seen:
                seen.add(past)
                past = self.verbs[past]
            self.verbs[form] = past

    def add_compound(self, spelling: str) -> None:
        """Make a folded ZWNJ spelling one word however its parts are spaced or glued."""
        parts = [part for part in spelling.split(ZWNJ) if part]
        glued = "".join(parts)
        self.compounds.add(glued)
        self.parts.setdefault(glued, tuple(parts))
        for i in range(1, len(parts)):
            head = "".join(parts[:i])
            self.rights.setdefault(head, set()).add(glued[len(head) :])
            if i > 1:
                self.heads.add(head)
            if parts[i].startswith("و") and len(parts[i]) > 1:  # گفت‌وگو written گفت و گو
                self.rights.setdefault(head + "و", set()).add(glued[len(head) + 1 :])
                self.heads.add(head + "و")

    def whole(self, word: str) -> bool:
        """Never split (hazm's untagged entries include glued junk like بهنظر, so they may be)."""
        return (
            word in self.strong
            or word in self.verbs
            or word in self.protected
            or word in self.variants
            or word in self.compounds
        )


def _rare_verb(past: str) -> bool:
    return past not in _EVERYDAY_VERBS  # sorted() is stable: otherwise file order


def _verb_forms(past: str, present: str) -> Iterator[str]:
    """Glued, folded conjugations: person endings, می/نمی/ن/ب, participles."""
    neg = "نی" if past.startswith("ا") else "ن"  # نیامد
    for pre in ("", neg, "می", "نمی"):
        for end in ("", "م", "ی", "یم", "ید", "ند", "ه", "هام", "های", "هایم", "هاید", "هاند"):
            yield pre + past + end
    yield past + "ن"
    yield neg + past + "ن"
    sub, neg = ("بی", "نی") if present.startswith("ا") else ("ب", "ن")
    for pre in ("", neg, sub, "می", "نمی"):
        # Present stem + ی only after می: bare it is mostly a noun + ی (کاری, فرهنگی, نیازی).
        for end in ("م", "د", "یم", "ید", "ند", "ی") if pre in VERB_PREFIXES else ("م", "د", "یم", "ید", "ند"):
            yield pre + present + end
    yield sub + present
    yield neg + present


def read_groups(path: str | Path, fold: Callable[[str], str]) -> list[list[str]]:
    """Folded spellings per line of a variants file (``#`` comments, spaces or commas)."""
    groups = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        spellings = fold(line.split("#", 1)[0]).replace(",", " ").replace("،", " ").split()
        if spellings:
            groups.append([spelling.strip(ZWNJ) for spelling in spellings])
    return groups


def variants_from(groups: list[list[str]]) -> dict[str, str]:
    """``{glued spelling: glued canonical spelling}`` (each group's first spelling is canonical)."""
    return {spelling.replace(ZWNJ, ""): group[0].replace(ZWNJ, "") for group in groups for spelling in group}
