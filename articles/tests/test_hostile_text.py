"""Text no reader should see: control characters (never stored, never breaking a feed) and markup
in a lead (shown by feed readers as text, never run)."""

import html
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection

from articles.models import Article, Source
from articles.roles import EDITORS
from articles.tests.conftest import REPO, SEED

pytestmark = pytest.mark.django_db

CONTROLS = "\x01\x00\x1b\x7f\ufffe\uffff"
ATOM = "{http://www.w3.org/2005/Atom}"
MARKUP = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def _dirty(text: str) -> str:
    """Persian text with control characters between its words (NUL where the database stores
    it: PostgreSQL refuses NUL in text, so no row there can hold one)."""
    nul = "" if connection.vendor == "postgresql" else "\x00"
    return "\x01 ".join(text.split(" ", 2)[:2]) + f"{nul} " + text + "\ufffe"


@pytest.fixture
def seed(import_paths) -> Article:
    import_paths(SEED)
    return Article.objects.get()


def test_saving_strips_control_characters_and_lone_surrogates(seed):
    source = Source.objects.create(name="خبرگزاری\x01 تست\ud800", slug="test-agency")
    article = Article.objects.create(
        external_id="ctl-1",
        title="قیمت\x01 طلا و ارز\x00 امروز\ud800",
        lead="لید\ufffe خبر با نیم‌فاصله\u200c و نشانهٔ راست‌به‌چپ\u200f",
        body="بند نخست\x1b\n\nبند دوم\x7f",
        source=source,
    )
    article.refresh_from_db()
    source.refresh_from_db()
    assert article.title == "قیمت طلا و ارز امروز"
    assert article.lead == "لید خبر با نیم‌فاصله\u200c و نشانهٔ راست‌به‌چپ\u200f"  # ZWNJ and RLM stay
    assert article.body == "بند نخست\n\nبند دوم"
    assert source.name == "خبرگزاری تست"


def test_editor_cannot_store_control_characters(client, seed, django_capture_on_commit_callbacks):
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from write_load import form_fields

    user = User.objects.create_user("sara", password="a-long-editor-pass-1403", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    url = f"/admin/articles/article/{seed.pk}/change/"
    data = form_fields(client.get(url).content.decode())
    data["title"] = ["واکنش روسیه به\x00 گفت‌وگوی پوتین و ترامپ"]
    assert client.post(url, data).status_code == 200  # Django's forms refuse NUL outright
    data["title"] = ["واکنش\x01 روسیه به\x1f گفت‌وگوی پوتین و ترامپ"]
    data["lead"] = ["لید\x02 تازه"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302  # other controls are saved without them
    seed.refresh_from_db()
    assert (seed.title, seed.lead) == ("واکنش روسیه به گفت‌وگوی پوتین و ترامپ", "لید تازه")
    assert client.get("/search/feed/").status_code == 200


def _parse(response) -> ET.Element:
    assert response.status_code == 200, response.status_code
    return ET.fromstring(response.content)  # raises on any character XML 1.0 refuses


def test_a_stored_control_character_breaks_no_feed_sitemap_api_or_page(client, seed):
    # Rows written around Article.save (an old row, a QuerySet.update): output strips them too.
    Article.objects.filter(pk=seed.pk).update(
        title=_dirty(seed.title), lead=_dirty(seed.lead), body=_dirty(seed.body), agency=_dirty("ایرنا")
    )
    Source.objects.filter(pk=seed.source_id).update(name=_dirty("اقتصادنیوز"))
    for url in ("/search/feed/", "/search/rss/", "/search/feed/?q=%01", "/search/rss/?q=%00", "/sitemap.xml"):
        root = _parse(client.get(url))
        assert not any(c in ET.tostring(root, encoding="unicode") for c in CONTROLS), url
    titles = [e.text for e in _parse(client.get("/search/feed/")).iter(f"{ATOM}title")]
    assert any(t and "پوتین" in t for t in titles)
    for url in ("/sitemap-articles.xml", "/sitemap-sources.xml"):
        _parse(client.get(url))
    pages = ["/", f"/articles/{seed.pk}/", f"/api/articles/{seed.pk}/", f"/articles/{seed.pk}/graph/"]
    pages += [f"/api/articles/{seed.pk}/graph/", "/search/?q=%01", "/search/?q=%00", "/api/search/?q=%01"]
    pages += ["/api/suggest/?q=%01", "/api/search/?q=%00%01ریابکوف", "/search/?q=ریابکوف%01&from=%00"]
    for url in pages:
        assert client.get(url, REMOTE_ADDR="127.0.0.1").status_code == 200, url


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)


def _markup_in(text: str) -> list[str]:
    """The elements a feed reader would build from ``text`` read as HTML."""
    parser = _Tags()
    parser.feed(text or "")
    return parser.tags


def test_feed_readers_show_markup_in_a_lead_as_text(client, seed):
    Article.objects.filter(pk=seed.pk).update(lead=f"لید خبر {MARKUP} پایان")
    atom = _parse(client.get("/search/feed/"))
    summaries = [e for e in atom.iter(f"{ATOM}summary")]
    rss = _parse(client.get("/search/rss/"))
    descriptions = [e for e in rss.iter("description") if "لید خبر" in (e.text or "")]
    assert summaries and descriptions
    for element in summaries + descriptions:
        # The XML parser undid the XML escaping; what is left is what a reader renders as HTML.
        assert _markup_in(element.text) == [], element.text
        shown = html.unescape(element.text)  # what the reader sees: the characters typed
        assert "<img src=x" in shown and "<script>" in shown
