"""Analysis done once: lines read for the name finder, kept for the index that reads them again.

An import reads every article's terms to find the names it mentions (``articles.entities``),
then the index reads the same title, lead and body again (``index_spans``): the pipeline ran
twice over every word, in two processes. ``Lines`` keeps what the first reading found, compactly,
so the importer hands it to the process that indexes the article, whose analyzer looks each line
up before analysing it (``using``, ``index_spans``).

A line is the unit kept because a line break is a hard boundary in the pipeline, like
punctuation: no piece joins across it, so a text's ``index_spans`` are its lines' spans one
after the other, offsets shifted (``test_prepared`` checks it on corpus articles). A line that
was not kept, or whose text changed since (a later edit), is simply analysed: what is kept can
make the index quicker, never different.
"""

from __future__ import annotations

import threading
from array import array
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from persian.text import index_spans as _analyse

Span = tuple[str, int, int, tuple[str, ...]]  # term, start, end, compound parts (``index_spans``)
# One line's spans in three compact pieces (a tuple per term would take ~10 times the memory):
# the terms joined by a separator no term holds, their offsets, and the few terms' parts by index.
Kept = tuple[str, bytes, dict[int, tuple[str, ...]]]

_SEP = "\x1f"  # a control character: never inside a term (terms are letters and digits)
_state = threading.local()


def encode(spans: list[Span]) -> Kept:
    offsets = array("i")
    for _, start, end, _ in spans:
        offsets.append(start)
        offsets.append(end)
    parts = {i: span[3] for i, span in enumerate(spans) if span[3]}
    return _SEP.join([span[0] for span in spans]), offsets.tobytes(), parts


def decode(kept: Kept) -> list[Span]:
    terms, raw, parts = kept
    if not raw:
        return []
    offsets = array("i")
    offsets.frombytes(raw)
    return [(term, offsets[2 * i], offsets[2 * i + 1], parts.get(i, ())) for i, term in enumerate(terms.split(_SEP))]


class Lines:
    """Lines analysed once, each kept (up to ``limit`` of them) for a later ``using``."""

    def __init__(self, limit: int = 1_000_000) -> None:
        self.kept: dict[str, Kept] = {}
        self.limit = limit

    def spans(self, line: str) -> list[Span]:
        """``persian.index_spans(line)``; ``line`` holds no line break."""
        kept = self.kept.get(line)
        if kept is not None:
            return decode(kept)
        spans = _analyse(line)
        if len(self.kept) < self.limit:
            self.kept[line] = encode(spans)
        return spans

    def take(self) -> dict[str, Kept]:
        """What was kept so far (to hand on), leaving this empty."""
        kept, self.kept = self.kept, {}
        return kept


class Use:
    """How many lines ``index_spans`` read from what was kept, and how many it analysed."""

    def __init__(self, kept: dict[str, Kept]) -> None:
        self.kept, self.read, self.analysed = kept, 0, 0


@contextmanager
def using(kept: dict[str, Kept]) -> Iterator[Use]:
    """Within the block, ``index_spans`` in this thread reads the lines of ``kept`` instead of
    analysing them."""
    previous = getattr(_state, "use", None)
    _state.use = use = Use(kept)
    try:
        yield use
    finally:
        _state.use = previous


def index_spans(value: str) -> list[Span]:
    """``persian.index_spans(value)``, reading the lines kept by the current ``using``."""
    use = getattr(_state, "use", None)
    if use is None or not use.kept:
        return _analyse(value)
    spans: list[Span] = []
    offset = 0
    for line in value.split("\n"):
        found = use.kept.get(line)
        if found is None:
            use.analysed += 1
            line_spans = _analyse(line)
        else:
            use.read += 1
            line_spans = decode(found)
        if offset:
            spans.extend([(term, start + offset, end + offset, parts) for term, start, end, parts in line_spans])
        else:
            spans.extend(line_spans)
        offset += len(line) + 1
    return spans


def term_counts(value: str) -> Counter[str]:
    """How many times each term and each compound part is in ``index_spans(value)`` (what an
    index weighs a word by), reading the lines kept by the current ``using`` without decoding
    their offsets."""
    use = getattr(_state, "use", None)
    counts: Counter[str] = Counter()
    if use is None or not use.kept:
        _count(counts, _analyse(value))
        return counts
    for line in value.split("\n"):
        found = use.kept.get(line)
        if found is None:
            use.analysed += 1
            _count(counts, _analyse(line))
            continue
        use.read += 1
        terms, raw, parts = found
        if raw:
            counts.update(terms.split(_SEP))
            for line_parts in parts.values():
                counts.update(line_parts)
    return counts


def _count(counts: Counter[str], spans: list[Span]) -> None:
    counts.update([span[0] for span in spans])
    for span in spans:
        if span[3]:
            counts.update(span[3])
