"""Real-browser end-to-end tests: the served demo archive in headless Chromium, driven by Playwright.

Uses Debian's `chromium` (Playwright's own browser downloads are not available here); `scripts/install-browser`
installs it. Set CHROMIUM=/path/to/chromium to use another binary. Screenshots of the home, search and article
pages at phone and desktop widths land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import urllib.parse
import urllib.request

import pytest

from articles.tests.conftest import REPO

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements-dev.txt)")

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    # Not emulating a phone: mobile Chromium zooms out to fit an overflow, which hides the culprit.
    "narrow": {"viewport": {"width": 360, "height": 740}},
}
SEED_TITLE = "واکنش روسیه به احتمال گفتوگو بین پوتین و ترامپ"
FA_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM,
        reason="no chromium binary: run scripts/install-browser (Debian's chromium) or set CHROMIUM=/path/to/it",
    ),
]


def _is_favicon(url: str) -> bool:
    return urllib.parse.urlsplit(url).path == "/favicon.ico"


class Tabs:
    """Opens pages in fresh browser contexts and records what went wrong on any of them."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.problems: list[str] = []
        self.responses: list = []

    def open(self, size: str = "desktop"):
        context = self.browser.new_context(base_url=self.base_url, device_scale_factor=1, **SIZES[size])
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        page.on("response", self._on_response)
        return page

    def _on_console(self, message) -> None:
        # Known: no favicon, so Chromium's automatic /favicon.ico request 404s on the first page of a
        # context (tested on its own, as an expected failure, in test_the_site_has_a_favicon).
        if message.type == "error" and not _is_favicon(message.location.get("url", "")):
            self.problems.append(f"console error: {message.text} ({message.location.get('url')})")

    def _on_response(self, response) -> None:
        self.responses.append(response)
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        yield browser
        browser.close()


@pytest.fixture
def tabs(browser, served):
    """Every test fails (at teardown) on a console error, an uncaught exception or a failed/4xx/5xx request."""
    tabs = Tabs(browser, served)
    yield tabs
    tabs.close()
    assert not tabs.problems, "\n".join(tabs.problems)


@pytest.fixture(scope="module")
def article_path(served) -> str:
    """The seed article's page: the longest demo article, with related links, entities and a long source URL."""
    query = urllib.parse.quote(f'title:"{SEED_TITLE}"')
    with urllib.request.urlopen(f"{served}/api/search/?q={query}", timeout=30) as response:
        results = json.load(response)["results"]
    [url] = [r["url"] for r in results if r["title"] == SEED_TITLE]
    return urllib.parse.urlsplit(url).path


def _settle(page) -> None:
    """Wait until the page and its web font have loaded."""
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => null)")


def _goto(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"
    _settle(page)


def _count(text: str) -> int:
    """The number in «۱۱ نتیجه» or «۴»."""
    return int(re.search(r"\d+", text.translate(FA_DIGITS)).group())


def _search_from_header(page, query: str) -> None:
    box = page.locator("header.site-header form.search-box input[type=search]")
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")
    _settle(page)


def _overflow(page) -> list[str]:
    """Elements sticking out of the viewport sideways, for a readable failure message."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          return [...document.querySelectorAll('body *')]
            .map(e => [e, e.getBoundingClientRect()])
            .filter(([e, r]) => r.width && (r.left < -0.5 || r.right > width + 0.5))
            .slice(0, 8)
            .map(([e, r]) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')
                             + ` ${Math.round(r.left)}..${Math.round(r.right)}`);
        }"""
    )


def test_home_page_is_right_to_left_persian_in_vazirmatn_without_errors(tabs):
    page = tabs.open("desktop")
    _goto(page, "/")

    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "fa"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.locator("h1").inner_text() == "تازه‌ترین خبرها"
    assert page.locator("ol.article-list > li.article-item h2 a").count() > 0

    # The web font: requested and served, loaded into the document, and the one the heading is drawn with.
    fonts = [r for r in tabs.responses if "/fonts/vazirmatn/" in urllib.parse.unquote(r.url)]
    assert fonts and all(r.status == 200 for r in fonts), [(r.url, r.status) for r in fonts]
    assert page.evaluate("document.fonts.check('16px Vazirmatn')")
    faces = page.evaluate("[...document.fonts].map(f => [f.family.replaceAll('\"', ''), f.status])")
    assert ["Vazirmatn", "loaded"] in faces, faces
    assert page.evaluate("getComputedStyle(document.body).fontFamily").strip('"').startswith("Vazirmatn")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    h1 = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": h1})["fonts"]
    assert [f["familyName"] for f in used] == ["Vazirmatn"], used

    # Headings hug the right edge: the heading's text ends where its box ends, on the right side of the page.
    box = page.evaluate(
        """() => {
          const h1 = document.querySelector('h1'), range = document.createRange();
          range.selectNodeContents(h1);
          const text = range.getBoundingClientRect(), rect = h1.getBoundingClientRect();
          return {text_left: text.left, text_right: text.right, right: rect.right,
                  padding: parseFloat(getComputedStyle(h1).paddingRight), width: innerWidth,
                  align: getComputedStyle(h1).textAlign};
        }"""
    )
    assert box["align"] in ("start", "right"), box
    assert abs(box["text_right"] - (box["right"] - box["padding"])) <= 2, box
    assert box["width"] - box["text_right"] <= 0.1 * box["width"] < box["text_left"], box

    assert not tabs.problems, "\n".join(tabs.problems)


@pytest.mark.parametrize(
    ("query", "stems", "expected_title", "size"),
    [
        ("گفتوگو", ["گفت"], SEED_TITLE, "desktop"),
        ("آلودگی هوا", ["آلود", "هوا"], "مدارس تهران به دلیل آلودگی هوا غیرحضوری شد", "phone"),
    ],
    ids=["goftogoo-desktop", "aloodegi-hava-phone"],
)
def test_search_facet_and_article(tabs, query, stems, expected_title, size):
    page = tabs.open(size)
    _goto(page, "/")

    # Search from the header box on the home page.
    _search_from_header(page, query)
    url = urllib.parse.urlsplit(page.url)
    assert url.path == "/search/" and urllib.parse.parse_qs(url.query)["q"] == [query]
    assert page.locator("header.site-header form.search-box input[type=search]").input_value() == query
    count = _count(page.locator("p.result-count").inner_text())
    titles = page.locator("ol.article-list li.article-item h2 a").all_inner_texts()
    assert 0 < len(titles) == min(count, 20), (count, titles)
    assert expected_title in titles
    marks = [m.replace("\u200c", "").replace(" ", "") for m in page.locator("ol.article-list mark").all_inner_texts()]
    assert marks and all(any(stem in mark for stem in stems) for mark in marks), marks

    # Apply the first facet (a source): the URL gains the filter, and the results are that facet's.
    fold = page.locator("details.facets-fold > summary")
    if fold.is_visible():  # on a phone the facets are folded behind «پالایش نتایج»
        fold.click()
    facet = page.locator("aside.facets section.facet li").first
    name = facet.locator("a").inner_text()
    slug = urllib.parse.parse_qs(urllib.parse.urlsplit(facet.locator("a").get_attribute("href")).query)["source"][0]
    facet_count = _count(facet.locator("span.count").inner_text())
    with page.expect_navigation():
        facet.locator("a").click()
    _settle(page)
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    assert params["q"] == [query] and params["source"] == [slug], page.url
    filtered = _count(page.locator("p.result-count").inner_text())
    assert filtered == facet_count <= count
    sources = page.locator("ol.article-list li.article-item p.meta a").all_inner_texts()
    assert sources == [name] * min(filtered, 20), sources

    # Open the first result: its page shows the same title and the article's paragraphs.
    first = page.locator("ol.article-list li.article-item h2 a").first
    title = first.inner_text()
    with page.expect_navigation():
        first.click()
    _settle(page)
    assert re.fullmatch(r"/articles/\d+/", urllib.parse.urlsplit(page.url).path), page.url
    assert page.locator("article.article h1").inner_text() == title
    assert title in page.title()
    paragraphs = [p.strip() for p in page.locator("article.article div.body > p").all_inner_texts()]
    assert paragraphs and all(paragraphs), paragraphs


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(tabs):
    page = tabs.open("desktop")
    _goto(page, "/")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("document.activeElement.textContent") == "پرش به محتوا"
    box = page.locator("a.skip-link").bounding_box()
    assert box["y"] >= 0 and box["x"] + box["width"] <= 1280, f"the focused skip link is off screen: {box}"

    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#main'")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab continues inside main, past the header's links.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


@pytest.mark.parametrize("where", ["home", "search", "article"])
def test_no_horizontal_scroll_at_360px(tabs, article_path, where):
    page = tabs.open("narrow")
    path = {"home": "/", "search": "/search/?q=" + urllib.parse.quote("آلودگی هوا"), "article": article_path}[where]
    _goto(page, path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{path} scrolls sideways ({width}px): {_overflow(page)}"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_screenshots(tabs, article_path, size):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = tabs.open(size)
    pages = {
        "home": "/",
        "search": "/search/?q=" + urllib.parse.quote("آلودگی هوا"),
        "article": article_path,
    }
    for name, path in pages.items():
        _goto(page, path)
        target = SCREENSHOTS / f"{name}-{size}.png"
        page.screenshot(path=str(target), full_page=True, animations="disabled", caret="hide")
        assert target.stat().st_size > 10_000, target


def test_the_site_has_a_favicon(tabs):
    page = tabs.open("desktop")
    _goto(page, "/")
    declared = page.locator("link[rel~=icon]").count() > 0
    assert declared or page.request.get("/favicon.ico").ok


def test_the_font_is_fetched_once_thanks_to_the_preload(tabs):
    page = tabs.open("desktop")
    _goto(page, "/")
    fetched = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    fonts = [url for url in fetched if url.endswith(".woff2")]
    assert len(fonts) == 1, fonts


def test_an_editor_fixes_a_title_in_the_admin_and_readers_find_it(tabs, served, article_path):
    from articles.tests.conftest import served_var

    password = (served_var[served] / "editor-password").read_text().strip()
    page = tabs.open("desktop")
    _goto(page, "/admin/login/")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    page.fill("#id_username", "editor")
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_load_state("load")
    article_id = article_path.strip("/").split("/")[-1]
    change = f"/admin/articles/article/{article_id}/change/"
    _goto(page, change)
    original = page.input_value("#id_title")
    new_title = "واکنش روسیه به احتمال گفت‌وگوی پوتین و ترامپ؛ مسکو منتظر تماس تلفنی"
    try:
        page.fill("#id_title", new_title)
        page.click("input[name=_save]")
        page.wait_for_load_state("load")
        assert "/admin/articles/article/" in page.url
        _goto(page, "/search/?q=" + urllib.parse.quote("منتظر تماس"))
        assert new_title in page.inner_text("ol.article-list")
    finally:  # the served archive is shared with other tests: put the seed's title back
        _goto(page, change)
        page.fill("#id_title", original)
        page.click("input[name=_save]")
        page.wait_for_load_state("load")
