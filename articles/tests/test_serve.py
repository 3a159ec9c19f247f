"""End to end, as a new user runs it: migrate, load the demo, serve with gunicorn, use it over HTTP."""

import json
import urllib.parse
import urllib.request

import pytest


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode("utf-8")


@pytest.mark.parametrize("q", ["گفتوگو", "گفت‌وگو", "گفت وگو"])
def test_seed_article_is_found_however_the_query_is_written(served, q):
    status, body = _get(f"{served}/api/search/?q={urllib.parse.quote(q)}")
    titles = [r["title"] for r in json.loads(body)["results"]]
    assert status == 200
    assert "واکنش روسیه به احتمال گفتوگو بین پوتین و ترامپ" in titles


def test_pages_are_served_right_to_left_with_static_files(served):
    status, html = _get(served + "/")
    assert status == 200 and '<html lang="fa" dir="rtl">' in html
    status, css = _get(served + "/static/css/site.css")
    assert status == 200 and "Vazirmatn" in css
    status, html = _get(served + "/search/?q=" + urllib.parse.quote("آلودگی هوا"))
    assert status == 200 and "<mark>" in html


def test_related_link_between_demo_imports_resolves(served):
    _, body = _get(f"{served}/api/search/?q={urllib.parse.quote('title:استانبول')}&page_size=50")
    results = json.loads(body)["results"]
    linked = [json.loads(_get(f"{served}/api/articles/{r['id']}/")[1]) for r in results]
    resolved = [link for article in linked for link in article["related"] if link["article_id"]]
    assert resolved, "the raw demo page's «خبر مرتبط» should point at the archived article"
