"""The embedded engine: ``articles.search.engine.SearchEngine`` over the Whoosh index.

Haystack's ``PersianWhooshBackend`` keeps owning the index (schema, writer, lock, searchers);
this class is what the app calls. Queries are compiled from the parsed query into Whoosh objects
(``compile``), answered by ``fast_search`` where it can (plain conjunctions, ORs of terms) and by
Whoosh otherwise; the count and the facets are always those of the one set of matching
documents, so every page of a search states the same count and the facets add up to it.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
import weakref
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from haystack import connections
from haystack.constants import DJANGO_ID, ID
from whoosh import query as wq
from whoosh.columns import NumericColumn
from whoosh.searching import Searcher
from whoosh.sorting import FieldFacet, TranslateFacet
from whoosh.util.numeric import typecode_max
from whoosh.util.times import datetime_to_long, long_to_datetime

from articles.search import engine, spelling
from articles.search.whoosh import facets, fast_search, files, index_pages
from articles.search.whoosh.compile import DRAFT, TEXT, Compiled, compile_any, compile_search
from articles.search.whoosh.key_terms import document_frequencies, key_terms
from articles.search.whoosh.postings import postings
from articles.search.whoosh.scoring import LuceneBM25

log = logging.getLogger(__name__)

# An undated document's sort key is the date column's default, the largest unsigned 64-bit value
# (dates are unsigned there): it would head "newest first". Translated below every date, it comes
# last both ways, as on the database (nulls last).
_NO_DATE, _BEFORE_ANY_DATE = typecode_max["Q"], -1


def _undated_lowest(key: int) -> int:
    return _BEFORE_ANY_DATE if key == _NO_DATE else key


SORTS = {
    "newest": (TranslateFacet(_undated_lowest, FieldFacet("published")), True),
    "oldest": ("published", False),
}


def _identifier(pk: int) -> str:
    return f"articles.article.{pk}"


class _Writer(engine.IndexWriter):
    def __init__(self, writer, index) -> None:
        self._writer, self._index = writer, index

    def update(self, articles) -> int:
        return self._writer.update(self._index, articles)

    def remove(self, pks: Iterable[int]) -> None:
        self._writer.remove_ids([_identifier(pk) for pk in pks])


class WhooshSearchEngine(engine.SearchEngine):
    # Ranking a page scores every match (a common word at 100,000 articles: 30–40 ms even when
    # warm): the top 100 are kept per process until the index changes, and the first five pages
    # of 20 are cut from them (``service._ranked``).
    result_window = 100

    @property
    def backend(self):
        """Haystack's backend of the ``default`` connection (tests point it at other folders)."""
        backend = connections["default"].get_backend()
        if not backend.setup_complete:
            backend.setup()
        return backend

    @contextmanager
    def _searcher(self) -> Iterator:
        """This thread's searcher (reused until the index changes), without the fast-path wrapper."""
        with self.backend.index.searcher() as kept:
            yield kept._searcher

    # -- searching ---------------------------------------------------------------------------

    def search(self, request: engine.SearchRequest) -> engine.SearchResult:
        with self._searcher() as searcher:
            if request.match == "any":
                result, docs = self._search(_lucene(searcher), request, _compiled(request))
            else:
                result, docs = self._search(searcher, request, _compiled(request))
                if result.count == 0 and _relaxes(request):
                    result, docs = self._search(searcher, request, _compiled(request, relaxed=True))
                    result.relaxed = True
            _last_matches.keep(searcher, request, docs)
        return result

    def _search(
        self, searcher, request: engine.SearchRequest, compiled: Compiled
    ) -> tuple[engine.SearchResult, set[int]]:
        mask = excluded_docs(searcher, compiled.excluded)
        allow = allowed_docs(searcher, compiled.allowed)
        sortedby, reverse = SORTS.get(request.sort, (None, False))
        top = request.offset + request.limit
        results = fast_search.search(
            searcher, compiled.query, top, sortedby=sortedby, reverse=reverse, mask=mask, allow=allow
        )
        if results is not None:
            docs = results.docs()
        else:
            # A phrase, a date range, ...: Whoosh's collectors, every match collected. With a
            # limit, Whoosh counts matches without the mask (``TopCollector.all_ids`` searches
            # again), which made the count change from page to page.
            results = searcher.search(
                compiled.query, limit=None, sortedby=sortedby, reverse=reverse, mask=mask or None, filter=allow
            )
            docs = {docnum for _, docnum in results.top_n}
        page = results.top_n[request.offset : top]
        result = engine.SearchResult(
            # A sorted page's first values are sort keys, not scores.
            hits=[(_pk(searcher, docnum), 0.0 if sortedby else float(score or 0.0)) for score, docnum in page],
            count=len(docs),
        )
        if request.facets:
            names = list(engine.FACET_FIELDS)
            counts = facets.count_values(searcher, docs, names)
            result.facets = {name: list(counts[name].items()) for name in names}
        return result, docs

    def published_dates(self, request: engine.SearchRequest) -> list[dt.datetime]:
        """Reads the sortable ``published`` column of the matching set, unscored."""
        with self._searcher() as searcher:
            docs = _matches(searcher, request)
            column = searcher.reader().column_reader("published", translate=False)
            dates = []
            for docnum in sorted(docs):
                try:  # articles without a date hold the column's default, not a datetime
                    value = long_to_datetime(column[docnum])
                except (OverflowError, ValueError):
                    continue
                if value.year >= 1900:
                    dates.append(value)
            return dates

    def dated(self, request: engine.SearchRequest) -> engine.PublishedDates:
        """The matching set's ``published`` column values, sorted, as the column holds them
        (microseconds since year 1): undated articles (the column's default) and dates before
        1900 left out, as ``published_dates`` leaves them."""
        with self._searcher() as searcher:
            docs = _matches(searcher, request)
            docs, values = sorted(docs), []
            for sub, offset in searcher.leaf_searchers() if docs else ():
                column = _numbers(sub.reader(), "published")
                ours = docs[bisect_left(docs, offset) : bisect_left(docs, offset + len(column))]
                values.extend(map(column.__getitem__, [d - offset for d in ours] if offset else ours))
        values.sort()
        values = values[bisect_left(values, _EARLIEST) : bisect_right(values, _LATEST)]
        return engine.PublishedDates(values, _to_long, _to_datetime)

    # Stored "more like this" (``neighbours``): only the article's key terms in at most this many
    # documents find and score candidates, so computing a list reads a bounded number of postings
    # (ten terms' worth) however large the archive; a common word adds little to BM25 anyway.
    NEIGHBOUR_DF = 1000

    def similar(self, article, limit: int) -> list[int]:
        """An OR of the article's ten most telling terms (from its text in the database: the index
        does not store it), boosted by their weight; the article itself and drafts masked out
        (drafts are few: an allow-list would list every published article on every page view)."""
        return [pk for pk, _ in self._like(article, limit)]

    def neighbours(self, article, limit: int) -> list[tuple[int, float]]:
        """As ``similar``, with the key terms in more than ``NEIGHBOUR_DF`` documents left out (the
        rarest one kept when all are common)."""
        return self._like(article, limit, max_df=self.NEIGHBOUR_DF)

    def _like(self, article, limit: int, max_df: int | None = None) -> list[tuple[int, float]]:
        with self._searcher() as searcher:
            terms = key_terms(searcher, TEXT, engine.key_text(article), numterms=10)
            if max_df is not None and terms:
                dfs = document_frequencies(searcher, TEXT, [word for word, _ in terms])
                terms = [t for t in terms if dfs[t[0]] <= max_df] or [min(terms, key=lambda t: (dfs[t[0]], t[0]))]
            if not terms:
                return []
            mask = _drafts(searcher)
            docnum = searcher.document_number(**{ID: _identifier(article.pk)})
            if docnum is not None:
                mask.add(docnum)
            q = wq.Or([wq.Term(TEXT, word, boost=weight) for word, weight in terms])
            results = fast_search.search(searcher, q, limit, mask=mask or None)
            if results is None:
                results = searcher.search(q, limit=limit, mask=mask or None)
            return [(_pk(searcher, docnum), float(score)) for score, docnum in results.top_n[:limit]]

    # A term in more documents than this (and than there are drafts and deleted documents) is
    # counted from the term index, drafts and deleted documents included: counting its postings
    # would unpickle every block (~0.1 s for a common word at 100k), and did-you-mean only needs
    # exact counts where they are small (is it rare? is it only in drafts?).
    COUNT_POSTINGS_UP_TO = 1000

    def published_frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        """Terms the index lacks are left out.

        The terms are looked up a segment at a time, and each segment's pages are given back
        before the next (``index_pages.release_segment``): a lookup reads several pages of a
        segment's term table, and did-you-mean's ~550 neighbours of one word held ~45 MB of them
        at 100,000 articles (20 segments), the peak of a worker's resident set.
        """
        counts, found = {}, Counter()
        terms = set(terms)
        with self._searcher() as searcher:
            reader = searcher.reader()
            drafts = _drafts(searcher)
            unseen = len(drafts) + reader.doc_count_all() - reader.doc_count()  # drafts and deleted
            for sub, _offset in searcher.leaf_searchers():
                segment = sub.reader()
                found.update({term: segment.doc_frequency(TEXT, term) for term in terms if (TEXT, term) in segment})
                index_pages.release_segment(segment)
            for term, stored in found.items():
                if stored > max(self.COUNT_POSTINGS_UP_TO, unseen):  # surely published, roughly this often
                    counts[term] = stored
                    continue
                count = sum(1 for docnum in searcher.docs_for_query(wq.Term(TEXT, term)) if docnum not in drafts)
                if count:
                    counts[term] = count
        return counts

    def written_forms(self, term: str, articles: int = 3, enough: int = 8) -> list[str]:
        """Occurrences of ``term`` as written in a few published articles, ``enough`` at most.

        Only paragraphs holding the term's letters (but a last ه or ت) are analyzed first (most
        words are written as their term plus endings), all of them if that finds none (verbs:
        می‌کند is کرد): analyzing three whole articles in a fresh process cost ~0.2 s (every
        word's term is computed for the first time).
        """
        from articles.models import Article

        with self._searcher() as searcher:
            drafts = _drafts(searcher)
            pks = []
            for docnum in searcher.docs_for_query(wq.Term(TEXT, term)):  # lazily: the first few only
                if docnum not in drafts:
                    pks.append(_pk(searcher, docnum))
                    if len(pks) == articles:
                        break
        found = Article.objects.published_among(pks).only("title", "lead", "body")
        return spelling.written_in(found, term, enough)

    # -- the index ---------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[engine.IndexWriter]:
        from articles.models import Article

        index = connections["default"].get_unified_index().get_index(Article)
        with self.backend.writing() as writer:
            yield _Writer(writer, index)

    def version(self) -> tuple:
        return self.backend.version()

    def indexed_versions(self) -> dict[int, dt.datetime | None]:
        return {int(pk): value for pk, value in self.backend.indexed_versions().items()}

    def doc_count(self) -> int:
        return self.backend.doc_count()

    def clear(self) -> None:
        # Not through ``self.backend``: its setup opens the index, and a corrupt one must clear too.
        connections["default"].get_backend().clear()

    def optimize(self) -> None:
        self.backend.optimize()

    def warm(self) -> None:
        """Read the index's files ahead into the page cache, newest segment first (``files.read_ahead``),
        and decode the facet values (``newsarchive.wsgi`` calls it before gunicorn forks): the
        first search of each worker does not pay for them (~0.75 s at 100,000 articles), and the
        workers share them. The searcher is closed again: a forked worker opens its own."""
        index = self.backend.index.refresh()._index
        with index.searcher() as searcher:
            try:
                files.read_ahead(files.segment_files(searcher))
            except (OSError, AttributeError, ValueError):  # an index not in a folder, say: the facets all the same
                log.warning("could not read the index's files ahead", exc_info=True)
            facets.warm_facets(searcher, engine.FACET_FIELDS)


_EARLIEST, _LATEST = datetime_to_long(dt.datetime(1900, 1, 1)), datetime_to_long(dt.datetime.max)


def _to_long(moment: dt.datetime) -> int:
    return datetime_to_long(moment.astimezone(dt.UTC)) if moment.tzinfo else datetime_to_long(moment)


def _to_datetime(value: int) -> dt.datetime:
    return long_to_datetime(value).replace(tzinfo=dt.UTC)


def _numbers(reader, fieldname: str) -> Sequence[int]:
    """Every document's value of a numeric column, read at once: an array from the column's
    bytes (~1 ms for 100,000 documents) where a value at a time costs a struct unpack each."""
    count = reader.doc_count_all()
    column = reader.column_reader(fieldname, translate=False)
    if type(column) is not NumericColumn.Reader:
        return [column[docnum] for docnum in range(count)]
    numbers = array(column._typecode)
    numbers.frombytes(column._dbfile.get(column._basepos, column._count * column._fixedlen))
    if sys.byteorder == "little":  # the column is big-endian ("!")
        numbers.byteswap()
    numbers.extend([column._default] * (count - len(numbers)))  # trailing defaults are not written
    return numbers


def _compiled(request: engine.SearchRequest, relaxed: bool = False) -> Compiled:
    """The request's query in Whoosh's objects, as its ``match`` reads the words."""
    if request.match == "any":
        return compile_any(request.parsed, request.filters)
    return compile_search(request.parsed, request.filters, relaxed=relaxed)


class _LastMatches:
    """The matching sets of a searcher's last few searches, by what decides them
    (``SearchRequest.key``): a search page asks for its chart's dates right after its search,
    and finding the matches again cost as much as the chart itself (at 100,000 articles, 90–120
    ms for two or three common words). Kept per searcher: a new index version starts afresh."""

    KEPT = 4  # sets per searcher (a set of 50,000 documents is ~2 MB); chosen facets search too

    def __init__(self) -> None:
        self._by_reader: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()  # a reader may be shared by threads' searchers

    def keep(self, searcher, request: engine.SearchRequest, docs) -> None:
        docs, key = docs if isinstance(docs, set) else set(docs), request.key()
        with self._lock:
            kept = self._by_reader.setdefault(searcher.reader(), {})
            kept.pop(key, None)
            kept[key] = docs
            while len(kept) > self.KEPT:
                del kept[next(iter(kept))]

    def get(self, searcher, request: engine.SearchRequest) -> set[int] | None:
        with self._lock:
            return self._by_reader.get(searcher.reader(), {}).get(request.key())


_last_matches = _LastMatches()


def _matches(searcher, request: engine.SearchRequest) -> set[int]:
    """The request's matching set (unscored), relaxed as ``search`` relaxes it."""
    if (docs := _last_matches.get(searcher, request)) is not None:
        return docs
    docs = matching_docs(searcher, _compiled(request))
    if not docs and _relaxes(request):
        docs = matching_docs(searcher, _compiled(request, relaxed=True))
    return docs


def _relaxes(request: engine.SearchRequest) -> bool:
    """``match="all"`` found nothing with every word: most of them are tried instead."""
    return request.match == "all" and len(request.parsed.plain_terms()) > 1


def _pk(searcher, docnum: int) -> int:
    return int(searcher.stored_fields(docnum)[DJANGO_ID])


def _drafts(searcher) -> set[int]:
    return excluded_docs(searcher, [wq.Term("status", DRAFT)])


def excluded_docs(searcher, queries: list[wq.Query]) -> set[int]:
    """The documents matching any of ``queries``, as one set: a term costs one posting list
    (decoded a block at a time), however many there are."""
    docs: set[int] = set()
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        for q in queries:
            if type(q) is wq.Term:
                key = fast_search.term_bytes(reader, q)
                found = postings(reader, key) if key is not None else None
                found = found[0] if found is not None else ()
            else:
                found = sub.docs_for_query(q)
            docs.update([offset + d for d in found] if offset else found)
    return docs


def _docs(searcher, q: wq.Query) -> set[int]:
    docs = fast_search.matching_docs(searcher, q)
    return set(docs) if docs is not None else set(searcher.docs_for_query(q))


def allowed_docs(searcher, queries: list[wq.Query]) -> set[int] | None:
    """The documents matching every one of ``queries`` (None: no restriction)."""
    if not queries:
        return None
    return _docs(searcher, queries[0] if len(queries) == 1 else wq.And(queries))


def matching_docs(searcher, compiled: Compiled) -> set[int]:
    """Every live document matching ``compiled`` and none of its exclusions."""
    found = _docs(searcher, compiled.query) - excluded_docs(searcher, compiled.excluded)
    allow = allowed_docs(searcher, compiled.allowed)
    return found if allow is None else found & allow


def _lucene(searcher) -> Searcher:
    """A searcher over the same readers ranking with ``LuceneBM25`` (same k1 and b)."""
    k1, b = engine.bm25()
    return Searcher(searcher.reader(), weighting=LuceneBM25(B=b, K1=k1), fromindex=searcher._ix, closereader=False)
