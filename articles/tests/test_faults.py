"""Faults: an import killed midway and run again; a deleted or corrupt search index."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.search.service import SearchParams, run_search
from articles.tests.conftest import REPO, SEED, process_env


def _big_jsonl(path, copies: int) -> int:
    records = [json.loads(line) for line in (REPO / "demo" / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as out:
        for n in range(copies):
            for record in records:
                out.write(json.dumps({**record, "id": f"{record['id']}-{n}"}, ensure_ascii=False) + "\n")
    return copies * len(records)


def _processes_running(argument: str) -> list[int]:
    """Live processes whose command line holds ``argument`` (zombies have none)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if argument in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.slow
def test_import_killed_midway_then_rerun_has_every_article_once(tmp_path):
    env = process_env(tmp_path / "var")
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=REPO)
    total = _big_jsonl(tmp_path / "big.jsonl", 25)
    importer = subprocess.Popen(
        [*manage, "import_articles", str(tmp_path / "big.jsonl")],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    count = [*manage, "shell", "-c", "from articles.models import Article; print(Article.objects.count())"]
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:  # kill it once some, not all, articles are in
        done = subprocess.run(count, env=env, cwd=REPO, capture_output=True, text=True).stdout.split()
        if done and 50 < int(done[-1]) < total:
            break
        time.sleep(0.5)
    importer.send_signal(signal.SIGKILL)
    importer.wait()
    killed_at = int(subprocess.run(count, env=env, cwd=REPO, capture_output=True, text=True).stdout.split()[-1])
    assert 0 < killed_at < total
    # Nothing of the killed import lives on (its second process, indexing alongside, included).
    deadline = time.monotonic() + 60
    while _processes_running(str(tmp_path / "big.jsonl")) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _processes_running(str(tmp_path / "big.jsonl"))

    rerun = subprocess.run([*manage, "import_articles", str(tmp_path / "big.jsonl")], env=env, cwd=REPO,
                           capture_output=True, text=True)  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert f"created {total - killed_at}," in rerun.stdout
    final = subprocess.run(count, env=env, cwd=REPO, capture_output=True, text=True).stdout.split()[-1]
    assert int(final) == total
    check = subprocess.run([*manage, "check_index"], env=env, cwd=REPO, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["delete", "corrupt"])
def test_broken_index_keeps_the_site_up_and_rebuild_restores_it(client, import_paths, damage, settings):
    import_paths(SEED)
    path = settings.HAYSTACK_CONNECTIONS["default"]["PATH"]
    from haystack import connections

    if damage == "delete":
        shutil.rmtree(path)
    else:
        for name in os.listdir(path):
            if name.endswith((".seg", ".toc")):
                with open(os.path.join(path, name), "wb") as f:
                    f.write(b"\x00garbage" * 10)
    connections.reload("default")

    page = client.get("/search/", {"q": "ریابکوف"})
    api = client.get("/api/search/", {"q": "ریابکوف"})
    assert page.status_code == 200 and api.status_code in (200, 503)
    if api.status_code == 503 or damage == "corrupt":
        assert "نمایه در حال بازسازی است" in page.content.decode()
    assert client.get("/").status_code == 200
    assert client.get("/articles/1/").status_code in (200, 404)

    call_command("rebuild_index", interactive=False, verbosity=0)
    connections.reload("default")
    assert run_search(SearchParams(q="ریابکوف")).count == 1
