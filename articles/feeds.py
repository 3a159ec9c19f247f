"""Subscriptions: RSS/Atom for any search and for each source, category, tag and entity page,
the «خبرخوان» page that lists them, and OpenSearch with suggestions.

A feed is newest first with undated articles last (they never head it), every entry has a date
(Atom's ``<updated>``: its publication, else when the archive last changed it), and it is titled
by what it shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

import persian
from articles.jalali import format_date
from articles.models import Article, Category, Entity, EntityAlias, Source, Tag
from articles.ratelimit import api_limit
from articles.search.service import SearchParams, cached, run_search
from articles.text_safety import strip_unsafe

FEED_SIZE = 50
SITE = "آرشیو خبر"
SUMMARY_CHARS = 300  # a description made from the body: about two sentences
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")


@dataclass
class FeedSubject:
    """What one request's feed shows. Built per request: a Feed instance serves every request
    (one per URL pattern), so nothing request-specific may live on it."""

    title: str
    link: str  # the page whose articles the feed follows
    path: str  # the feed's own address, query string kept (Atom's rel="self")
    articles: Callable[[], list[Article]]


def summary(article: Article) -> str:
    """The article's lead, or its body's first sentences when it has none (scraped corpora often
    have no lead), at most about ``SUMMARY_CHARS`` characters."""
    text = " ".join((article.lead or "").split())
    if not text:
        sentences, text = _SENTENCE_END.split(" ".join(article.body.split())), ""
        for sentence in sentences:
            text = f"{text} {sentence}".strip()
            if len(text) >= SUMMARY_CHARS // 2:
                break
    if len(text) > SUMMARY_CHARS:
        text = text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
    return persian.display(text)


def _plain(text: str) -> str:
    """Stored text as a feed's plain text: readable Persian, nothing XML 1.0 cannot hold (rows
    saved before the models stripped such characters, or by ``QuerySet.update()``)."""
    return strip_unsafe(persian.display(text))


class SearchFeed(Feed):
    """The newest articles matching a search (any search page URL, with /feed/ in front).

    Every text is plain text. Atom's ``<summary type="html">`` and RSS's ``<description>`` are
    read as HTML by feed readers, so the lead is escaped here once more (the XML writer escapes
    it again): a reader shows ``<img …>`` in a lead as those characters, never as an image.
    """

    def get_object(self, request: HttpRequest) -> FeedSubject:
        params = SearchParams.from_query(request.GET)
        params.sort, params.page, params.page_size = "newest", 1, FEED_SIZE
        query = request.GET.urlencode()
        return FeedSubject(
            title=search_title(params),
            link=reverse("articles:search") + (f"?{query}" if query else ""),
            path=request.get_full_path(),
            articles=lambda: _search_items(params),
        )

    def title(self, subject: FeedSubject) -> str:
        return f"{subject.title} · {SITE}"

    def link(self, subject: FeedSubject) -> str:
        return subject.link

    def feed_url(self, subject: FeedSubject) -> str:
        return subject.path

    def description(self, subject: FeedSubject) -> str:
        return f"{subject.title} در آرشیو خبر فارسی"

    def items(self, subject: FeedSubject) -> list[Article]:
        # Newest first, undated last: ``newest_first`` on the database, the engine's "newest" sort.
        return subject.articles()

    def item_title(self, item: Article) -> str:
        return _plain(item.title)

    def item_description(self, item: Article) -> str:
        return escape(strip_unsafe(summary(item)))

    def item_pubdate(self, item: Article):
        return item.published

    def item_updateddate(self, item: Article):
        return item.published or item.updated

    def item_author_name(self, item: Article) -> str:
        return strip_unsafe(item.source.name) if item.source else ""


class AtomSearchFeed(SearchFeed):
    feed_type = Atom1Feed
    subtitle = SearchFeed.description


def _search_items(params: SearchParams) -> list[Article]:
    if params.is_blank:
        return list(Article.objects.published().select_related("source").newest_first()[:FEED_SIZE])
    return [hit.article for hit in run_search(params, with_facets=False).hits]


# What a filter's slug names in a title: (model, phrase around its name).
_FILTER_NAMES = {
    "source": (Source, "{}"),
    "category": (Category, "دستهٔ {}"),
    "tag": (Tag, "برچسب {}"),
    "entity": (Entity, "دربارهٔ {}"),
}


def search_title(params: SearchParams) -> str:
    """«تازه‌ترین خبرهای عصر ایران», «جست‌وجوی «پوتین» در دستهٔ سیاسی»: what the feed shows."""
    parts = []
    for name, value in params.filters.items():
        model, phrase = _FILTER_NAMES[name]
        for slug in value if isinstance(value, list | tuple) else [value]:
            found = model.objects.filter(slug=slug).values_list("name", flat=True).first()
            parts.append(phrase.format(found or slug))
    when = _date_phrase(params)
    if params.q:
        return f"جست‌وجوی «{params.q}»" + (f" در {'، '.join(parts)}" if parts else "") + when
    if parts:
        return f"تازه‌ترین خبرهای {'، '.join(parts)}{when}"
    return f"تازه‌ترین خبرها{when}"


def _date_phrase(params: SearchParams) -> str:
    phrase = ""
    if params.date_from:
        phrase += f" از {format_date(params.date_from)}"
    if params.date_to:
        phrase += f" تا {format_date(params.date_to)}"
    return phrase


# The pages with a feed of their own: (model, title of the feed, the page's articles).
LISTINGS: dict[str, tuple[type, str, Callable]] = {
    "source": (Source, "تازه‌ترین خبرهای {}", lambda source: source.articles.published().newest_first()),
    "category": (Category, "تازه‌ترین خبرهای دستهٔ {}", lambda c: c.articles.published().newest_first()),
    "tag": (Tag, "تازه‌ترین خبرهای برچسب {}", lambda tag: tag.articles.published().newest_first()),
    "entity": (Entity, "تازه‌ترین خبرها دربارهٔ {}", lambda entity: Article.objects.naming(entity)),
}


class ListingFeed(AtomSearchFeed):
    """The Atom feed of a source, category, tag or entity page (``LISTINGS``)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def get_object(self, request: HttpRequest, slug: str) -> FeedSubject:
        model, title, articles = LISTINGS[self.kind]
        subject = get_object_or_404(model, slug=slug)
        return FeedSubject(
            title=title.format(subject.name),
            link=subject.get_absolute_url(),
            path=request.get_full_path(),
            articles=lambda: list(articles(subject).select_related("source")[:FEED_SIZE]),
        )


def feed_url(kind: str, slug: str) -> str:
    return reverse(f"articles:{kind}-feed", args=[slug])


TOP_ENTITIES = 30
FEED_SECTIONS = (("source", "هر منبع"), ("category", "هر دسته"), ("entity", "نام‌های پرخبر"))


def feeds_page(request: HttpRequest) -> HttpResponse:
    """«خبرخوان»: every feed a reader can follow, as news sites list theirs: the whole archive,
    each source and category, and the most named entities."""

    def sections() -> list[tuple[str, str, list]]:
        published = Q(articles__status=Article.Status.PUBLISHED)
        rows = {
            "source": Source.objects.annotate(n=Count("articles", filter=published)),
            "category": Category.objects.annotate(n=Count("articles", filter=published)),
            "entity": Entity.objects.annotate(n=Count("mentions", filter=Q(mentions__status=Article.Status.PUBLISHED))),
        }
        listed = []
        for kind, heading in FEED_SECTIONS:
            subjects = rows[kind].filter(n__gt=0).order_by("-n", "name")
            if kind == "entity":
                subjects = subjects[:TOP_ENTITIES]
            listed.append((kind, heading, [(s, s.n, feed_url(kind, s.slug)) for s in subjects]))
        return listed

    return render(request, "articles/feeds.html", {"sections": cached("feeds-page", None, sections)})


def opensearch(request: HttpRequest) -> HttpResponse:
    search = request.build_absolute_uri(reverse("articles:search"))
    suggest = request.build_absolute_uri(reverse("articles:suggest"))
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>آرشیو خبر</ShortName>
  <Description>جست‌وجو در آرشیو خبرهای فارسی</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Language>fa</Language>
  <Url type="text/html" method="get" template="{search}?q={{searchTerms}}"/>
  <Url type="application/x-suggestions+json" method="get" template="{suggest}?q={{searchTerms}}"/>
  <Url type="application/atom+xml" method="get" template="{search}feed/?q={{searchTerms}}"/>
</OpenSearchDescription>
"""
    return HttpResponse(xml, content_type="application/opensearchdescription+xml; charset=utf-8")


@api_limit
def suggest(request: HttpRequest) -> JsonResponse:
    """OpenSearch suggestions: entity names starting with the typed text, then matching titles."""
    q = strip_unsafe(str(request.GET.get("q", "")))[:100].strip()
    key = persian.match_key(q)
    names: list[str] = []
    if key:
        aliases = EntityAlias.objects.filter(key__startswith=key).select_related("entity")[:5]
        names += [a.entity.name for a in aliases]
        names += Entity.objects.filter(name__startswith=q).values_list("name", flat=True)[:5]
        hits = run_search(SearchParams(q=q, page_size=8), with_facets=False).hits
        names += [persian.display(hit.article.title) for hit in hits]
    unique = list(dict.fromkeys(names))[:10]
    return JsonResponse([q, unique], safe=False, json_dumps_params={"ensure_ascii": False})
