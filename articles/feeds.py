"""Subscriptions: RSS/Atom for any search, OpenSearch with suggestions, and the sitemap."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

import persian
from articles.models import Article, Entity, EntityAlias, Source
from articles.ratelimit import api_limit
from articles.search.service import SearchParams, run_search
from articles.text_safety import strip_unsafe

FEED_SIZE = 50


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

    def get_object(self, request: HttpRequest) -> SearchParams:
        params = SearchParams.from_query(request.GET)
        params.sort, params.page, params.page_size = "newest", 1, FEED_SIZE
        self._query_string = request.GET.urlencode()
        return params

    def title(self, params: SearchParams) -> str:
        return f"آرشیو خبر: {params.q}" if params.q else "آرشیو خبر: تازه‌ترین خبرها"

    def link(self, params: SearchParams) -> str:
        return reverse("articles:search") + (f"?{self._query_string}" if self._query_string else "")

    def description(self, params: SearchParams) -> str:
        return "تازه‌ترین خبرهای آرشیو برای این جست‌وجو"

    def items(self, params: SearchParams) -> list[Article]:
        if params.is_blank:
            return list(Article.objects.published().for_listing().newest_first()[:FEED_SIZE])
        return [hit.article for hit in run_search(params, with_facets=False).hits]

    def item_title(self, item: Article) -> str:
        return _plain(item.title)

    def item_description(self, item: Article) -> str:
        return escape(_plain(item.lead))

    def item_pubdate(self, item: Article):
        return item.published

    def item_author_name(self, item: Article) -> str:
        return strip_unsafe(item.source.name) if item.source else ""


class AtomSearchFeed(SearchFeed):
    feed_type = Atom1Feed
    subtitle = SearchFeed.description


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


class ArticleSitemap(Sitemap):
    limit = 5000

    def items(self):
        return Article.objects.published().only("pk", "updated").order_by("pk")

    def lastmod(self, item: Article):
        return item.updated


class SourceSitemap(Sitemap):
    def items(self):
        return Source.objects.all()


class EntitySitemap(Sitemap):
    def items(self):
        return Entity.objects.mentioned()


SITEMAPS = {"articles": ArticleSitemap, "sources": SourceSitemap, "entities": EntitySitemap}
