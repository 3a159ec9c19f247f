"""Searching the archive: one function behind the search page, the API and the feeds.

The reader's query is parsed by ``articles.search.query`` into analyzed terms and handed, with the
page's filters, to the configured engine (``articles.search.engine``), which compiles it into its
own queries. By default (``settings.SEARCH_MATCH = "any"``) the engine ranks articles by how well
they match all the words (BM25); with "all", every word is required, and when that finds nothing
the engine relaxes to "most words" and says so.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import cached_property

from django.conf import settings
from django.core.exceptions import EmptyResultSet

from articles import jalali
from articles.models import Article, Category, Entity, Source
from articles.search import highlight, query, spelling
from articles.search.engine import FACET_FILTERS, Filters, PublishedDates, SearchRequest, SearchResult, get_engine
from articles.search.params import FACET_PARAMS, FILTER_NAMES, MAX_PAGE_SIZE, SORTS, SearchParams  # noqa: F401  (re-exported)
from persian.text import match_key

log = logging.getLogger(__name__)

SUGGEST_BELOW = 3  # offer did-you-mean when a query finds fewer articles than this
SLUG = re.compile(r"[-\w]+")
NO_SUCH_SLUG = "-none-"  # a filter value that is not a slug matches nothing
FACET_FIELDS = {"source": Source, "categories": Category, "entities": Entity}
FACET_LIMIT = 20  # values shown per facet (Whoosh counts them all; the page lists the top ones)


@dataclass
class Hit:
    article: Article
    score: float
    terms: set[str]

    @property
    def text(self) -> str:
        return f"{self.article.lead}\n{self.article.body}"

    @cached_property
    def snippet(self) -> str:
        """For pages: readable Persian (half-spaces restored), query words marked."""
        return self._snippet(readable=True)

    @cached_property
    def raw_snippet(self) -> str:
        """For the API: the stored text as written, query words marked."""
        return self._snippet(readable=False)

    def _snippet(self, readable: bool) -> str:
        """Analyzing the text for the query's words is most of a search page's time: the same
        text and words give the same snippet, kept per process (keyed by the text itself, so an
        edit, however saved, is a new key)."""
        text = self.text
        key = (self.article.pk, len(text), hash(text), frozenset(self.terms), readable)
        found = _snippets.get(key)
        if found is None:
            found = highlight.snippet(text, self.terms, readable=readable)
            _snippets.put(key, found)
        return found


@dataclass
class FacetValue:
    slug: str
    name: str
    count: int


@dataclass
class SearchPage:
    params: SearchParams
    hits: list[Hit] = field(default_factory=list)
    count: int = 0
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    relaxed: bool = False  # "most words": not every word was found together
    suggestion: str = ""  # did-you-mean: the query rewritten with words the archive has
    request: SearchRequest | None = None  # what the engine was asked (reused by the attention chart)
    unavailable: bool = False  # the index could not be read (being rebuilt)
    failed: bool = False  # the index could be read, yet this search failed (a bug, logged)
    parsed: query.ParsedQuery | None = None

    @property
    def trimmed(self) -> bool:
        """The query held more words or exclusions than a search evaluates; the rest were dropped."""
        return bool(self.parsed and self.parsed.trimmed)

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.params.page_size))

    @property
    def has_next(self) -> bool:
        return self.params.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.params.page > 1


def _source_slugs(names: list[str]) -> list[str]:
    """``source:`` values typed as a name (``عصر ايران``) or a slug, as slugs."""
    wanted = {match_key(name) for name in names} | set(names)
    return [s.slug for s in Source.objects.all() if s.slug in wanted or match_key(s.name) in wanted] or [NO_SUCH_SLUG]


def _slug(value: str) -> str:
    """Only a well-formed slug reaches the engine; anything else matches nothing."""
    return value if not value or SLUG.fullmatch(value) else NO_SUCH_SLUG


def _slugs(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_slug(value) for value in values))


def _request(params: SearchParams, parsed: query.ParsedQuery, **options) -> SearchRequest:
    sources = list(_slugs(params.source))
    if parsed.sources:
        # The filter and ``source:`` both narrow: an article must be from one of each.
        typed = _source_slugs(parsed.sources)
        sources = [slug for slug in sources if slug in typed] or ([NO_SUCH_SLUG] if sources else typed)
    end = params.date_to + dt.timedelta(days=1) if params.date_to else None
    filters = Filters(
        sources=tuple(sources),
        categories=_slugs(params.category),
        tags=_slugs(params.tag),
        entities=_slugs(params.entity),
        published_from=jalali.naive_utc(jalali.start_of_day(params.date_from)) if params.date_from else None,
        published_before=jalali.naive_utc(jalali.start_of_day(end)) if end else None,
        include_drafts=params.include_drafts,
    )
    options.setdefault("match", settings.SEARCH_MATCH)
    return SearchRequest(parsed=parsed, filters=filters, sort=params.sort, **options)


def warm() -> None:
    """Load the engine's per-process data before gunicorn forks (``newsarchive.wsgi`` calls it)."""
    try:
        get_engine().warm()
    except Exception:  # a missing or broken index: the site starts, and says so per search
        log.warning("could not read the search index ahead of serving", exc_info=True)


def index_readable(engine) -> bool:
    """Whether the index opens and counts its documents (a missing or corrupt one does not)."""
    try:
        engine.doc_count()
    except Exception:
        return False
    return True


def run_search(params: SearchParams, with_facets: bool = True) -> SearchPage:
    parsed = query.parse(params.q)
    page = SearchPage(params=params, parsed=parsed)
    if parsed.is_empty and params.is_blank:
        return page
    engine = get_engine()
    try:
        request = _request(params, parsed, offset=(params.page - 1) * params.page_size, limit=params.page_size)
        # Facet counts visit every match: kept per matching set until the index changes, so the
        # next page, another sort or the same search by another reader costs only the hits.
        key = _cache_key("facets", request.key())
        counts = _recall(key) if with_facets else None
        asked = replace(request, facets=with_facets and counts is None)
        result = _ranked(engine, asked)
        if asked.facets:
            counts = {**result.facets, **_chosen_facets(engine, request, params)}
            _keep(key, counts)
        page.request, page.count, page.relaxed = request, result.count, result.relaxed
        page.facets = _facets(counts) if with_facets else {}
    except Exception:  # a broken or missing index must not take the page down
        log.exception("search failed for %r", params)
        # "Being rebuilt" only when it is true: an index that opens and counts its documents did
        # not fail this search, a bug did (said as such, never as an outage).
        page.unavailable = not index_readable(engine)
        page.failed = not page.unavailable
        return page
    # Ranked by relevance, a misspelt word hides among the other words' matches: ask whenever the
    # query has words (the corrector looks the typed words up first; only rare or absent ones cost
    # a neighbour search, kept per word list until the index changes).
    if page.count < SUGGEST_BELOW or page.relaxed or request.match == "any":
        page.suggestion = did_you_mean(parsed)
    terms = parsed.highlight_terms()
    found = Article.objects.select_related("source").in_bulk([pk for pk, _ in result.hits])
    for pk, score in result.hits:
        article = found.get(pk)
        if article is None or not (article.is_published or params.include_drafts):
            continue  # deleted or unpublished since it was indexed
        page.hits.append(Hit(article, score, terms))
    return page


def _ranked(engine, request: SearchRequest) -> SearchResult:
    """The engine's page of hits; on an engine with a ``result_window``, the first pages are cut
    from its top hits, kept until the index changes (a search ranks every match to find them)."""
    window = engine.result_window
    if request.offset + request.limit > window:
        return engine.search(request)
    key = _cache_key("hits", (request.key(), request.sort))
    kept = None if request.facets else _recall(key)
    if kept is None:
        found = engine.search(replace(request, offset=0, limit=window))
        kept = (found.hits, found.count, found.relaxed, found.facets)
        _keep(key, (*kept[:3], {}))
    hits, count, relaxed, facets = kept
    return SearchResult(hits[request.offset : request.offset + request.limit], count, facets, relaxed)


def _chosen_facets(engine, request: SearchRequest, params: SearchParams) -> dict[str, list[tuple[str, int]]]:
    """Counts of each facet whose filter has values chosen in the URL, over the search without
    them: the reader sees the other values to add (any of them matches), not only the chosen
    ones. (``source:`` typed in the query is part of the query: its facet is not widened.)"""
    counts = {}
    for name, field_name in FACET_FILTERS.items():
        chosen = getattr(params, FACET_PARAMS[name])
        if chosen and not (name == "source" and request.parsed.sources):
            wider = replace(request.filters, **{field_name: ()})
            result = engine.search(replace(request, filters=wider, offset=0, limit=0, facets=True))
            counts[name] = result.facets.get(name, [])
    return counts


class _LRU:
    def __init__(self, size: int) -> None:
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


# Per process, until the index changes: facet counts and the attention chart per engine query,
# did-you-mean corrections per word list, and what ``cached()`` keeps for pages. A miss asks the
# engine next (``recall``): the PostgreSQL engine shares them between workers and machines.
_engine_cache = _LRU(512)
_snippets = _LRU(4096)  # a few MB: a hit's snippet per text and query words


def cached(name: str, key, compute):
    """``compute()``, kept in this process until the index changes (every saved article, mention
    or link change reaches the index, so it changes with them)."""
    try:
        full_key = _cache_key(name, key)
    except Exception:  # no readable index, no version to key on: computed, not kept
        log.warning("search index unreadable; %s computed without the cache", name, exc_info=True)
        return compute()
    value = _recall(full_key)
    if value is None:
        value = compute()
        _keep(full_key, value)
    return value


def cached_count(queryset) -> int:
    """``queryset.count()``, kept as ``cached`` keeps (keyed by its SQL): a listing's size, the
    archive's published total. Every save that changes such a count (an article, its status,
    source or mentions) reaches the index and changes its version."""
    try:
        sql = str(queryset.query)
    except EmptyResultSet:  # a filter that matches nothing, found before any SQL is written
        return 0
    return cached("count", sql, queryset.count)


def _recall(full_key: tuple):
    """Kept by this process, or else by another worker (engines that share: ``SearchEngine.recall``)."""
    value = _engine_cache.get(full_key)
    if value is None:
        value = get_engine().recall(full_key)
        if value is not None:
            _engine_cache.put(full_key, value)
    return value


def _keep(full_key: tuple, value) -> None:
    _engine_cache.put(full_key, value)
    get_engine().keep(full_key, value)


def _cache_key(name: str, key) -> tuple:
    """``(name, key, index version)``: a change to the index is a new key."""
    return (name, key, get_engine().version())


def attention(params: SearchParams, page: SearchPage | None = None) -> list[tuple[str, str, int]]:
    """Matching articles per Jalali month, or per day when they span two months or less.

    ``(key, label, count)`` rows, every period between the first and last match included.
    Given the search's ``page``, it reuses that page's request instead of deciding it again.
    """
    parsed = query.parse(params.q)
    if parsed.is_empty and params.is_blank:
        return []
    try:
        request = page.request if page is not None and page.request else _request(params, parsed)
        series = cached(
            "attention",
            request.key(),
            lambda: _attention_series(get_engine().dated(request)),
        )
    except Exception:
        log.exception("attention chart failed for %r", params)
        return []
    return series


def _attention_series(dates: PublishedDates, periods=jalali.periods) -> list[tuple[str, str, int]]:
    """Per Tehran day when the dates span 62 days or less, else per Jalali month (as
    ``jalali.daily_counts`` and ``monthly_counts`` group them), counted between the periods'
    boundaries: no datetime per article."""
    if not dates:
        return []
    return [
        (key, label, dates.count_between(start, end)) for key, label, start, end in periods(dates.first, dates.last)
    ]


def monthly(params: SearchParams) -> list[tuple[str, str, int]]:
    """Matching articles per Jalali month, every month from the first to the last (an entity's
    timeline: ``SearchParams(entity=(slug,))``). Raises when the index cannot be read."""
    request = _request(params, query.parse(params.q))
    return cached("monthly", request.key(), lambda: _attention_series(get_engine().dated(request), jalali.months))


def ranked_hits(params: SearchParams, limit: int) -> tuple[int, list[tuple[int, float]]]:
    """``(count, [(pk, score), …])``: the search page's matches in its order, at most ``limit``
    (the export). Raises when the index cannot be read."""
    parsed = query.parse(params.q)
    if parsed.is_empty and params.is_blank:
        return 0, []
    result = get_engine().search(_request(params, parsed, limit=limit, facets=False))
    return result.count, result.hits


def matching_ids(q: str, limit: int | None = 1000) -> list[int]:
    """Ids of articles, drafts included, that a query finds (for the editors' admin search);
    ``limit=None``: every one, so the admin counts what readers count (plus drafts)."""
    params = SearchParams(q=q, include_drafts=True)
    parsed = query.parse(q)
    if parsed.is_empty:
        return []
    try:
        engine = get_engine()
        limit = max(1, engine.doc_count()) if limit is None else limit
        result = engine.search(_request(params, parsed, limit=limit, facets=False))
        return [pk for pk, _ in result.hits]
    except Exception:
        log.exception("admin search failed for %r", q)
        return []


def matching_page(q: str, offset: int, limit: int, source: str = "") -> tuple[list[int], int]:
    """One page of the articles a query finds (from the ``source`` slug, if given), drafts
    included, newest first, and how many it finds in all (the editors' admin search: no id of
    every match read)."""
    parsed = query.parse(q)
    if parsed.is_empty:
        return [], 0
    params = SearchParams(q=q, source=source, include_drafts=True, sort="newest")
    try:
        result = get_engine().search(_request(params, parsed, offset=offset, limit=limit, facets=False))
    except Exception:
        log.exception("admin search failed for %r", q)
        return [], 0
    return [pk for pk, _ in result.hits], result.count


def did_you_mean(parsed: query.ParsedQuery) -> str:
    """The reader's plain words with misspelt ones replaced by words published articles use, as
    written (``articles.search.spelling``).

    Empty when nothing needs correcting.
    """
    if not parsed.words:
        return ""
    engine = get_engine()
    words = tuple(parsed.words)
    # Kept per word list until the index changes.
    return cached(
        "did-you-mean", words, lambda: spelling.suggest(words, engine.published_frequencies, engine.written_forms)
    )


def _facets(counts: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetValue]]:
    facets = {}
    for name, model in FACET_FIELDS.items():
        pairs = [(slug, n) for slug, n in counts.get(name, []) if slug]
        pairs = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))[:FACET_LIMIT]
        names = dict(model.objects.filter(slug__in=[s for s, _ in pairs]).values_list("slug", "name"))
        facets[name] = [FacetValue(slug, names.get(slug, slug), n) for slug, n in pairs]
    return facets
