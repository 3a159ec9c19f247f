"""Conjunctions and ORs of plain terms, answered from whole posting blocks instead of Whoosh's matchers.

Most searches are a few words that must all appear, ``And([Term(text, a), Term(text, b)])``,
minus the drafts and any excluded words (a ``mask``; a ``Not`` inside the ``And`` is answered
too). Whoosh answers that by
walking the posting lists one document at a time in Python (``IntersectionMatcher.skip_to``),
scoring and collecting every match: ~95 ms for three frequent words at 50,000 articles.
Here each term's postings are decoded a block at a time, intersected as sets, scored with the
same BM25F numbers and ranked with ``heapq``: the same hits, order and count, without the
per-document matcher calls. A term's decoded postings are kept (``postings``).

An article's "more like this" is an OR of its ten key terms, each boosted by its weight, minus
the article and the drafts (a ``mask``). Whoosh walks every posting of every term through a tree
of ``UnionMatcher``s (~80–200 ms at 50,000 articles); here each document's term scores are added
up in dictionaries, in the same tree order, so the sums are the same floats.

Facet counts over the same matches are ``articles.search.whoosh.facets``.

Whoosh's own top-N for ``NOT draft AND word`` is wrong for common words: with a ``limit``, its
collector's matcher replacement (``replace(minscore)``, through the NOT's ``InverseMatcher``) stops
early, so ``ایران`` ranked documents 69, 102, 64 … first (scores 3.81, 3.72, …) instead of the best
(41285 at 4.01); ``TopCollector(usequality=False)`` with ``replace = 0`` and ``limit=None`` agree
with this module. Here every match is scored: the ranking of ``searcher.search(q, limit=None)``.
"""

from __future__ import annotations

import functools
import heapq
import weakref
from bisect import insort
from itertools import repeat

from whoosh import query as wq
from whoosh.matching.binary import UnionMatcher
from whoosh.scoring import BM25F
from whoosh.searching import Results
from whoosh.sorting import MultiFacet
from whoosh.util import make_weighted_tree

from articles.search.whoosh import key_terms
from articles.search.whoosh.postings import field_lengths, postings
from articles.search.whoosh.scoring import LuceneBM25


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


def union_plan(q) -> list[wq.Term] | None:
    """The terms of ``q`` if it is an OR of plain terms with positive boosts ("more like this"), else None.

    Positive boosts keep every match's score above zero: Whoosh's array matcher for an OR over a
    small segment (``PreloadedOr``) leaves out documents scoring zero or less; here none do.
    """
    if type(q) is not wq.Or or q.boost != 1.0 or q.minmatch or q.scale or q.matcher_type != wq.Or.AUTO_MATCHER:
        return None
    terms = list(q.subqueries)
    if not terms or any(type(t) is not wq.Term or not t.boost > 0 or t.minquality for t in terms):
        return None
    return terms


def search(
    searcher,
    q,
    limit: int | None,
    sortedby=None,
    reverse: bool = False,
    mask: set[int] | None = None,
    allow: set[int] | None = None,
) -> Results | None:
    """What ``searcher.search(q, limit=limit, sortedby=sortedby, reverse=reverse, mask=mask,
    filter=allow)`` returns, or None when ``q`` is neither a plain conjunction nor a ranked OR of
    plain terms (or scoring is not BM25, or the mask is not a set of document numbers): ask
    Whoosh then."""
    if type(searcher.weighting) not in (BM25F, LuceneBM25) or (mask is not None and type(mask) is not set):
        return None
    terms = plan(q)
    union = union_plan(q) if terms is None and sortedby is None else None
    if terms is None and union is None:
        return None
    categorizer = None
    if sortedby is not None:
        categorizer = MultiFacet.from_sortedby(sortedby).categorizer(searcher)
        if categorizer.needs_current:
            return None  # sorted by something that needs the matcher (the score): Whoosh's job
    items, docset = [], set()
    for sub, offset in searcher.leaf_searchers():
        if union is not None:
            docs, scores = _segment_union(sub, union)
        else:
            docs, scores = _segment_docs(sub, q, *terms, scored=categorizer is None)
        globals_ = [offset + d for d in docs] if offset else docs
        if categorizer is None:
            items.extend(zip(scores, globals_, strict=True))
        else:
            categorizer.set_searcher(sub, offset)
            items.extend(zip(map(categorizer.key_for, repeat(None), docs), globals_, strict=True))
        docset.update(globals_)
    if mask:  # Whoosh's FilterCollector: masked documents are neither ranked nor counted
        items = [item for item in items if item[1] not in mask]
        docset.difference_update(mask)
    if allow is not None:  # and only allowed ones are
        items = [item for item in items if item[1] in allow]
        docset.intersection_update(allow)
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
        key = term_bytes(reader, term)
        if key is None or postings(reader, key) is None:  # kept for the loop below
            return [], []
        if all(key != seen for _, seen, _ in keys):  # a repeated word scores twice, decodes once
            keys.append((reader.doc_frequency(*key), key, term))
    keys.sort(key=lambda item: item[0])  # rarest first: the candidate set only shrinks
    # What SegmentReader.postings reads to filter deleted documents out of each posting list.
    removed = set(reader._perdoc.deleted_docs()) if reader.has_deletions() else set()
    for term in excluded:
        key = term_bytes(reader, term)
        found = postings(reader, key) if key is not None else None
        if found is not None:
            removed.update(found[0])
    tfs_by_term = {}
    docs = None
    for _, key, term in keys:
        ids, tfs = postings(reader, key)
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


def term_bytes(reader, term: wq.Term) -> tuple[str, bytes] | None:
    """``(field, term bytes)`` as the index would hold it, or None when it cannot (no such field,
    or text the field cannot hold); the segment may lack it."""
    try:
        return term.fieldname, reader.schema[term.fieldname].to_bytes(term.text)
    except (KeyError, ValueError):
        return None


def _scores(sub, docs: list[int], subqueries, tfs) -> list[float]:
    """Each document's score, summed in the order Whoosh's matcher tree sums it.

    A required term adds its BM25F score; an excluded term adds 1.0 (what Whoosh's
    ``InverseMatcher`` scores every document it lets through).
    """
    reader = sub.reader()
    columns = [repeat(1.0) if type(q) is wq.Not else _term_scores(sub, q, docs, tfs[q]) for q in subqueries]
    if len(subqueries) == 1:
        return columns[0]
    # ``And`` combines its matchers in a Huffman-like tree by size, and each node adds its
    # children's scores: add in that order so ties stay ties.
    tree = _weighted_tree([-q.estimate_size(reader) for q in subqueries])
    return list(_tree_sum(tree, columns))


def _tree_sum(node, columns):
    if isinstance(node, int):
        return columns[node]
    left, right = (_tree_sum(child, columns) for child in node)
    return map(float.__add__, left, right)


def _term_scores(sub, term: wq.Term, docs, tfs, key: tuple[str, bytes] | None = None) -> list[float]:
    """The term's score in each of ``docs`` (its weight in each being ``tfs``), boost included;
    ``key``: the term's ``term_bytes``, when the caller has it."""
    reader = sub.reader()
    parts = _bm25_parts(sub, *(key or term_bytes(reader, term)))
    if parts is None:  # a field without lengths (a keyword): the weight itself
        scores = list(tfs)
    else:
        idf, avgfl, B, K1 = parts
        lengths = field_lengths(reader, term.fieldname)
        # whoosh.scoring.bm25, inlined, term for term: the same floats as Whoosh's scorer.
        scores = [
            idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
            for tf, fl in zip(tfs, map(lengths.__getitem__, docs), strict=True)
        ]
    if term.boost != 1.0:  # Term.matcher wraps its postings in a WrappingMatcher: score * boost
        boost = term.boost
        scores = [score * boost for score in scores]
    return scores


def _bm25_parts(sub, fieldname: str, text) -> tuple[float, float, float, float] | None:
    """``(idf, avgfl, B, K1)`` of the scorer Whoosh makes for this term in this segment
    (``BM25F.scorer``: ``BM25FScorer``), or None where it makes a ``WeightScorer`` (a field
    without lengths). Read as that scorer reads them, from the top searcher, but without making
    it: its ``setup`` looks the term up in the segment again, and its average length adds up
    every segment's, ~65 µs a term and segment (20 segments at 100,000 articles: a stored "more
    like this" list spent a quarter of its time there). ``search`` has checked the weighting."""
    if not sub.schema[fieldname].scorable:
        return None
    weighting, parent = sub.weighting, sub.get_parent()
    averages = _average_lengths.get(parent)
    if averages is None:
        averages = _average_lengths[parent] = {}
    avgfl = averages.get(fieldname)
    if avgfl is None:
        avgfl = averages[fieldname] = parent.avg_field_length(fieldname) or 1
    idfs = _idfs.get(parent)
    if idfs is None:
        idfs = _idfs[parent] = {}
    found = idfs.get((fieldname, text))
    if found is None:
        found = idfs[(fieldname, text)] = key_terms.idf(parent, fieldname, text)
    return found, avgfl, weighting._field_B.get(fieldname, weighting.B), weighting.K1


# A searcher sees one state of the index: its fields' average lengths are read once, and each
# term's idf (as ``Searcher.idf`` keeps them, but from document frequencies kept across searchers).
_average_lengths: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_idfs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _weighted_tree(weights: list[int]):
    """The shape of ``whoosh.util.make_weighted_tree`` over an ``And``'s subqueries of these
    weights, as nested pairs of their indexes: the two lightest joined first, again and again.

    Whoosh sorts and inserts ``(weight, matcher)`` pairs. The matchers of unboosted terms and of
    NOTs (leaf, ``FilterMatcher``, ``InverseMatcher``, ``IntersectionMatcher``) never compare as
    less than one another, so equal weights keep their order and a new pair goes after its equals.
    """
    nodes = sorted(((weight, i) for i, weight in enumerate(weights)), key=_first)
    while len(nodes) > 1:
        (weight_a, a), (weight_b, b) = nodes.pop(0), nodes.pop(0)
        insort(nodes, (weight_a + weight_b, (a, b)), key=_first)
    return nodes[0][1]


def _first(pair):
    return pair[0]


def _segment_union(sub, terms: list[wq.Term]) -> tuple[list[int], list[float]]:
    """The segment's documents matching any of ``terms``, and their scores.

    Whoosh's ``Or`` adds each document's term scores in a tree of ``UnionMatcher``s (Huffman-like
    by the terms' sizes), or, over a small segment with more than two terms, one term after
    another into an array (``PreloadedOr``). A term missing from a document adds nothing, which
    is what adding 0.0 does; and adding is commutative, so each node can add the smaller side's
    scores into the larger side's.
    """
    reader = sub.reader()
    leaves = []
    for term in terms:
        key = term_bytes(reader, term)
        found = postings(reader, key) if key is not None else None
        if found is None:  # Whoosh's NullMatcher: a leaf of the tree that matches nothing
            leaves.append(None)
            continue
        ids, tfs = found
        leaves.append(dict(zip(ids, _term_scores(sub, term, ids, tfs, key), strict=True)))
    count = len(terms)
    if count == 1:
        tree = 0
    elif count < wq.Or.TOO_MANY_CLAUSES and (count == 2 or sub.doc_count_all() > 5000):  # Or._matcher
        tree = _union_tree(sub, terms)  # DefaultOr
    else:
        tree = functools.reduce(lambda a, b: (a, b), range(count))  # PreloadedOr
    scores = _union(tree, leaves) or {}
    if reader.has_deletions():  # what SegmentReader.postings filters out of each posting list
        for docnum in reader._perdoc.deleted_docs():
            scores.pop(docnum, None)
    return list(scores), list(scores.values())


def _union_tree(sub, terms: list[wq.Term]):
    """The shape of the ``UnionMatcher`` tree ``DefaultOr`` builds, as nested pairs of term indexes.

    ``make_weighted_tree`` sorts ``(size, matcher)`` pairs, so terms of equal size are ordered by
    comparing their matchers, which Whoosh does by class (a boosted term's ``WrappingMatcher``
    sorts before an unboosted one's ``FilterMatcher``, its subclass, but not before a leaf
    matcher): the tree is built by Whoosh's own function over the terms' own matchers (cheap:
    a matcher reads its first block's header, and joining two makes no call on them).
    """
    reader = sub.reader()
    context = sub.context()
    matchers = [term.matcher(sub, context) for term in terms]
    # Missing terms share one NullMatcher: whichever of their indexes it maps to, that leaf is None.
    index = {id(matcher): i for i, matcher in enumerate(matchers)}

    def shape(node):
        return (shape(node.a), shape(node.b)) if type(node) is UnionMatcher else index[id(node)]

    sized = [(term.estimate_size(reader), matcher) for term, matcher in zip(terms, matchers, strict=True)]
    return shape(make_weighted_tree(UnionMatcher, sized))


def _union(node, leaves) -> dict[int, float] | None:
    if isinstance(node, int):
        return leaves[node]
    a, b = (_union(child, leaves) for child in node)
    if a is None or b is None:
        return b if a is None else a
    if len(a) < len(b):
        a, b = b, a
    both = {docnum: a[docnum] + b[docnum] for docnum in a.keys() & b.keys()}
    a.update(b)
    a.update(both)
    return a


def matching_docs(searcher, q) -> list[int] | None:
    """``sorted(searcher.docs_for_query(q))`` for a plain conjunction (see ``plan``), else None."""
    terms = plan(q)
    if terms is None:
        return None
    docs = []
    for sub, offset in searcher.leaf_searchers():
        found, _ = _segment_docs(sub, q, *terms, scored=False)
        docs.extend([offset + d for d in found] if offset else found)
    return docs
