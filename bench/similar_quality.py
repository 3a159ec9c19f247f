"""Stored "more like this" against the whole-archive OR it replaced: overlap@5 and cost per article.

Run inside an archive (``NEWSARCHIVE_VAR_DIR=<bench folder>/var``, and ``NEWSARCHIVE_SEARCH`` /
``DATABASE_URL`` for PostgreSQL)::

    NEWSARCHIVE_VAR_DIR=/tmp/newsarchive-bench-10000-whoosh-xyz/var \\
        .venv/bin/python bench/similar_quality.py --sample 200

For a sample of published articles (every n-th by id) it asks the engine's ``similar`` (an OR of
the article's ten key terms over the whole archive, what the page asked on every view) and its
bounded ``neighbours`` (what ``articles.similar`` stores), and prints how many of the first five
they share, how often the article's own source recurs among them, and the CPU milliseconds and
postings read (Whoosh) per article of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsarchive.settings")

import django

django.setup()

from articles.models import Article  # noqa: E402
from articles.search.engine import get_engine  # noqa: E402
from articles.search.whoosh import postings  # noqa: E402

TOP = 5


def measure(call, article) -> tuple[list[int], float, int, float]:
    """The pks ``call`` answers, its CPU ms, the postings it read (Whoosh) and its wall ms (on
    PostgreSQL the work is the server's, not this process's CPU)."""
    read, cpu, wall = postings.read.count, time.process_time(), time.perf_counter()
    pks = [pk for pk in call(article)][:TOP]
    return pks, (time.process_time() - cpu) * 1000, postings.read.count - read, (time.perf_counter() - wall) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=200, help="articles compared")
    opts = parser.parse_args()
    engine = get_engine()
    published = list(Article.objects.published().order_by("pk").values_list("pk", flat=True))
    step = max(1, len(published) // opts.sample)
    sample = Article.objects.filter(pk__in=published[::step][: opts.sample]).select_related("source")
    articles = {a.pk: a for a in Article.objects.published().only("source_id")}
    sample = list(sample)
    # One pass each, the decoded postings dropped in between: a pass warms the postings cache as a
    # serving process would, and the second must not find the first's terms already decoded.
    runs = {}
    for name, call in (
        ("new", lambda a: [pk for pk, _ in engine.neighbours(a, TOP)]),
        ("old", lambda a: engine.similar(a, TOP)),
    ):
        postings.clear()
        runs[name] = [measure(call, article) for article in sample]
    shared = [len(set(o[0]) & set(n[0])) / TOP for o, n in zip(runs["old"], runs["new"], strict=True)]
    same_source = {
        name: sum(
            articles[pk].source_id == a.source_id
            for a, (pks, *_) in zip(sample, run, strict=True)
            for pk in pks
            if pk in articles
        )
        for name, run in runs.items()
    }
    old_cost, old_read, old_wall = ([r[i] for r in runs["old"]] for i in (1, 2, 3))
    new_cost, new_read, new_wall = ([r[i] for r in runs["new"]] for i in (1, 2, 3))
    n = len(shared)
    print(f"articles compared: {n} of {len(published)} published ({type(engine).__name__})")
    print(
        f"overlap@{TOP}: mean {statistics.mean(shared):.2f}, all five the same {sum(s == 1 for s in shared)}, "
        f"none shared {sum(s == 0 for s in shared)}"
    )
    print(f"same source among the {TOP}: old {same_source['old'] / n:.2f}, new {same_source['new'] / n:.2f}")
    for name, cost, read, wall in (
        ("old similar()", old_cost, old_read, old_wall),
        ("neighbours()", new_cost, new_read, new_wall),
    ):
        cost.sort()
        wall.sort()
        print(
            f"{name}: CPU ms p50 {statistics.median(cost):.1f}, p95 {cost[int(0.95 * (n - 1))]:.1f}, "
            f"mean {statistics.mean(cost):.1f}; wall ms p50 {statistics.median(wall):.1f}, "
            f"p95 {wall[int(0.95 * (n - 1))]:.1f}; postings read mean {statistics.mean(read):,.0f}, max {max(read):,}"
        )


if __name__ == "__main__":
    main()
