"""The reader's archive on the demo data: Jalali archive pages, filters, facets, sort, charts, feeds."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from articles import jalali
from articles.models import Article, Category, Source
from articles.tests.conftest import REPO

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(import_paths):
    import_paths(REPO / "demo" / "articles.jsonl", REPO / "demo" / "raw")


def test_jalali_archive_year_month_day(client, demo):
    article = Article.objects.get(external_id="demo-0038")  # dated only by date_jalali 1403-11-01
    html = client.get("/archive/1403/").content.decode()
    assert "آرشیو سال ۱۴۰۳" in html and 'href="/archive/1403/11/"' in html
    html = client.get("/archive/1403/11/").content.decode()
    assert "بهمن ۱۴۰۳" in html and article.get_absolute_url() in html
    assert 'href="/archive/1403/10/"' in html and 'href="/archive/1403/12/"' in html  # month navigation
    html = client.get("/archive/1403/11/01/").content.decode()
    assert article.get_absolute_url() in html
    assert client.get("/archive/1403/13/").status_code == 404
    assert 'href="/archive/1403/"' in client.get("/archive/").content.decode()  # the list of years


def test_date_range_filter_accepts_jalali_and_gregorian(client, demo):
    in_1403 = client.get("/api/search/", {"q": "تهران", "from": "1403-01-01", "to": "1403-12-30"}).json()
    gregorian = client.get("/api/search/", {"q": "تهران", "from": "2024-03-20", "to": "2025-03-20"}).json()
    assert in_1403["count"] == gregorian["count"] > 0
    for result in in_1403["results"]:
        assert result["published_jalali"].startswith("1403-")
    everything = client.get("/api/search/", {"q": "تهران"}).json()
    assert everything["count"] > in_1403["count"]


def test_facets_count_and_filter(client, demo):
    data = client.get("/api/search/", {"q": "تهران"}).json()
    sources = data["facets"]["source"]
    assert sum(f["count"] for f in sources) == data["count"]
    first = sources[0]
    narrowed = client.get("/api/search/", {"q": "تهران", "source": first["slug"]}).json()
    assert narrowed["count"] == first["count"]
    assert {r["source"] for r in narrowed["results"]} == {first["name"]}
    category = Category.objects.get(name="محیط زیست")
    by_category = client.get("/api/search/", {"q": "هوا", "category": category.slug}).json()
    assert by_category["count"] > 0


def test_sort_newest_orders_by_date(client, demo):
    data = client.get("/api/search/", {"q": "روسیه", "sort": "newest"}).json()
    dates = [r["published"] for r in data["results"] if r["published"]]
    assert len(dates) > 2 and dates == sorted(dates, reverse=True)


def test_search_page_facets_chart_csv_and_feed_links(client, demo):
    html = client.get("/search/", {"q": "آلودگی هوا"}).content.decode()
    assert 'class="facets"' in html and "<svg" in html and "attention.csv" in html
    csv_text = client.get("/search/attention.csv", {"q": "آلودگی هوا"}).content.decode("utf-8-sig")
    rows = [line.split(",") for line in csv_text.strip().splitlines()]
    assert rows[0] == ["period", "label", "articles"]
    results = client.get("/api/search/", {"q": "آلودگی هوا", "page_size": 100}).json()["results"]
    assert sum(int(row[2]) for row in rows[1:]) == sum(1 for r in results if r["published"])  # undated: no bar


def test_search_feeds_are_valid_and_newest_first(client, demo):
    atom = ET.fromstring(client.get("/search/feed/", {"q": "پوتین"}).content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = atom.findall("a:entry", ns)
    assert entries and "پوتین" in atom.find("a:title", ns).text
    published = [e.find("a:published", ns).text for e in entries if e.find("a:published", ns) is not None]
    assert len(published) > 2 and published == sorted(published, reverse=True)
    rss = ET.fromstring(client.get("/search/rss/", {"q": "پوتین"}).content)
    assert len(rss.findall("channel/item")) == len(entries)


def test_opensearch_description_and_suggestions(client, demo):
    html = client.get("/").content.decode()
    assert 'type="application/opensearchdescription+xml"' in html
    description = ET.fromstring(client.get("/opensearch.xml").content)
    assert "آرشیو خبر" in description.find("{http://a9.com/-/spec/opensearch/1.1/}ShortName").text
    query, suggestions = client.get("/api/suggest/", {"q": "آلودگي"}).json()  # Arabic yeh typed
    assert query == "آلودگي" and any("آلودگی" in s for s in suggestions)


def test_sitemap_lists_published_articles(client, demo):
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-articles.xml" in index
    articles = client.get("/sitemap-articles.xml").content.decode()
    assert Article.objects.published().first().get_absolute_url() in articles


def test_source_category_pages(client, demo):
    source = Source.objects.get(name="روزنامه نمونه")
    html = client.get(source.get_absolute_url()).content.decode()
    expected = jalali.persian_digits(source.articles.published().count())
    assert "منبع: روزنامه نمونه" in html and f"{expected} خبر" in html
    category = Category.objects.get(name="ورزش")
    assert client.get(category.get_absolute_url()).status_code == 200


def test_home_shows_the_newest_week(client, demo):
    newest = Article.objects.published().exclude(published=None).order_by("-published").first()
    html = client.get("/").content.decode()
    assert newest.get_absolute_url() in html
    assert newest.published > dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
