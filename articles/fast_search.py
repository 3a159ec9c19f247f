"""Conjunctions of plain terms, answered from whole posting blocks instead of Whoosh's matchers.

Most searches are a few words that must all appear, minus the drafts (and any excluded words):
``And([Not(Term(status, draft)), Term(text, a), Term(text, b)])``. Whoosh answers that by
walking the posting lists one document at a time in Python (``IntersectionMatcher.skip_to``),
scoring and collecting every match: ~95 ms for three frequent words at 50,000 articles.
Here each term's postings are decoded a block at a time, intersected as sets, scored with the
same BM25F numbers and ranked with ``heapq``: the same hits, order and count, without the
per-document matcher calls. A term's decoded postings are kept (bounded, per segment reader):
unpickling blocks that hold every position is most of what remains, and frequent words recur.

Whoosh's own top-N for ``NOT draft AND word`` is wrong for common words: with a ``limit``, its
collector's matcher replacement (``replace(minscore)``, through the NOT's ``InverseMatcher``) stops
early, so ``ایران`` ranked documents 69, 102, 64 … first (scores 3.81, 3.72, …) instead of the best
(41285 at 4.01); ``TopCollector(usequality=False)`` with ``replace = 0`` and ``limit=None`` agree
with this module. Here every match is scored: the ranking of ``searcher.search(q, limit=None)``.
"""

from __future__ import annotations

import heapq
import threading
import weakref
from array import array
from collections import OrderedDict
from itertools import accumulate, repeat

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F, WeightScorer
from whoosh.searching import Results
from whoosh.sorting import MultiFacet
from whoosh.util import make_weighted_tree

# Per segment reader and field: each document's field length, decoded once per searcher.
_lengths_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

# Decoded postings of recently searched terms, per segment reader: 12 bytes a posting, so at most
# ~12 MB a process (the most frequent word of a 100,000-article archive has ~65,000 postings).
POSTINGS_KEPT = 1_000_000
_postings_cache: OrderedDict = OrderedDict()
_postings_kept = 0
_postings_lock = threading.Lock()


def plan(q) -> tuple[list[wq.Term], list[wq.Term]] | None:
    """``(required, excluded)`` terms if ``q`` is an AND of plain terms (or one term), else None."""
    subqueries = q.subqueries if type(q) is wq.And else [q]
    required, excluded = [], []
    for sub in subqueries:
        if type(sub) is wq.Not and type(sub.query) is wq.Term and sub.boost == 1.0:
            excluded.append(sub.query)
        elif type(sub) is wq.Term and sub.boost == 1.0:
            required.append(sub)
        else:
            return None
    if not required or q.boost != 1.0:
        return None
    return required, excluded


def search(searcher, q, limit: int | None, sortedby=None, reverse: bool = False) -> Results | None:
    """What ``searcher.search(q, limit=limit, sortedby=sortedby, reverse=reverse)`` returns, or
    None when ``q`` is not a plain conjunction (or scoring is not BM25F): ask Whoosh then."""
    terms = plan(q)
    if terms is None or type(searcher.weighting) is not BM25F:
        return None
    categorizer = None
    if sortedby is not None:
        categorizer = MultiFacet.from_sortedby(sortedby).categorizer(searcher)
        if categorizer.needs_current:
            return None  # sorted by something that needs the matcher (the score): Whoosh's job
    items, docset = [], set()
    for sub, offset in searcher.leaf_searchers():
        docs, scores = _segment_docs(sub, q, *terms, scored=categorizer is None)
        globals_ = [offset + d for d in docs] if offset else docs
        if categorizer is None:
            items.extend(zip(scores, globals_, strict=True))
        else:
            categorizer.set_searcher(sub, offset)
            items.extend(zip(map(categorizer.key_for, repeat(None), docs), globals_, strict=True))
        docset.update(globals_)
    if categorizer is None:
        # TopCollector's order: higher score first, then the lower document number.
        # Only documents scoring at least the limit-th best score can make the page.
        floor = heapq.nlargest(limit, (s for s, _ in items))[-1] if limit and len(items) > limit else None
        best = sorted(items if floor is None else [i for i in items if i[0] >= floor], key=_by_score)[:limit]
    else:
        # SortingCollector's order: (key, docnum) pairs sorted, reversed as a whole when asked.
        best = sorted(items, reverse=reverse)[:limit] if limit else sorted(items, reverse=reverse)
    results = Results(searcher, q, best, docset=docset)
    results._total = len(docset)  # what ``len(results)`` would ask a collector for
    return results


def _by_score(item):
    return -item[0], item[1]


def _segment_docs(sub, q, required, excluded, scored: bool) -> tuple[list[int], list[float] | None]:
    """The segment's documents matching every required term and no excluded one, in order, and
    (when ``scored``) their scores."""
    reader = sub.reader()
    keys = []
    for term in required:
        key = _key(reader, term)
        if key is None:
            return [], []
        if all(key != seen for _, seen, _ in keys):  # a repeated word scores twice, decodes once
            keys.append((reader.doc_frequency(*key), key, term))
    keys.sort(key=lambda item: item[0])  # rarest first: the candidate set only shrinks
    # What SegmentReader.postings reads to filter deleted documents out of each posting list.
    removed = set(reader._perdoc.deleted_docs()) if reader.has_deletions() else set()
    for term in excluded:
        key = _key(reader, term)
        if key is not None:
            removed.update(_postings(reader, key)[0])
    tfs_by_term = {}
    docs = None
    for _, key, term in keys:
        ids, tfs = _postings(reader, key)
        if docs is None:  # the rarest term: its ids, in order, are the candidates
            if removed:
                kept = [i for i, d in enumerate(ids) if d not in removed]
                ids, tfs = [ids[i] for i in kept], [tfs[i] for i in kept]
            docs = ids
            tfs_by_term[term] = tfs
            if len(keys) > 1:
                matching = set(docs)
        else:
            tf_of = dict(zip(ids, tfs, strict=True))
            matching.intersection_update(tf_of)
            tfs_by_term[term] = tf_of
    if len(keys) > 1:
        first = tfs_by_term[keys[0][2]]
        pairs = [(d, tf) for d, tf in zip(docs, first, strict=True) if d in matching]
        docs = [d for d, _ in pairs]
        tfs_by_term[keys[0][2]] = [tf for _, tf in pairs]
        for _, _, term in keys[1:]:
            tfs_by_term[term] = list(map(tfs_by_term[term].__getitem__, docs))
    if not scored:
        return docs, None
    if not docs:
        return docs, []
    subqueries = q.subqueries if type(q) is wq.And else [q]
    return docs, _scores(sub, docs, subqueries, tfs_by_term)


def _key(reader, term: wq.Term) -> tuple[str, bytes] | None:
    """``(field, term bytes)`` as the index holds it, or None when the segment lacks it."""
    try:
        key = (term.fieldname, reader.schema[term.fieldname].to_bytes(term.text))
    except (KeyError, ValueError):  # no such field, or text the field cannot hold
        return None
    return key if key in reader else None


def _scores(sub, docs: list[int], subqueries, tfs) -> list[float]:
    """Each document's score, summed in the order Whoosh's matcher tree sums it.

    A required term adds its BM25F score; an excluded term adds 1.0 (what Whoosh's
    ``InverseMatcher`` scores every document it lets through).
    """
    reader = sub.reader()
    columns = []
    for q in subqueries:
        if type(q) is wq.Not:
            columns.append(repeat(1.0))
            continue
        key = _key(reader, q)
        scorer = sub.weighting.scorer(sub, *key)
        if type(scorer) is WeightScorer:  # a field without lengths (a keyword): the weight itself
            columns.append(list(tfs[q]))
            continue
        idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
        lengths = _field_lengths(reader, q.fieldname)
        # whoosh.scoring.bm25, inlined, term for term: the same floats as Whoosh's scorer.
        columns.append(
            [
                idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
                for tf, fl in zip(tfs[q], map(lengths.__getitem__, docs), strict=True)
            ]
        )
    if len(subqueries) == 1:
        return columns[0]
    # ``And`` combines its matchers in a Huffman-like tree by size (``make_weighted_tree``), and
    # each node adds its children's scores: add in that order so ties stay ties.
    tree = make_weighted_tree(lambda a, b: (a, b), [(-q.estimate_size(reader), i) for i, q in enumerate(subqueries)])
    return list(_tree_sum(tree, columns))


def _tree_sum(node, columns):
    if isinstance(node, int):
        return columns[node]
    left, right = (_tree_sum(child, columns) for child in node)
    return map(float.__add__, left, right)


def _postings(reader, key: tuple[str, bytes]) -> tuple[array, array]:
    """A term's document numbers and weights in a segment, decoded once and kept while the
    segment's reader is (least recently used first out beyond ``POSTINGS_KEPT`` postings):
    unpickling a frequent word's blocks (they hold every position) is most of a search's cost.
    """
    cache_key = (weakref.ref(reader), key)
    with _postings_lock:
        found = _postings_cache.get(cache_key)
        if found is not None:
            _postings_cache.move_to_end(cache_key)
            return found
    ids, tfs = _decode(reader.postings(*key))
    found = array("i", ids), array("d", tfs)
    global _postings_kept
    with _postings_lock:
        if _postings_cache.get(cache_key) is None:
            _postings_cache[cache_key] = found
            _postings_kept += len(ids)
            while _postings_kept > POSTINGS_KEPT and len(_postings_cache) > 1:
                _, (old_ids, _) = _postings_cache.popitem(last=False)
                _postings_kept -= len(old_ids)
    return found


def _decode(matcher) -> tuple[list[int], list[float]]:
    """A posting list's document numbers and term weights, read a block at a time.

    Deleted documents are left in (the caller removes them once for all terms).
    """
    if type(matcher) is FilterMatcher:  # what a reader with deletions wraps its postings in
        matcher = matcher.child
    if type(matcher) is not W3LeafMatcher or matcher._byteids:
        ids, tfs = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            tfs.append(matcher.weight())
            matcher.next()
        return ids, tfs
    ids, tfs = [], []
    while not matcher._atend:
        # W3LeafMatcher internals (_read_data / _data / _next_block): its own skip_to and
        # _read_ids decode the same tuple, id by id through a Python generator.
        matcher._read_data()
        raw_ids, raw_weights = matcher._data[0], matcher._data[1]
        ids.extend(accumulate(raw_ids))  # whoosh.util.numlists.delta_decode, at C speed
        count = matcher._blocklength
        if raw_weights is None:
            tfs.extend(repeat(1.0, count))
        elif isinstance(raw_weights, float):
            tfs.extend(repeat(raw_weights, count))
        else:
            tfs.extend(raw_weights)
        matcher._next_block()
    return ids, tfs


def _field_lengths(reader, fieldname: str) -> list[int]:
    by_field = _lengths_cache.setdefault(reader, {})
    if fieldname not in by_field:
        length = reader.doc_field_length
        by_field[fieldname] = [length(d, fieldname, 1) for d in range(reader.doc_count_all())]
    return by_field[fieldname]
