"""Where the time goes: cProfile of one hot path against an archive built by ``bench/run.py --keep``.

    NEWSARCHIVE_VAR_DIR=/tmp/.../var .venv/bin/python bench/hotspots.py TARGET [--top 25] [--repeat 5]

TARGET is one of

* ``index``: clear the index and index every published article (as an import's last step);
* ``import``: import ``--data FILE`` (JSONL) into the archive (use a fresh NEWSARCHIVE_VAR_DIR);
* ``search``: ``run_search`` with facets for ``--q`` (default تحریم);
* ``search-page``, ``article-page``, ``entity-page``, ``home``: the page through Django's test
  client (``--q``, ``--pk``, ``--slug``).

Prints the functions with the largest cumulative time (% of the profiled total) and the largest
self time, restricted to the given count. Profiling slows small Python functions more than C
code: read the shares, not the absolute times.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsarchive.settings")


def _short(func: tuple[str, int, str]) -> str:
    path, line, name = func
    for marker in ("site-packages/", str(REPO) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path}:{line})" if line else name


def report(profile: cProfile.Profile, top: int, wall: float) -> str:
    stats = pstats.Stats(profile)
    total = max(stats.total_tt, 1e-9)
    entries = stats.stats  # func -> (cc, nc, tt, ct, callers)
    lines = [f"profiled wall {wall:.2f} s; sum of self times {total:.2f} s", "", "cumulative (inclusive) time:"]
    for func, (_cc, nc, _tt, ct, _callers) in sorted(entries.items(), key=lambda kv: -kv[1][3])[:top]:
        lines.append(f"  {100 * ct / total:5.1f}%  {ct:8.3f}s  {nc:>9} calls  {_short(func)}")
    lines += ["", "self time:"]
    for func, (_cc, nc, tt, _ct, _callers) in sorted(entries.items(), key=lambda kv: -kv[1][2])[:top]:
        lines.append(f"  {100 * tt / total:5.1f}%  {tt:8.3f}s  {nc:>9} calls  {_short(func)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "target", choices=["index", "import", "search", "search-page", "article-page", "entity-page", "home"]
    )
    parser.add_argument("--q", default="تحریم")
    parser.add_argument("--pk", type=int)
    parser.add_argument("--slug")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    if "NEWSARCHIVE_VAR_DIR" not in os.environ:
        parser.error("set NEWSARCHIVE_VAR_DIR to a bench archive (never var/)")

    import django

    django.setup()
    import persian

    persian.terms("گرم کردن")  # as newsarchive.wsgi does before forking

    if args.target == "index":
        from haystack import connections

        from articles.models import Article
        from articles.search import indexing

        pks = list(Article.objects.published().values_list("pk", flat=True))
        connections["default"].get_backend().clear()

        def work():
            indexing.index_articles(pks)

        repeat = 1
    elif args.target == "import":
        from django.core.management import call_command

        from articles.ingest import readers as importers
        from articles.ingest import save as ingest

        call_command("migrate", verbosity=0)
        call_command("load_gazetteer", stdout=io.StringIO(), stderr=io.StringIO())

        def work():
            ingest.import_items(importers.iter_path(args.data), index=False)

        repeat = 1
    elif args.target == "search":
        from articles.search.service import SearchParams, run_search

        def work():
            run_search(SearchParams(q=args.q))

        work()
        repeat = args.repeat
    else:
        from urllib.parse import urlencode

        from django.test import Client

        from articles.models import Article, Entity

        client = Client()
        if args.target == "search-page":
            url = f"/search/?{urlencode({'q': args.q})}"
        elif args.target == "article-page":
            url = (
                f"/articles/{args.pk or Article.objects.published().order_by('pk').values_list('pk', flat=True)[100]}/"
            )
        elif args.target == "entity-page":
            from django.db.models import Count

            slug = args.slug or Entity.objects.annotate(n=Count("mentions")).order_by("-n")[0].slug
            url = f"/entities/{slug}/"
        else:
            url = "/"

        def work():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        work()
        repeat = args.repeat
        print(f"url: {url}")

    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for _ in range(repeat):
        work()
    profile.disable()
    wall = time.perf_counter() - started
    print(f"{args.target}: {repeat} run(s), {wall / repeat * 1000:.0f} ms each (profiled)")
    print(report(profile, args.top, wall))
    return 0


if __name__ == "__main__":
    sys.exit(main())
