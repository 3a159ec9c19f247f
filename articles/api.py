"""JSON endpoints: the search and one article, in shapes documented in the README."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404

import persian
from articles import graph, jalali
from articles.errors import read_only
from articles.models import Article
from articles.ratelimit import api_limit
from articles.search.service import SearchParams, run_search


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _article_summary(request: HttpRequest, article: Article) -> dict:
    return {
        "id": article.pk,
        "external_id": article.external_id,
        "title": persian.display(article.title),  # as the pages show it, like the lead and body
        "url": request.build_absolute_uri(article.get_absolute_url()),
        "source": article.source.name if article.source else None,
        "published": article.published.isoformat() if article.published else None,
        "published_jalali": jalali.iso_jalali(article.published) or None,
    }


@read_only
@api_limit
def search(request: HttpRequest) -> JsonResponse:
    params = SearchParams.from_query(request.GET)
    page = run_search(params)
    data = {
        "count": page.count,
        "page": params.page,
        "page_size": params.page_size,
        "num_pages": page.num_pages,
        "relaxed": page.relaxed,
        "trimmed": page.trimmed,
        "suggestion": page.suggestion or None,
        "results": [
            {**_article_summary(request, hit.article), "snippet": str(hit.raw_snippet), "score": round(hit.score, 4)}
            for hit in page.hits
        ],
        "facets": {
            name: [{"slug": v.slug, "name": v.name, "count": v.count} for v in values]
            for name, values in page.facets.items()
        },
    }
    if params.ignored:
        data["ignored"] = params.ignored  # filter values not used (a date out of range, ...)
    if page.unavailable:
        data["error"] = "search index unavailable; it is being rebuilt"
        return _json(data, status=503)
    if page.failed:  # the index is fine: this search hit a bug (logged), not an outage
        data["error"] = "search failed"
        return _json(data, status=500)
    if page.count and params.page > page.num_pages:  # an empty page would read as "no more results"
        data["error"] = f"no page {params.page}: the last is {page.num_pages}"
        return _json(data, status=404)
    return _json(data)


@read_only
@api_limit
def article(request: HttpRequest, pk: int) -> JsonResponse:
    obj = get_object_or_404(Article.objects.visible_to(request.user).select_related("source"), pk=pk)
    related = obj.links.select_related("to_article").all()
    mentions = obj.mentions.with_entity()
    return _json(
        {
            **_article_summary(request, obj),
            "original_url": obj.url or None,
            "agency": obj.agency or None,
            # The text the article's page shows (half-spaces, Persian ی/ک), not the raw scrape.
            "lead": persian.display(obj.lead),
            "body": persian.display(obj.body),
            "categories": [c.name for c in obj.categories.all()],
            "tags": [t.name for t in obj.tags.all()],
            "title_derived": obj.title_derived,
            "related": [
                {
                    "title": persian.display(link.title),
                    "url": link.url or None,
                    "article_id": link.to_article_id if link.to_article and link.to_article.is_published else None,
                    "kind": link.kind,
                }
                for link in related
            ],
            "entities": [
                {"name": m.entity.name, "kind": m.entity.kind, "slug": m.entity.slug, "count": m.count}
                for m in mentions
            ],
        }
    )


@read_only
@api_limit
def article_graph(request: HttpRequest, pk: int) -> JsonResponse:
    obj = get_object_or_404(Article.objects.visible_to(request.user), pk=pk)
    hood = graph.story_graph(obj, graph.cached_thread(obj) if obj.is_published else [])
    return _json(
        {
            "center": obj.pk,
            "nodes": [
                {**_article_summary(request, article), "depth": hood.depth[article.pk]}
                for article in hood.nodes.values()
            ],
            "edges": [{"from": a, "to": b, "kind": kind} for a, b, kind in hood.edges],
        }
    )
