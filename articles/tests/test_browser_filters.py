"""In headless Chromium, at phone and desktop widths: two sources chosen from the facets (both
checked, results of either), numbered pages to the last one, the export link; screenshots land
in test-artifacts/screenshots/search-filters-*.png."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from articles.tests import test_browser as tb

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements-dev.txt)")

pytestmark = tb.pytestmark


@pytest.fixture(scope="module")
def chromium():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=tb.CHROMIUM, args=tb.CHROMIUM_ARGS, timeout=30_000)
        yield browser
        browser.close()


@pytest.fixture
def pages(chromium, served):
    tabs = tb.Tabs(chromium, served)
    yield tabs
    tabs.close()
    assert not tabs.problems, "\n".join(tabs.problems)


def _source_items(page):
    fold = page.locator("details.facets-fold:not([open]) > summary")
    if fold.count() and fold.is_visible():  # on a phone the facets are folded behind «پالایش نتایج»
        fold.click()
    group = page.locator("aside.facets section.facet").filter(has=page.get_by_role("heading", name="منبع"))
    return group.locator("li")


def _name(text: str) -> str:
    return text.strip("☐☑ ")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_two_sources_numbered_pages_and_export(pages, size):
    page = pages.open(size)
    tb._goto(page, "/search/?q=" + urllib.parse.quote("ایران") + "&page_size=2")
    items = _source_items(page)
    assert items.count() >= 2
    names = [_name(items.nth(i).locator("a[role=checkbox]").inner_text()) for i in (0, 1)]
    counts = [tb._count(items.nth(i).locator("span.count").inner_text()) for i in (0, 1)]

    for name in names:  # each click adds a source to the chosen ones
        link = _source_items(page).locator("a[role=checkbox]", has_text=name).first
        with page.expect_navigation():
            link.click()
        tb._settle(page)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    assert len(query["source"]) == 2, page.url
    _source_items(page)  # unfolds the facets again on a phone
    checked = page.locator("aside.facets a[role=checkbox][aria-checked=true]").all_inner_texts()
    assert sorted(_name(c) for c in checked) == sorted(names)
    count = tb._count(page.locator("p.result-count").inner_text())
    assert count == sum(counts)  # either source: the facets' counts add up

    nav = page.locator("nav.pagination").first
    last = -(-count // 2)
    if last > 1:
        assert tb._count(nav.locator("li[aria-current=page]").inner_text()) == 1
        with page.expect_navigation():
            nav.locator(f"a[href$='page={last}']").first.click()
        tb._settle(page)
        assert re.search(rf"page={last}\b", page.url)
        assert page.locator("nav.pagination a[rel=prev]").count() == 1
        assert page.locator("nav.pagination a[rel=next]").count() == 0

    tb.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = tb.SCREENSHOTS / f"search-filters-{size}.png"
    page.screenshot(path=str(target), full_page=True, animations="disabled", caret="hide")
    assert target.stat().st_size > 10_000

    export = page.locator("p.export a", has_text="CSV").get_attribute("href")
    response = page.request.get(export)
    assert response.status == 200 and response.body().decode("utf-8").startswith("\ufeffid,title,source")
