"""A Whoosh backend for haystack that knows the index is Persian, and stays quick as it grows.

It owns the index: schema, writers, the write lock, searchers. The app does not call it:
``articles.search.whoosh.engine`` (the ``SearchEngine`` the app calls) drives it.

Haystack's stock Whoosh backend highlights with Whoosh's English ``StemmingAnalyzer`` and offers
spelling suggestions only through that path. Our pages highlight with ``articles.search.highlight`` (the
same Persian analysis as the index), so this subclass adds what the stock one lacks: a
cross-process write lock, and speed:

* facet fields keep each document's values in a column, so counting facets reads the matching
  documents' lists instead of walking every posting of every facet value on every query;
* text fields are neither stored nor sortable (pages read articles from the database): a smaller
  index, and hits no longer unpickle whole articles;
* one searcher per thread is reused across requests until the index changes (the stock backend
  opens two readers over every segment per query, and a third to count documents), and it reads
  the index files in place (see ``searchers`` and ``files``);
* one writer per batch (the stock backend opens a reader per document).
* searches for words that must all appear are answered by ``fast_search`` from whole posting
  blocks (Whoosh walks them document by document in Python).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from filelock import FileLock
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.constants import DJANGO_ID, ID
from haystack.exceptions import SkipDocument
from haystack.utils import get_identifier
from whoosh.fields import KEYWORD, TEXT
from whoosh.query import Or, Term
from whoosh.util.times import long_to_datetime

from articles.search.whoosh.merge import OPTIMIZE, TIERED, StreamingWriter
from articles.search.whoosh.schema import FacetKeyword, FacetListColumn, FacetListReader
from articles.search.whoosh.searchers import _ReusingIndex

# Indexes written since the move to this package pickled the facet classes under this module.
__all__ = ["FacetKeyword", "FacetListColumn", "FacetListReader", "PersianWhooshBackend", "PersianWhooshEngine"]


class _Writer:
    """What ``PersianWhooshBackend.writing()`` yields: replace or delete documents in one writer."""

    def __init__(self, backend: PersianWhooshBackend, writer) -> None:
        self.backend, self.whoosh = backend, writer

    def update(self, index, objects) -> int:
        docs = []
        for obj in objects:
            try:
                doc = index.full_prepare(obj)
            except SkipDocument:
                continue
            doc.pop("boost", None)  # document boosts are not supported by Whoosh 2.5+
            docs.append({key: self.backend._from_python(value) for key, value in doc.items()})
        self.remove_ids([doc[ID] for doc in docs])  # the old versions
        for doc in docs:
            self.whoosh.add_document(**doc)
        return len(docs)

    def remove_ids(self, identifiers) -> None:
        if identifiers:
            self.whoosh.delete_by_query(Or([Term(ID, identifier) for identifier in identifiers]))


class PersianWhooshBackend(WhooshSearchBackend):
    # Memory for each writer's postings, by Whoosh's accounting (~200 bytes a posting, ~350 MB
    # for an import's batch of 5,000 generated articles). Past it Whoosh pickles them all to
    # temporary files and merges them back: at 256 a batch did, and that was a sixth of the
    # indexing process's CPU (a 20,000-article import: 227 → 191 s, peak memory +58 MB).
    limitmb = 1024

    def __init__(self, connection_alias, **connection_options) -> None:
        super().__init__(connection_alias, **connection_options)
        self.use_mmap = connection_options.get("MMAP", True)

    def setup(self) -> None:
        super().setup()
        if not self.use_mmap:
            self.storage.supports_mmap = False  # read when reopened: every searcher is opened after this
        self.index = _ReusingIndex(self.index)

    def build_schema(self, fields):
        """Haystack's schema, with facet columns and lean text fields (see the module docstring)."""
        content_field_name, schema = super().build_schema(fields)
        for name, field in list(schema.items()):
            if isinstance(field, KEYWORD) and name not in (ID, DJANGO_ID):
                schema.remove(name)
                schema.add(name, FacetKeyword(field_boost=field.format.field_boost))
            elif isinstance(field, TEXT):
                field.stored = False
                field.column_type = None
        return content_field_name, schema

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Serialize writers across processes (Whoosh allows one; a second raises LockError).

        A blocking file lock beside the index: gunicorn workers, management commands and tests
        queue here instead of failing or buffering in a background thread.
        """
        # Beside the index folder, not in it: clearing deletes the folder while we hold the lock.
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        with FileLock(os.path.abspath(self.path) + ".write.lock"):
            yield

    def update(self, index, iterable, commit=True):
        """Replace the documents of ``iterable`` in one writer (one lock, one commit)."""
        with self.writing() as writer:
            writer.update(index, iterable)

    def remove(self, obj_or_string, commit=True):
        self.remove_ids([get_identifier(obj_or_string)])

    def remove_ids(self, identifiers: list[str]) -> None:
        """Delete documents by haystack identifier (``articles.article.7``) in one writer."""
        if identifiers:
            with self.writing() as writer:
                writer.remove_ids(identifiers)

    @contextmanager
    def writing(self) -> Iterator[_Writer]:
        """One Whoosh writer under the cross-process lock, committed when the block ends.

        The stock backend calls Whoosh's ``update_document`` per object, which opens a reader over
        every segment for each document (~0.1 s each on a 1,000-article index). Here a batch's
        old versions go in one delete and every commit merges segments once: bulk indexing
        writes thousands of documents per commit.
        """
        if not self.setup_complete:
            self.setup()
        with self.write_lock():
            self.index = self.index.refresh()
            writer = _Writer(self, StreamingWriter(self.index._index, limitmb=self.limitmb))
            try:
                yield writer
                writer.whoosh.commit(mergetype=TIERED)
            except BaseException:
                # Also when ``commit()`` itself raised (a full disk): Whoosh keeps its own write
                # lock until the writer is cancelled, and every later write would fail.
                _abandon(writer.whoosh)
                raise

    _cleared = 0  # times this process emptied the index: an emptied index restarts its generations

    def clear(self, models=None, commit=True):
        """Empty the index; clearing everything deletes the files, so a corrupt index clears too."""
        self._cleared += 1
        with self.write_lock():
            if models is None:
                self.delete_index()
            else:
                super().clear(models=models, commit=commit)

    def optimize(self) -> None:
        """Merge the index into one segment (streaming, see ``whoosh_merge``)."""
        if not self.setup_complete:
            self.setup()
        with self.write_lock():
            self.index = self.index.refresh()
            StreamingWriter(self.index._index, limitmb=self.limitmb).commit(mergetype=OPTIMIZE)

    def version(self) -> tuple:
        """Changes with every commit, and between two indexes (caches key on it).

        The generation alone repeats after the index is cleared; segment ids are random.
        """
        if not self.setup_complete:
            self.setup()
        with self.index.searcher() as searcher:
            reader = searcher.reader()
            readers = getattr(reader, "readers", None) or [reader]
            segments = tuple(r.segment().segment_id() for r in readers if getattr(r, "segment", None) and r.segment())
            return self.path, self._cleared, reader.generation(), segments

    def doc_count(self) -> int:
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        return self.index.doc_count()

    def indexed_ids(self) -> set[str]:
        """The ``django_id`` of every document, for comparing the index with the database."""
        return set(self.indexed_versions())

    def indexed_versions(self) -> dict[str, datetime | None]:
        """``django_id`` → the ``updated`` time each live document was indexed with.

        Reads the id lexicon and the sortable ``updated`` column, not the stored fields (which
        hold whole articles): cheap enough to run after every import. One segment at a time: an
        id is in one segment, and asking the whole index for its postings looks it up in every
        segment (at 100,000 articles in 21 segments, 2.1 million lookups: most of 27 s).
        """
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        versions: dict[str, datetime | None] = {}
        with self.index.reader() as reader:
            for segment, _offset in reader.leaf_readers():
                versions.update(_segment_versions(segment))
        return versions


def _segment_versions(reader) -> dict[str, datetime | None]:
    """``indexed_versions`` of one segment's live documents (their numbers are the segment's own)."""
    updated = reader.column_reader("updated", translate=False) if reader.has_column("updated") else None
    versions: dict[str, datetime | None] = {}
    for term in reader.lexicon(DJANGO_ID):
        for docnum in reader.postings(DJANGO_ID, term).all_ids():
            if reader.is_deleted(docnum):
                continue
            value = None
            if updated is not None:
                try:
                    value = long_to_datetime(updated[docnum])
                except (OverflowError, ValueError):
                    value = None
            versions[term.decode() if isinstance(term, bytes) else term] = value
    return versions


def _abandon(writer) -> None:
    """Cancel ``writer`` whatever state a failed block or commit left it in, releasing its lock."""
    if writer.is_closed:
        return
    try:
        writer.cancel()
    except Exception:  # a half-finished commit may have closed the segment's files already
        if writer.writelock:
            writer.writelock.release()
        writer.is_closed = True


class PersianWhooshEngine(WhooshEngine):
    backend = PersianWhooshBackend
