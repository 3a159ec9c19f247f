"""Reader-facing pages. Each view gathers one context dict; the rules live in models and modules."""

from __future__ import annotations

import csv
import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Count, Max, Min
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from articles import graph, jalali
from articles.charts import bar_chart
from articles.models import Article, Category, Entity, Mention, Source, Tag
from articles.search import query
from articles.search.service import SORTS, SearchParams, attention, cached, run_search, similar_articles
from articles.text_safety import has_unsafe

PAGE_SIZE = 20


def _paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def home(request: HttpRequest) -> HttpResponse:
    published = Article.objects.published()
    latest = _paginate(request, published.for_listing().newest_first())
    # "This week" ends at the newest article: an archive of past years still has a week to show.
    newest = published.exclude(published=None).aggregate(Max("published"))["published__max"]
    week_entities = []
    if newest:
        week = published.filter(published__gt=newest - dt.timedelta(days=7))
        week_entities = Entity.objects.most_named_in(week)[:12]
    return render(request, "articles/home.html", {"page_obj": latest, "week_entities": week_entities})


def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(
        Article.objects.visible_to(request.user).select_related("source").prefetch_related("categories", "tags"),
        pk=pk,
    )
    links = article.links.select_related("to_article__source").all()
    # Published articles with a link to this one (one row per link, as the page always listed).
    linked_from = Article.objects.published().for_listing().filter(links__to_article=article).order_by("-published")
    mentions = article.mentions.with_entity()
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
    article = get_object_or_404(Article.objects.visible_to(request.user), pk=pk)
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
    series = attention(params, results) if results.count else []
    kept = request.GET.copy()
    kept.pop("page", None)
    facets = _facet_links(kept, results.facets)
    context = {
        "results": results,
        "params": params,
        "sorts": SORTS,
        "query_without_page": kept.urlencode() + "&" if kept else "",
        "query_string": request.GET.urlencode(),
        "facet_groups": facets,
        "attention": series,
        "attention_chart": bar_chart([(label, n) for _, label, n in series], "شمار خبرهای یافته در طول زمان"),
        "max_terms": query.MAX_TERMS,
        "max_excluded": query.MAX_EXCLUDED,
    }
    return render(request, "search/search.html", context)


FACET_PARAMS = {"source": ("منبع", "source"), "categories": ("دسته", "category"), "entities": ("نام‌ها", "entity")}


def _facet_links(kept, facets: dict) -> list[dict]:
    """Each facet value's link sets (or, when chosen, removes) its filter in the current search."""
    groups = []
    for name, values in facets.items():
        title, param = FACET_PARAMS[name]
        chosen = kept.get(param, "")
        links = []
        for value in values:
            query = kept.copy()
            if value.slug == chosen:
                query.pop(param, None)
            else:
                query[param] = value.slug
            links.append({"value": value, "url": "?" + query.urlencode(), "chosen": value.slug == chosen})
        if links:
            groups.append({"title": title, "links": links})
    return groups


def attention_csv(request: HttpRequest) -> HttpResponse:
    """The search's attention-over-time counts, for a spreadsheet."""
    params = SearchParams.from_query(request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="attention.csv"'
    response.write("\ufeff")  # a BOM so spreadsheet programs read the Persian labels as UTF-8
    writer = csv.writer(response)
    writer.writerow(["period", "label", "articles"])
    writer.writerows(attention(params))
    return response


def archive_index(request: HttpRequest) -> HttpResponse:
    newest = Article.objects.published().exclude(published=None).aggregate(Max("published"))["published__max"]
    year = jalali.to_jalali(newest or dt.datetime.now(dt.UTC)).year
    return redirect("articles:archive-year", year=year)


def archive_year(request: HttpRequest, year: int) -> HttpResponse:
    start, end = _jalali_range_or_404(year)
    dates = Article.objects.published().filter(published__gte=start, published__lt=end)
    counts = {key: n for key, _, n in jalali.monthly_counts(list(dates.values_list("published", flat=True)))}
    months = [(m, jalali.month_name(m), counts.get(f"{year:04d}-{m:02d}", 0)) for m in range(1, 13)]
    context = {"year": year, "months": months, "total": sum(n for *_, n in months)}
    context.update(_year_neighbours(year))
    return render(request, "articles/archive_year.html", context)


def archive_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    start, end = _jalali_range_or_404(year, month)
    articles = Article.objects.published().filter(published__gte=start, published__lt=end)
    days = jalali.daily_counts(list(articles.values_list("published", flat=True)))
    prev_month = (year - 1, 12) if month == 1 else (year, month - 1)
    next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    context = {
        "year": year,
        "month": month,
        "month_name": jalali.month_name(month),
        "days": [(key.rsplit("-", 1)[1], label, n) for key, label, n in days if n],
        "page_obj": _paginate(request, articles.for_listing().order_by("-published", "-id")),
        "prev_month": prev_month,
        "next_month": next_month,
    }
    return render(request, "articles/archive_month.html", context)


def archive_day(request: HttpRequest, year: int, month: int, day: int) -> HttpResponse:
    start, end = _jalali_range_or_404(year, month, day)
    articles = Article.objects.published().filter(published__gte=start, published__lt=end)
    context = {
        "year": year,
        "month": month,
        "day": day,
        "month_name": jalali.month_name(month),
        "page_obj": _paginate(request, articles.for_listing().order_by("-published", "-id")),
        "prev_day": jalali.to_jalali(start - dt.timedelta(days=1)),
        "next_day": jalali.to_jalali(end),
    }
    return render(request, "articles/archive_day.html", context)


def _jalali_range_or_404(year: int, month: int | None = None, day: int | None = None):
    try:
        return jalali.jalali_month_range(year, month, day)
    except (ValueError, OverflowError):
        raise Http404("تاریخ نامعتبر است") from None


def _year_neighbours(year: int) -> dict:
    published = Article.objects.published().exclude(published=None)
    first, last = published.aggregate(Min("published"), Max("published")).values()
    years = jalali.JALALI_YEARS  # a year past them has no page
    return {
        "prev_year": year - 1 if first and jalali.to_jalali(first).year < year and year - 1 in years else None,
        "next_year": year + 1 if last and jalali.to_jalali(last).year > year and year + 1 in years else None,
    }


def _listing(request: HttpRequest, template: str, subject, articles) -> HttpResponse:
    page = _paginate(request, articles.published().for_listing().newest_first())
    return render(request, template, {"subject": subject, "page_obj": page})


def _by_slug(queryset, slug: str):
    """The object with this slug, or 404. No stored slug holds a control character (they are
    stripped on save), and PostgreSQL refuses NUL in a query: such a slug is not looked up."""
    if has_unsafe(slug):
        raise Http404("نامک نادرست است")
    return get_object_or_404(queryset, slug=slug)


def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    source = _by_slug(Source, slug)
    return _listing(request, "articles/source_detail.html", source, source.articles)


def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = _by_slug(Category, slug)
    return _listing(request, "articles/category_detail.html", category, category.articles)


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = _by_slug(Tag, slug)
    return _listing(request, "articles/tag_detail.html", tag, tag.articles)


CO_MENTION_SCOPE = 500  # newest articles of an entity read for its co-mentioned names


def _entity_summary(entity: Entity) -> tuple[list, list[Entity]]:
    """The entity's mentions a month, and the entities most often named with it among its newest
    ``CO_MENTION_SCOPE`` articles: the company a name keeps now, at a cost that does not grow with
    the archive (ایران alone is named in half of it)."""
    mentions = Mention.objects.for_entity(entity).published()
    days = (
        mentions.exclude(published=None)
        .annotate(day=TruncDate("published", tzinfo=jalali.TEHRAN))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    timeline = jalali.monthly_counts_by_day({row["day"]: row["n"] for row in days})
    newest = mentions.newest_first().values("article_id")[:CO_MENTION_SCOPE]
    company = Entity.objects.most_named_in(newest).exclude(pk=entity.pk)[:15]
    return timeline, list(company)


def entity_detail(request: HttpRequest, slug: str) -> HttpResponse:
    entity = _by_slug(Entity.objects.prefetch_related("aliases"), slug)
    paginator = Paginator(Article.objects.naming(entity).for_listing(), PAGE_SIZE)
    # Counted on the index alone: the same rows as the listing (one article per mention).
    paginator.count = Mention.objects.for_entity(entity).published().count()
    page_obj = paginator.get_page(request.GET.get("page"))
    # A much-named entity's timeline and company read tens of thousands of rows: kept until the
    # index changes (every edit of an article, its mentions or links changes it).
    summary = cached("entity-page", (entity.pk, CO_MENTION_SCOPE), lambda: _entity_summary(entity))
    timeline, company = summary
    context = {
        "subject": entity,
        "page_obj": page_obj,
        "timeline": timeline,
        "timeline_chart": bar_chart([(label, n) for _, label, n in timeline], f"اشاره به {entity.name} در هر ماه"),
        "co_mentioned": company,
        "co_scope": CO_MENTION_SCOPE if page_obj.paginator.count > CO_MENTION_SCOPE else None,
    }
    return render(request, "articles/entity_detail.html", context)
