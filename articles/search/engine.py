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
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.utils.module_loading import import_string

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


class SearchEngine(ABC):
    # True: the index lives in the archive's database and changes inside the transaction that
    # changes the article (``indexing.schedule``); False: it follows on commit.
    transactional: bool = False

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResult:
        """One page of hits, the total count and (when asked) the facet counts of the same set."""

    @abstractmethod
    def published_dates(self, request: SearchRequest) -> list[dt.datetime]:
        """The publication time (naive UTC) of every article the request matches (the attention chart)."""

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
