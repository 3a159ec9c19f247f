"""Hostile URLs, generated, against every page kind and every feed: dates from year 1 to 9999 in
both calendars (filters and archive paths), control characters and bidi marks in every
parameter and path. Nothing answers 5xx, and no page claims the index is being rebuilt when it
is not (the query and filter fuzz of ``test_fuzz`` covers the search's own syntax).

A fixed sample runs in the fast tier; the generated cases (``heavy``) in the slow tier.
"""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article, Entity, EntityAlias
from articles.tests.conftest import SEED, committed_archive

pytestmark = pytest.mark.django_db

REBUILDING = "نمایه در حال بازسازی است"
FAILED = "این جست‌وجو با خطا روبه‌رو شد"
# Controls (NUL, U+0001, ESC, DEL, C1), noncharacters, bidi marks, embeddings and isolates,
# ZWNJ/ZWJ, BOM, and a lone surrogate as a URL can carry it (%ED%A0%80).
HOSTILE = [
    "\x00", "\x01", "\x1b", "\x7f", "\x85", "\ufffe", "\uffff", "\u200c", "\u200d", "\u200e", "\u200f",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff",
]  # fmt: skip
PARAMS = ("q", "from", "to", "page", "page_size", "sort", "source", "category", "tag", "entity")
DIGITS = {
    "latin": str.maketrans("", ""),
    "persian": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"),
    "arabic": str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"),
}


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker) -> dict[str, str]:
    """The seed article with an entity, a source, categories and tags: every page kind has one."""
    from articles.ingest import readers
    from articles.ingest.save import import_items

    with committed_archive(django_db_blocker):
        entity = Entity.objects.create(name="سرگئی ریابکوف", slug="ryabkov")
        EntityAlias.objects.create(entity=entity, name="ریابکوف")
        import_items(list(readers.iter_path(SEED)))
        article = Article.objects.get()
        yield {
            "article": str(article.pk),
            "source": article.source.slug,
            "category": article.categories.first().slug if article.categories.exists() else "اقتصاد",
            "tag": article.tags.first().slug if article.tags.exists() else "روسیه",
            "entity": entity.slug,
        }


def pages(site: dict[str, str]) -> list[str]:
    """One URL of every page kind, feed, sitemap and API endpoint."""
    a = site["article"]
    return [
        "/", f"/articles/{a}/", f"/articles/{a}/graph/", "/search/", "/search/attention.csv",
        "/search/feed/", "/search/rss/", "/opensearch.xml", "/api/suggest/", "/api/search/",
        f"/api/articles/{a}/", f"/api/articles/{a}/graph/", "/sitemap.xml", "/sitemap-articles.xml",
        "/sitemap-sources.xml", "/sitemap-entities.xml", "/archive/", "/archive/1403/", "/archive/1403/10/",
        "/archive/1403/10/25/", f"/sources/{site['source']}/", f"/categories/{site['category']}/",
        f"/tags/{site['tag']}/", f"/entities/{site['entity']}/",
    ]  # fmt: skip


def check(client, path: str, params: dict[str, str] | None = None) -> None:
    """No 5xx, and no false outage (the index is readable throughout)."""
    url = urllib.parse.quote(path, safe="/%") + ("?" + urllib.parse.urlencode(params) if params else "")
    response = client.get(url, follow=True, REMOTE_ADDR="127.0.0.1")
    assert response.status_code < 500, (url, response.status_code)
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        text = response.content.decode()
        assert REBUILDING not in text and FAILED not in text, url


def date_text(year: int, month: int, day: int | None, sep: str, digits: str) -> str:
    text = f"{year:04d}{sep}{month:02d}" + (f"{sep}{day:02d}" if day is not None else "")
    return text.translate(DIGITS[digits])


# Years 1–9999: below 1700 they read as Jalali, from 1700 as Gregorian; months and days one past
# their ends on both sides.
dates = st.builds(
    date_text,
    st.integers(1, 9999),
    st.integers(0, 13),
    st.one_of(st.none(), st.integers(0, 32)),
    st.sampled_from("-/."),
    st.sampled_from(sorted(DIGITS)),
)
hostile_text = st.lists(st.sampled_from(HOSTILE + list("ریابکوف 1403-/")), max_size=12).map("".join)
values = st.one_of(dates, hostile_text, st.text(max_size=30))


# The fast tier: a fixed sample, every page with control characters and bidi marks in every
# parameter, and the dates of the issue.
SAMPLE_DATES = ["0001-01-01", "0378-01-01", "9999-12-31", "1403-13-40", "0000-00-00", "۹۹۹۹-۱۲-۲۹", "2101-01-01"]


def test_every_page_takes_hostile_characters_in_every_parameter(client, site):
    for path in pages(site):
        check(client, path, {name: "ریابکوف" + "".join(HOSTILE) for name in PARAMS})
        check(client, path, {"q": "\x00\x01", "from": "0001-01-01", "to": "9999-12-31", "page": "\u202e2"})


@pytest.mark.parametrize("value", SAMPLE_DATES)
def test_every_search_page_and_feed_takes_absurd_dates(client, site, value):
    for path in ("/search/", "/api/search/", "/search/feed/", "/search/rss/", "/search/attention.csv"):
        check(client, path, {"q": "ریابکوف", "from": value})
        check(client, path, {"q": "ریابکوف", "to": value})
        check(client, path, {"from": value, "to": "1403-01-01"})


@pytest.mark.parametrize("year", [0, 1, 378, 1278, 1279, 1403, 1479, 1480, 1699, 1700, 2025, 9377, 9999, 10**20])
def test_archive_paths_of_any_year_never_fail(client, site, year):
    for path in (f"/archive/{year}/", f"/archive/{year}/12/", f"/archive/{year}/12/30/", f"/archive/{year}/1/1/"):
        check(client, path)
    check(client, f"/archive/{year}/0/0/")


def test_hostile_characters_in_paths_are_404_not_500(client, site):
    for char in [*HOSTILE, "%ED%A0%80", "%00", "%FF"]:
        for path in ("/sources/{}/", "/categories/{}/", "/tags/{}/", "/entities/{}/", "/articles/1{}/"):
            check(client, path.format(char))


HEAVY = settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.heavy
@HEAVY
@given(
    page=st.integers(0, 23),
    params=st.dictionaries(st.sampled_from(PARAMS), values, max_size=5),
)
def test_generated_parameters_on_every_page_never_fail(client, site, page, params):
    check(client, pages(site)[page], params)


@pytest.mark.heavy
@HEAVY
@given(year=st.integers(0, 10_000), month=st.integers(0, 13), day=st.integers(0, 32), depth=st.integers(1, 3))
def test_generated_archive_dates_never_fail(client, site, year, month, day, depth):
    check(client, "/archive/" + "".join(f"{part}/" for part in (year, month, day)[:depth]))


@pytest.mark.heavy
@HEAVY
@given(date_from=dates, date_to=dates, api=st.booleans())
def test_generated_date_ranges_in_both_calendars_never_fail(client, site, date_from, date_to, api):
    check(client, "/api/search/" if api else "/search/", {"q": "روسیه", "from": date_from, "to": date_to})
