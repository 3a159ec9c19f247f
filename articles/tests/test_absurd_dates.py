"""Dates no archive holds (year 1, year 9999, a range that ends before it starts) are said to be
ignored on the page; they never pass for an index being rebuilt, and archive URLs for them are 404."""

import datetime as dt

import pytest

from articles.models import Article
from articles.search.service import SearchParams, run_search
from articles.tests.conftest import SEED

pytestmark = pytest.mark.django_db

REBUILDING = "نمایه در حال بازسازی است"
IGNORED = "نادیده گرفته شد"
# Jalali (below 1700) and Gregorian years from 1 to 9999, just outside the archive's years, and
# strings that only look like dates.
ABSURD = [
    "0001-01-01", "0378-01-01", "0622-03-22", "1278-01-01", "1480-01-01", "1699-12-29", "1700-01-01",
    "1899-12-31", "2101-01-01", "9999-12-31", "9999-12", "0000-00-00", "۰۰۰۱-۰۱-۰۱", "1403-13-40", "1-1-1",
]  # fmt: skip


@pytest.fixture
def seed(import_paths) -> Article:
    import_paths(SEED)
    return Article.objects.get()


@pytest.mark.parametrize("value", ABSURD)
@pytest.mark.parametrize("name", ["from", "to"])
def test_a_date_outside_the_archive_is_ignored_and_said_never_a_false_outage(client, seed, name, value):
    page = client.get("/search/", {"q": "ریابکوف", name: value})
    html = page.content.decode()
    assert page.status_code == 200
    assert REBUILDING not in html and IGNORED in html
    assert seed.get_absolute_url() in html  # the filter was ignored, the words still searched
    api = client.get("/api/search/", {"q": "ریابکوف", name: value}, REMOTE_ADDR="127.0.0.1")
    assert api.status_code == 200 and api.json()["count"] == 1 and "error" not in api.json()
    assert any(value in note for note in api.json()["ignored"])
    for feed in ("/search/feed/", "/search/rss/", "/search/attention.csv"):
        assert client.get(feed, {"q": "ریابکوف", name: value}).status_code == 200


def test_a_reversed_range_is_ignored_and_said(client, seed):
    html = client.get("/search/", {"q": "ریابکوف", "from": "1403-12-01", "to": "1403-01-01"}).content.decode()
    assert "آغاز بازهٔ تاریخ پس از پایان آن بود" in html and seed.get_absolute_url() in html
    assert REBUILDING not in html


def test_a_date_the_archive_holds_is_used_and_nothing_is_said(client, seed, django_capture_on_commit_callbacks):
    seed.published = dt.datetime(2025, 1, 14, 9, 30, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        seed.save()
    day = seed.published.date()
    found = client.get("/api/search/", {"q": "ریابکوف", "from": day.isoformat(), "to": day.isoformat()}).json()
    later = client.get("/api/search/", {"q": "ریابکوف", "from": (day + dt.timedelta(days=2)).isoformat()}).json()
    assert (found["count"], later["count"]) == (1, 0)
    assert "ignored" not in found and "ignored" not in later


def test_a_failing_search_on_a_readable_index_is_not_called_a_rebuild(seed):
    """Parameters built in code skip the URL's checks: the engine's OverflowError is a failure of
    this search, said as such, while the index is fine."""
    page = run_search(SearchParams(q="ریابکوف", date_to=dt.date(9999, 12, 31)))
    assert page.failed and not page.unavailable


@pytest.mark.parametrize(
    "url",
    ["/archive/1/1/1/", "/archive/9999/12/31/", "/archive/0/0/0/", "/archive/1/", "/archive/9999/", "/archive/0/",
     "/archive/1278/12/29/", "/archive/1480/1/1/", "/archive/1403/0/1/", "/archive/1403/12/31/", "/archive/1/13/"],
)  # fmt: skip
def test_an_archive_page_for_a_date_outside_the_archive_is_404(client, seed, url):
    assert client.get(url).status_code == 404


def test_archive_pages_of_the_archive_years_answer(client, seed):
    """Inside the archive's years a page answers: its articles, a 404 for a period without any
    (the archive's own rule, not a refused date), a redirect to the padded address."""
    from articles import jalali

    seed.published = dt.datetime(2025, 1, 21, 9, 30, tzinfo=dt.UTC)  # the seed page has no date
    seed.save()
    day = jalali.to_jalali(seed.published)
    assert client.get(f"/archive/{day.year}/").status_code == 200
    assert client.get(f"/archive/{day.year}/{day.month:02d}/{day.day:02d}/").status_code == 200
    for url in ("/archive/1279/", "/archive/1479/12/"):
        assert client.get(url).status_code == 404, url
    moved = client.get(f"/archive/{day.year}/{day.month}/{day.day}/")
    assert moved.status_code == 301 and moved["Location"].endswith(f"/{day.month:02d}/{day.day:02d}/")
