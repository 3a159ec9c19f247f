"""An article's key terms, as Whoosh's ``Searcher.key_terms_from_text`` chooses them (Bo1), with
each term's collection frequency read from each segment once instead of once per article.

Whoosh looks up the frequency of every distinct word of the text in every segment, for every
article: storing "more like this" at 65,000 articles (13 segments), that was 55 of the 88 ms of
CPU a list cost, and it grows with the archive. A segment's term statistics never change once
it is written (deleting a document marks it, and Whoosh's frequencies still count it until a
merge drops the segment), so the sums over an index's segments are kept across searchers
(``_SegmentSums``): after an import's commit, a word is looked up in the new segment only, not
again in the twenty before it. The answer is Whoosh's to the last digit (``test_similar``
compares them, across commits and merges).

The document frequencies are kept the same way, for "more like this" (which leaves out common
words) and for the idf of every word a fast search scores (``idf``): Whoosh's searcher sums a
word's over every segment again for each new searcher, and an import makes one a commit.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from whoosh.classify import Bo1Model
from whoosh.formats import Positions, tokens

from articles.search.whoosh.analyzer import is_persian
from articles.search.whoosh.postings import segment_key
from persian import prepared

KEPT = 1_000_000  # terms (~150 MB at most); past it the sums start again


class _SegmentSums:
    """Each term's frequency (or document frequency) summed over the segments in ``order``.

    ``order`` lists segments (``postings.segment_key``) as searchers brought them; a term's entry is ``(n, total)``: the
    sum over the first ``n`` of them. A searcher whose index still has every segment in ``order``
    adds its new segments at the end, and a term is then looked up in those only; one that lacks
    one (merged away, or another index) starts the sums again.
    """

    def __init__(self, statistic: str) -> None:
        self.statistic = statistic  # the SegmentReader method: "frequency" or "doc_frequency"
        self.order: list[str] = []
        self.totals: dict[tuple[str, bytes], tuple[int, float]] = {}
        self.lock = threading.Lock()  # threaded workers compute lists too

    def readers(self, reader) -> tuple[dict, list]:
        """The sums to use and ``reader``'s segment readers in their ``order`` (brought up to date)."""
        # Named as the decoded postings name them: an id alone could be drawn again by a folder
        # cleared and written anew, or by another index.
        segments = {segment_key(sub): sub for sub, _offset in reader.leaf_readers()}
        with self.lock:
            if not segments.keys() >= set(self.order):
                self.order, self.totals = [], {}  # a new dict: a thread summing for the old one keeps it
            known = set(self.order)
            self.order += [segment for segment in segments if segment not in known]
            return self.totals, [segments[segment] for segment in self.order]

    def total(self, kept: tuple[dict, list], fieldname: str, text: bytes) -> float:
        """``text``'s statistic summed over the segments (``kept``: what ``readers`` returned)."""
        totals, readers = kept
        key = (fieldname, text)
        counted, total = totals.get(key, (0, 0))
        if counted < len(readers):
            for sub in readers[counted:]:
                total += getattr(sub, self.statistic)(fieldname, text)
            if len(totals) > KEPT:
                totals.clear()
            totals[key] = (len(readers), total)
        return total


_frequencies = _SegmentSums("frequency")
_document_frequencies = _SegmentSums("doc_frequency")


def key_terms(searcher, fieldname: str, text: str, numterms: int) -> list[tuple[str, float]]:
    """``searcher.key_terms_from_text(fieldname, text, numterms, normalize=False)``, faster."""
    reader = searcher.reader()
    field = reader.schema[fieldname]
    weights = _weights(field, text)
    if not weights:
        return []
    segments = _frequencies.readers(reader)
    model = Bo1Model(reader.doc_count_all(), reader.field_length(fieldname))
    top_total = sum(weights.values())
    scored = []
    for btext, weight in weights.items():
        # 0 when no segment has the word (Whoosh asks ``in reader`` first: one more lookup a
        # segment); a word that is indexed has a weight of one or more.
        if frequency := _frequencies.total(segments, fieldname, btext):
            scored.append((model.score(weight, frequency, top_total), field.from_bytes(btext)))
    if not scored:
        return []
    top = max(score for score, _ in scored)  # Whoosh's ``normalize=False`` still divides by the top
    ranked = sorted(((score / top, word) for score, word in scored), key=lambda x: (-x[0], x[1]))
    return [(word, score) for score, word in ranked[:numterms]]


def _weights(field, text: str) -> dict[bytes, float]:
    """Each word's weight in ``text`` (as bytes), as ``field.index(text)`` gives them (what
    Whoosh's ``Expander.add_text`` reads). For a field that keeps positions, summed from the
    analyzer's tokens as ``Positions.word_values`` sums them, without encoding each word's
    positions, which the weights do not need (5–8% of a "more like this" list's CPU); for the
    Persian analyzer, counted from its terms without making a Whoosh token for each (in an
    import, from the lines the name finder analysed: 0.55 → 0.17 ms an article)."""
    if type(field.format) is not Positions:
        weights: dict[bytes, float] = {}
        for word, _, weight, _ in field.index(text):
            weights[word] = weights.get(word, 0.0) + weight
        return weights
    boost = field.format.field_boost
    if is_persian(field.analyzer):  # every token's boost is 1.0: a word's sum is its count
        return {word.encode("utf-8"): count * boost for word, count in prepared.term_counts(text).items()}
    sums: defaultdict[str, float] = defaultdict(float)
    for token in tokens(text, field.analyzer, {"mode": "index", "positions": True, "boosts": True}):
        sums[token.text] += token.boost
    return {word.encode("utf-8"): weight * boost for word, weight in sums.items()}


def document_frequency(reader, fieldname: str, text: bytes) -> int:
    """``reader.doc_frequency(fieldname, text)``, summed over segments as above."""
    return _document_frequencies.total(_document_frequencies.readers(reader), fieldname, text)


class _KeptFrequencies:
    """What a weighting's ``idf`` reads of a searcher (``get_parent``, ``doc_frequency``,
    ``doc_count_all``), with the document frequencies from the kept sums: Whoosh's searcher sums a
    word's over every segment again for each new searcher, and an import makes one a commit."""

    def __init__(self, searcher) -> None:
        self._reader = searcher.reader()

    def get_parent(self):
        return self

    def doc_frequency(self, fieldname: str, text: bytes) -> int:
        return document_frequency(self._reader, fieldname, text)

    def doc_count_all(self) -> int:
        return self._reader.doc_count_all()


def idf(searcher, fieldname: str, text: bytes) -> float:
    """``searcher.idf(fieldname, text)`` (``searcher`` a top searcher), from the kept sums."""
    return searcher.weighting.idf(_KeptFrequencies(searcher), fieldname, text)


def document_frequencies(searcher, fieldname: str, words: list[str]) -> dict[str, int]:
    """How many documents hold each of ``words`` (all in the index), summed over segments as above."""
    reader = searcher.reader()
    segments = _document_frequencies.readers(reader)
    field = reader.schema[fieldname]
    return {word: _document_frequencies.total(segments, fieldname, field.to_bytes(word)) for word in words}
