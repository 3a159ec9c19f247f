"""Precision of «رشتهٔ این خبر» (``articles.graph.thread``) on a judged sample of the corpus.

    .venv/bin/python bench/thread_precision.py pool  --app-var DIR --label before [--sample 30]
    .venv/bin/python bench/thread_precision.py score --app-var DIR

``pool`` picks ``--sample`` published articles (seed 17, the same ones every time: the first
articles in a seeded shuffle that had a thread when the sample was first drawn, kept in
``judging/sample.txt``), computes each one's thread with the code checked out now and appends
the pairs not yet in ``judging/threads.tsv`` with an empty label, plus the run itself as
``judging/run-<label>.tsv``. A judge reads each pair (the centre article's title and lead
against the thread item's) and writes ``1`` (same story, or a direct follow-up) or ``0``
(unrelated) in the first column. Judgments are keyed by the articles' external ids, so a pair
judged for one version is not judged again for the next.

``score`` prints, per run: the number of centres with a thread, the thread items, how many are
judged related, precision, and how many of the related pairs any run found it keeps (a recall
proxy). ``judging/`` quotes corpus text and stays out of git.

The archive in ``DIR`` is an import of the shared corpus (``bench/relevance.py``'s
``build_archive``) with ``load_gazetteer`` and ``extract_entities`` run on it: threads follow
related links and the names two articles share.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
JUDGING = HERE / "threads" / "judging"
SAMPLE = JUDGING / "sample.txt"
PAIRS = JUDGING / "threads.tsv"
SEED = 17
EXCERPT = 160


def _setup(var_dir: Path) -> None:
    os.environ["NEWSARCHIVE_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsarchive.settings")
    sys.path.insert(0, str(HERE.parent))
    import django

    django.setup()


def _excerpt(article) -> str:
    text = " ".join(f"{article.title} — {article.lead or article.body}".split())
    return text[:EXCERPT]


def _sample(size: int) -> list[str]:
    """External ids of the sampled centres: drawn once, then read back."""
    from articles import graph
    from articles.models import Article

    if SAMPLE.exists():
        return SAMPLE.read_text(encoding="utf-8").split()
    ids = list(Article.objects.published().order_by("pk").values_list("pk", flat=True))
    random.Random(SEED).shuffle(ids)
    chosen = []
    for pk in ids:
        if len(chosen) == size:
            break
        article = Article.objects.get(pk=pk)
        if graph.thread(article):
            chosen.append(article.external_id)
    SAMPLE.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    return chosen


def _read_pairs() -> dict[tuple[str, str], list[str]]:
    if not PAIRS.exists():
        return {}
    with PAIRS.open(encoding="utf-8") as f:
        return {(row[1], row[2]): row for row in csv.reader(f, delimiter="\t") if len(row) >= 3}


def pool(size: int, label: str) -> None:
    from articles import graph
    from articles.models import Article

    JUDGING.mkdir(parents=True, exist_ok=True)
    pairs = _read_pairs()
    run = []
    sample = _sample(size)
    for external_id in sample:
        center = Article.objects.get(external_id=external_id)
        for item in graph.thread(center):
            if item.pk == center.pk:
                continue
            run.append((external_id, item.external_id))
            key = (external_id, item.external_id)
            if key not in pairs:
                pairs[key] = ["", *key, _excerpt(center), _excerpt(item)]
    with PAIRS.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter="\t").writerows(sorted(pairs.values(), key=lambda row: (row[1], row[2])))
    with (JUDGING / f"run-{label}.tsv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter="\t").writerows(run)
    unjudged = sum(1 for row in pairs.values() if row[0].strip() not in ("0", "1"))
    print(f"{label}: {len(run)} thread items for {len(sample)} centres; {unjudged} pairs to judge in {PAIRS}")


def score() -> None:
    pairs = _read_pairs()
    related = {key for key, row in pairs.items() if row[0].strip() == "1"}
    for path in sorted(JUDGING.glob("run-*.tsv")):
        with path.open(encoding="utf-8") as f:
            run = [tuple(row) for row in csv.reader(f, delimiter="\t")]
        judged = [key for key in run if pairs.get(key, [""])[0].strip() in ("0", "1")]
        hits = sum(1 for key in judged if key in related)
        centres = len({c for c, _ in run})
        precision = hits / len(judged) if judged else 0.0
        print(
            f"{path.stem[4:]:<8} centres with a thread {centres:>3}  items {len(run):>4}  judged {len(judged):>4}  "
            f"related {hits:>4}  precision {precision:.3f}  related pairs kept {hits}/{len(related)}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["pool", "score"])
    parser.add_argument("--app-var", type=Path, required=True, help="an imported archive with entities extracted")
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--label", default="now")
    opts = parser.parse_args(argv)
    if opts.command == "pool":
        _setup(opts.app_var)
        pool(opts.sample, opts.label)
    else:
        score()
    return 0


if __name__ == "__main__":
    sys.exit(main())
