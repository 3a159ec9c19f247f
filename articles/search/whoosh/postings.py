"""Posting lists and field lengths decoded a block at a time, and kept (what ``fast_search`` reads).

Unpickling blocks that hold every position is most of a search's cost, and frequent words recur:
a term's decoded postings are kept per segment (bounded), each field's lengths once per segment
reader. A segment's postings never change once it is written (a deletion is kept apart, and each
caller leaves out its reader's deleted documents), so they are kept across readers: after an
editor's save or an import's commit, a search decodes the new segment's postings, not again those
of the twenty segments before it.
"""

from __future__ import annotations

import io
import os
import pickle
import threading
import weakref
import zlib
from array import array
from collections import OrderedDict
from itertools import accumulate, repeat

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3LeafMatcher,
    W3PerDocReader,
    W3TermsReader,
    _lenfield,
)
from whoosh.columns import NumericColumn
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from articles.search.whoosh import files

# Per segment reader and field: each document's field length, decoded once per searcher.
_lengths_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

# Decoded postings of recently searched terms, per segment: 12 bytes a posting, so at most
# ~12 MB a process (the most frequent word of a 100,000-article archive has ~65,000 postings).
POSTINGS_KEPT = 1_000_000
_postings_cache: OrderedDict = OrderedDict()
_postings_kept = 0
_postings_lock = threading.Lock()


class _Read:
    """Postings handed out by ``postings`` in this process (decoded or kept): what a search
    touched, which tests and benchmarks bound ("more like this" reads ten rare terms' worth);
    ``decoded``: those of them read from the index."""

    count = 0
    decoded = 0


read = _Read()


def clear() -> None:
    """Forget every kept posting list (tests, and benchmarks of a cold start)."""
    global _postings_kept
    with _postings_lock:
        _postings_cache.clear()
        _postings_kept = 0


_ABSENT = (array("i"), array("d"))  # kept for a term the segment lacks: it costs one posting


def postings(reader, key: tuple[str, bytes]) -> tuple[array, array] | None:
    """A term's document numbers and weights in a segment, decoded once and kept for the segment
    (``segment_key``; least recently used first out beyond ``POSTINGS_KEPT`` postings):
    unpickling a frequent word's blocks (they hold every position) is most of a search's cost.

    None when the segment lacks the term, which is kept too: one lookup of the segment's term
    table answers both questions (is it there? where are its postings?), where asking ``key in
    reader`` first looked it up twice, and a rare word ("more like this" reads only those) is
    missing from many segments (a third of a list's words and segments at 100,000 articles).
    """
    cache_key = (segment_key(reader), key)
    with _postings_lock:
        found = _postings_cache.get(cache_key)
        if found is not None:
            _postings_cache.move_to_end(cache_key)
            if found is _ABSENT:
                return None
            read.count += len(found[0])
            return found
    decoded = _read(reader, key)
    found = _ABSENT if decoded is None else (array("i", decoded[0]), array("d", decoded[1]))
    global _postings_kept
    with _postings_lock:
        if found is not _ABSENT:
            read.count += len(found[0])
            read.decoded += len(found[0])
        if _postings_cache.get(cache_key) is None:
            _postings_cache[cache_key] = found
            _postings_kept += len(found[0]) or 1
            while _postings_kept > POSTINGS_KEPT and len(_postings_cache) > 1:
                _, (old_ids, _) = _postings_cache.popitem(last=False)
                _postings_kept -= len(old_ids) or 1
    return None if found is _ABSENT else found


_segments: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # segment reader → segment_key's answer


def segment_key(reader):
    """What names ``reader``'s segment across readers: its folder, its id and its file's inode,
    time and size (ids are random: a folder cleared and written again could draw one again).
    Another kind of reader, or a segment not in a folder, is named by the reader itself."""
    found = _segments.get(reader)
    if found is None:
        found = weakref.ref(reader)
        path = files.segment_file(reader)
        if path is not None:
            try:
                stat = os.stat(path)
            except OSError:
                pass
            else:
                segment_id = reader.segment().segment_id()
                found = (os.path.dirname(path), segment_id, stat.st_ino, stat.st_mtime_ns, stat.st_size)
        _segments[reader] = found
    return found


def _read(reader, key: tuple[str, bytes]) -> tuple[list[int], list[float]] | None:
    """``_decode(reader.postings(*key))``, None when the segment lacks the term.

    A segment of the archive's own codec is read from the term's entry and its posting blocks
    directly: Whoosh's matcher reads each block's header by unpickling it from the file, a few
    bytes a call through Python (~15 calls a block), and "more like this" opens ~130 posting
    lists of rare words, a block or two each, for every article."""
    terms = getattr(reader, "_terms", None)
    if type(reader) is SegmentReader and type(terms) is W3TermsReader and not reader.is_closed:
        try:
            terminfo = terms.term_info(*key)
        except (TermNotFound, KeyError):  # KeyError: a field no segment has
            return None
        # Whoosh 2.7.4 never inlines a list in the entry (its writer's test is never true).
        if not terminfo.is_inlined():
            return _read_blocks(terms._postfile, terminfo.extent()[0])
    try:
        return _decode(reader.postings(*key))
    except TermNotFound:
        return None


def _read_blocks(postfile, offset: int) -> tuple[list[int], list[float]]:
    """The blocks ``W3LeafMatcher`` reads from ``offset``: a header tag, then blocks of a length
    (negative for the last), a pickled ``(count, maxid, maxweight, compression, minlength,
    maxlength)`` and the pickled (maybe compressed) ``(ids, weights, values)`` to the block's end."""
    if postfile.get(offset, 4) != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"not a posting list at {offset}")
    position = offset + 4
    ids: list[int] = []
    tfs: list[float] = []
    while True:
        length = postfile.get_int(position)
        start = position + _INT_SIZE
        block = io.BytesIO(postfile.get(start, abs(length)))
        count, _, _, compression, _, _ = pickle.load(block)
        data = block.read()
        raw_ids, raw_weights = pickle.loads(zlib.decompress(data) if compression else data)[:2]
        _add_block(ids, tfs, raw_ids, raw_weights, count)
        if length < 0:
            return ids, tfs
        position = start + length


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
        _add_block(ids, tfs, matcher._data[0], matcher._data[1], matcher._blocklength)
        matcher._next_block()
    return ids, tfs


def _add_block(ids: list[int], tfs: list[float], raw_ids, raw_weights, count: int) -> None:
    """A block's ids (stored as gaps) and weights (None: all 1.0; a float: all that), as
    ``W3LeafMatcher._read_ids`` and ``_read_weights`` decode them."""
    ids.extend(accumulate(raw_ids))  # whoosh.util.numlists.delta_decode, at C speed
    if raw_weights is None:
        tfs.extend(repeat(1.0, count))
    elif isinstance(raw_weights, float):
        tfs.extend(repeat(raw_weights, count))
    else:
        tfs.extend(raw_weights)


def field_lengths(reader, fieldname: str) -> list[int | None]:
    """Each document's length in ``fieldname`` as ``reader.doc_field_length(d, fieldname, 1)``
    gives it (a segment reader's), read once per reader."""
    by_field = _lengths_cache.setdefault(reader, {})
    if fieldname not in by_field:
        by_field[fieldname] = _read_lengths(reader, fieldname)
    return by_field[fieldname]


# W3PerDocReader.doc_field_length decodes a document's length byte with ``byte_to_length``, and a
# zero byte (no length) as None.
_BYTE_LENGTHS = [None, *map(byte_to_length, range(1, 256))]


def _read_lengths(reader, fieldname: str) -> list[int | None]:
    """The segment's length column (a byte a document) read in one slice and decoded by table:
    ``doc_field_length`` a document at a time cost ~2 µs each, ~200 ms for the three fields of a
    search at 100,000 articles, on every first search of a worker and after every commit."""
    count = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    if type(perdoc) is W3PerDocReader and not reader.is_closed:
        found = column_lengths(perdoc, fieldname, count)
        if found is not None:
            return found
    length = reader.doc_field_length
    return [length(d, fieldname, 1) for d in range(count)]


def column_lengths(perdoc: W3PerDocReader, fieldname: str, count: int) -> list[int | None] | None:
    """Documents' lengths in ``fieldname`` as ``perdoc.doc_field_length`` gives them (None for a
    zero byte), ``count`` documents, from the column read in one slice; None when the field has
    no length column of a byte a document."""
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if type(column) is not NumericColumn.Reader or column._fixedlen != 1:  # not a length column
        return None
    stored = min(column._count, count)
    # Documents past the column's end read its default, 0: no length.
    return [
        *map(_BYTE_LENGTHS.__getitem__, bytes(column._dbfile.get(column._basepos, stored))),
        *repeat(None, count - stored),
    ]
