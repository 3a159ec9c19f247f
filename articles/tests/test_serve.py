"""End to end, as a new user runs it: migrate, load the demo, serve with gunicorn, use it over HTTP."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from articles.tests.conftest import REPO

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    env = {**os.environ, "NEWSARCHIVE_VAR_DIR": str(tmp_path_factory.mktemp("var")), "DEBUG": "0"}
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=REPO)
    subprocess.run([*manage, "load_demo"], env=env, check=True, cwd=REPO, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "newsarchive.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--preload",
            "--no-control-socket",
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=5)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("gunicorn did not start: " + server.stderr.read().decode()[-2000:])
            time.sleep(0.3)
    yield base
    server.terminate()
    server.wait(timeout=20)


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
