"""Feeds: undated articles last, every Atom entry dated, titled by what they show, a description
for every item; each source, category, tag and entity page links its own feed; «خبرخوان» lists them."""

import re
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest

from articles.models import Category, Entity, Source, Tag
from articles.tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db
ATOM = {"a": "http://www.w3.org/2005/Atom"}

RECORDS = [
    {
        "id": "feed-1",
        "title": "ارزش سهام عدالت امروز اعلام شد",
        "lead": "ارزش روز سهام عدالت در پایان معاملات بورس تهران اعلام شد.",
        "body": "به گزارش عصر ایران، ارزش سهام عدالت امروز افزایش یافت. بورس تهران نیز سبز بود.",
        "date": "2020-05-12T09:30:00",
        "source": "عصر ایران",
        "category": ["اقتصادی"],
        "tags": ["سهام عدالت"],
    },
    {
        "id": "feed-2",
        "title": "شاخص بورس تهران از مرز یک میلیون واحد گذشت",
        "body": (
            "شاخص کل بورس تهران در معاملات امروز از مرز یک میلیون واحد گذشت. "
            "کارشناسان بازار سرمایه این رشد را ناشی از ورود نقدینگی تازه می‌دانند. "
            "حجم معاملات نیز به رکورد تازه‌ای رسید."
        ),
        "date": "2020-05-10T08:00:00",
        "source": "عصر ایران",
        "category": ["اقتصادی"],
    },
    {
        "id": "feed-3",
        "title": "گزارشی بی‌تاریخ از معاملات بورس تهران",
        "lead": "این خبر تاریخ انتشار ندارد.",
        "body": "معاملات سهام عدالت در بورس تهران ادامه دارد.",
        "source": "عصر ایران",
        "category": ["اقتصادی"],
    },
    {
        "id": "feed-4",
        "title": "قیمت دلار در بازار آزاد کاهش یافت",
        "lead": "قیمت دلار امروز در بازار آزاد تهران کاهش یافت.",
        "body": "به گزارش تابناک، قیمت دلار در بازار آزاد کاهش یافت.",
        "date": "2020-05-11T10:00:00",
        "source": "تابناک",
        "category": ["اقتصادی"],
    },
]


@pytest.fixture
def news(import_with_bourse, tmp_path):
    return import_with_bourse(write_jsonl(tmp_path / "feeds.jsonl", RECORDS))


def _atom(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    return ET.fromstring(response.content)


def _entry_titles(feed) -> list[str]:
    return [e.find("a:title", ATOM).text for e in feed.findall("a:entry", ATOM)]


def test_undated_articles_come_last_on_the_home_page(client, news):
    html = client.get("/").content.decode()
    assert html.index("ارزش سهام عدالت امروز") < html.index("شاخص بورس تهران") < html.index("گزارشی بی‌تاریخ")


def test_site_feed_never_starts_with_an_undated_article_and_dates_every_entry(client, news):
    feed = _atom(client, "/search/feed/")
    entries = feed.findall("a:entry", ATOM)
    assert _entry_titles(feed)[0] == "ارزش سهام عدالت امروز اعلام شد"
    assert _entry_titles(feed)[-1] == "گزارشی بی‌تاریخ از معاملات بورس تهران"
    assert all(e.find("a:updated", ATOM) is not None for e in entries)
    assert entries[0].find("a:updated", ATOM).text.startswith("2020-05-12")


def test_filtered_search_feed_is_titled_by_its_source_and_keeps_its_query(client, news):
    slug = Source.objects.get(name="عصر ایران").slug
    feed = _atom(client, "/search/feed/", source=slug)
    assert feed.find("a:title", ATOM).text.startswith("تازه‌ترین خبرهای عصر ایران")
    self_link = feed.find("a:link[@rel='self']", ATOM).get("href")
    assert self_link == "http://testserver/search/feed/?" + urlencode({"source": slug})
    titles = _entry_titles(feed)
    assert len(titles) == 3 and titles[-1].startswith("گزارشی بی‌تاریخ")  # undated last, from the index too
    rss = ET.fromstring(client.get("/search/rss/", {"source": slug}).content)
    assert rss.find("channel/title").text.startswith("تازه‌ترین خبرهای عصر ایران")


def test_search_feed_is_titled_by_its_query_and_filters(client, news):
    category = Category.objects.get(name="اقتصادی").slug
    feed = _atom(client, "/search/feed/", q="بورس", category=category)
    assert feed.find("a:title", ATOM).text.startswith("جست‌وجوی «بورس» در دستهٔ اقتصادی")


def test_item_without_a_lead_is_described_by_its_first_sentences(client, news):
    rss = ET.fromstring(client.get("/search/rss/").content)
    items = {i.find("title").text: i.find("description").text for i in rss.findall("channel/item")}
    described = next(text for title, text in items.items() if title.startswith("شاخص بورس تهران"))
    assert described.startswith("شاخص کل بورس تهران در معاملات امروز از مرز")  # the body's first sentence
    assert "کارشناسان بازار سرمایه" in described
    assert all(items.values())


@pytest.mark.parametrize(
    ("model", "name", "title"),
    [
        (Source, "عصر ایران", "تازه‌ترین خبرهای عصر ایران"),
        (Category, "اقتصادی", "تازه‌ترین خبرهای دستهٔ اقتصادی"),
        (Tag, "سهام عدالت", "تازه‌ترین خبرهای برچسب سهام عدالت"),
        (Entity, "بورس تهران", "تازه‌ترین خبرها دربارهٔ بورس تهران"),
    ],
)
def test_listing_pages_link_their_own_feed(client, news, model, name, title):
    subject = model.objects.get(name=name)
    html = client.get(subject.get_absolute_url()).content.decode()
    feed_url = f"{subject.get_absolute_url()}feed/"
    head = html[: html.index("</head>")]
    assert re.search(rf'<link rel="alternate" type="application/atom\+xml" title="{title}" href="{feed_url}">', head)
    assert f'class="feed-link" href="{feed_url}"' in html  # and a link a reader sees
    feed = _atom(client, feed_url)
    assert feed.find("a:title", ATOM).text.startswith(title)
    titles = _entry_titles(feed)
    assert (titles and "قیمت دلار در بازار آزاد کاهش یافت" not in titles) or model is Category
    assert not titles[0].startswith("گزارشی بی‌تاریخ")


def test_unknown_listing_feed_is_404(client, news):
    assert client.get("/sources/no-such-source/feed/").status_code == 404


def test_feeds_page_lists_site_source_category_and_entity_feeds(client, news):
    assert 'href="/feeds/"' in client.get("/").content.decode()  # linked from the footer
    html = client.get("/feeds/").content.decode()
    assert "<h1>خبرخوان</h1>" in html
    assert 'href="/search/feed/"' in html and 'href="/search/rss/"' in html
    for model, name in ((Source, "عصر ایران"), (Source, "تابناک"), (Category, "اقتصادی"), (Entity, "بورس تهران")):
        assert f'href="{model.objects.get(name=name).get_absolute_url()}feed/"' in html
    assert "۳ خبر" in html  # عصر ایران's published articles


def test_newest_first_search_and_entity_page_put_undated_last(client, news):
    results = client.get("/api/search/", {"q": "بورس", "sort": "newest"}).json()["results"]
    assert len(results) == 3 and results[-1]["published"] is None and all(r["published"] for r in results[:-1])
    html = client.get(Entity.objects.get(slug="tehran-bourse").get_absolute_url()).content.decode()
    assert html.index("شاخص بورس تهران") < html.index("گزارشی بی‌تاریخ")
