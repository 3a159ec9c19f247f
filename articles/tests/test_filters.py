"""Search filters a reader can see and combine: several values per facet (any of them), facets
together (all of them), a page past the last one, numbered pages; the same search exported."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from whoosh import query as wq

from articles.models import Category, Source
from articles.search import export
from articles.search.engine import Filters
from articles.search.whoosh.compile import filter_parts
from articles.templatetags.pagination_tags import page_window
from articles.tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db

SOURCES = ["خبرگزاری فارس", "عصر ایران", "تابناک"]
LINES = [
    "شاخص کل بورس تهران امروز با رشد همراه بود و ارزش معاملات افزایش یافت.",
    "سهامداران خرد در بورس منتظر تصمیم تازه سازمان بورس و اوراق بهادار هستند.",
    "کارشناسان بازار سرمایه می‌گویند بورس در هفته آینده آرام‌تر خواهد بود.",
]


@pytest.fixture
def archive(import_paths, tmp_path):
    """Six articles on the stock market: two per source, half economy, half sport."""
    records = [
        {
            "id": f"bourse-{n}",
            "title": f"گزارش شماره {n + 1} از بورس تهران",
            "lead": "بازار سرمایه در روزی که گذشت.",
            "body": LINES[n % 3],
            "date": f"2020-05-{n + 1:02d}",
            "source": SOURCES[n // 2],
            "category": ["اقتصادی" if n % 2 == 0 else "ورزشی"],
        }
        for n in range(6)
    ]
    import_paths(write_jsonl(tmp_path / "bourse.jsonl", records))
    return {s.name: s.slug for s in Source.objects.all()}, {c.name: c.slug for c in Category.objects.all()}


def _search(client, query: str):
    response = client.get("/search/?" + query)
    assert response.status_code == 200
    return response, {hit.article.source.name for hit in response.context["results"].hits}


def test_several_values_of_a_facet_are_any_of_them(client, archive):
    sources, _ = archive
    fars, asr = sources["خبرگزاری فارس"], sources["عصر ایران"]
    response, found = _search(client, f"q=بورس&source={fars}&source={asr}")
    assert found == {"خبرگزاری فارس", "عصر ایران"} and response.context["results"].count == 4
    _, found = _search(client, f"q=بورس&source={asr}")  # one value, as old links have it
    assert found == {"عصر ایران"}


def test_facets_together_are_all_of_them(client, archive):
    sources, categories = archive
    query = f"q=بورس&source={sources['خبرگزاری فارس']}&source={sources['تابناک']}&category={categories['ورزشی']}"
    response, found = _search(client, query)
    results = response.context["results"]
    assert results.count == 2 and found == {"خبرگزاری فارس", "تابناک"}
    assert {hit.article.categories.get().name for hit in results.hits} == {"ورزشی"}


def test_facet_links_add_a_value_and_show_every_chosen_one(client, archive):
    sources, _ = archive
    fars, asr = sources["خبرگزاری فارس"], sources["عصر ایران"]
    response, _ = _search(client, f"q=بورس&source={fars}")
    group = next(g for g in response.context["facet_groups"] if g["title"] == "منبع")
    links = {link["value"].slug: link for link in group["links"]}
    # The other sources stay listed (counted without the source filter), ready to add.
    assert set(links) == set(sources.values()) and links[asr]["value"].count == 2
    assert parse_qs(urlsplit(links[asr]["url"]).query)["source"] == [fars, asr]
    assert links[fars]["chosen"] and "source" not in parse_qs(urlsplit(links[fars]["url"]).query)

    html = client.get(f"/search/?q=بورس&source={fars}&source={asr}").content.decode()
    checked = re.findall(r'role="checkbox" aria-checked="true"[^>]*>([^<]+)<', html)
    assert sorted(checked) == sorted(["خبرگزاری فارس", "عصر ایران"])
    assert html.count('name="source"') == 2  # the form keeps both
    assert "منبع: خبرگزاری فارس" in html and "منبع: عصر ایران" in html


def test_a_page_past_the_last_goes_to_the_last(client, archive):
    response = client.get("/search/?q=بورس&page_size=4&page=999")
    assert response.status_code == 302
    last = client.get(response["Location"])
    results = last.context["results"]
    assert results.params.page == 2 and results.count == 6 and len(results.hits) == 2
    assert "۶ نتیجه" in last.content.decode()
    one_page = client.get("/search/?q=بورس&page=50")  # the only page is the first: no ``page`` at all
    assert one_page.status_code == 302 and "page=" not in one_page["Location"]
    assert client.get(one_page["Location"]).context["results"].count == 6


def test_numbered_pages_link_the_first_and_last(client, archive):
    html = client.get("/search/?q=بورس&page_size=1&page=3").content.decode()
    nav = html[html.index('<nav class="pagination"') :]
    nav = nav[: nav.index("</nav>")]
    assert 'rel="prev"' in nav and "page=2" in nav and 'rel="next"' in nav and "page=4" in nav
    assert re.search(r'<li aria-current="page">.*۳', nav)
    assert 'aria-label="صفحهٔ نخست"' in nav and 'aria-label="صفحهٔ آخر، ۶"' in nav and "page=6" in nav
    assert ">۱<" in nav and ">۵<" in nav and "q=%D8%A8%D9%88%D8%B1%D8%B3" in nav


def test_page_window():
    assert page_window(1, 1) == [1]
    assert page_window(1, 5) == [1, 2, 3, 4, 5]
    assert page_window(10, 40) == [1, None, 8, 9, 10, 11, 12, None, 40]
    assert page_window(4, 40) == [1, 2, 3, 4, 5, 6, None, 40]


def test_filters_compile_to_or_within_and_across():
    parts = filter_parts(Filters(sources=("a", "b"), categories=("x",), entities=("p", "q", "p")))
    assert parts == [
        wq.Or([wq.Term("source", "a"), wq.Term("source", "b")]),
        wq.Term("categories", "x"),
        wq.Or([wq.Term("entities", "p"), wq.Term("entities", "q")]),
    ]


# -- export: the same search's rows, streamed ------------------------------------------------


def _export(client, query: str, **extra):
    response = client.get("/search/export/?" + query, **extra)
    assert response.status_code == 200 and response.streaming
    return response, b"".join(response.streaming_content).decode("utf-8")


def test_export_csv_has_the_search_rows_for_a_spreadsheet(client, archive):
    sources, _ = archive
    query = f"q=بورس&source={sources['عصر ایران']}&source={sources['تابناک']}"
    response, text = _export(client, query + "&format=csv")
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    assert text.startswith("\ufeff") and response["X-Total-Count"] == "4"
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    page = client.get("/search/?" + query).context["results"]
    assert [int(r["id"]) for r in rows] == [hit.article.pk for hit in page.hits]  # the page's order
    first = rows[0]
    assert first["source"] in ("عصر ایران", "تابناک") and "بورس تهران" in first["title"]
    assert re.fullmatch(r"1399-02-\d\d", first["published_jalali"]) and first["published"].startswith("2020-05-")
    assert first["url"].startswith("http://testserver/articles/") and float(first["score"]) > 0
    assert first["lead"]


def test_export_jsonl_is_capped_and_says_so(client, archive, monkeypatch):
    monkeypatch.setattr(export, "EXPORT_LIMIT", 4)
    response, text = _export(client, "q=بورس&format=jsonl")
    lines = [json.loads(line) for line in text.splitlines()]
    assert response["X-Total-Count"] == "6" and response["X-Export-Limit"] == "4"
    assert len(lines) == 5 and {"id", "title", "published_jalali", "score"} <= set(lines[0])
    assert lines[-1]["truncated"] and "۴ نتیجهٔ نخست از ۶" in lines[-1]["note"]


def test_export_is_linked_from_the_search_page_and_rate_limited(client, archive, settings):
    html = client.get("/search/?q=بورس").content.decode()
    assert "/search/export/?q=%D8%A8%D9%88%D8%B1%D8%B3&amp;format=csv" in html
    settings.NEWSARCHIVE_API_RATE = 2
    codes = [client.get("/search/export/?q=بورس", REMOTE_ADDR="10.7.7.7").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/search/export/?q=بورس&format=xlsx").status_code == 400
