"""Snippets with the query's words marked, found through the same Persian analysis as the index.

A query typed ``تماس‌ها`` marks ``تماس های`` in text scraped without half-spaces, because both
analyze to the same term; the snippet then shows it as readers should read it (``تماس‌های``).
The result is HTML-escaped text with only ``<mark>`` added.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

import persian


def snippet(text: str, query_terms: set[str], size: int = 240, readable: bool = False) -> SafeString:
    """The window of ``text`` (about ``size`` characters) richest in query terms, marked up.

    ``readable`` shows the text as pages do (``persian.display``); otherwise it is the stored
    text as written, which the API returns so quotes stay exact.
    """
    clean = _readable if readable else _as_is
    text = " ".join(text.split())
    if not text:
        return mark_safe("")
    hits = _hits(text, query_terms, size) if query_terms else []
    start, end = _best_window(text, hits, size)
    marked, cursor = [], start
    for token in hits:
        if token.start < start or token.end > end:
            continue
        marked.append(escape(clean(text[cursor : token.start])))
        marked.append(f"<mark>{escape(clean(text[token.start : token.end]))}</mark>")
        cursor = token.end
    marked.append(escape(clean(text[cursor:end])))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(marked) + suffix)


def _hits(text: str, query_terms: set[str], size: int) -> list[persian.Token]:
    """The tokens of ``text`` that are query terms, analyzing no more text than the snippet needs.

    Reading stops a window's length after the first hit, so a long article costs the analysis
    of its first paragraphs, not of all of it. The cut lands on a space, and the region is
    re-read whole when the cut may have split a compound.
    """
    limit = 4 * size
    while True:
        cut = len(text) if limit >= len(text) else max(text.rfind(" ", 0, limit), 1)
        # A compound is marked when a query names it or one of its parts (the index holds both).
        hits = [
            t
            for t in persian.tokenize(text[:cut])
            if t.term in query_terms or not query_terms.isdisjoint(persian.parts(t.term, t.text))
        ]
        if cut == len(text) or (hits and hits[0].end + 2 * size < cut):
            return [t for t in hits if t.end < cut - size // 2] if cut < len(text) else hits
        limit *= 4


def _as_is(piece: str) -> str:
    return piece


def _readable(piece: str) -> str:
    """``persian.display`` for a piece of a snippet, keeping the spaces that join it to the next."""
    core = piece.strip()
    if not core:
        return piece
    head = piece[: len(piece) - len(piece.lstrip())]
    tail = piece[len(piece.rstrip()) :]
    return head + persian.display(core) + tail


def _best_window(text: str, hits: list, size: int) -> tuple[int, int]:
    if len(text) <= size:
        return 0, len(text)
    best_start, best_score = 0, -1
    for i, first in enumerate(hits):
        distinct = {t.term for t in hits[i:] if t.start < first.start + size}
        if len(distinct) > best_score:
            best_start, best_score = first.start, len(distinct)
    # Open the window a little before the first hit, on a word boundary.
    start = max(0, best_start - size // 4)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < best_start else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end
