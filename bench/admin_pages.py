"""The editors' pages at archive scale: list, search, filter by source, change form, history and
the dashboard, over HTTP from ``gunicorn`` with an editor's session cookie; p50/p95 per page.

    .venv/bin/python bench/admin_pages.py --var DIR [--repeat 20]   # an archive's var folder

``bench/run.py`` runs it for each size after the readers' pages (target: p95 ≤ 300 ms at 100k).
Only the loopback address is contacted, and gunicorn (started here) is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from load import HOST, Gunicorn  # noqa: E402
from phases import summary_ms  # noqa: E402

QUERY = "گفتوگو"  # written without its half-space: the readers' pipeline finds گفت‌وگو too
TARGET_P95_MS = 300


def _session() -> dict:
    """In the archive's process: an editor, a logged-in session, and what the pages need."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count

    from articles.models import Article, Source
    from articles.roles import ensure_editors_group

    user, _ = User.objects.get_or_create(username="bench-editor", defaults={"is_staff": True})
    user.groups.add(ensure_editors_group())
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    # The busiest article (most links) and the biggest source: the slowest change form and filter.
    article = Article.objects.annotate(n=Count("links")).order_by("-n").values_list("pk", flat=True).first()
    source = Source.objects.annotate(n=Count("articles")).order_by("-n").values_list("pk", flat=True).first()
    return {"cookie": session.session_key, "article": article, "source": source}


def pages(info: dict) -> dict[str, str]:
    article = info["article"]
    return {
        "list": "/admin/articles/article/",
        "search": "/admin/articles/article/?q=" + quote(QUERY),
        "filter_source": f"/admin/articles/article/?source__id__exact={info['source']}",
        "search_in_source": f"/admin/articles/article/?q={quote(QUERY)}&source__id__exact={info['source']}",
        "change": f"/admin/articles/article/{article}/change/",
        "history": f"/admin/articles/article/{article}/history/",
        "dashboard": "/admin/dashboard/",
    }


def _get(port: int, path: str, cookie: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


def measure(var_dir: Path, repeat: int = 20, env: dict | None = None) -> dict:
    """``env``: the archive's environment (its engine and database); this process's by default."""
    env = {**(os.environ if env is None else env), "NEWSARCHIVE_VAR_DIR": str(var_dir)}
    env["DJANGO_SETTINGS_MODULE"] = "newsarchive.settings"
    made = subprocess.run(
        [sys.executable, __file__, "session"], cwd=REPO, env=env, check=True, capture_output=True, text=True
    )
    info = json.loads(made.stdout.strip().splitlines()[-1])
    result: dict = {"pages": {}}
    with Gunicorn(var_dir, env=env) as server:
        for name, path in pages(info).items():
            for _ in range(4):  # both workers, warm
                _get(server.port, path, info["cookie"])
            times, statuses = [], set()
            for _ in range(repeat):
                status, seconds = _get(server.port, path, info["cookie"])
                times.append(seconds)
                statuses.add(status)
            result["pages"][name] = {**summary_ms(times), "statuses": sorted(statuses), "path": path}
            print(f"  admin {name}: {result['pages'][name]}", file=sys.stderr, flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="measure", choices=["measure", "session"])
    parser.add_argument("--var", type=Path, help="the archive's NEWSARCHIVE_VAR_DIR")
    parser.add_argument("--repeat", type=int, default=20)
    opts = parser.parse_args(argv)
    if opts.command == "session":
        print(json.dumps(_session()))
        return 0
    result = measure(opts.var.resolve(), opts.repeat)
    for name, row in result["pages"].items():
        print(f"{name:14} p50 {row['median_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  {row['statuses']}")
    slow = [name for name, row in result["pages"].items() if row["p95_ms"] > TARGET_P95_MS]
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
