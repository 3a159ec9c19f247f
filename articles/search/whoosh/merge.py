"""Merging Whoosh segments by streaming their postings, and when to merge.

Whoosh 2.7 merges a segment by adding every one of its postings to the writer's pool, which
sorts them all again (pickling them to temporary files past ``limitmb``): merging an archive of
100,000 articles into one segment took nine minutes. Each segment's postings are already in
(field, term, document) order, and a merge numbers each segment's documents after the previous
one's, so a k-way merge of the segments' streams (and of the pool, for the documents this writer
added itself) is already in order and goes straight to the new segment.

``StreamingWriter`` is Whoosh's ``SegmentWriter`` with that merge, for every merge policy
(Whoosh's own included); ``TIERED`` is the policy the archive commits with, ``OPTIMIZE`` merges
everything (10,000 articles in two segments: 37 s of CPU, Whoosh's own merge 62 s).
"""

from __future__ import annotations

import heapq

from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from articles.search.whoosh.postings import column_lengths

# Segments of about the same size are merged once there are this many of them, so editors'
# one-article commits and small imports do not pile up segments.
FANOUT = 6
# Only segments smaller than this take part: an import's batches (5,000 articles each) are left
# as they are. Merging costs about as much as indexing (every posting decoded and written
# again), and searching ten or twenty segments of that size is as fast as searching one (at
# 50,000 articles: 52 vs 47 ms median), so merging them would double an import for nothing.
MERGE_BELOW = 2000


class StreamingWriter(SegmentWriter):
    def __init__(self, ix, **kwargs) -> None:
        try:
            super().__init__(ix, **kwargs)
        except BaseException:
            # Whoosh creates the new segment's files after taking its write lock: a full disk
            # there raises with the lock held, and no writer exists to cancel (every later
            # write then fails with LockError).
            if getattr(getattr(self, "writelock", None), "locked", False):
                self.writelock.release()
            raise
        self._streams: list = []
        self._merged_readers: list[SegmentReader] = []

    def add_reader(self, reader) -> None:
        """Copy ``reader``'s documents now; its postings are streamed when the segment is written.

        Merge policies close the reader they pass once this returns, so the segment is opened again
        here and kept open until then.
        """
        self._check_state()
        if reader.doc_count() == 0:  # wholly deleted: dropped, not copied into an empty segment
            return
        segment = reader.segment()
        if segment is None:  # not one segment (a multi-segment reader): Whoosh's way
            super().add_reader(reader)
            return
        own = SegmentReader(self.storage, self.schema, segment)
        self._merged_readers.append(own)
        basedoc = self.docnum
        indexed = {name for name in own.indexed_field_names() if name in self.schema}
        docmap = self.write_per_doc(set(self.schema.names()) | indexed, own)
        self._streams.append(self._process_posts(own.iter_postings(), basedoc, docmap))
        self._added = True

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = _DecodedLengths(self.per_document_reader()) if self.codec.length_stats else None
        # The pool holds this writer's own documents (numbered before any merged one); each
        # stream's documents follow the previous stream's, so whole tuples compare in order (with
        # no stream, heapq.merge hands the pool's on as they come).
        postings = heapq.merge(self.pool.iter_postings(), *self._streams)
        try:
            self.fieldwriter.add_postings(self.schema, lengths, postings)
        finally:
            self.fieldwriter.close()
            if lengths:
                lengths.close()
            self._close_merged()

    def _close_merged(self) -> None:
        for reader in self._merged_readers:
            reader.close()
        self._merged_readers.clear()
        self._streams.clear()

    def cancel(self) -> None:
        self._close_merged()
        super().cancel()


class _DecodedLengths:
    """The new segment's field lengths as ``add_postings`` reads them: once for every posting it
    writes (~360 an article), which Whoosh's per-document reader answers through the length
    column a byte at a time (~2 µs each, 1 ms an article). Each field's column is decoded once
    instead (``postings.column_lengths``): the same values, Whoosh's ``doc_field_length``'s."""

    def __init__(self, perdoc) -> None:
        self._perdoc = perdoc
        self._fields: dict[str, list | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0):
        lengths = self._fields.get(fieldname, False)
        if lengths is False:
            found = None
            if type(self._perdoc) is W3PerDocReader:
                found = column_lengths(self._perdoc, fieldname, self._perdoc.doc_count_all())
            lengths = self._fields[fieldname] = found or None
        if lengths is None:  # no length column of a byte a document: Whoosh's way
            return self._perdoc.doc_field_length(docnum, fieldname, default)
        return lengths[docnum]

    def close(self) -> None:
        self._perdoc.close()


def tiered(fanout: int = FANOUT, below: int = MERGE_BELOW):
    """A merge policy: merge the smallest segments once ``fanout`` of them are of one size class.

    A class is the segments within a factor of ``fanout`` of its smallest, by live documents (a
    segment with many deletions sinks and is purged sooner); when the merged class and the class
    above make ``fanout`` segments, they merge too. Segments of ``below`` live documents or more
    are left alone; wholly deleted ones are dropped. Whoosh's default (``MERGE_SMALL``) lets
    dozens of equal segments pile up, then merges everything under a bound at once.
    """

    def policy(writer: SegmentWriter, segments: list) -> list:
        chosen = [s for s in segments if s.doc_count() == 0]
        rest = sorted((s for s in segments if 0 < s.doc_count() < below), key=lambda s: s.doc_count())
        merged_docs = start = 0
        while start < len(rest):
            smallest = min(rest[start].doc_count(), merged_docs or rest[start].doc_count())
            end = start
            while end < len(rest) and rest[end].doc_count() < smallest * fanout:
                end += 1
            if end - start + (1 if merged_docs else 0) < fanout:
                break
            chosen.extend(rest[start:end])
            merged_docs += sum(s.doc_count() for s in rest[start:end])
            start = end
        return _merge(writer, segments, chosen)

    return policy


TIERED = tiered()


def OPTIMIZE(writer: SegmentWriter, segments: list) -> list:
    """Merge policy: everything into one segment."""
    return _merge(writer, segments, segments)


def _merge(writer: SegmentWriter, segments: list, chosen: list) -> list:
    """Add ``chosen`` to ``writer``; the segments that stay as they are."""
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    merged = {id(s) for s in chosen}
    return [s for s in segments if id(s) not in merged]
