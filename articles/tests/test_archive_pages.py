"""The Jalali archive: a list of years with counts and a month picker, one address per page
(``/1/`` → ``/01/``), empty years, months and days answer 404, and the sitemap lists its pages."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.utils.timezone import localdate

from articles.models import Category, Entity, Source
from articles.tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _record(n: int, title: str, body: str, date: str | None, source: str = "عصر ایران") -> dict:
    return {"id": f"arch-{n}", "title": title, "body": body, "date": date, "source": source, "category": ["اقتصادی"]}


RECORDS = [
    _record(1, "ارزش سهام عدالت امروز اعلام شد", "ارزش سهام عدالت در بورس تهران افزایش یافت.", "2020-05-12T09:30:00"),
    _record(2, "شاخص بورس تهران رکورد زد", "شاخص کل بورس تهران از مرز یک میلیون واحد گذشت.", "2020-05-10T08:00:00"),
    _record(3, "قیمت دلار کاهش یافت", "قیمت دلار در بازار آزاد کاهش یافت.", "2020-06-28T10:00:00", "تابناک"),
    _record(4, "نمایشگاه کتاب تهران برگزار نمی‌شود", "نمایشگاه کتاب امسال برگزار نمی‌شود.", "2019-11-03T07:00:00"),
    _record(5, "گزارشی بی‌تاریخ از بورس تهران", "معاملات در بورس تهران ادامه دارد.", None),
]


@pytest.fixture
def dated(import_with_bourse, tmp_path):
    """Articles in two Jalali years, one undated; the entity بورس تهران named in three."""
    return import_with_bourse(write_jsonl(tmp_path / "archive.jsonl", RECORDS))


def test_archive_lists_years_with_counts_and_their_months(client, dated):
    html = client.get("/archive/").content.decode()
    assert "۴ خبر در ۲ سال" in html  # the undated article is in no year
    years = re.findall(r'<th scope="row"><a href="/archive/(\d+)/">([۰-۹]+)</a></th>\s*<td>([۰-۹]+)</td>', html)
    assert years == [("1399", "۱۳۹۹", "۳"), ("1398", "۱۳۹۸", "۱")]  # newest first, Persian digits
    assert 'href="/archive/1399/02/">اردیبهشت</a> <span class="count">۲</span>' in html
    assert 'href="/archive/1399/04/">تیر</a>' in html and 'href="/archive/1398/08/">آبان</a>' in html
    assert 'href="/archive/1399/01/"' not in html  # no link to an empty month


def test_month_picker_goes_to_the_chosen_month(client, dated):
    html = client.get("/archive/").content.decode()
    options = re.findall(r'<option value="([\d-]+)">([^<]+)</option>', html)
    assert options == [("1399-04", "تیر ۱۳۹۹"), ("1399-02", "اردیبهشت ۱۳۹۹"), ("1398-08", "آبان ۱۳۹۸")]
    response = client.get("/archive/", {"month": "1399-02"})
    assert response.status_code == 302 and response["Location"] == "/archive/1399/02/"
    assert client.get(response["Location"]).status_code == 200


def test_short_month_and_day_redirect_permanently_to_two_digits(client, dated):
    response = client.get("/archive/1399/2/21/")
    assert response.status_code == 301 and response["Location"] == "/archive/1399/02/21/"
    response = client.get("/archive/1399/2/", {"page": "1"})
    assert response.status_code == 301 and response["Location"] == "/archive/1399/02/?page=1"
    html = client.get("/archive/1399/02/21/").content.decode()
    assert dated["arch-2"].get_absolute_url() in html


@pytest.mark.parametrize("path", ["/archive/1397/", "/archive/1399/03/", "/archive/1399/02/22/", "/archive/1/1/1/"])
def test_empty_years_months_and_days_are_404(client, dated, path):
    assert client.get(path).status_code == 404


def test_neighbour_links_skip_empty_periods(client, dated):
    month = client.get("/archive/1399/02/").content.decode()
    assert 'href="/archive/1398/08/" rel="prev"' in month and 'href="/archive/1399/04/" rel="next"' in month
    day = client.get("/archive/1399/02/21/").content.decode()
    assert 'href="/archive/1398/08/12/" rel="prev"' in day and 'href="/archive/1399/02/23/" rel="next"' in day
    year = client.get("/archive/1398/").content.decode()
    assert 'href="/archive/1399/" rel="next"' in year and 'rel="prev"' not in year


def _urls(client, section: str) -> dict[str, str | None]:
    root = ET.fromstring(client.get(f"/sitemap-{section}.xml").content)
    urls = {}
    for url in root.findall("s:url", SITEMAP):
        lastmod = url.find("s:lastmod", SITEMAP)
        path = url.find("s:loc", SITEMAP).text.removeprefix("http://testserver")
        urls[path] = lastmod.text if lastmod is not None else None
    return urls


def test_sitemap_lists_archive_source_category_and_entity_pages_with_their_last_change(client, dated):
    index = client.get("/sitemap.xml").content.decode()
    for section in ("articles", "archive", "sources", "categories", "entities"):
        assert f"sitemap-{section}.xml" in index
    archive = _urls(client, "archive")
    assert set(archive) == {
        "/archive/1398/", "/archive/1399/", "/archive/1398/08/", "/archive/1399/02/", "/archive/1399/04/",
        "/archive/1398/08/12/", "/archive/1399/02/21/", "/archive/1399/02/23/", "/archive/1399/04/08/",
    }  # fmt: skip
    day = dated["arch-1"]
    assert archive["/archive/1399/02/23/"] == localdate(day.updated).isoformat()  # the sitemap writes Tehran days
    newest = localdate(max(a.updated for a in dated.values() if a.source.name == "عصر ایران")).isoformat()
    assert _urls(client, "sources")[Source.objects.get(name="عصر ایران").get_absolute_url()] == newest
    assert Category.objects.get(name="اقتصادی").get_absolute_url() in _urls(client, "categories")
    assert Entity.objects.get(slug="tehran-bourse").get_absolute_url() in _urls(client, "entities")


def test_sitemap_index_pages_a_large_section(client, dated, monkeypatch):
    from articles import sitemaps

    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)  # 5 articles: 3 pages, as 100k would be 20
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-articles.xml?p=2" in index and "sitemap-articles.xml?p=3" in index
    assert "sitemap-articles.xml?p=4" not in index
    assert len(_urls(client, "articles")) == 2


@pytest.mark.parametrize("asked", ["999", "0", "x"])
def test_a_listing_page_that_is_not_one_redirects_to_the_page_served(client, dated, asked):
    source = Source.objects.get(name="عصر ایران")
    entity = Entity.objects.get(name="بورس تهران")
    listings = ("/", "/archive/1399/02/", "/archive/1399/02/21/", source.get_absolute_url(), entity.get_absolute_url())
    for path in listings:
        response = client.get(path, {"page": asked, "from": "x"})
        # One page each: page 1, whose address has no page number; the rest of the query stays.
        assert response.status_code == 302 and response["Location"] == f"{path}?from=x", path
        assert client.get(path, {"page": "1"}).status_code == 200


def test_a_listings_size_is_counted_once_per_index_version(client, import_paths, tmp_path):
    """The source page's paginator reads its count, kept until the index changes: the second
    view counts nothing, and an import (which changes the index) is counted at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import_paths(
        write_jsonl(tmp_path / "a.jsonl", [_record(n, f"خبر شماره {n} از بورس", "متن خبر.", None) for n in range(21)])
    )
    url = Source.objects.get(name="عصر ایران").get_absolute_url()
    assert client.get(url).context["page_obj"].paginator.num_pages == 2
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).context["page_obj"].paginator.count == 21
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]
    import_paths(write_jsonl(tmp_path / "b.jsonl", [_record(99, "خبر تازه‌ای از بورس", "متن خبر تازه.", None)]))
    assert client.get(url).context["page_obj"].paginator.count == 22
