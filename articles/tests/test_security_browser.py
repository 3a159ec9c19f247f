"""Hostile markup in headless Chromium: imported articles, names and queries stay text on every page.

Articles carrying XSS payloads in their title, lead, body, source, categories, tags and a «خبر مرتبط» block
go into the served archive through the real importer, with an entity (and alias) named by a payload from a
gazetteer file; then each page that shows them is opened in Chromium. The pages send a strict CSP that would
block inline scripts anyway, so the tests also check the markup itself: no element, attribute or
``javascript:`` link made from a payload, and the payload readable as literal text.

The served archive is shared by the session: everything here is added under its own ids and names, and
deleted again when the module ends.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest

import persian
from articles.tests import test_browser
from articles.tests.conftest import REPO, served_env, served_var, write_jsonl
from articles.tests.test_browser import CHROMIUM, _goto

# The real-browser fixtures: a Chromium for the module, and tabs that fail a test on a console error (a CSP
# violation among them) or a failed request.
browser, tabs = test_browser.browser, test_browser.tabs

SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
SVG = '"><svg onload=window.__xss=1>'
END_TITLE = "</title><script>window.__xss=1</script>"
MARK = '<mark onmouseover="window.__xss=1" onclick="window.__xss=1">'
JS_URL = "javascript:window.__xss=1"
PAYLOADS = [SCRIPT, IMG, SVG, END_TITLE, MARK]
LATIN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")

WORD = "نیلوفرستان"  # in no demo article: searching for it finds only what this module imported
MARKED = "آبنوسیان"  # only inside the body's own <mark> element: the highlighter must wrap a word there
TITLE = f"گفتوگو با {SCRIPT} رئیس جمهور درباره بنیاد {WORD} {END_TITLE}"
TXT_TITLE = f"{END_TITLE} نشست خبری بنیاد {WORD} در تهران"
SOURCE = f"خبرگزاری نیلوفر {SVG}"
CATEGORY = f"سیاست {SCRIPT}"
TAG = f"بودجه {IMG}"
ENTITY = f"بنیاد {WORD} {IMG}"
ALIAS = f"{WORD} {SCRIPT}"
DESCRIPTION = f"نهادی ساختگی برای آزمون امنیت {SVG}"
DOMAIN = f"niloofar.example {IMG}"
RELATED_TITLE = f"{IMG} واکنش نمایندگان به بودجه {WORD}"
TXT_LEAD = f"بنیاد {WORD} امروز نشستی خبری برگزار کرد {SCRIPT}"
TXT_PARAGRAPH = f"سخنگوی بنیاد {WORD} در این نشست گفت که {IMG} تنها یک رشته است."
TXT_RELATED = f"{SVG} گزارش تصویری از نشست {WORD}"
LEAD = f"نامه‌ای با {IMG} و {SVG} به دست خبرنگار ما رسید"
PARAGRAPHS = [
    f"به گزارش خبرگزاری نیلوفر، رئیس بنیاد {WORD} {MARK}دکتر {MARKED}</mark> در گفتوگو با خبرنگاران سخن گفت.",
    f"او افزود که نوشته‌ای مانند {SCRIPT} یا {SVG} فقط متن است و نباید اجرا شود.",
]
LINK_TITLE = f"پیوند ساختگی {SVG}"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM,
        reason="no chromium binary: run scripts/install-browser (Debian's chromium) or set CHROMIUM=/path/to/it",
    ),
]

# Everything a payload could have turned into, as a list of readable findings (empty when the page is inert).
FIND_PAYLOAD_MARKUP = """() => {
  const found = [];
  for (const selector of ['img[src="x"]', 'svg[onload]', '[onerror]', '[onload]', '[onmouseover]', '[onclick]']) {
    for (const e of document.querySelectorAll(selector)) found.push(selector + ': ' + e.outerHTML.slice(0, 120));
  }
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.attributes) if (a.name.startsWith('on')) found.push('handler: ' + e.outerHTML.slice(0, 120));
    for (const name of ['href', 'src', 'action', 'formaction', 'xlink:href']) {
      const value = e.getAttribute(name);
      if (value !== null && new URL(value, location.href).protocol === 'javascript:') {
        found.push('javascript: URL: ' + e.outerHTML.slice(0, 120));
      }
    }
  }
  for (const s of document.getElementsByTagName('script')) {
    if (s.textContent.includes('__xss')) found.push('script: ' + s.outerHTML.slice(0, 120));
  }
  return found;
}"""


def _manage(served: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        env=served_env[served],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


LOOKUP = f"""
import json
from articles.models import Article, Entity, Source, Tag, Category, RelatedLink
article = Article.objects.get(external_id="xss-browser-1")
# Neither the importer (http/www only) nor the admin (URLField) lets a javascript: link in; a restored
# backup or another tool could, so the page must not trust the database either.
RelatedLink.objects.get_or_create(
    from_article=article, position=99,
    defaults={{"title": {LINK_TITLE!r}, "url": {JS_URL!r}, "kind": RelatedLink.Kind.RELATED}},
)
entity = Entity.objects.get(aliases__name={ALIAS!r})
print(json.dumps({{
    "article": article.pk,
    "article_url": article.url,
    "txt_article": Article.objects.get(title={TXT_TITLE!r}).pk,
    "entity": entity.pk,
    "entity_path": entity.get_absolute_url(),
    "mentioned": list(entity.mentions.values_list("article__external_id", flat=True)),
    "source": Source.objects.get(name={SOURCE!r}).pk,
    "source_path": Source.objects.get(name={SOURCE!r}).get_absolute_url(),
    "tag_path": Tag.objects.get(name={TAG!r}).get_absolute_url(),
    "category_path": Category.objects.get(name={CATEGORY!r}).get_absolute_url(),
}}))
"""

CLEAN_UP = """
from django.db.models import Q
from articles.models import Article, Category, Entity, Source, Tag
hostile = Q(name__contains="__xss") | Q(name__contains="نیلوفر")
Article.objects.filter(Q(external_id__startswith="xss-browser-") | Q(title__contains="__xss")).delete()
for model in (Entity, Source, Category, Tag):
    model.objects.filter(hostile).delete()
"""


@pytest.fixture(scope="module")
def hostile(served, tmp_path_factory) -> dict:
    """Import the payloads into the served archive; yields the ids and paths of what they became."""
    folder = tmp_path_factory.mktemp("xss")
    today = dt.date.today().isoformat()  # the newest article: on the home page, its entity "this week"
    write_jsonl(
        folder / "hostile.jsonl",
        [
            {
                "id": "xss-browser-1",
                "title": TITLE,
                "lead": LEAD,
                "body": "\n".join([*PARAGRAPHS, f"این سخنان در نشست خبری تهران بیان شد.خبر مرتبط: {RELATED_TITLE}"]),
                "source": SOURCE,
                "source_domain": DOMAIN,
                "url": JS_URL,
                "date": today,
                "category": [CATEGORY],
                "tags": [TAG, SVG],
            }
        ],
    )
    (folder / "hostile.txt").write_text(
        "\n".join(
            [
                TXT_TITLE,
                f"نیلوفرنیوز: {TXT_LEAD}",
                TXT_PARAGRAPH,
                f"او درباره بودجه نیز سخن گفت.خبر مرتبط: {TXT_RELATED}",
            ]
        ),
        encoding="utf-8",
    )
    gazetteer = folder / "gazetteer.jsonl"
    write_jsonl(
        gazetteer,
        [{"name": ENTITY, "kind": "organization", "aliases": [f"بنیاد {WORD}", ALIAS], "description": DESCRIPTION}],
    )
    try:
        _manage(served, "import_articles", str(folder))
        _manage(served, "load_gazetteer", str(gazetteer))
        _manage(served, "extract_entities")  # re-extract: the entity arrived after its articles
        found = json.loads(_manage(served, "shell", "-c", LOOKUP).strip().splitlines()[-1])
        yield found
    finally:
        _manage(served, "shell", "-c", CLEAN_UP)
        with urllib.request.urlopen(f"{served}/api/search/?q={urllib.parse.quote(WORD)}", timeout=30) as response:
            assert json.load(response)["count"] == 0, "the hostile articles are still in the search index"


@pytest.fixture
def watched(tabs):
    """A desktop tab that records dialogs (alert, confirm, prompt) instead of showing them."""
    page = tabs.open("desktop")
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    return page


def _open(page, path: str):
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"
    page.wait_for_load_state("load")
    return response


def _assert_inert(page, response, path: str) -> None:
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "object-src 'none'" in policy, f"{path}: CSP {policy!r}"
    assert page.evaluate("typeof window.__xss") == "undefined", f"{path}: a payload ran"
    assert page.dialogs == [], f"{path}: dialogs {page.dialogs}"
    assert page.evaluate(FIND_PAYLOAD_MARKUP) == [], path


def shown(raw: str) -> str:
    """Scraped text as reader pages show it (``fa_text`` spaces punctuation, Persian digits), in Latin digits."""
    return persian.display(raw).translate(LATIN_DIGITS)


def _title(page) -> str:
    return page.title().translate(LATIN_DIGITS)


def _text(page, selector: str = "body") -> str:
    """The text shown, with Latin digits: reader pages show «window.__xss=۱» for «window.__xss=1»."""
    return page.locator(selector).first.inner_text().translate(LATIN_DIGITS)


def test_the_payloads_were_imported_as_written(hostile):
    assert hostile["article_url"] == JS_URL
    assert "xss-browser-1" in hostile["mentioned"]


def _open_article(page, pk: int, title: str, lead: str) -> None:
    """Open an article page: inert, its headline (page title too) and lead shown as written."""
    path = f"/articles/{pk}/"
    _assert_inert(page, _open(page, path), path)
    assert _text(page, "article h1") == shown(title)
    assert _title(page).startswith(shown(title))
    assert _text(page, "article p.lead") == shown(lead)


def test_article_page_shows_every_payload_as_text(watched, hostile):
    _open_article(watched, hostile["article"], TITLE, LEAD)
    assert [p.translate(LATIN_DIGITS) for p in watched.locator("article div.body p").all_inner_texts()] == [
        *map(shown, PARAGRAPHS),
        shown("این سخنان در نشست خبری تهران بیان شد."),
    ]
    assert watched.locator("article div.body mark").count() == 0
    assert watched.locator("article ul.chips a").all_inner_texts() == [CATEGORY, f"#{SVG}", f"#{TAG}"]
    assert watched.locator("article header p.meta a").first.inner_text() == SOURCE
    related = _text(watched, "section.related")
    assert shown(RELATED_TITLE) in related and shown(LINK_TITLE) in related
    assert ENTITY in watched.locator("section.entities a").all_inner_texts()
    # The javascript: related link and original URL are shown as no link at all (the markup check found none).
    assert watched.locator("a", has_text="پیوند ساختگی").count() == 0
    assert "نشانی اصلی" not in _text(watched, "article")


def test_raw_text_page_with_a_title_closing_tag(watched, hostile):
    _open_article(watched, hostile["txt_article"], TXT_TITLE, TXT_LEAD)
    assert shown(TXT_PARAGRAPH) in _text(watched, "article div.body")
    assert shown(TXT_RELATED) in _text(watched, "section.related")


@pytest.mark.parametrize("payload", PAYLOADS, ids=["script", "img", "svg", "end-title", "mark"])
def test_a_payload_as_the_query_is_echoed_as_text(watched, hostile, payload):
    query = f"{MARKED} OR {payload}"
    path = "/search/?q=" + urllib.parse.quote(query)
    response = _open(watched, path)
    _assert_inert(watched, response, path)
    assert watched.input_value("#q") == query
    assert watched.input_value("#site-q") == query
    assert payload in _title(watched)
    assert MARKED in watched.locator("ol.article-list mark").all_inner_texts()  # highlights next to the payload


def test_highlighted_results_and_the_attention_chart_stay_inert_on_hover_and_click(watched, hostile):
    path = "/search/?q=" + urllib.parse.quote(MARKED)
    response = _open(watched, path)
    _assert_inert(watched, response, path)
    titles = watched.locator("ol.article-list li.article-item h2 a").all_inner_texts()
    assert shown(TITLE) in [t.translate(LATIN_DIGITS) for t in titles], titles
    assert "onmouseover=" in _text(watched, "ol.article-list p.snippet"), "the body's own <mark>, as text"
    marks = watched.locator("ol.article-list mark")
    assert MARKED in marks.all_inner_texts()
    for i in range(marks.count()):
        assert marks.nth(i).evaluate("m => m.attributes.length") == 0  # only our own bare <mark>
        marks.nth(i).hover()
        marks.nth(i).click()
    assert watched.locator("figure.chart svg rect.bar").count() > 0  # the attention chart is drawn
    assert SOURCE in _text(watched, "aside.facets")
    _assert_inert(watched, response, path)


@pytest.mark.parametrize("where", ["home", "entity", "source", "tag", "category", "graph"])
def test_listing_pages_show_payload_names_as_text(watched, hostile, where):
    path, expected = {
        "home": ("/", [shown(TITLE), ENTITY]),
        "entity": (hostile["entity_path"], [ENTITY, ALIAS, DESCRIPTION, shown(TITLE), shown(TXT_TITLE)]),
        "source": (hostile["source_path"], [SOURCE, DOMAIN, shown(TITLE)]),
        "tag": (hostile["tag_path"], [TAG, shown(TITLE)]),
        "category": (hostile["category_path"], [CATEGORY, shown(TITLE)]),
        "graph": (f"/articles/{hostile['article']}/graph/", [shown(TITLE)]),
    }[where]
    response = _open(watched, path)
    _assert_inert(watched, response, path)
    text = _text(watched, "main")
    assert all(piece in text for piece in expected), (where, text[:2000])
    if where == "entity":
        assert watched.locator("figure.chart svg rect.bar").count() > 0  # the monthly timeline
        assert ENTITY in watched.locator("figure.chart svg title").first.text_content()


@pytest.mark.parametrize("feed", ["feed", "rss"])
def test_feeds_carry_payloads_as_text(watched, hostile, feed):
    path = f"/search/{feed}/?q=" + urllib.parse.quote(WORD)
    response = _open(watched, path)
    _assert_inert(watched, response, path)
    # Chromium shows a feed as an XML tree; payloads are text nodes, never elements of the feed.
    xml = response.text()
    assert "window.__xss" in xml and "<script>" not in xml and "<img " not in xml and "<svg " not in xml
    assert (
        watched.evaluate("document.getElementsByTagName('img').length + document.getElementsByTagName('svg').length")
        == 0
    )


def test_admin_lists_and_forms_show_payloads_as_text(watched, served, hostile):
    password = (served_var[served] / "editor-password").read_text().strip()
    _goto(watched, "/admin/login/")
    watched.fill("#id_username", "editor")
    watched.fill("#id_password", password)
    with watched.expect_navigation():
        watched.click("input[type=submit]")
    assert "/admin/login/" not in watched.url, "the editor could not log in"
    q = urllib.parse.quote(WORD)
    pages = {
        f"/admin/articles/article/?q={q}": [SCRIPT, END_TITLE, SOURCE],
        f"/admin/articles/article/{hostile['article']}/change/": [RELATED_TITLE, ENTITY],
        f"/admin/articles/article/{hostile['article']}/history/": [],
        f"/admin/articles/entity/?q={q}": [ENTITY],
        f"/admin/articles/entity/{hostile['entity']}/change/": [],
        f"/admin/articles/source/{hostile['source']}/change/": [],
        "/admin/articles/tag/?q=" + urllib.parse.quote("بودجه"): [TAG],
        "/admin/articles/relatedlink/?q=" + urllib.parse.quote("پیوند ساختگی"): [LINK_TITLE],
    }
    for path, expected in pages.items():
        response = _open(watched, path)
        _assert_inert(watched, response, path)
        text = _text(watched, "#content")
        assert all(piece in text for piece in expected), (path, text[:2000])
    # Form fields hold the payloads as their values, untouched.
    _open(watched, f"/admin/articles/article/{hostile['article']}/change/")
    assert watched.input_value("#id_title") == TITLE
    _open(watched, f"/admin/articles/entity/{hostile['entity']}/change/")
    assert watched.input_value("#id_name") == ENTITY
