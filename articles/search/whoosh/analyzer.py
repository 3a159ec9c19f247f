"""The Persian pipeline as a Whoosh analyzer (what the index's text fields are built with).

Whoosh pickles the analyzer into the index's schema by its class path: moving or renaming these
classes means ``manage.py rebuild_index``.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Analyzer, CompositeAnalyzer, Tokenizer
from whoosh.analysis import Token as WhooshToken

import persian
from persian import prepared


class PersianTokenizer(Tokenizer):
    """Yields the final terms of ``persian.tokenize``; it has no attributes, so it pickles into a schema.

    When indexing, a compound's parts follow it at its own position and span (رفتوامد, then رفت
    and امد), so a query for a part finds the compound while phrases keep their positions and the
    highlighter marks the compound's words; a query is analyzed into whole terms only.
    """

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
        token.boost, token.stopped = 1.0, False
        # Without ``tokenize`` (range query bounds) the whole value is one term.
        if not tokenize:
            words = [(persian.term(value), 0, len(value), ())]
        elif mode == "index":  # an import may have analysed the lines already (``persian.prepared``)
            words = prepared.index_spans(value)
        else:
            words = [(text, start, end, ()) for text, start, end in persian.spans(value)]
        for pos, (text, start, end, parts) in enumerate(words, start_pos):
            token.text = text
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token
            for token.text in parts:  # same position, same span
                yield token


def PersianAnalyzer() -> Analyzer:  # named like Whoosh's StemmingAnalyzer factory
    """The analyzer for Persian text fields: terms are final, so no filter follows."""
    return CompositeAnalyzer(PersianTokenizer())


def is_persian(analyzer) -> bool:
    """Is this what ``PersianAnalyzer`` makes (as an index's schema unpickles it)? Then the words
    a text indexes under are ``persian.prepared``'s (``prepared.term_counts`` counts them)."""
    return type(analyzer) is CompositeAnalyzer and [type(item) for item in analyzer.items] == [PersianTokenizer]
