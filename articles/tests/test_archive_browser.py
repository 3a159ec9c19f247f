"""In Chromium, on the served demo: the archive's years and month picker, the «خبرخوان» page and the
«استناد» block at phone and desktop widths, without errors or sideways scrolling; the copy button
copies the citation. Screenshots land in test-artifacts/screenshots/ (archive-*, feeds-*, citation-*)."""

from __future__ import annotations

import pytest

from articles.tests.test_browser import SCREENSHOTS, _goto, _overflow, _settle, article_path, browser, sync_api, tabs

__all__ = ["article_path", "browser", "tabs"]  # fixtures shared with test_browser

pytestmark = pytest.mark.browser


def _screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True, animations="disabled", caret="hide")
    assert target.stat().st_size > 10_000, target


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_archive_years_and_month_picker(tabs, size):
    page = tabs.open(size)
    _goto(page, "/archive/")
    assert page.locator("table.archive-years th[scope=row] a", has_text="۱۴۰۳").count() == 1
    assert _overflow(page) == []
    _screenshot(page, f"archive-{size}")
    page.select_option("#archive-month", "1403-11")
    with page.expect_navigation():
        page.locator("form.month-picker button").click()
    _settle(page)
    assert page.url.endswith("/archive/1403/11/")
    assert page.locator("h1").inner_text() == "بهمن ۱۴۰۳"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_feeds_page_and_a_source_feed(tabs, size):
    page = tabs.open(size)
    _goto(page, "/")
    with page.expect_navigation():
        page.locator("footer.site-footer a", has_text="خبرخوان").click()
    _settle(page)
    assert page.locator("h1").inner_text() == "خبرخوان"
    assert _overflow(page) == []
    _screenshot(page, f"feeds-{size}")
    feed = page.locator("section[aria-labelledby=feeds-source-h] a[type='application/atom+xml']").first
    response = page.request.get(feed.get_attribute("href"))
    assert response.ok and "<feed" in response.text()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_citation_block_copies_its_text(tabs, article_path, size):
    page = tabs.open(size)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _goto(page, article_path)
    citation = page.locator("section.citation")
    citation.scroll_into_view_if_needed()
    text = page.locator("#citation-text").inner_text()
    assert "«واکنش روسیه" in text and article_path in text
    button = page.locator("button[data-copy=citation-text]")
    assert button.is_visible()  # shown by its script; hidden without JavaScript
    button.click()
    sync_api.expect(button).to_have_text("رونوشت شد")
    assert page.evaluate("navigator.clipboard.readText()") == text.strip()
    assert _overflow(page) == []
    citation.screenshot(path=str(SCREENSHOTS / f"citation-{size}.png"))
