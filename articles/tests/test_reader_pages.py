"""A reader's archive, round 2 (issue 17), as pages: charts over any span, error pages and JSON errors,
rel=canonical, graph labels, one lead for the page and the API. The same in a browser: test_reader_browser."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from django.test import Client, RequestFactory, override_settings

from articles import errors, graph
from articles.charts import MAX_BARS, bar_chart, buckets, ticks
from articles.jalali import month_name, persian_digits
from articles.models import Article, Entity, Mention
from articles.tests.conftest import REPO

pytestmark = pytest.mark.django_db


def months(count: int, first: tuple[int, int] = (1382, 2)) -> list[tuple[str, str, int]]:
    """``count`` consecutive Jalali months from ``first``, as attention() returns them."""
    year, month = first
    series = []
    for i in range(count):
        series.append((f"{year:04d}-{month:02d}", f"{month_name(month)} {persian_digits(year)}", (i * 7) % 31 + 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return series


@pytest.fixture
def demo(import_paths):
    import_paths(REPO / "demo" / "articles.jsonl", REPO / "demo" / "raw")


# ---------- 1. charts ----------


@pytest.mark.parametrize(
    ("span", "unit", "bars"), [(1, "month", 1), (12, "month", 12), (213, "season", 72), (400, "year", 34)]
)
def test_a_chart_of_any_span_groups_months_into_at_most_72_bars(span, unit, bars):
    series = months(span)
    got_unit, got = buckets(series)
    assert (got_unit, len(got)) == (unit, bars)
    assert len(got) <= MAX_BARS
    assert sum(b.count for b in got) == sum(n for *_, n in series)  # nothing lost by grouping
    assert got[0].first == series[0][0] and got[-1].last == series[-1][0]  # the newest month is in


def test_seasons_and_years_are_named_in_persian():
    _, seasons = buckets(months(213, first=(1382, 1)))
    assert seasons[0].label == "بهار ۱۳۸۲" and (seasons[0].first, seasons[0].last) == ("1382-01", "1382-03")
    _, years = buckets(months(400, first=(1370, 1)))
    assert years[0].label == "۱۳۷۰" and (years[0].first, years[0].last) == ("1370-01", "1370-12")


@pytest.mark.parametrize("span", [1, 12, 213, 400])
def test_every_bar_lies_inside_the_chart_and_links_to_its_period(span):
    svg = str(bar_chart(months(span), "آزمون", lambda first, last: f"/search/?from={first}&to={last}"))
    rects = re.findall(r'<rect class="bar" x="([\d.]+)%" y="[\d.]+" width="([\d.]+)%"', svg)
    assert rects and all(float(x) >= 0 and float(x) + float(w) <= 100.001 for x, w in rects), rects
    links = re.findall(r'<a href="([^"]+)"', svg)
    assert len(links) == len(rects)
    assert links[0].startswith("/search/?from=1382-02&amp;to=")
    assert "هر ستون: یک" in svg
    ticks_drawn = re.findall(r'<text class="tick"[^>]*>([^<]+)</text>', svg)
    assert len(ticks_drawn) >= 2 and all(re.fullmatch("[۰-۹]+", t) for t in ticks_drawn), ticks_drawn


def test_ticks_are_round_and_cover_the_tallest_bar():
    assert ticks(1) == [0, 1, 2]  # a y axis has at least two values above zero
    assert ticks(7) == [0, 2, 4, 6, 8]
    assert ticks(483) == [0, 200, 400, 600]
    assert ticks(650) == [0, 200, 400, 600, 800]
    for top in (3, 10, 99, 1000, 4321):
        scale = ticks(top)
        assert scale[-1] >= top and 3 <= len(scale) <= 5 and scale[-2] < top, (top, scale)


def test_search_page_chart_bars_filter_the_search_to_their_month(client, demo):
    html = client.get("/search/", {"q": "تهران", "sort": "newest", "page": "2"}).content.decode()
    hrefs = re.findall(r'<a href="(\?[^"]+)" tabindex="-1">', html)
    assert hrefs
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(hrefs[0].replace("&amp;", "&")).query)
    assert params["q"] == ["تهران"] and params["sort"] == ["newest"] and "page" not in params
    assert params["from"] == params["to"] or params["from"][0] < params["to"][0]
    narrowed = client.get("/api/search/", {"q": "تهران", "from": params["from"][0], "to": params["to"][0]}).json()
    everything = client.get("/api/search/", {"q": "تهران"}).json()
    assert 0 < narrowed["count"] < everything["count"]


def test_entity_chart_bars_link_to_the_search_for_that_entity_and_month(
    client, demo, django_capture_on_commit_callbacks
):
    entity = Entity.objects.create(name="شورای شهر", slug="shora")
    with django_capture_on_commit_callbacks(execute=True):  # the index follows (the chart counts from it)
        for article in Article.objects.published().exclude(published=None)[:3]:
            Mention.objects.create(article=article, entity=entity, count=1)
    html = client.get(entity.get_absolute_url()).content.decode()
    href = re.search(r'<a href="(/search/\?entity=shora&amp;from=[^"]+)"', html)
    assert href, html[:2000]


# ---------- 2. the search page's order ----------


def test_search_page_puts_the_folded_facets_before_the_results(client, demo):
    html = client.get("/search/", {"q": "تهران"}).content.decode()
    assert html.index('<aside class="facets"') < html.index('<ol class="article-list">')
    assert '<details class="fold facets-fold">' in html and "<summary>پالایش نتایج</summary>" in html
    assert '<details class="fold filters-fold">' in html  # no date chosen: folded on a phone
    dated = client.get("/search/", {"q": "تهران", "from": "1403-01"}).content.decode()
    assert '<details class="fold filters-fold" open>' in dated


# ---------- 3. errors ----------

MISSING = ["/articles/999999/", "/no/such/page/", "/entities/nobody/", "/sources/nowhere/", "/categories/none/"]


@override_settings(DEBUG=False)
@pytest.mark.parametrize("path", MISSING)
def test_missing_pages_answer_a_persian_404_in_the_site_frame(client, path):
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="fa" dir="rtl">' in html and 'name="viewport"' in html
    assert 'class="site-header"' in html and 'class="search-box"' in html
    assert "صفحه پیدا نشد" in html and 'href="/"' in html
    assert "Not Found" not in html


@override_settings(DEBUG=False)
def test_server_error_page_is_plain_persian():
    template = (REPO / "templates" / "500.html").read_text(encoding="utf-8")
    assert "{%" not in template and "{{" not in template  # nothing in it can fail in turn
    response = errors.server_error(RequestFactory().get("/articles/1/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fa" dir="rtl">' in html and 'name="viewport"' in html and 'action="/search/"' in html


@override_settings(DEBUG=False)
def test_api_errors_are_json():
    client = Client(raise_request_exception=False)
    for path in ("/api/articles/999999/", "/api/articles/999999/graph/", "/api/nothing/"):
        response = client.get(path)
        assert (response.status_code, response["Content-Type"]) == (404, "application/json"), path
        assert response.json() == {"error": "not found"}
    for path in ("/api/search/", "/api/suggest/"):
        posted = client.post(path, {"q": "تهران"})
        assert posted.status_code == 405 and posted["Allow"] == "GET, HEAD" and "error" in posted.json(), path
    bad_host = client.get("/api/search/", HTTP_HOST="evil.example")
    assert bad_host.status_code == 400 and bad_host.json() == {"error": "bad request"}
    broken = errors.server_error(RequestFactory().get("/api/search/"))
    assert broken.status_code == 500 and broken["Content-Type"] == "application/json"


# ---------- 4. item 9 ----------


def test_api_and_page_show_the_same_lead(client, demo):
    # A scraped lead with Arabic ي/ك: the page shows it readable, and so does the API.
    article = Article.objects.exclude(lead="").first()
    article.lead = "سازمان هواشناسي از افزايش غلظت آلاينده‌ها در تهران و كرج خبر داد."
    article.save()
    api_lead = client.get(f"/api/articles/{article.pk}/").json()["lead"]
    page = client.get(article.get_absolute_url()).content.decode()
    assert api_lead == "سازمان هواشناسی از افزایش غلظت آلاینده‌ها در تهران و کرج خبر داد."
    assert f'<p class="lead">{api_lead}</p>' in page


def test_graph_labels_are_cut_with_an_ellipsis_and_kept_inside():
    long = "ادامه تعطیلی‌ها در تهران؛ شاخص آلودگی هوا از ۱۷۰ گذشت و مدارس غیرحضوری شد"
    label = graph.node_label(long)
    assert len(label) == graph.LABEL_CHARS and label.endswith("…")
    assert graph.node_label("خبر کوتاه") == "خبر کوتاه"
    half = len(label) * graph.LABEL_SIZE * graph.LABEL_EM / 2
    for x in (0, 30, graph.GRAPH_SIZE / 2, graph.GRAPH_SIZE):
        centre = graph.label_x(x, label)
        assert centre - half >= 0 and centre + half <= graph.GRAPH_SIZE


# ---------- 5. rel=canonical ----------


def _canonical(client, path: str, params: dict | None = None) -> str:
    html = client.get(path, params or {}).content.decode()
    [href] = re.findall(r'<link rel="canonical" href="([^"]+)">', html)
    return href.replace("&amp;", "&")


def test_every_page_names_its_canonical_address(client, demo):
    article = Article.objects.published().first()
    for path in ("/", article.get_absolute_url(), f"/articles/{article.pk}/graph/", "/archive/1403/11/"):
        assert _canonical(client, path, {"utm_source": "x", "fbclid": "y"}) == "http://testserver" + path
    assert _canonical(client, "/", {"page": "2"}) == "http://testserver/?page=2"
    assert _canonical(client, "/", {"page": "1"}) == "http://testserver/"


def test_search_canonical_keeps_query_and_filters_in_a_stable_order(client, demo):
    shuffled = {"sort": "newest", "utm_campaign": "z", "source": "b", "q": "تهران", "page": "2", "from": "1403-01"}
    href = _canonical(client, "/search/", shuffled)
    quoted = urllib.parse.quote("تهران")
    assert href == f"http://testserver/search/?q={quoted}&source=b&from=1403-01&sort=newest&page=2"
