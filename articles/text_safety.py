"""Characters no stored text may hold, removed in one place.

Control characters (a ``\\u0001`` from JSON, a raw byte in a scraped page), NUL, lone surrogates
and the noncharacters U+FFFE/U+FFFF are invisible to readers, cannot be written in XML 1.0 (one
of them in one title took every feed down) and PostgreSQL refuses NUL. Models strip them on save
(``articles.models``), the importer may call ``strip_unsafe`` on what it reads, and the feeds strip
them again on output, for rows saved before this rule or through ``QuerySet.update()``.

Tab, newline and carriage return stay (bodies are paragraphs); so do the marks Persian text needs:
ZWNJ (U+200C), ZWJ and the bidi marks and embeddings are ordinary characters in XML.

No Django import: the importer's parsing, which is pure, can use it too.
"""

from __future__ import annotations

import re

# C0 controls but \t \n \r, DEL, C1 controls, surrogates, and the noncharacters XML 1.0 excludes
# (U+FFFE, U+FFFF; U+FDD0–U+FDEF and each plane's last two are noncharacters too).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
    + "]"
)


def strip_unsafe(text: str) -> str:
    """``text`` without the characters above (the same object when it holds none: the common case)."""
    return _UNSAFE.sub("", text) if _UNSAFE.search(text) else text


def has_unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None
