"""A Whoosh backend for haystack that knows the index is Persian, and stays quick as it grows.

Haystack's stock Whoosh backend highlights with Whoosh's English ``StemmingAnalyzer`` and offers
spelling suggestions only through that path. Our pages highlight with ``articles.search.highlight`` (the
same Persian analysis as the index), so this subclass adds what the stock one lacks: a
cross-process write lock, published term counts and written forms for did-you-mean, and speed:

* facet fields keep each document's values in a column, so counting facets reads the matching
  documents' lists instead of walking every posting of every facet value on every query;
* text fields are neither stored nor sortable (pages read articles from the database): a smaller
  index, and hits no longer unpickle whole articles;
* one searcher per thread is reused across requests until the index changes (the stock backend
  opens two readers over every segment per query, and a third to count documents), and it reads
  the index files in place (see ``_MemoryViewFile``);
* one writer per batch (the stock backend opens a reader per document).
* searches for words that must all appear are answered by ``fast_search`` from whole posting
  blocks (Whoosh walks them document by document in Python).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.constants import DJANGO_ID, ID
from haystack.exceptions import SkipDocument
from haystack.utils import get_identifier
from whoosh import columns
from whoosh.fields import KEYWORD, TEXT
from whoosh.filedb import compound, structfile
from whoosh.query import Or, Term
from whoosh.searching import Results, ResultsPage, Searcher
from whoosh.util.times import long_to_datetime

import persian
from articles.search.whoosh import fast_search
from articles.search.whoosh.merge import OPTIMIZE, TIERED, StreamingWriter


class _MemoryViewFile:
    """A read-only file over a slice of the index's mmap, without copying it.

    Whoosh opens each file inside a segment as ``BufferFile(memoryview)``, whose ``BytesIO``
    copies the whole file: every worker held a private copy of the index (~0.7 of its size on
    disk, growing with the archive: 281 MB instead of 189 MB a worker at 6,456 articles). Read
    in place, the pages stay in the page cache, shared by all workers. Without mmap at all
    (``supports_mmap = False``) memory stays flat too, but searches cost ~35% more CPU.
    """

    def __init__(self, view: memoryview) -> None:
        self._view, self._pos = view, 0

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(self._pos + size, len(self._view))
        data = bytes(self._view[self._pos : end])
        self._pos = end
        return data

    def readline(self, size: int | None = -1) -> bytes:
        limit = len(self._view) if size is None or size < 0 else min(self._pos + size, len(self._view))
        newline = bytes(self._view[self._pos : limit]).find(b"\n")
        return self.read((newline + 1) if newline >= 0 else limit - self._pos)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._view))[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._view = memoryview(b"")


class _InPlaceBufferFile(structfile.BufferFile):
    def __init__(self, buf, name=None, onclose=None) -> None:
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _MemoryViewFile(memoryview(buf))


compound.BufferFile = _InPlaceBufferFile  # what ``CompoundStorage.open_file`` wraps a segment's files in

# Module level, because Whoosh pickles the schema (and these classes by name) into the index.


class FacetListReader(columns.PickleColumn.Reader):
    def __getitem__(self, docnum: int) -> list[str]:
        return super().__getitem__(docnum) or []


class FacetListColumn(columns.PickleColumn):
    """Each document's values of a multi-valued field, as one list (what facets count)."""

    Reader = FacetListReader

    def __init__(self) -> None:
        super().__init__(columns.VarBytesColumn())

    def stores_lists(self) -> bool:
        return True

    def default_value(self, reverse: bool = False) -> list[str]:
        """A segment none of whose documents has a value holds no column: each has no values."""
        return []


class FacetKeyword(KEYWORD):
    """Haystack's comma-separated KEYWORD field, with its values also in a list column."""

    def __init__(self, **kwargs) -> None:
        super().__init__(stored=True, commas=True, scorable=True, **kwargs)
        self.column_type = FacetListColumn()  # KEYWORD's ``sortable=`` ignores a Column object

    def to_column_value(self, value) -> list[str]:
        if isinstance(value, str):
            value = value.split(",")
        return [v for v in value or () if v]


class _KeptSearcher:
    """A shared searcher handed to code that closes what it opens: closing keeps it open."""

    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher

    def __getattr__(self, name):
        return getattr(self._searcher, name)

    def search(self, q, limit=10, sortedby=None, reverse=False, groupedby=None, mask=None, **kwargs) -> Results:
        """Whoosh's ``search``, with plain conjunctions and ranked ORs of plain terms ("more like
        this") answered by ``fast_search`` (same hits, order and count), and haystack's facet
        counts counted by it too (same counts; other options go through Whoosh's collectors)."""
        if not kwargs:
            if groupedby:
                results = fast_search.grouped_search(
                    self._searcher, q, limit, groupedby, sortedby=sortedby, reverse=reverse, mask=mask
                )
            else:
                results = fast_search.search(self._searcher, q, limit, sortedby=sortedby, reverse=reverse, mask=mask)
            if results is not None:
                return results
        return self._searcher.search(
            q, limit=limit, sortedby=sortedby, reverse=reverse, groupedby=groupedby, mask=mask, **kwargs
        )

    def search_page(self, q, pagenum: int, pagelen: int = 10, **kwargs) -> ResultsPage:
        if pagenum < 1:
            raise ValueError("pagenum must be >= 1")
        return ResultsPage(self.search(q, limit=pagenum * pagelen, **kwargs), pagenum, pagelen)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


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


class _ReusingIndex:
    """The Whoosh index as the backend holds it: ``searcher()`` reuses one searcher per thread.

    A searcher is reopened only when a writer has committed since (``up_to_date`` compares the
    index's generation on disk); everything else goes to the current index.
    """

    def __init__(self, index) -> None:
        self._index = index
        self._local = threading.local()

    def refresh(self) -> _ReusingIndex:
        self._index = self._index.refresh()
        return self

    def searcher(self, **kwargs) -> _KeptSearcher:
        if kwargs:
            return self._index.refresh().searcher(**kwargs)
        current = getattr(self._local, "searcher", None)
        if current is None or not current.up_to_date():
            self._index = self._index.refresh()
            fresh = self._index.searcher()
            self._local.searcher = fresh
            if current is not None:
                current.close()
            current = fresh
        return _KeptSearcher(current)

    def doc_count(self) -> int:
        return self.searcher().doc_count()

    def __getattr__(self, name):
        return getattr(self._index, name)


class PersianWhooshBackend(WhooshSearchBackend):
    # Memory for each writer's segment buffer: bigger batches, fewer small segments to merge.
    limitmb = 256

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

        A blocking ``flock`` on a file beside the index: gunicorn workers, management commands and
        tests queue here instead of failing or buffering in a background thread.
        """
        # Beside the index folder, not in it: clearing deletes the folder while we hold the lock.
        parent = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(parent, exist_ok=True)
        with open(os.path.abspath(self.path) + ".write.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

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
            except BaseException:
                writer.whoosh.cancel()
                raise
            writer.whoosh.commit(mergetype=TIERED)

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
        hold whole articles): cheap enough to run after every import.
        """
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        versions: dict[str, datetime | None] = {}
        with self.index.reader() as reader:
            updated = reader.column_reader("updated", translate=False) if reader.has_column("updated") else None
            for term in reader.lexicon("django_id"):
                for docnum in reader.postings("django_id", term).all_ids():
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

    # A term in more documents than this (and than there are drafts and deleted documents) is
    # counted from the term index, drafts and deleted documents included: counting its postings
    # would unpickle every block (~0.1 s for a common word at 100k), and did-you-mean only needs
    # exact counts where they are small (is it rare? is it only in drafts?).
    COUNT_POSTINGS_UP_TO = 1000

    def published_frequencies(self, terms: Iterable[str], field: str = "text") -> dict[str, int]:
        """How many published documents hold each term; terms the index lacks are left out."""
        if not self.setup_complete:
            self.setup()
        counts = {}
        with self.index.searcher() as searcher:
            reader = searcher.reader()
            drafts = self._drafts(searcher)
            unseen = len(drafts) + reader.doc_count_all() - reader.doc_count()  # drafts and deleted
            for term in set(terms):
                if (field, term) not in reader:
                    continue
                stored = reader.doc_frequency(field, term)
                if stored > max(self.COUNT_POSTINGS_UP_TO, unseen):  # surely published, roughly this often
                    counts[term] = stored
                    continue
                count = sum(1 for docnum in searcher.docs_for_query(Term(field, term)) if docnum not in drafts)
                if count:
                    counts[term] = count
        return counts

    def written_forms(self, term: str, field: str = "text", articles: int = 3, enough: int = 8) -> list[str]:
        """Occurrences of ``term`` as written in a few published articles, ``enough`` at most
        (did-you-mean shows a word as written, not a stem).

        Only paragraphs holding the term's letters (but a last ه or ت) are analyzed first (most
        words are written as their term plus endings), all of them if that finds none (verbs:
        می‌کند is کرد):
        analyzing three whole articles in a fresh process cost ~0.2 s (every word's term is
        computed for the first time).
        """
        from articles.models import Article

        if not self.setup_complete:
            self.setup()
        with self.index.searcher() as searcher:
            drafts = self._drafts(searcher)
            pks = []
            for docnum in searcher.docs_for_query(Term(field, term)):  # lazily: the first few only
                if docnum not in drafts:
                    pks.append(int(searcher.stored_fields(docnum)[DJANGO_ID]))
                    if len(pks) == articles:
                        break
        articles = Article.objects.published().filter(pk__in=pks).only("title", "lead", "body")
        paragraphs = [p for a in articles for p in f"{a.title}\n{a.lead}\n{a.body}".splitlines()]
        stem = term[: max(3, len(term) - 1)]  # مذاکرات is مذاکره: a restored ه or ت
        likely = [p for p in paragraphs if stem in persian.fold(p).replace(persian.ZWNJ, "").replace(" ", "")]
        for chosen in (likely, paragraphs):
            forms = []
            for paragraph in chosen:
                forms += [token.text for token in persian.tokenize(paragraph) if token.term == term]
                if len(forms) >= enough:
                    break
            if forms:
                return forms
        return []

    @staticmethod
    def _drafts(searcher) -> frozenset[int]:
        from articles.models import Article

        return frozenset(searcher.docs_for_query(Term("status", Article.Status.DRAFT.value)))

    def similar(self, identifier: str, text: str, limit: int, exclude_query: str = "") -> list[str]:
        """``django_id``s of up to ``limit`` documents like ``text`` (the document ``identifier``'s),
        none matching ``exclude_query``.

        Whoosh's ``more_like`` needs the field stored; the caller has the text from the database.
        Unwanted documents are masked rather than the wanted ones allowed: drafts are few, and an
        allow-list would list every published article on every page view.
        """
        if not self.setup_complete:
            self.setup()
        with self.index.searcher() as searcher:
            field = self.content_field_name
            docnum = searcher.document_number(**{ID: identifier})
            mask = set(searcher.docs_for_query(self.parser.parse(exclude_query))) if exclude_query else set()
            if docnum is not None:
                mask.add(docnum)
            terms = searcher.key_terms_from_text(field, text, numterms=10, normalize=False)
            query = Or([Term(field, word, boost=weight) for word, weight in terms])
            return [hit[DJANGO_ID] for hit in searcher.search(query, limit=limit, mask=mask or None)]

    def published_dates(self, query_string: str, field: str = "published") -> list[datetime]:
        """The ``published`` value of every document matching ``query_string`` (for charts).

        Reads the sortable column instead of stored fields and skips scoring: a histogram over
        tens of thousands of matches stays cheap.
        """
        if not self.setup_complete:
            self.setup()
        with self.index.searcher() as searcher:
            parsed = self.parser.parse(query_string)
            docnums = fast_search.matching_docs(searcher, parsed)
            if docnums is None:
                docnums = searcher.docs_for_query(parsed)
            column = searcher.reader().column_reader(field, translate=False)
            dates = []
            for docnum in docnums:
                try:  # articles without a date hold the column's default, not a datetime
                    value = long_to_datetime(column[docnum])
                except (OverflowError, ValueError):
                    continue
                if value.year >= 1900:
                    dates.append(value)
            return dates


class PersianWhooshEngine(WhooshEngine):
    backend = PersianWhooshBackend
