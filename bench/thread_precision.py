"""Precision of «رشتهٔ این خبر» (``articles.graph.thread``) on judged samples of the corpus.

    .venv/bin/python bench/thread_precision.py pool  --app-var DIR --sample-name S --label L [--code REV]
    .venv/bin/python bench/thread_precision.py score

``pool`` computes the threads of sample ``S``'s articles with ``articles/graph.py`` as checked out
(or as it was at git revision ``REV``, ``--code 30f337e`` for the rule before #17) and appends
the pairs not yet judged to ``judging/threads.tsv`` with an empty label; the run itself goes to
``judging/run-S-L.tsv``. The first ``pool`` of a sample draws it: ``--sample`` published
articles (default 30) that have a thread with that code, the first ones in a shuffle seeded 17,
kept in ``judging/sample-S.txt``.

A judge reads each pair (the centre's title and lead against the thread item's) and writes ``1``
(the same story, or a direct follow-up of it) or ``0`` (unrelated: only the same field, or names
in common) in the first column. Judgments are keyed by the articles' external ids, so a pair
judged once is not judged again for another version or sample.

``score`` prints, per sample and run: centres with a thread, thread items, judged, related,
precision, and how many of the sample's related pairs (found by any run) the run keeps.
``judging/`` quotes corpus text and stays out of git.

The archive in ``DIR`` is an import of the shared corpus (``relevance.build_archive``) with
``load_gazetteer`` and ``extract_entities`` run on it: threads follow related links and names.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
JUDGING = HERE / "threads" / "judging"
PAIRS = JUDGING / "threads.tsv"
SEED = 17
EXCERPT = 160


def _setup(var_dir: Path) -> None:
    os.environ["NEWSARCHIVE_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsarchive.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def _graph(rev: str | None):
    """``articles.graph`` as checked out, or as it was at git revision ``rev``."""
    if rev is None:
        from articles import graph

        return graph
    source = subprocess.run(
        ["git", "show", f"{rev}:articles/graph.py"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout
    module = sys.modules[f"graph_{rev}"] = types.ModuleType(f"graph_{rev}")  # dataclasses look it up
    exec(compile(source, f"{rev}:articles/graph.py", "exec"), module.__dict__)  # our own file, at a revision
    return module


def _excerpt(article) -> str:
    return " ".join(f"{article.title} — {article.lead or article.body}".split())[:EXCERPT]


def _sample(name: str, size: int, graph) -> list[str]:
    """External ids of sample ``name``'s centres: drawn once, then read back."""
    from articles.models import Article

    path = JUDGING / f"sample-{name}.txt"
    if path.exists():
        return path.read_text(encoding="utf-8").split()
    ids = list(Article.objects.published().order_by("pk").values_list("pk", flat=True))
    random.Random(SEED).shuffle(ids)
    chosen = []
    for pk in ids:
        if len(chosen) == size:
            break
        article = Article.objects.get(pk=pk)
        if graph.thread(article):
            chosen.append(article.external_id)
    path.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    return chosen


def _read(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return [row for row in csv.reader(f, delimiter="\t") if row]


def _write(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter="\t").writerows(rows)


def pool(sample_name: str, size: int, label: str, rev: str | None) -> None:
    from articles.models import Article

    graph = _graph(rev)
    JUDGING.mkdir(parents=True, exist_ok=True)
    pairs = {(row[1], row[2]): row for row in _read(PAIRS)}
    sample, run = _sample(sample_name, size, graph), []
    for external_id in sample:
        center = Article.objects.get(external_id=external_id)
        for item in graph.thread(center):
            if item.pk == center.pk:
                continue
            key = (external_id, item.external_id)
            run.append(key)
            pairs.setdefault(key, ["", *key, _excerpt(center), _excerpt(item)])
    _write(PAIRS, sorted(pairs.values(), key=lambda row: (row[1], row[2])))
    _write(JUDGING / f"run-{sample_name}-{label}.tsv", run)
    unjudged = sum(1 for row in pairs.values() if row[0].strip() not in ("0", "1"))
    print(f"{sample_name}/{label}: {len(run)} thread items for {len(sample)} centres; {unjudged} pairs to judge")


def score() -> None:
    labels = {(row[1], row[2]): row[0].strip() for row in _read(PAIRS)}
    for sample in sorted(JUDGING.glob("sample-*.txt")):
        name = sample.stem[len("sample-") :]
        runs = {path.stem[len(f"run-{name}-") :]: _read(path) for path in sorted(JUDGING.glob(f"run-{name}-*.tsv"))}
        found = {tuple(key) for run in runs.values() for key in run if labels.get(tuple(key)) == "1"}
        print(f"sample {name}: {len(sample.read_text().split())} centres; {len(found)} related pairs found by any run")
        for label, run in runs.items():
            judged = [tuple(key) for key in run if labels.get(tuple(key)) in ("0", "1")]
            related = sum(1 for key in judged if labels[key] == "1")
            precision = related / len(judged) if judged else 0.0
            print(
                f"  {label:<8} centres with a thread {len({c for c, _ in run}):>3}  items {len(run):>4}  "
                f"judged {len(judged):>4}  related {related:>4}  precision {precision:.3f}  kept {related}/{len(found)}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["pool", "score"])
    parser.add_argument("--app-var", type=Path, help="an imported archive with entities extracted (pool)")
    parser.add_argument("--sample-name", default="before")
    parser.add_argument("--sample", type=int, default=30, help="centres drawn for a new sample")
    parser.add_argument("--label", default="now")
    parser.add_argument("--code", metavar="REV", help="articles/graph.py as of this git revision")
    opts = parser.parse_args(argv)
    if opts.command == "pool":
        if opts.app_var is None:
            parser.error("pool needs --app-var")
        _setup(opts.app_var)
        pool(opts.sample_name, opts.sample, opts.label, opts.code)
    else:
        score()
    return 0


if __name__ == "__main__":
    sys.exit(main())
