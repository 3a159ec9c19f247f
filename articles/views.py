"""Reader-facing pages. Each view gathers one context dict; the rules live in models and modules."""

from __future__ import annotations

import csv
import datetime as dt
import logging
from urllib.parse import quote

from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property

import persian
from articles import archive, graph, jalali
from articles.charts import bar_chart
from articles.citation import cite
from articles.feeds import feed_url
from articles.links import shown
from articles.models import Article, Category, Entity, Mention, Source, Tag
from articles.ratelimit import api_limit
from articles.search import export, query
from articles.search.service import (
    SORTS,
    SearchParams,
    attention,
    cached,
    cached_count,
    monthly,
    ranked_hits,
    run_search,
)
from articles.similar import similar_articles
from articles.text_safety import has_unsafe

PAGE_SIZE = 20
log = logging.getLogger(__name__)


class _CountedPaginator(Paginator):
    """A paginator whose listing's size is counted once per index version, not on every page
    (``service.cached_count``): at 100,000 articles the count of a large source's published
    articles cost 67 ms, most of its page."""

    @cached_property
    def count(self) -> int:
        return cached_count(self.object_list)


def _paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE):
    return _CountedPaginator(queryset, per_page).get_page(request.GET.get("page"))


def _off_page(request: HttpRequest, page) -> HttpResponseRedirect | None:
    """A redirect to the page served when the asked ``page`` is not one (past the last, zero, not a
    number): Django's ``get_page`` serves the last or the first page under the asked address, and
    ``?page=999`` would then be one more address of the same page. The rest of the query is kept."""
    asked = request.GET.get("page")
    if asked is None or asked == str(page.number):
        return None
    return _to_page(request, page.number)


def _to_page(request: HttpRequest, number: int) -> HttpResponseRedirect:
    """A redirect to page ``number`` of this address, the rest of the query kept (the first page has no ``page``)."""
    kept = request.GET.copy()
    kept.pop("page", None)
    if number > 1:
        kept["page"] = str(number)
    return redirect(f"{request.path}?{kept.urlencode()}" if kept else request.path)


def home(request: HttpRequest) -> HttpResponse:
    published = Article.objects.published()
    latest = _paginate(request, published.for_listing().newest_first())
    if moved := _off_page(request, latest):
        return moved
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
    links = shown(article.links.select_related("to_article__source"))
    # Published articles with a link to this one (one row per link, as the page always listed).
    linked_from = Article.objects.published().for_listing().filter(links__to_article=article).newest_first()
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
            "thread": graph.cached_thread(article) if article.is_published else [],
            "citation": cite(article, request.build_absolute_uri(article.get_absolute_url())),
        },
    )


def article_graph(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.visible_to(request.user), pk=pk)
    hood = graph.story_graph(article, graph.cached_thread(article) if article.is_published else [])
    positions = graph.layout(hood)
    nodes = []
    for pk, (x, y) in positions.items():
        if pk in hood.nodes:
            label = graph.node_label(persian.display(hood.nodes[pk].title))
            node = {"article": hood.nodes[pk], "x": x, "y": y, "depth": hood.depth[pk], "label": label}
            nodes.append({**node, "label_x": graph.label_x(x, label), "threaded": pk in hood.threaded})
    edges = [
        {"x1": positions[a][0], "y1": positions[a][1], "x2": positions[b][0], "y2": positions[b][1], "kind": kind}
        for a, b, kind in hood.edges
    ]
    context = {"article": article, "nodes": nodes, "edges": edges, "size": graph.GRAPH_SIZE}
    return render(request, "articles/article_graph.html", context)


def search_page(request: HttpRequest) -> HttpResponse:
    params = SearchParams.from_query(request.GET, default_page_size=PAGE_SIZE)
    results = run_search(params)
    if results.count and params.page > results.num_pages:
        # Past the last page: the last page, never «۰ نتیجه» beside the facets' counts.
        return _to_page(request, results.num_pages)
    kept = request.GET.copy()
    kept.pop("page", None)
    series = attention(params, results) if results.count else []
    context = {
        "results": results,
        "params": params,
        "sorts": SORTS,
        "page_query": kept.urlencode(),
        "query_string": request.GET.urlencode(),
        "facet_groups": _facet_links(kept, results.facets),
        "chosen_filters": _chosen_filters(kept, params, results.facets),
        "export_limit": export.EXPORT_LIMIT,
        "attention": series,
        "attention_chart": bar_chart(series, "شمار خبرهای یافته در طول زمان", _period_link(kept, "")),
        "max_terms": query.MAX_TERMS,
        "max_excluded": query.MAX_EXCLUDED,
    }
    return render(request, "search/search.html", context)


def _period_link(kept, path: str):
    """A chart bar's link: the search ``kept`` (a QueryDict without ``page``) narrowed to the bar's period."""

    def link(first: str, last: str) -> str:
        narrowed = kept.copy()
        narrowed["from"], narrowed["to"] = first, last
        return f"{path}?{narrowed.urlencode()}"

    return link


FACET_PARAMS = {"source": ("منبع", "source"), "categories": ("دسته", "category"), "entities": ("نام‌ها", "entity")}
FILTER_MODELS = {
    "source": ("منبع", Source),
    "category": ("دسته", Category),
    "tag": ("برچسب", Tag),
    "entity": ("نام", Entity),
}


def _toggled(kept, param: str, slug: str) -> str:
    """The search's URL with ``slug`` added to ``param``'s values, or removed when chosen."""
    query = kept.copy()
    values = kept.getlist(param)
    query.setlist(param, [v for v in values if v != slug] if slug in values else [*values, slug])
    return "?" + query.urlencode()


def _facet_links(kept, facets: dict) -> list[dict]:
    """Each facet value's link adds it to its facet's chosen values (any of them matches) or,
    when chosen, removes it; other facets' choices stay (all of them must match)."""
    groups = []
    for name, values in facets.items():
        title, param = FACET_PARAMS[name]
        chosen = set(kept.getlist(param))
        links = [
            {"value": value, "url": _toggled(kept, param, value.slug), "chosen": value.slug in chosen}
            for value in values
        ]
        if links:
            groups.append({"title": title, "links": links})
    return groups


def _chosen_filters(kept, params: SearchParams, facets: dict) -> list[dict]:
    """What narrows the search, named, each with the link that removes it (a chosen value may be
    outside the facets' top values, or match nothing). Names come from the facets where they
    can (no query), from the database otherwise."""
    listed = {FACET_PARAMS[name][1]: {v.slug: v.name for v in values} for name, values in facets.items()}
    chosen = []
    for param, values in params.filters.items():
        title, model = FILTER_MODELS[param]
        names = {slug: name for slug, name in listed.get(param, {}).items() if slug in values}
        if missing := [v for v in values if v not in names]:
            names |= dict(model.objects.filter(slug__in=missing).values_list("slug", "name"))
        chosen += [
            {"title": title, "name": names.get(v, v), "known": v in names, "url": _toggled(kept, param, v)}
            for v in values
        ]
    return chosen


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


@api_limit
def search_export(request: HttpRequest) -> HttpResponse:
    """The search's result rows as CSV or JSON Lines (``?format=jsonl``), streamed, at most
    ``export.EXPORT_LIMIT``; rate-limited like the API."""
    kind = request.GET.get("format", "csv")
    if kind not in export.FORMATS:
        return HttpResponse("قالب خروجی csv یا jsonl است.", status=400, content_type="text/plain; charset=utf-8")
    params = SearchParams.from_query(request.GET)
    try:
        count, hits = ranked_hits(params, export.EXPORT_LIMIT)
    except Exception:  # the index is being rebuilt
        log.exception("export failed for %r", params)
        return HttpResponse("جست‌وجو موقتاً در دسترس نیست.", status=503, content_type="text/plain; charset=utf-8")
    note = export.truncation_note(count, export.EXPORT_LIMIT)
    records = export.rows(hits, request.build_absolute_uri)
    stream = export.as_csv(records, note) if kind == "csv" else export.as_jsonl(records, note)
    response = StreamingHttpResponse(stream, content_type=export.FORMATS[kind])
    response["Content-Disposition"] = f'attachment; filename="search-export.{kind}"'
    response["X-Total-Count"] = str(count)
    response["X-Export-Limit"] = str(export.EXPORT_LIMIT)
    return response


def archive_index(request: HttpRequest) -> HttpResponse:
    """The years with articles (Jalali, with counts) and a month picker; the picker's choice
    (``?month=1403-11``) goes to that month's page."""
    chosen = request.GET.get("month", "")
    if chosen:
        year, _, month = jalali.latin_digits(chosen).partition("-")
        if year.isdigit() and month.isdigit():
            return redirect("articles:archive-month", year=int(year), month=int(month))
    calendar = archive.calendar()
    context = {
        "calendar": calendar,
        "total": sum(entry["count"] for entry in calendar.values()),
        "picker": [
            (f"{year}-{number:02d}", f"{name} {jalali.persian_digits(year)}")
            for year, entry in calendar.items()
            for number, name, count in reversed(entry["months"])
            if count
        ],
    }
    return render(request, "articles/archive_index.html", context)


def archive_year(request: HttpRequest, year: int) -> HttpResponse:
    start, end = _jalali_range_or_404(year)
    dates = Article.objects.published().filter(published__gte=start, published__lt=end)
    counts = {key: n for key, _, n in jalali.monthly_counts(list(dates.values_list("published", flat=True)))}
    months = [(m, jalali.month_name(m), counts.get(f"{year:04d}-{m:02d}", 0)) for m in range(1, 13)]
    total = sum(n for *_, n in months)
    if not total:
        raise Http404("در این سال خبری در آرشیو نیست")
    context = {"year": year, "months": months, "total": total}
    context.update(_neighbours(start, end, lambda j: j.year))
    return render(request, "articles/archive_year.html", context)


def archive_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    start, end = _jalali_range_or_404(year, month)
    articles = Article.objects.published().filter(published__gte=start, published__lt=end)
    days = jalali.daily_counts(list(articles.values_list("published", flat=True)))
    if not days:
        raise Http404("در این ماه خبری در آرشیو نیست")
    if (canonical := reverse("articles:archive-month", args=[year, month])) != request.path:
        return _moved(request, canonical)
    context = {
        "year": year,
        "month": month,
        "month_name": jalali.month_name(month),
        "days": [(key.rsplit("-", 1)[1], label, n) for key, label, n in days if n],
        "page_obj": _paginate(request, articles.for_listing().order_by("-published", "-id")),
    }
    if moved := _off_page(request, context["page_obj"]):
        return moved
    context.update(_neighbours(start, end, lambda j: (j.year, j.month)))
    return render(request, "articles/archive_month.html", context)


def archive_day(request: HttpRequest, year: int, month: int, day: int) -> HttpResponse:
    start, end = _jalali_range_or_404(year, month, day)
    articles = Article.objects.published().filter(published__gte=start, published__lt=end)
    page_obj = _paginate(request, articles.for_listing().order_by("-published", "-id"))
    if not page_obj.paginator.count:
        raise Http404("در این روز خبری در آرشیو نیست")
    if (canonical := reverse("articles:archive-day", args=[year, month, day])) != request.path:
        return _moved(request, canonical)
    if moved := _off_page(request, page_obj):
        return moved
    context = {
        "year": year,
        "month": month,
        "day": day,
        "month_name": jalali.month_name(month),
        "page_obj": page_obj,
    }
    context.update(_neighbours(start, end, lambda j: (j.year, j.month, j.day)))
    return render(request, "articles/archive_day.html", context)


def _moved(request: HttpRequest, path: str) -> HttpResponsePermanentRedirect:
    """``/archive/1403/11/1/`` → ``/archive/1403/11/01/``: one address per page, query kept."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(path + (f"?{query}" if query else ""))


def _jalali_range_or_404(year: int, month: int | None = None, day: int | None = None):
    try:
        return jalali.jalali_month_range(year, month, day)
    except (ValueError, OverflowError):
        raise Http404("تاریخ نامعتبر است") from None


def _neighbours(start: dt.datetime, end: dt.datetime, period) -> dict:
    """The nearest earlier and later periods that hold articles (``period`` turns a Jalali date
    into a year, ``(year, month)`` or ``(year, month, day)``), so «قبلی» never leads to a 404."""
    published = Article.objects.published()
    before = published.filter(published__lt=start).order_by("-published").values_list("published", flat=True)
    after = published.filter(published__gte=end).order_by("published").values_list("published", flat=True)
    prev, next_ = before.first(), after.first()
    return {
        "prev": period(jalali.to_jalali(prev)) if prev else None,
        "next": period(jalali.to_jalali(next_)) if next_ else None,
    }


def _listing(request: HttpRequest, kind: str, subject, articles) -> HttpResponse:
    page = _paginate(request, articles.published().for_listing().newest_first())
    if moved := _off_page(request, page):
        return moved
    context = {"subject": subject, "page_obj": page, "feed": feed_url(kind, subject.slug)}
    return render(request, f"articles/{kind}_detail.html", context)


def _by_slug(queryset, slug: str):
    """The object with this slug, or 404. No stored slug holds a control character (they are
    stripped on save), and PostgreSQL refuses NUL in a query: such a slug is not looked up."""
    if has_unsafe(slug):
        raise Http404("نامک نادرست است")
    return get_object_or_404(queryset, slug=slug)


def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    source = _by_slug(Source, slug)
    return _listing(request, "source", source, source.articles)


def _term_or_redirect(model, slug: str):
    """The category or tag of ``slug``; the address of a spelling merged into another
    (``بین-الملل-2``) redirects to the term it became."""
    if has_unsafe(slug):
        raise Http404("چنین نامی در آرشیو نیست")
    term = model.objects.filter(slug=slug).first()
    if term is not None:
        return term, None
    merged_into = model.objects.by_old_slug(slug)
    if merged_into is None:
        raise Http404("چنین نامی در آرشیو نیست")
    return None, redirect(merged_into, permanent=True)


def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category, moved = _term_or_redirect(Category, slug)
    return moved or _listing(request, "category", category, category.articles)


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag, moved = _term_or_redirect(Tag, slug)
    return moved or _listing(request, "tag", tag, tag.articles)


CO_MENTION_SCOPE = 500  # newest articles of an entity read for its co-mentioned names


def _entity_summary(entity: Entity) -> tuple[list, list[Entity]]:
    """The entity's articles a month, and the entities most often named with it among its newest
    ``CO_MENTION_SCOPE`` articles: the company a name keeps now, at a cost that does not grow with
    the archive (ایران alone is named in half of it)."""
    mentions = Mention.objects.for_entity(entity).published()
    newest = mentions.newest_first().values("article_id")[:CO_MENTION_SCOPE]
    company = Entity.objects.most_named_in(newest).exclude(pk=entity.pk)[:15]
    return _entity_timeline(entity), list(company)


def _entity_timeline(entity: Entity) -> list:
    """Its published articles per Jalali month, counted from the search index's date column over
    the entity's postings; from the database while the index cannot be read (grouping every
    mention by Tehran day: the page's first visit in a worker cost 107–125 ms of CPU for the most
    named entities at 10,000 articles, 43–45 ms from the index)."""
    try:
        return monthly(SearchParams(entity=(entity.slug,)))
    except Exception:
        log.warning("entity timeline read from the database: the search index is unreadable", exc_info=True)
    return _entity_timeline_from_database(entity)


def _entity_timeline_from_database(entity: Entity) -> list:
    mentions = Mention.objects.for_entity(entity).published()
    days = (
        mentions.exclude(published=None)
        .annotate(day=TruncDate("published", tzinfo=jalali.TEHRAN))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return jalali.monthly_counts_by_day({row["day"]: row["n"] for row in days})


def entity_detail(request: HttpRequest, slug: str) -> HttpResponse:
    entity = _by_slug(Entity.objects.prefetch_related("aliases"), slug)
    paginator = Paginator(Article.objects.naming(entity).for_listing(), PAGE_SIZE)
    # Counted on the index alone: the same rows as the listing (one article per mention); kept
    # until the index changes (at 300,000 articles the most named entity's count was the part of
    # its page that grew with the archive).
    paginator.count = cached_count(Mention.objects.for_entity(entity).published())
    page_obj = paginator.get_page(request.GET.get("page"))
    if moved := _off_page(request, page_obj):
        return moved
    # A much-named entity's timeline and company read tens of thousands of rows: kept until the
    # index changes (every edit of an article, its mentions or links changes it).
    summary = cached("entity-page", (entity.pk, CO_MENTION_SCOPE), lambda: _entity_summary(entity))
    timeline, company = summary
    context = {
        "subject": entity,
        "page_obj": page_obj,
        "timeline": timeline,
        "timeline_chart": bar_chart(
            timeline,
            f"اشاره به {entity.name} در هر ماه",
            _period_link(QueryDict(f"entity={quote(entity.slug)}"), reverse("articles:search")),
        ),
        "co_mentioned": company,
        "co_scope": CO_MENTION_SCOPE if page_obj.paginator.count > CO_MENTION_SCOPE else None,
        "feed": feed_url("entity", entity.slug),
    }
    return render(request, "articles/entity_detail.html", context)
