"""Escaping, security headers and the API's limits."""

import os
import subprocess
import sys
import textwrap

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django_ratelimit.core import get_usage

from articles import ratelimit
from articles.models import Article
from articles.tests.conftest import REPO, SEED, write_jsonl

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_rate_counts(settings, tmp_path):
    """The counts live in files that outlast a test run: each test counts in a folder of its own."""
    settings.CACHES = {**settings.CACHES, "ratelimit": {**settings.CACHES["ratelimit"], "LOCATION": str(tmp_path)}}


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


def directives(policy: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def test_pages_send_a_content_security_policy(client, hostile):
    response = client.get("/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == policy["style-src"] == policy["default-src"] == "'self'"
    assert policy["object-src"] == policy["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"


def test_admin_pages_allow_inline_styles_never_inline_scripts(client):
    client.force_login(User.objects.create_user("sara", password="x-long-password-1403", is_staff=True))
    policy = directives(client.get("/admin/")["Content-Security-Policy"])
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["script-src"] == "'self'"


def test_api_rate_limit_answers_429(client, hostile, settings):
    settings.NEWSARCHIVE_API_RATE = 3
    codes = [client.get("/api/search/", {"q": "پوتین"}, REMOTE_ADDR="10.9.9.9").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    assert client.get("/api/search/", {"q": "پوتین"}, REMOTE_ADDR="10.9.9.8").status_code == 200
    # One count across the API's endpoints; the answer says why and when to come back.
    limited = client.get(hostile.get_absolute_url().replace("/articles/", "/api/articles/"), REMOTE_ADDR="10.9.9.9")
    assert limited.status_code == 429 and limited.json() == {"error": "too many requests: at most 3 a minute"}
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert client.get("/api/suggest/", {"q": "پو"}, REMOTE_ADDR="10.9.9.9").status_code == 429


def test_api_rate_limit_spares_loopback_and_can_be_turned_off(client, hostile, settings):
    settings.NEWSARCHIVE_API_RATE = 1
    assert {client.get("/api/search/", {"q": "پوتین"}).status_code for _ in range(3)} == {200}  # 127.0.0.1
    settings.NEWSARCHIVE_API_RATE = 0
    assert {client.get("/api/search/", REMOTE_ADDR="10.9.9.7").status_code for _ in range(3)} == {200}


def test_api_rate_limit_counts_forwarded_clients_behind_a_trusted_proxy(client, hostile, settings):
    settings.NEWSARCHIVE_API_RATE = 1
    settings.NEWSARCHIVE_TRUST_X_FORWARDED_FOR = True
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    first = client.get("/api/search/", HTTP_X_FORWARDED_FOR="10.1.1.1, 127.0.0.1", **proxy)
    again = client.get("/api/search/", HTTP_X_FORWARDED_FOR="10.1.1.1", **proxy)
    other = client.get("/api/search/", HTTP_X_FORWARDED_FOR="10.1.1.2", **proxy)
    assert (first.status_code, again.status_code, other.status_code) == (200, 429, 200)


CLIENT_SCRIPT = textwrap.dedent(
    """
    import sys

    import django

    django.setup()
    from django.test import Client

    client, address, n = Client(), sys.argv[1], int(sys.argv[2])
    print("ready", flush=True)
    sys.stdin.readline()  # the test starts both processes' requests at once
    codes = [client.get("/api/suggest/", REMOTE_ADDR=address).status_code for _ in range(n)]
    print(" ".join(map(str, codes)), flush=True)
    """
)


def _address_far_from_its_window_end() -> str:
    """A client whose counting window has 15 s or more left, so the test never sees it reset."""
    request = RequestFactory().get("/api/suggest/")
    for n in range(1, 200):
        request.META["REMOTE_ADDR"] = address = f"10.7.0.{n}"
        usage = get_usage(request, group=ratelimit.GROUP, key=ratelimit.client_address, rate=(1, 60))
        if usage["time_left"] >= 15:
            return address
    raise AssertionError("no address with a long enough window")


def test_two_processes_share_one_count(tmp_path):
    """Two workers (two processes, each with its own Django) draw from one allowance."""
    env = {**os.environ, "NEWSARCHIVE_VAR_DIR": str(tmp_path), "NEWSARCHIVE_API_RATE": "30"}
    address, each = _address_far_from_its_window_end(), 25
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", CLIENT_SCRIPT, address, str(each)],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    codes = [worker.communicate(timeout=120)[0].split() for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    served = [c.count("200") for c in codes]
    assert sum(served) == 30, codes  # separate counts would have served all 50
    assert all(served) and sum(c.count("429") for c in codes) == 20, codes


def test_long_query_is_capped_not_an_error(client, hostile):
    response = client.get("/api/search/", {"q": "پوتین " * 5000})
    assert response.status_code == 200


def test_cookies_are_what_the_readme_says(client):
    """The session cookie is HttpOnly and SameSite=Lax; the CSRF cookie is SameSite=Lax and, by
    Django's design, readable by scripts (it only mirrors the token every form carries)."""
    User.objects.create_user("reza", password="the-right-password-1403", is_staff=True)
    login = client.get("/admin/login/")
    response = client.post("/admin/login/", {"username": "reza", "password": "the-right-password-1403"})
    assert response.status_code == 302
    session, csrf = response.cookies["sessionid"], login.cookies["csrftoken"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert not csrf["httponly"] and csrf["samesite"] == "Lax"


def test_readers_pages_set_no_cookie(hostile):
    from django.test import Client

    reader = Client()
    for url in ("/", hostile.get_absolute_url(), "/search/?q=اسکریپت", "/archive/1402/", "/search/feed/"):
        assert not reader.get(url, follow=True).cookies, url
