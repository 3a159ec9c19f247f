"""Evaluate rankers on the judged topics: MAP@100, nDCG@10 and P@10, tuning and held-out apart.

    .venv/bin/python bench/topic_eval.py                                   # allwords, bm25or, stock
    .venv/bin/python bench/topic_eval.py --rankers allwords,bm25or,stock,app  # and the app's search
    .venv/bin/python bench/topic_eval.py --rankers app --engines whoosh,postgres  # the app on each engine
    .venv/bin/python bench/topic_eval.py --no-search --runs DIR            # runs already in DIR
    .venv/bin/python bench/topic_eval.py --run new=path/to/new.as_written.run  # any TREC run too

Each ranker runs every topic of ``bench/topics/topics.tsv`` in every spelling (as written, ZWNJ
removed, ZWNJ as a space, Arabic ي/ك; ``--spellings``) through ``bench/relevance.py``, and is
scored against ``bench/topics/qrels.txt`` (grades 0 not, 1 partly, 2 relevant; ``bench/judging.py
collect`` writes it) with ``ir-measures`` (trec_eval's measures): AP@100 and P@10 count grade ≥ 1
as relevant, nDCG@10 uses the grades as gains. Judged@10 is the share of the top 10 that was
judged: a ranker whose top 10 was not in the pool is scored as if every unjudged article were not
relevant, and this column says how far that goes.

A topic counts when it has at least one article graded ≥ 1; a ranker that returns nothing for it
scores 0 there (trec_eval would silently leave the topic out). With ``ranx`` installed, a paired
t-test compares the two best rankers by MAP@100 per split (as written). ``--json`` keeps every
figure and every topic's.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections import defaultdict
from pathlib import Path
from statistics import mean

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import ir_measures  # noqa: E402
import relevance  # noqa: E402
from ir_measures import AP, Judged, P, nDCG  # noqa: E402

QRELS = HERE / "topics" / "qrels.txt"
MEASURES = {"MAP@100": AP(rel=1) @ 100, "nDCG@10": nDCG @ 10, "P@10": P(rel=1) @ 10, "Judged@10": Judged @ 10}
SPLITS = ("tuning", "heldout")


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for q in ir_measures.read_trec_qrels(str(path)):
        qrels[q.query_id][q.doc_id] = int(q.relevance)
    return dict(qrels)


def read_scored_run(path: Path) -> dict[str, dict[str, float]]:
    run: dict[str, dict[str, float]] = defaultdict(dict)
    for r in ir_measures.read_trec_run(str(path)):
        run[r.query_id][r.doc_id] = float(r.score)
    return dict(run)


def per_topic(qrels: dict, run: dict, qids: list[str]) -> dict[str, dict[str, float]]:
    """measure name → qid → value, every topic in ``qids`` present (0 where the run has nothing)."""
    names = {str(m): name for name, m in MEASURES.items()}
    values = {name: dict.fromkeys(qids, 0.0) for name in MEASURES}
    wanted = set(qids)
    judged = {qid: docs for qid, docs in qrels.items() if qid in wanted}
    scored = {qid: docs for qid, docs in run.items() if qid in wanted and docs}
    for m in ir_measures.iter_calc(list(MEASURES.values()), judged, scored):
        values[names[str(m.measure)]][m.query_id] = m.value
    return values


def evaluate(qrels: dict, runs: dict[str, Path], topics: list[relevance.Topic]) -> dict:
    """``runs``: "<ranker>.<spelling>" → run file. Returns means and per-topic figures per split."""
    useful = {qid for qid, docs in qrels.items() if any(g >= 1 for g in docs.values())}
    splits = {s: [t.qid for t in topics if t.split == s and t.qid in useful] for s in SPLITS}
    splits["all"] = splits["tuning"] + splits["heldout"]
    result: dict = {"topics": {s: len(q) for s, q in splits.items()}, "runs": {}}
    for name, path in runs.items():
        run = read_scored_run(path)
        result["runs"][name] = {}
        for split, qids in splits.items():
            values = per_topic(qrels, run, qids)
            result["runs"][name][split] = {
                "mean": {m: round(mean(v.values()), 4) if v else None for m, v in values.items()},
                "per_topic": values,
            }
    return result


def significance(qrels: dict, runs: dict[str, Path], result: dict, spelling: str = "as_written") -> list[str]:
    """A paired t-test (``ranx``) between the two best rankers by MAP@100, per split."""
    warnings.filterwarnings("ignore", module="ranx")  # numba's cast warnings, not ours
    try:
        from ranx import Qrels, Run, compare
    except ImportError:
        return ["(ranx is not installed: no significance test)"]
    lines = []
    for split in ("heldout", "tuning", "all"):
        names = [n for n in runs if n.endswith(f".{spelling}")]
        ranked = sorted(names, key=lambda n: -(result["runs"][n][split]["mean"]["MAP@100"] or 0))[:2]
        qids = set(result["runs"][ranked[0]][split]["per_topic"]["MAP@100"]) if ranked else set()
        if len(ranked) < 2 or len(qids) < 2:
            continue
        sub_qrels = Qrels({q: d for q, d in qrels.items() if q in qids})
        runs_ = [Run(read_scored_run(runs[n]), name=n.split(".")[0]) for n in ranked]
        # make_comparable: a topic a run has nothing for scores 0, one outside the split is dropped
        report = compare(sub_qrels, runs_, metrics=["map@100"], stat_test="student", max_p=0.05, make_comparable=True)
        a, b = (r.name for r in runs_)
        score = {n: report.results[n]["map@100"] for n in (a, b)}
        p_value = report.comparisons[a, b]["map@100"]["p_value"]
        better = a if score[a] >= score[b] else b
        lines.append(
            f"{split}: {a} {score[a]:.3f} vs {b} {score[b]:.3f} (ranx MAP@100, {len(qids)} topics):"
            f" paired t-test p = {p_value:.4f}"
            + (f", {better} better at 0.05" if p_value < 0.05 else ", not significant")
        )
    return lines


def table(result: dict) -> str:
    cols = [(s, m) for s in SPLITS for m in MEASURES]
    head = "| ranker | spelling | " + " | ".join(f"{m} {s}" for s, m in cols) + " |"
    lines = [
        f"Topics with a relevant article: {result['topics']['tuning']} tuning, {result['topics']['heldout']} held out.",
        "",
        head,
        "|" + " --- |" * (len(cols) + 2),
    ]
    for name, splits in result["runs"].items():
        ranker, _, spelling = name.partition(".")
        cells = [splits[s]["mean"][m] for s, m in cols]
        lines.append(
            f"| {ranker} | {spelling or '-'} | " + " | ".join("–" if c is None else f"{c:.3f}" for c in cells) + " |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    relevance.add_run_options(parser, "allwords,bm25or,stock")
    parser.add_argument("--qrels", type=Path, default=QRELS)
    parser.add_argument("--runs", type=Path, default=relevance.DEFAULT_WORK / "runs", help="where runs are written")
    parser.add_argument("--no-search", action="store_true", help="score the runs already in --runs")
    parser.add_argument("--run", action="append", default=[], metavar="NAME=PATH", help="another TREC run to score")
    parser.add_argument("--json", type=Path, help="write every figure here")
    opts = parser.parse_args(argv)
    if not opts.qrels.exists():
        parser.error(f"{opts.qrels} does not exist yet: the judges fill bench/topics/judging/, then judging.py collect")
    topics = relevance.read_topics(opts.topics)
    if opts.no_search:
        apps = [relevance.app_ranker(e) for e in opts.engines]
        rankers = [n for r in opts.rankers for n in (apps if r == "app" else [r])]
        runs = {f"{r}.{s}": opts.runs / f"{r}.{s}.run" for r in rankers for s in opts.spellings}
        runs = {name: path for name, path in runs.items() if path.exists()}
    else:
        runs = relevance.make_runs(
            opts.rankers,
            opts.spellings,
            topics,
            opts.runs,
            opts.corpus,
            opts.work,
            opts.depth,
            opts.app_var,
            tuple(opts.engines),
            opts.topics,
        )
    for extra in opts.run:
        name, _, path = extra.partition("=")
        runs[name] = Path(path)
    qrels = read_qrels(opts.qrels)
    result = evaluate(qrels, runs, topics)
    result["significance"] = significance(qrels, runs, result)
    print(table(result))
    print()
    print("\n".join(result["significance"]))
    if opts.json:
        opts.json.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
