"""Reader-facing pages. Each view gathers one context dict; the rules live in models and modules."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from articles import graph, jalali
from articles.charts import bar_chart
from articles.models import Article, Category, Entity, Mention, RelatedLink, Source, Tag
from articles.search import SORTS, SearchParams, run_search, similar_articles

PAGE_SIZE = 20


def _paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def visible_articles(request: HttpRequest):
    """Published articles; staff also see drafts (to preview them)."""
    if request.user.is_authenticated and request.user.is_staff:
        return Article.objects.all()
    return Article.objects.published()


def home(request: HttpRequest) -> HttpResponse:
    latest = _paginate(request, Article.objects.published().for_listing().newest_first())
    return render(request, "articles/home.html", {"page_obj": latest})


def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(
        visible_articles(request).select_related("source").prefetch_related("categories", "tags"),
        pk=pk,
    )
    published_only = Article.objects.published()
    links = article.links.select_related("to_article__source").all()
    linked_from = (
        RelatedLink.objects.filter(to_article=article, from_article__in=published_only)
        .select_related("from_article__source")
        .order_by("-from_article__published")
    )
    mentions = article.mentions.select_related("entity").all()
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "links": links,
            "linked_from": linked_from,
            "mentions": mentions,
            "similar": similar_articles(article),
            "thread": graph.thread(article) if article.is_published else [],
        },
    )


def article_graph(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(visible_articles(request), pk=pk)
    hood = graph.neighbourhood(article)
    positions = graph.layout(hood)
    nodes = [
        {"article": hood.nodes[pk], "x": x, "y": y, "depth": hood.depth[pk]}
        for pk, (x, y) in positions.items()
        if pk in hood.nodes
    ]
    edges = [
        {"x1": positions[a][0], "y1": positions[a][1], "x2": positions[b][0], "y2": positions[b][1], "kind": kind}
        for a, b, kind in hood.edges
    ]
    return render(request, "articles/article_graph.html", {"article": article, "nodes": nodes, "edges": edges})


def search_page(request: HttpRequest) -> HttpResponse:
    params = SearchParams.from_query(request.GET, default_page_size=PAGE_SIZE)
    results = run_search(params)
    kept = request.GET.copy()
    kept.pop("page", None)
    context = {
        "results": results,
        "params": params,
        "sorts": SORTS,
        "query_without_page": kept.urlencode() + "&" if kept else "",
    }
    return render(request, "search/search.html", context)


def _listing(request: HttpRequest, template: str, subject, articles) -> HttpResponse:
    page = _paginate(request, articles.published().for_listing().newest_first())
    return render(request, template, {"subject": subject, "page_obj": page})


def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    source = get_object_or_404(Source, slug=slug)
    return _listing(request, "articles/source_detail.html", source, source.articles)


def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    return _listing(request, "articles/category_detail.html", category, category.articles)


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    return _listing(request, "articles/tag_detail.html", tag, tag.articles)


def co_mentioned(entity: Entity):
    """Entities most often named in the same published articles, with the number of articles."""
    articles = Mention.objects.filter(entity=entity, article__status=Article.Status.PUBLISHED).values("article")
    return (
        Entity.objects.filter(mentions__article__in=articles)
        .exclude(pk=entity.pk)
        .annotate(shared=Count("mentions__article", distinct=True))
        .order_by("-shared", "name")
    )


def entity_detail(request: HttpRequest, slug: str) -> HttpResponse:
    entity = get_object_or_404(Entity.objects.prefetch_related("aliases"), slug=slug)
    articles = Article.objects.published().filter(mentions__entity=entity)
    dates = list(articles.exclude(published=None).values_list("published", flat=True))
    timeline = jalali.monthly_counts(dates)
    context = {
        "subject": entity,
        "page_obj": _paginate(request, articles.for_listing().newest_first()),
        "timeline": timeline,
        "timeline_chart": bar_chart([(label, n) for _, label, n in timeline], f"اشاره به {entity.name} در هر ماه"),
        "co_mentioned": co_mentioned(entity)[:15],
    }
    return render(request, "articles/entity_detail.html", context)
