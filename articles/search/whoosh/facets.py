"""Facet counts (how many matches each source, category, entity has) from values decoded once.

A query's facets (haystack's ``groupedby``) make Whoosh score every match through its matchers
and unpickle each one's values from every facet column (~1.2 s for a word in 63,000 of 100,000
articles); ``grouped_search`` takes the matches from ``fast_search`` (or from Whoosh's collector,
ungrouped) and counts values decoded once per segment (~8 MB a process at 100,000 articles,
~0.75 s to decode once): the same counts, ~0.25 s.
"""

from __future__ import annotations

import pickle
import threading
from array import array

import numpy as np
from whoosh.columns import PickleColumn
from whoosh.searching import Results
from whoosh.sorting import Count, FieldFacet

from articles.search.whoosh.fast_search import search


def facet_names(searcher, groupedby) -> list[str] | None:
    """The fields of ``groupedby`` if it is only haystack's facets, ``FieldFacet(name,
    allow_overlap=True, maptype=Count)`` over fields keeping each document's values in a list
    column (what ``grouped_search`` counts itself), else None."""
    if type(groupedby) not in (list, tuple) or not groupedby:
        return None
    reader = searcher.reader()
    names = []
    for facet in groupedby:
        if type(facet) is not FieldFacet or not facet.allow_overlap or facet.maptype is not Count:
            return None
        try:
            field = searcher.schema[facet.fieldname]
        except KeyError:
            return None
        if field.vector or not field.column_type or not field.column_type.stores_lists():
            return None  # OverlappingCategorizer would read term vectors or postings instead
        if not reader.has_column(facet.fieldname):
            return None
        names.append(facet.fieldname)
    return names


def grouped_search(
    searcher, q, limit: int | None, groupedby, sortedby=None, reverse: bool = False, mask: set[int] | None = None
) -> Results | None:
    """What ``searcher.search(q, limit=limit, groupedby=groupedby, ...)`` returns for haystack's
    facets (see ``facet_names``; else None: ask Whoosh), hits and counts alike.

    Whoosh reads and unpickles every matching document's values from each facet's column, one
    document at a time, while it scores them all through its matchers (~1 s for a word in 63,000
    of 100,000 articles). Here the hits come from ``search`` (or Whoosh's own collector without
    the grouping, when ``search`` cannot plan the query) and each facet's values are decoded once
    per segment (``_facet_values``), then counted in array operations.
    """
    names = facet_names(searcher, groupedby)
    if names is None or not _readable(searcher, names):
        return None
    results = None
    if sortedby is not None or not reverse:  # ``search`` reverses only a sort, as Whoosh ranks
        results = search(searcher, q, limit, sortedby=sortedby, reverse=reverse, mask=mask)
    if results is None:
        # The collector ``groupedby`` makes Whoosh use (every match, scored, when unsorted).
        results = searcher.search(q, limit=limit if sortedby else None, sortedby=sortedby, reverse=reverse, mask=mask)
    facetmaps = {}
    for name, counts in count_values(searcher, results.docs(), names).items():
        facetmap = Count()
        facetmap.dict.update(counts)
        facetmaps[name] = facetmap
    results._facetmaps = facetmaps
    return results


def _readable(searcher, names: list[str]) -> bool:
    """Every segment of ``searcher`` has a segment (its values can be kept by segment id)."""
    return all(_facet_values(sub.reader(), name) is not None for sub, _ in searcher.leaf_searchers() for name in names)


def count_values(searcher, docs, names: list[str]) -> dict[str, dict[str, int]]:
    """How many of ``docs`` (global document numbers) hold each value of each field of ``names``
    (fields keeping a list column, see ``facet_names``)."""
    docs = np.fromiter(docs, dtype=np.int64, count=len(docs))
    docs.sort()
    leaves = []
    for sub, offset in searcher.leaf_searchers():
        first, end = np.searchsorted(docs, (offset, offset + sub.reader().doc_count_all()))
        leaves.append((sub, docs[first:end] - offset))
    found = {}
    for name in names:
        counted = []
        for sub, ours in leaves:
            values = _facet_values(sub.reader(), name)
            if values is not None and len(ours):  # a reader without a segment has no documents
                counted.append(values.count(ours))
        totals = np.zeros(max(map(len, counted), default=0), dtype=np.int64)
        for counts in counted:
            totals[: len(counts)] += counts
        numbered = _names.get(name, [])
        found[name] = {numbered[value]: int(totals[value]) for value in np.flatnonzero(totals).tolist()}
        if len(_segment_values) > len(leaves) * len(names):
            segments = (getattr(sub.reader(), "segment", lambda: None)() for sub, _ in leaves)
            _forget_other_segments(name, {segment.segment_id() for segment in segments if segment is not None})
    return found


# Each facet field's values per document, per segment (``_FacetValues``): a segment's columns
# never change, so they are kept by segment id (beyond the searcher that read them: after a commit
# only new segments are decoded) until a searcher over other segments asks for the field.
_segment_values: dict[tuple[str, str], _FacetValues] = {}
_values_lock = threading.Lock()
# Per field: every value seen, numbered in the order first seen (``_ids``), and back (``_names``).
_ids: dict[str, dict] = {}
_names: dict[str, list] = {}


class _FacetValues:
    """A segment's documents' values of one field as value numbers in one array, each with its
    document's number beside it (8 bytes a value, not a tuple of strings per document: entities
    of 100,000 articles take 13 MB instead of 19), so a set of documents' values are counted in
    a few array operations (~25 ms for three fields of 43,000 of 100,000 articles, with Counter
    over their slices ~95 ms)."""

    def __init__(self, numbers: array, starts: list[int]) -> None:
        self.documents = len(starts) - 1
        self.values = np.asarray(numbers, dtype=np.uint32)
        self.owners = np.repeat(np.arange(self.documents, dtype=np.uint32), np.diff(starts))

    def count(self, docs: np.ndarray) -> np.ndarray:
        """How many of ``docs`` (sorted segment document numbers) hold each value, by value number."""
        chosen = np.zeros(self.documents, dtype=bool)
        chosen[docs[docs < self.documents]] = True
        return np.bincount(self.values[chosen[self.owners]])


def _facet_values(reader, fieldname: str) -> _FacetValues | None:
    """The segment's ``_FacetValues`` for ``fieldname`` (None for a reader without a segment)."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None:
        return None
    key = (segment.segment_id(), fieldname)
    found = _segment_values.get(key)
    if found is None:
        with _values_lock:  # one decoder at a time: it numbers new values
            found = _segment_values.get(key)
            if found is None:
                found = _segment_values[key] = _decode_values(reader, fieldname)
    return found


def warm_facets(searcher, fieldnames) -> None:
    """Decode the facet values of every segment of ``searcher`` now, for ``fieldnames``."""
    for sub, _offset in searcher.leaf_searchers():
        for fieldname in fieldnames:
            if fieldname in sub.schema:
                _facet_values(sub.reader(), fieldname)


def _forget_other_segments(fieldname: str, segment_ids: set[str]) -> None:
    """Drop the field's values of segments other than ``segment_ids`` (merged away, or of another
    index): a searcher over them decodes them again."""
    with _values_lock:
        for key in [key for key in _segment_values if key[1] == fieldname and key[0] not in segment_ids]:
            del _segment_values[key]


def _decode_values(reader, fieldname: str) -> _FacetValues:
    """Every document's values in the segment, as ``OverlappingCategorizer.keys_for`` reads them
    (a document without any has none), unpickling each distinct column value once."""
    creader = reader.column_reader(fieldname, translate=False)
    if isinstance(creader, PickleColumn.Reader):  # ``FacetListColumn``: the pickled bytes, in order
        stored, load = iter(creader._child), pickle.loads
    else:
        stored, load = map(creader.__getitem__, range(reader.doc_count_all())), None
    ids = _ids.setdefault(fieldname, {})
    names = _names.setdefault(fieldname, [])
    decoded: dict = {}
    numbers, starts = array("I"), [0]
    for value in stored:
        key = value if isinstance(value, bytes | str | None) else tuple(value)
        found = decoded.get(key)
        if found is None:
            values = (load(value) if load else value) if value else ()
            try:
                found = list(map(ids.__getitem__, values))
            except KeyError:
                found = []
                for name in values:
                    if name not in ids:
                        ids[name] = len(names)
                        names.append(name)
                    found.append(ids[name])
            decoded[key] = found
        numbers.extend(found)
        starts.append(len(numbers))
    return _FacetValues(numbers, starts)
