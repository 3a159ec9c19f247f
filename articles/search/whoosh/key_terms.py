"""An article's key terms, as Whoosh's ``Searcher.key_terms_from_text`` chooses them (Bo1), with
each term's collection frequency read once per searcher instead of once per article.

Whoosh looks up the frequency of every distinct word of the text in every segment, for every
article: storing "more like this" at 65,000 articles (13 segments), that was 55 of the 88 ms of
CPU a list cost, and it grows with the archive. Lists are computed in batches of thousands of
articles against one searcher (its index does not change), and those articles share most of
their words: the frequencies are kept per searcher (``FREQUENCIES_KEPT`` at most), so each is read
once per batch. The answer is Whoosh's to the last digit (``test_key_terms`` compares them).
"""

from __future__ import annotations

import weakref

from whoosh.classify import Bo1Model

FREQUENCIES_KEPT = 200_000  # terms per searcher (~25 MB); past it the table starts again

_kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # reader → {term bytes: frequency, 0 if absent}


def key_terms(searcher, fieldname: str, text: str, numterms: int) -> list[tuple[str, float]]:
    """``searcher.key_terms_from_text(fieldname, text, numterms, normalize=False)``, faster."""
    reader = searcher.reader()
    field = reader.schema[fieldname]
    weights: dict[str, float] = {}
    for word, _, weight, _ in field.index(text):  # bytes, as Whoosh's Expander.add_text reads them
        weights[word] = weights.get(word, 0.0) + weight
    if not weights:
        return []
    frequencies = _kept.setdefault(reader, {})  # as postings.field_lengths keeps its lengths
    if len(frequencies) > FREQUENCIES_KEPT:
        frequencies.clear()
    model = Bo1Model(reader.doc_count_all(), reader.field_length(fieldname))
    top_total = sum(weights.values())
    scored = []
    for btext, weight in weights.items():
        if (frequency := frequencies.get(btext)) is None:
            # 0 when no segment has the word (Whoosh asks ``in reader`` first: one more lookup a
            # segment); a word that is indexed has a weight of one or more.
            frequency = frequencies[btext] = reader.frequency(fieldname, btext)
        if frequency:
            scored.append((model.score(weight, frequency, top_total), field.from_bytes(btext)))
    if not scored:
        return []
    top = max(score for score, _ in scored)  # Whoosh's ``normalize=False`` still divides by the top
    ranked = sorted(((score / top, word) for score, word in scored), key=lambda x: (-x[0], x[1]))
    return [(word, score) for score, word in ranked[:numterms]]


def document_frequencies(searcher, fieldname: str, words: list[str]) -> dict[str, int]:
    """How many documents hold each of ``words`` (all in the index), kept per searcher as above."""
    reader = searcher.reader()
    kept = _kept.setdefault(reader, {})
    counts = {}
    for word in words:
        key = ("df", word)
        if (count := kept.get(key)) is None:
            count = kept[key] = reader.doc_frequency(fieldname, word)
        counts[word] = count
    return counts
