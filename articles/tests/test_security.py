"""Escaping, security headers and the API's limits."""

import pytest

from articles.models import Article
from articles.tests.conftest import SEED, write_jsonl

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile(import_paths, tmp_path):
    record = {
        "id": "xss-1",
        "title": f"عنوان {PAYLOAD}",
        "lead": f"لید {PAYLOAD}",
        "body": f"متن خبر درباره اسکریپت {PAYLOAD}\nبند دوم",
        "source": f"منبع {PAYLOAD}",
        "date": "2024-01-01T10:00:00",
        "category": [f"دسته {PAYLOAD}"],
        "tags": [PAYLOAD],
    }
    import_paths(write_jsonl(tmp_path / "x.jsonl", [record]), SEED)
    return Article.objects.get(external_id="xss-1")


def test_markup_in_articles_and_queries_is_escaped_everywhere(client, hostile):
    pages = [
        hostile.get_absolute_url(),
        "/",
        hostile.source.get_absolute_url(),
        "/search/?q=" + "اسکریپت",
        "/search/?q=" + PAYLOAD,
        "/search/rss/?q=اسکریپت",
        "/search/feed/?q=اسکریپت",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url


def test_snippets_carry_only_mark_tags(client, hostile):
    result = client.get("/api/search/", {"q": "اسکریپت"}).json()["results"][0]
    snippet = result["snippet"]
    assert "<mark>" in snippet and "&lt;script&gt;" in snippet
    assert "<script" not in snippet


def test_pages_send_a_content_security_policy(client, hostile):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"


def test_api_rate_limit_answers_429(client, hostile, settings):
    settings.NEWSARCHIVE_API_RATE = 3
    codes = [client.get("/api/search/", {"q": "پوتین"}, REMOTE_ADDR="10.9.9.9").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    assert client.get("/api/search/", {"q": "پوتین"}, REMOTE_ADDR="10.9.9.8").status_code == 200


def test_long_query_is_capped_not_an_error(client, hostile):
    response = client.get("/api/search/", {"q": "پوتین " * 5000})
    assert response.status_code == 200
