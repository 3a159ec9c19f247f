"""Reader-facing pages. Each view gathers one context dict; the rules live in models and modules."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from articles.models import Article, Category, Entity, RelatedLink, Source, Tag
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
        },
    )


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


def entity_detail(request: HttpRequest, slug: str) -> HttpResponse:
    entity = get_object_or_404(Entity.objects.prefetch_related("aliases"), slug=slug)
    articles = Article.objects.filter(mentions__entity=entity)
    return _listing(request, "articles/entity_detail.html", entity, articles)
