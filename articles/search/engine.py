"""What the archive needs of a search engine, whichever one runs it.

``articles.search.service`` (what views, the API and feeds call) talks only to a ``SearchEngine``;
``get_engine()`` returns the configured one (the embedded Whoosh engine today; a server engine
can follow behind the same class). Every input is one of our own types: the reader's query as
``articles.search.query`` parsed it (terms already analyzed by ``persian``), filters, a sort and
a page. An engine compiles them straight into its own queries and never analyzes a term again:
the Persian analyzer is not idempotent, so a term analyzed twice can miss its own article.
(The model is wagtail's ``wagtail/search/backends/base.py``: one base class, one query compiler
per backend.)
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.utils.module_loading import import_string

from articles.jalali import TEHRAN, aware_utc
from articles.search.query import ParsedQuery

if TYPE_CHECKING:
    from articles.models import Article

FACET_FIELDS = ("source", "categories", "entities")
# The ``Filters`` field each facet narrows (a facet with chosen values is counted without them).
FACET_FILTERS = {"source": "sources", "categories": "categories", "entities": "entities"}
Sort = Literal["relevance", "newest", "oldest"]
# "all": every word, and when that finds nothing, the articles with most of them (the rule before
# the judged topics); "any": BM25 over an OR of the words, "+word" required (the readers' default,
# ``settings.SEARCH_MATCH``).
Match = Literal["all", "any"]


@dataclass(frozen=True)
class Filters:
    """What narrows a search besides its words. Values are slugs; dates are naive UTC bounds.

    Each tuple is "any of these" (an article in one of two chosen categories matches); the
    fields combine with AND (a source and a category: an article of that source in that
    category). An empty tuple does not narrow.
    """

    sources: tuple[str, ...] = ()  # ``source:`` in the query, or the source filter
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    published_from: dt.datetime | None = None  # inclusive
    published_before: dt.datetime | None = None  # exclusive
    include_drafts: bool = False


@dataclass(frozen=True)
class SearchRequest:
    parsed: ParsedQuery
    filters: Filters = Filters()
    sort: Sort = "relevance"
    offset: int = 0
    limit: int = 20
    facets: bool = True
    match: Match = "all"

    def key(self) -> tuple:
        """What decides the matching set (not the page, sort or facets): count and facets key on it."""
        return (self.parsed.key(), self.filters, self.match)

    def relaxes(self) -> bool:
        """When ``match="all"`` finds nothing with every word, most of them are tried instead."""
        return self.match == "all" and len(self.parsed.plain_terms()) > 1


@dataclass
class SearchResult:
    hits: list[tuple[int, float]] = field(default_factory=list)  # (article pk, score) of the page
    count: int = 0  # every matching article, whatever the page
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # field → (slug, count), unordered
    relaxed: bool = False  # match="all" found nothing with every word: most words instead


class PublishedDates:
    """A matching set's publication times, sorted, kept as the engine reads them (``values``,
    any ordered numbers; ``to_value`` turns an aware datetime into one, ``to_datetime`` back).

    The attention chart counts them between period boundaries by bisection: a few hundred
    conversions for a decade of months, where a datetime per article and per-article Jalali
    arithmetic cost ~0.8 s for a word in 63,000 of 100,000 articles.
    """

    def __init__(
        self,
        values: Sequence,
        to_value: Callable[[dt.datetime], object] = lambda moment: moment,
        to_datetime: Callable[[object], dt.datetime] = lambda value: value,
    ) -> None:
        self.values, self._to_value, self._to_datetime = values, to_value, to_datetime

    def __len__(self) -> int:
        return len(self.values)

    @property
    def first(self) -> dt.datetime:
        return self._to_datetime(self.values[0])

    @property
    def last(self) -> dt.datetime:
        return self._to_datetime(self.values[-1])

    def count_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """How many fall in [start, end)."""
        return bisect_left(self.values, self._to_value(end)) - bisect_left(self.values, self._to_value(start))


class IndexWriter(ABC):
    """One batch of index changes; committed when ``SearchEngine.writing()``'s block ends."""

    @abstractmethod
    def update(self, articles: Iterable[Article]) -> int:
        """Replace these articles' documents; returns how many were written."""

    @abstractmethod
    def remove(self, pks: Iterable[int]) -> None:
        """Drop these articles' documents (absent ones are ignored)."""

    def touch(self) -> None:
        """Something an engine reads live from the articles' tables changed (a transactional
        engine's categories, tags, mentions): its ``version`` must move. Nothing to do elsewhere."""
        return None


class DayCounts(PublishedDates):
    """A matching set's publication times as counts per Tehran day, as a database groups them,
    with the first and last time (naive UTC). The attention chart's periods begin and end at
    Tehran midnight, so counts per day answer ``count_between`` exactly."""

    def __init__(
        self, days: dict[dt.date, int] | None = None, first: dt.datetime | None = None, last: dt.datetime | None = None
    ) -> None:
        self.days = dict(sorted((days or {}).items()))
        self._order = list(self.days)
        self._before = [0, *accumulate(self.days.values())]  # articles before each day, and in all
        self._first, self._last = first, last

    def __len__(self) -> int:
        return self._before[-1]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DayCounts):
            return NotImplemented
        return (self.days, self._first, self._last) == (other.days, other._first, other._last)

    @property
    def first(self) -> dt.datetime:
        return aware_utc(self._first)

    @property
    def last(self) -> dt.datetime:
        return aware_utc(self._last)

    def count_between(self, start: dt.datetime, end: dt.datetime) -> int:
        return self._count_before(end) - self._count_before(start)

    def _count_before(self, moment: dt.datetime) -> int:
        return self._before[bisect_left(self._order, moment.astimezone(TEHRAN).date())]


class SearchEngine(ABC):
    # True: the index lives in the archive's database and changes inside the transaction that
    # changes the article (``indexing.schedule``); False: it follows on commit.
    transactional: bool = False
    # The search service keeps this many top hits per search until the index changes, and cuts
    # the first pages from them (0: every page asked of the engine).
    result_window: int = 0

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResult:
        """One page of hits, the total count and (when asked) the facet counts of the same set."""

    @abstractmethod
    def published_dates(self, request: SearchRequest) -> list[dt.datetime]:
        """The publication time (naive UTC) of every article the request matches."""

    def dated(self, request: SearchRequest) -> PublishedDates:
        """The publication times of the articles the request matches, sorted (the attention chart).
        Engines that can read them as numbers, without a datetime per article, override it."""
        return PublishedDates(sorted(map(aware_utc, self.published_dates(request))))

    @abstractmethod
    def similar(self, article: Article, limit: int) -> list[int]:
        """Pks of published articles like ``article`` ("more like this"), best first, itself excluded."""

    @abstractmethod
    def neighbours(self, article: Article, limit: int) -> list[tuple[int, float]]:
        """``(pk, score)`` of published articles like ``article``, best first, itself excluded, with
        work bounded whatever the archive's size (what ``articles.similar`` stores when indexing)."""

    @abstractmethod
    def published_frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        """How many published articles hold each term (did-you-mean: ``articles.search.spelling``)."""

    @abstractmethod
    def written_forms(self, term: str) -> list[str]:
        """How ``term`` is written in published articles (suggestions are shown as written)."""

    @abstractmethod
    def writing(self) -> AbstractContextManager[IndexWriter]:
        """One writer, serialized across processes, committed when the block ends (cancelled if
        the block or the commit raises)."""

    @abstractmethod
    def version(self) -> tuple:
        """Changes with every commit (per-process caches key on it)."""

    @abstractmethod
    def indexed_versions(self) -> dict[int, dt.datetime | None]:
        """Article pk → the ``updated`` time its live document was indexed with (``check_index``)."""

    @abstractmethod
    def doc_count(self) -> int: ...

    @abstractmethod
    def clear(self) -> None:
        """Empty the index."""

    def optimize(self) -> None:
        """Compact the index after a bulk import (nothing to do on engines that need not)."""
        return None

    def warm(self) -> None:
        """Load what the first search would load, before the web server forks its workers."""
        return None

    def recall(self, key: tuple):
        """A value ``keep`` stored under ``key`` (which ends with ``version()``) by any process, or
        None: an engine whose index every worker reaches shares what one worker computed."""
        return None

    def keep(self, key: tuple, value) -> None:
        """Share ``value`` with every process until the index changes (nothing by default)."""
        return None

    def index(self, articles: Iterable[Article]) -> int:
        with self.writing() as writer:
            return writer.update(articles)

    def remove(self, pks: Iterable[int]) -> None:
        pks = list(pks)
        if pks:
            with self.writing() as writer:
                writer.remove(pks)


_engines: dict[str, SearchEngine] = {}


def get_engine() -> SearchEngine:
    """The configured engine (``settings.NEWSARCHIVE_SEARCH_ENGINE``, a class path), one per process."""
    path = settings.NEWSARCHIVE_SEARCH_ENGINE
    engine = _engines.get(path)
    if engine is None:
        engine = _engines[path] = import_string(path)()
    return engine


def bm25() -> tuple[float, float]:
    """``(k1, b)`` for relevance ranking, from settings."""
    return float(settings.SEARCH_BM25_K1), float(settings.SEARCH_BM25_B)


def key_text(article) -> str:
    """What "more like this" draws an article's key terms from, on either engine: the text it is
    indexed under (the title twice, as the index weighs it; ``article_text.txt``), without the
    agency line. The PostgreSQL engine's documents are this and the agency (``documents.text_of``)."""
    return f"{article.title}\n{article.title}\n{article.lead}\n{article.body}"
