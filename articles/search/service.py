"""Searching the archive: one function behind the search page, the API and the feeds.

The reader's query is parsed by ``articles.search.query`` into analyzed terms and sent to haystack as
``SQ`` objects, so the same code runs on Whoosh or a distributed engine. When every word together
finds nothing, the search relaxes to "most words" and says so.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property, reduce
from operator import and_, or_

from django.http import QueryDict
from haystack import connections
from haystack.inputs import Exact
from haystack.query import SQ, SearchQuerySet

from articles import jalali
from articles.models import Article, Category, Entity, Source
from articles.search import highlight, query, spelling
from persian.text import match_key

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100
SUGGEST_BELOW = 3
SLUG = re.compile(r"[-\w]+")
NO_SUCH_SLUG = "-none-"  # offer did-you-mean when a query finds fewer articles than this
FACET_FIELDS = {"source": Source, "categories": Category, "entities": Entity}
FACET_LIMIT = 20  # values shown per facet (Whoosh counts them all; the page lists the top ones)
SORTS = {"relevance": "مرتبط‌ترین", "newest": "جدیدترین", "oldest": "قدیمی‌ترین"}


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(jalali.latin_digits(value or ""))
    except ValueError:
        return default
    return min(max(number, low), high)


@dataclass
class SearchParams:
    q: str = ""
    source: str = ""
    category: str = ""
    tag: str = ""
    entity: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    include_drafts: bool = False  # editors' searches only; never set from a reader's URL

    @classmethod
    def from_query(cls, data: QueryDict, default_page_size: int = 20) -> SearchParams:
        """Read the GET parameters; a nonsense value falls back to its default, never an error."""

        def text(name: str, limit: int = 200) -> str:
            return " ".join(str(data.get(name, "")).split())[:limit]

        sort = text("sort")
        return cls(
            q=str(data.get("q", ""))[: query.MAX_QUERY_CHARS].strip(),
            source=text("source"),
            category=text("category"),
            tag=text("tag"),
            entity=text("entity"),
            date_from=jalali.parse_date(text("from")),
            date_to=jalali.parse_date(text("to"), end=True),
            sort=sort if sort in SORTS else "relevance",
            page=_int(data.get("page"), 1, 1, 10_000),
            page_size=_int(data.get("page_size"), default_page_size, 1, MAX_PAGE_SIZE),
        )

    @property
    def filters(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (
                ("source", self.source),
                ("category", self.category),
                ("tag", self.tag),
                ("entity", self.entity),
            )
            if v
        }

    @property
    def is_blank(self) -> bool:
        return not (self.q or self.filters or self.date_from or self.date_to)


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
        return highlight.snippet(self.text, self.terms, readable=True)

    @cached_property
    def raw_snippet(self) -> str:
        """For the API: the stored text as written, query words marked."""
        return highlight.snippet(self.text, self.terms)


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
    query_string: str = ""  # the engine query that ran (reused by the attention chart)
    unavailable: bool = False  # the index could not be read (being rebuilt)
    parsed: query.ParsedQuery | None = None

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.params.page_size))

    @property
    def has_next(self) -> bool:
        return self.params.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.params.page > 1


def _clause_sq(clause: query.Clause) -> SQ:
    name = clause.field or "content"
    value = Exact(" ".join(clause.terms)) if clause.is_phrase else clause.terms[0]
    return SQ(**{name: value})


def _text_sq(parsed: query.ParsedQuery, relaxed: bool) -> SQ | None:
    parts = []
    plain = parsed.plain_terms()
    if relaxed and len(plain) > 1:
        parts.append(reduce(or_, (_clause_sq(c) for c in plain)))
        parts.extend(_clause_sq(c) for c in parsed.required if c not in plain)
    else:
        parts.extend(_clause_sq(c) for c in parsed.required)
    parts.extend(reduce(or_, (_clause_sq(c) for c in group)) for group in parsed.any_of)
    return reduce(and_, parts) if parts else None


def _source_slugs(names: list[str]) -> list[str]:
    """``source:`` values typed as a name (``عصر ايران``) or a slug, as slugs."""
    wanted = {match_key(name) for name in names} | set(names)
    return [s.slug for s in Source.objects.all() if s.slug in wanted or match_key(s.name) in wanted] or [NO_SUCH_SLUG]


def _base_queryset(params: SearchParams, parsed: query.ParsedQuery) -> SearchQuerySet:
    # The index holds articles only: ``.models(Article)`` would add a narrowing search over every
    # document to each query on Whoosh.
    sqs = SearchQuerySet()
    if not params.include_drafts:
        # Excluding the few drafts, not requiring "published": an AND with a term every document
        # has scores both and stops Whoosh skipping blocks (ایران at 50k: 288 → 66 ms).
        sqs = sqs.exclude(status=Exact(Article.Status.DRAFT))
    for name, value in (
        ("source", params.source),
        ("categories", params.category),
        ("tags", params.tag),
        ("entities", params.entity),
    ):
        if value:
            # Only a well-formed slug reaches the engine; anything else matches nothing.
            sqs = sqs.filter(**{name: Exact(value if SLUG.fullmatch(value) else NO_SUCH_SLUG)})
    if parsed.sources:
        sqs = sqs.filter(reduce(or_, (SQ(source=Exact(slug)) for slug in _source_slugs(parsed.sources))))
    if params.date_from:
        sqs = sqs.filter(published__gte=jalali.naive_utc(jalali.start_of_day(params.date_from)))
    if params.date_to:
        sqs = sqs.filter(published__lt=jalali.naive_utc(jalali.start_of_day(params.date_to + dt.timedelta(days=1))))
    for clause in parsed.excluded:
        sqs = sqs.exclude(_clause_sq(clause))
    if params.sort == "newest":
        sqs = sqs.order_by("-published")
    elif params.sort == "oldest":
        sqs = sqs.order_by("published")
    return sqs


def warm() -> None:
    """Decode the index's facet values now (``newsarchive.wsgi`` calls it before gunicorn forks):
    the first search of each worker does not pay for them (~0.75 s at 100,000 articles), and the
    workers share them. The searcher is closed again: a forked worker opens its own."""
    from articles.search.whoosh import fast_search

    backend = connections["default"].get_backend()
    try:
        if not getattr(backend, "setup_complete", True):
            backend.setup()
        index = getattr(backend, "index", None)
        if not hasattr(index, "_index"):  # another engine
            return
        with index.refresh()._index.searcher() as searcher:
            fast_search.warm_facets(searcher, FACET_FIELDS)
    except Exception:  # a missing or broken index: the site starts, and says so per search
        log.warning("could not read the search index ahead of serving", exc_info=True)


def run_search(params: SearchParams, with_facets: bool = True) -> SearchPage:
    parsed = query.parse(params.q)
    page = SearchPage(params=params, parsed=parsed)
    if parsed.is_empty and params.is_blank:
        return page
    try:
        base = _base_queryset(params, parsed)
        strict = _text_sq(parsed, relaxed=False)
        results, page.count, page.facets, page.query_string = _run(base, strict, params, with_facets)
        if page.count == 0 and len(parsed.plain_terms()) > 1:  # all words found nothing: most words
            relaxed = _text_sq(parsed, relaxed=True)
            results, page.count, page.facets, page.query_string = _run(base, relaxed, params, with_facets)
            page.relaxed = True
    except Exception:  # a broken or missing index must not take the page down
        log.exception("search failed for %r", params)
        page.unavailable = True
        return page
    if page.count < SUGGEST_BELOW or page.relaxed:
        page.suggestion = did_you_mean(parsed)
    terms = parsed.highlight_terms()
    for result in results:
        article = result.object
        if article is None or not (article.is_published or params.include_drafts):
            continue  # deleted or unpublished since it was indexed
        page.hits.append(Hit(article, result.score or 0.0, terms))
    return page


def _run(base: SearchQuerySet, text: SQ | None, params: SearchParams, with_facets: bool):
    """One engine query for the page: its hits, count, facets and query string (for charts).

    Facet counts visit every match (Whoosh cannot stop at the page's top hits when it counts), so
    they are kept per query until the index changes: the next page, another sort or the same
    search by another reader costs only the hits.
    """
    sqs = base.filter(text) if text is not None else base.all()
    query_string = sqs.query.build_query()
    key = _cache_key("facets", query_string) if with_facets else None
    counts = _engine_cache.get(key) if key else None
    if with_facets and counts is None:
        for name in FACET_FIELDS:
            sqs = sqs.facet(name, limit=FACET_LIMIT)
    loaded = sqs.load_all()
    start = (params.page - 1) * params.page_size
    results = list(loaded[start : start + params.page_size])  # runs the query once; the rest is cached
    if with_facets and counts is None:
        counts = loaded.facet_counts()
        if key:
            _engine_cache.put(key, counts)
    facets = _facets(counts) if with_facets else {}
    return results, loaded.count(), facets, query_string


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
# did-you-mean corrections per word list, and what ``cached()`` keeps for pages.
_engine_cache = _LRU(512)


def cached(name: str, key, compute):
    """``compute()``, kept in this process until the index changes (every saved article, mention
    or link change reaches the index, so it changes with them); uncached on other engines."""
    full_key = _cache_key(name, key)
    value = _engine_cache.get(full_key) if full_key else None
    if value is None:
        value = compute()
        if full_key:
            _engine_cache.put(full_key, value)
    return value


def _cache_key(name: str, key) -> tuple | None:
    """``(name, key, index version)``; None when the engine has no version (do not cache)."""
    backend = connections["default"].get_backend()
    return (name, key, backend.version()) if hasattr(backend, "version") else None


def attention(params: SearchParams, page: SearchPage | None = None) -> list[tuple[str, str, int]]:
    """Matching articles per Jalali month, or per day when they span two months or less.

    ``(key, label, count)`` rows, every period between the first and last match included.
    Given the search's ``page``, it reuses that query instead of deciding it again.
    """
    backend = connections["default"].get_backend()
    parsed = query.parse(params.q)
    if (parsed.is_empty and params.is_blank) or not hasattr(backend, "published_dates"):
        return []
    try:
        if page is not None and page.query_string:
            query_string = page.query_string
        else:
            query_string = _matching(_base_queryset(params, parsed), parsed)[0].query.build_query()
        series = cached(
            "attention",
            query_string,
            lambda: _attention_series([jalali.aware_utc(d) for d in backend.published_dates(query_string)]),
        )
    except Exception:
        log.exception("attention chart failed for %r", params)
        return []
    return series


def _attention_series(dates: list[dt.datetime]) -> list[tuple[str, str, int]]:
    if dates and max(dates) - min(dates) <= dt.timedelta(days=62):
        return jalali.daily_counts(dates)
    return jalali.monthly_counts(dates)


def matching_ids(q: str, limit: int = 1000) -> list[int]:
    """Ids of articles, drafts included, that a query finds (for the editors' admin search)."""
    params = SearchParams(q=q, include_drafts=True)
    parsed = query.parse(q)
    if parsed.is_empty:
        return []
    try:
        sqs, _ = _matching(_base_queryset(params, parsed), parsed)
        return [int(result.pk) for result in sqs[:limit]]
    except Exception:
        log.exception("admin search failed for %r", q)
        return []


def did_you_mean(parsed: query.ParsedQuery) -> str:
    """The reader's plain words with misspelt ones replaced by words published articles use, as
    written (``articles.search.spelling``).

    Empty when nothing needs correcting or the engine cannot say how often a term is published.
    """
    backend = connections["default"].get_backend()
    if not parsed.words or not hasattr(backend, "published_frequencies"):
        return ""
    words = tuple(parsed.words)
    return cached(
        "did-you-mean", words, lambda: spelling.suggest(words, backend.published_frequencies, backend.written_forms)
    )


def _matching(base: SearchQuerySet, parsed: query.ParsedQuery) -> tuple[SearchQuerySet, bool]:
    strict = _text_sq(parsed, relaxed=False)
    if strict is None:
        return base.all(), False
    sqs = base.filter(strict)
    if len(parsed.plain_terms()) > 1 and sqs.count() == 0:
        return base.filter(_text_sq(parsed, relaxed=True)), True
    return sqs, False


def _facets(counts: dict) -> dict[str, list[FacetValue]]:
    facets = {}
    for name, model in FACET_FIELDS.items():
        pairs = [(slug, n) for slug, n in counts.get("fields", {}).get(name, []) if slug]
        pairs = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))[:FACET_LIMIT]
        names = dict(model.objects.filter(slug__in=[s for s, _ in pairs]).values_list("slug", "name"))
        facets[name] = [FacetValue(slug, names.get(slug, slug), n) for slug, n in pairs]
    return facets


def similar_articles(article: Article, limit: int = 5) -> list[Article]:
    """ "More like this": published articles sharing the article's most telling terms."""
    if not article.is_published:
        return []
    backend = connections["default"].get_backend()
    try:
        if hasattr(backend, "similar"):  # Whoosh: the text comes from the database, not the index
            text = f"{article.title}\n{article.title}\n{article.lead}\n{article.body}"
            drafts = f"status:{Article.Status.DRAFT}"
            identifier = f"articles.article.{article.pk}"
            # An OR of ten terms over the whole archive: kept per article until the index changes.
            ids = cached("similar", (article.pk, limit), lambda: backend.similar(identifier, text, limit + 1, drafts))
            pks = [int(pk) for pk in ids]
        else:
            pks = [int(r.pk) for r in SearchQuerySet().models(Article).more_like_this(article)[: limit + 1]]
    except Exception:  # the page must render even when the index is being rebuilt
        log.exception("more_like_this failed for article %s", article.pk)
        return []
    found = Article.objects.published().select_related("source").in_bulk([pk for pk in pks if pk != article.pk])
    return [found[pk] for pk in pks if pk in found][:limit]
