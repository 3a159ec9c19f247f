"""A reader's archive, round 2 (issue 17), in headless Chromium on the served demo: charts over any
span, the search page on a phone, the 404 page, graph labels and thread numbers.

Screenshots (phone 390×844, desktop 1366×900) of the chart, search and 404 pages land in
test-artifacts/screenshots/ (gitignored), beside test_browser's.
"""

# ruff: noqa: F811  (the browser and tabs fixtures are test_browser's, imported to be shared)
from __future__ import annotations

import itertools
import json
import urllib.parse
import urllib.request

import pytest

from articles.charts import bar_chart
from articles.jalali import month_name, persian_digits
from articles.tests.test_browser import SCREENSHOTS, SIZES, _goto, _settle, browser, pytestmark, tabs  # noqa: F401

SIZES = {**SIZES, "wide": {"viewport": {"width": 1366, "height": 900}}}
THREADED = "گفت‌وگوهای استانبول درباره فعالیت سفارتخانه‌ها به پایان رسید"  # linked to, with a thread
SEARCH = "/search/?q=" + urllib.parse.quote("تهران")
MIN_TEXT_PX = 11


def _open(tabs, size: str):
    context = tabs.browser.new_context(base_url=tabs.base_url, device_scale_factor=1, **SIZES[size])
    context.set_default_timeout(15_000)
    tabs.contexts.append(context)
    page = context.new_page()
    page.on("pageerror", lambda error: tabs.problems.append(f"page error: {error}"))
    return page


def _months(count: int) -> list[tuple[str, str, int]]:
    year, month, series = 1382, 2, []
    for i in range(count):
        series.append((f"{year:04d}-{month:02d}", f"{month_name(month)} {persian_digits(year)}", (i * 7) % 31 + 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return series


def _path_of(served: str, title: str) -> str:
    query = urllib.parse.quote(f'title:"{title}"')
    with urllib.request.urlopen(f"{served}/api/search/?q={query}", timeout=30) as response:
        results = json.load(response)["results"]
    [url] = [r["url"] for r in results if r["title"] == title]
    return urllib.parse.urlsplit(url).path


def _outside(page, container: str, items: str) -> list:
    """``items`` (inside ``container``) whose box pokes out of the container's box."""
    return page.evaluate(
        """([container, items]) => {
          const box = document.querySelector(container).getBoundingClientRect();
          return [...document.querySelectorAll(items)]
            .filter(e => getComputedStyle(e).display !== 'none')
            .map(e => [e.textContent.slice(0, 30), e.getBoundingClientRect()])
            .filter(([t, r]) => r.width && (r.left < box.left - 0.5 || r.right > box.right + 0.5
                                            || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5))
            .map(([t, r]) => [t, Math.round(r.left), Math.round(r.right), Math.round(r.top), Math.round(r.bottom)]);
        }""",
        [container, items],
    )


def _smallest_text_px(page, selector: str) -> float:
    """The smallest drawn size of ``selector``'s visible texts, in CSS pixels (after any viewBox scaling)."""
    return page.evaluate(
        """(selector) => Math.min(...[...document.querySelectorAll(selector)]
             .filter(e => getComputedStyle(e).display !== 'none')
             .map(e => parseFloat(getComputedStyle(e).fontSize) * e.ownerSVGElement.getScreenCTM().a))""",
        selector,
    )


# ---------- 1. charts ----------


@pytest.mark.parametrize(("span", "size"), [(1, "phone"), (12, "phone"), (213, "phone"), (400, "phone"), (400, "wide")])
def test_a_chart_of_any_span_draws_every_bar_and_label_inside(tabs, span, size):
    page = _open(tabs, size)
    _goto(page, "/")  # the site's stylesheet and font, then the chart in place of the page's content
    svg = str(bar_chart(_months(span), "آزمون", lambda first, last: f"/search/?from={first}&to={last}"))
    page.evaluate(
        "(html) => { document.querySelector('main').innerHTML = html; }", f'<figure class="chart">{svg}</figure>'
    )
    _settle(page)

    assert not _outside(page, "svg.bars", "svg.bars rect.bar, svg.bars text")
    bars = page.locator("svg.bars rect.bar")
    newest = bars.nth(bars.count() - 1).bounding_box()
    chart = page.locator("svg.bars").bounding_box()
    assert chart["x"] <= newest["x"] < chart["x"] + chart["width"] / 2 + 30  # the newest at the left, drawn
    assert _smallest_text_px(page, "svg.bars text") >= MIN_TEXT_PX
    assert page.locator("svg.bars text.tick").count() >= 2
    assert "هر ستون: یک" in page.locator("svg.bars text.unit").text_content()
    labels = page.locator("svg.bars text.axis:visible")
    assert 1 <= labels.count() <= (3 if size == "phone" else 5)


def test_a_chart_bar_filters_the_search_to_its_month(tabs):
    page = tabs.open("desktop")
    _goto(page, SEARCH)
    bar = page.locator("svg.bars a").last  # the newest period with matches
    tip = bar.locator("title").text_content()  # «بهمن ۱۴۰۳: ۴»
    with page.expect_navigation():
        bar.locator("rect.hit").click()
    _settle(page)
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    assert params["q"] == ["تهران"] and params["from"] and params["to"], page.url
    count = page.locator("p.result-count").inner_text().split()[0]
    assert tip.endswith(": " + count), (tip, count)


# ---------- 2. the search page on a phone and a desktop ----------


def test_on_a_phone_the_first_result_is_on_the_first_screen_and_facets_are_folded(tabs):
    page = tabs.open("phone")
    _goto(page, SEARCH)
    first = page.locator("ol.article-list li.article-item h2").first.bounding_box()
    assert first["y"] + first["height"] <= 844, first
    boxes = page.locator("input[type=search]")  # the page's own form only: the header's is folded away
    assert [boxes.nth(i).is_visible() for i in range(boxes.count())] == [False, True]
    facets = page.locator("aside.facets section.facet a").first
    assert not facets.is_visible()
    page.locator("details.facets-fold > summary").click()  # <details>: no script needed
    assert facets.is_visible()

    # Tab order is the order seen: no CSS `order`, and what can be focused runs down the page.
    assert page.evaluate("[...document.querySelectorAll('.layout > *')].every(e => getComputedStyle(e).order === '0')")
    tops = page.evaluate(
        """[...document.querySelectorAll('main :is(a[href], input:not([type=hidden]), button, select, summary)')]
             .filter(e => e.checkVisibility() && e.tabIndex >= 0)  // not inside a closed fold
             .map(e => Math.round(e.getBoundingClientRect().top))"""
    )
    assert tops == sorted(tops) or all(b >= a - 30 for a, b in itertools.pairwise(tops)), tops


def test_on_a_desktop_the_facets_stand_beside_the_results(tabs):
    page = _open(tabs, "wide")
    _goto(page, SEARCH)
    aside = page.locator("aside.facets").bounding_box()
    content = page.locator(".layout > .content").bounding_box()
    assert aside["x"] >= content["x"] + content["width"], (aside, content)  # at the right: first, in RTL
    assert aside["y"] < content["y"] + content["height"] and content["y"] < aside["y"] + aside["height"]
    assert page.locator("aside.facets section.facet a").first.is_visible()
    assert not page.locator("details.facets-fold > summary").is_visible()
    assert page.locator("header.site-header form.search-box input[type=search]").is_visible()  # room for both


# ---------- 3. the 404 page ----------


@pytest.mark.parametrize("path", ["/articles/999999/", "/no/such/page/"])
def test_a_missing_page_is_a_persian_page_with_the_site_header(tabs, path):
    page = _open(tabs, "phone")
    response = page.goto(path)
    _settle(page)
    assert response.status == 404
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["fa", "rtl"]
    assert page.locator("meta[name=viewport]").count() == 1
    assert page.locator("header.site-header form.search-box input[type=search]").is_visible()
    assert page.locator("h1").inner_text() == "صفحه پیدا نشد"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_navigation():
        page.locator("main a[href='/']").click()
    assert urllib.parse.urlsplit(page.url).path == "/"


# ---------- 4. item 9: graph labels, thread numbers ----------


def test_graph_labels_are_readable_on_a_phone_and_inside_the_drawing(tabs, served):
    page = tabs.open("phone")
    _goto(page, _path_of(served, THREADED) + "graph/")
    labels = page.locator("figure.graph svg text.label")
    assert labels.count() >= 2
    assert _smallest_text_px(page, "figure.graph svg text.label") >= MIN_TEXT_PX
    assert not _outside(page, "figure.graph svg", "figure.graph svg text.label")
    for i in range(labels.count()):
        shown, full = labels.nth(i).evaluate("e => [e.firstChild.textContent, e.querySelector('title').textContent]")
        assert shown == full or (shown.endswith("…") and full.startswith(shown[:-1].rstrip())), (shown, full)


def test_the_story_thread_counts_in_persian_digits(tabs, served):
    page = tabs.open("phone")
    _goto(page, _path_of(served, THREADED))
    thread = page.locator("section.related:has(#thread-h) ol")
    assert thread.locator("li").count() >= 2
    assert thread.evaluate("e => getComputedStyle(e).listStyleType") == "persian"


# ---------- 6. screenshots ----------


@pytest.mark.parametrize("size", ["phone", "wide"])
def test_screenshots_of_chart_search_and_404(tabs, size):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = _open(tabs, size)
    pages = {
        "chart-entity": "/entities/" + urllib.parse.quote("ولادیمیر-پوتین") + "/",
        "search": SEARCH,
        "404": "/articles/999999/",
    }
    for name, path in pages.items():
        response = page.goto(path)
        _settle(page)
        assert response.status == (404 if name == "404" else 200), path
        target = SCREENSHOTS / f"reader-{name}-{'desktop' if size == 'wide' else size}.png"
        page.screenshot(path=str(target), full_page=True, animations="disabled", caret="hide")
        assert target.stat().st_size > 10_000, target
