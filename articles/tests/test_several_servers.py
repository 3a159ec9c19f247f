"""Several app servers, one archive (issue 15): two gunicorns, as two web machines behind one load
balancer, each with its own local folder (``NEWSARCHIVE_VAR_DIR``) and the same PostgreSQL
database, searching with the PostgreSQL engine. What one saves, the other finds at once; an import
run on one machine while the other serves searches loses nothing and fails no request.

PostgreSQL only (the embedded Whoosh index is a folder on one machine: a second machine finds
nothing, which is what the issue reported). CI runs it in its PostgreSQL pass.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest

from articles.tests.conftest import REPO, process_env

sys.path.insert(0, str(REPO / "bench"))
import write_load
from load import HOST, Gunicorn

# Several app servers share a PostgreSQL database and its search engine: deselected on SQLite.
pytestmark = [pytest.mark.slow, pytest.mark.postgres]

# A word in no demo article, added to every imported one: the API's count for it is the number of
# imported articles the search engine holds.
IMPORT_MARKER = "سنجدستان"
IMPORT_COPIES = 5  # × the demo's 60 articles


def _api(port: int, q: str) -> tuple[int, dict]:
    """Status and JSON of ``/api/search/`` on one server."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("GET", "/api/search/?" + urllib.parse.urlencode({"q": q, "page_size": 100}))
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    return response.status, json.loads(body) if response.status == 200 else {}


def _import_file(path, copies: int) -> list[str]:
    """The demo's articles ``copies`` times under new ids, each carrying ``IMPORT_MARKER``."""
    ids = write_load.make_import_file(path, copies, "machine-a")
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        record["body"] = f"{record['body']}\n{IMPORT_MARKER} در این نسخه آمده است."
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return ids


@pytest.fixture
def two_machines(tmp_path):
    """Two gunicorns on one fresh PostgreSQL database, each with a folder of its own."""
    env = {**process_env(tmp_path / "a"), "NEWSARCHIVE_SEARCH": "postgres"}
    password = write_load.prepare(env)  # migrate and the demo archive, through machine a's folder
    (tmp_path / "b").mkdir()
    with Gunicorn(tmp_path / "a", env=env) as a, Gunicorn(tmp_path / "b", env=env) as b:
        yield env, password, a, b


def test_an_edit_saved_through_one_server_is_found_through_the_other_at_once(two_machines):
    env, password, a, b = two_machines
    code = "from articles.models import Article; print(Article.objects.published().first().pk)"
    pk = write_load.django_json(env, code)
    word = write_load.EDITOR_WORDS[1]
    before = write_load.found_by_search(b.port, word)
    assert pk not in before

    records = write_load.edit(write_load.Editor("http", [pk], 1, word, f"http://{HOST}:{a.port}"), password)
    assert [r["ok"] for r in records] == [True], records
    # No wait, no refresh: the next request to the other machine sees the committed edit.
    assert write_load.unfound_edits(b.port, records) == []
    assert pk in write_load.found_by_search(b.port, word)
    assert pk in write_load.found_by_search(a.port, word)


def test_an_import_on_one_machine_while_the_other_serves_loses_nothing(two_machines, tmp_path):
    env, _, a, b = two_machines
    ids = _import_file(tmp_path / "import.jsonl", IMPORT_COPIES)
    queries = [IMPORT_MARKER, "پوتین", "گفتوگو", "تورم", '"بانک مرکزی"']
    statuses: list[int] = []
    marker_counts: list[list[int]] = [[], []]  # per reader, in the order it asked
    stop = threading.Event()

    def reader(counts: list[int]) -> None:  # searches on machine b for as long as the import runs
        n = 0
        while not stop.is_set() and n < 5000:
            q = queries[n % len(queries)]
            status, data = _api(b.port, q)
            statuses.append(status)
            if status == 200 and q == IMPORT_MARKER:
                counts.append(data["count"])
            n += 1

    threads = [threading.Thread(target=reader, args=(counts,)) for counts in marker_counts]
    for thread in threads:
        thread.start()
    try:
        importer = subprocess.run(
            [sys.executable, str(REPO / "manage.py"), "import_articles", str(tmp_path / "import.jsonl")],
            env={**env, "NEWSARCHIVE_VAR_DIR": str(tmp_path / "a")},
            cwd=REPO, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        time.sleep(1)  # a few searches after the import's last commit
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)

    assert importer.returncode == 0, importer.stderr[-2000:]
    assert f"created {len(ids)}, updated 0, unchanged 0, failed 0" in importer.stdout
    assert statuses and all(s == 200 for s in statuses), sorted(set(statuses))
    assert len(statuses) >= 20, "machine b served too few searches to overlap the import"
    for counts in marker_counts:  # a committed article never disappears from a later search
        assert counts == sorted(counts), counts
    assert write_load.imported_present(env, ids) == len(ids)
    for server in (b, a):  # every imported article, through either machine
        status, data = _api(server.port, IMPORT_MARKER)
        assert status == 200 and data["count"] == len(ids), (server.port, data.get("count"))
    consistent, check_out = write_load.check_index(env)
    assert consistent, check_out
