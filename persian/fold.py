"""Step 1 of the pipeline: character folding, one ``str.translate``.

Arabic letter forms become Persian ones and alef/hamza forms bare letters, every digit becomes
Latin, Latin lower case, and diacritics, tatweel and invisible marks are dropped.
"""

from __future__ import annotations

import unicodedata

from persian.lexicon import ZWNJ

# Inside ``tokenize`` every mark becomes a tatweel, which the regex counts as a letter: a kasra or
# ZWNJ inside a word keeps it one piece, and offsets still point into the original text.
MARK = "\u0640"

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
FOLD = {**_BASE, **{cp: None for cp in _MARKS if cp != ord(ZWNJ)}}
# Same length as its input, for tokenize. A str indexed by code point translates 3× faster than
# a dict (characters beyond U+FFFF are left as they are).
KEEP = "".join(_BASE.get(cp, chr(cp)) for cp in range(0x10000)).translate({cp: MARK for cp in _MARKS})


def fold(text: str) -> str:
    """Character folding only; spaces, line breaks and ZWNJ are kept (the result may be shorter)."""
    return text.translate(FOLD)
