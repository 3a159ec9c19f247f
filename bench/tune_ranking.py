"""Tune the archive's ranking on the judged topics' tuning split (never the held-out one).

    .venv/bin/python bench/tune_ranking.py [--app-var DIR] [--k1 1.2,2,3] [--b 0.5,0.75,0.9]

Runs the app's own ``run_search`` (``match="any"``) on a scratch archive of the shared corpus
(``relevance.build_archive``; ``--app-var`` reuses one) for every (k1, b) pair and prints MAP@100,
nDCG@10 and P@10 on the tuning topics, best first. Spelling is left out: the Persian pipeline
gives every spelling the same terms (``search_quality.py`` checks it), so it cannot change the
ranking. Put the winner in ``newsarchive/settings.py`` and report it with ``topic_eval.py``,
which reports both splits.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import relevance  # noqa: E402
import topic_eval  # noqa: E402


def floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x]


def main(argv: list[str] | None = None) -> int:
    parser = relevance.archive_parser(__doc__)
    parser.add_argument("--k1", type=floats, default=floats("0.9,1.2,1.6,2.0,2.5,3.0"))
    parser.add_argument("--b", type=floats, default=floats("0.5,0.65,0.75,0.85"))
    parser.add_argument("--match", default="any", choices=("all", "any"))
    opts = parser.parse_args(argv)

    search = relevance.open_archive(opts, opts.match)
    from django.conf import settings

    topics = [t for t in relevance.read_topics(relevance.TOPICS) if t.split == "tuning"]
    qrels = topic_eval.read_qrels(topic_eval.QRELS)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for k1 in opts.k1:
            for b in opts.b:
                settings.SEARCH_BM25_K1, settings.SEARCH_BM25_B = k1, b
                results = {t.qid: search(t.query, 100) for t in topics}
                path = Path(scratch) / f"app-{k1}-{b}.run"
                relevance.write_run(path, "app", results)
                means = topic_eval.evaluate(qrels, {"app.as_written": path}, topics)["runs"]["app.as_written"]
                means = means["tuning"]["mean"]
                rows.append((means["MAP@100"], means["nDCG@10"], means["P@10"], k1, b))
                print(
                    f"k1={k1:<4} b={b:<5} MAP@100 {means['MAP@100']:.4f}  nDCG@10 {means['nDCG@10']:.4f}"
                    f"  P@10 {means['P@10']:.4f}",
                    flush=True,
                )
    print("\nbest first (tuning topics):")
    for map_, ndcg, p10, k1, b in sorted(rows, reverse=True)[:5]:
        print(f"  k1={k1} b={b}: MAP@100 {map_:.4f}, nDCG@10 {ndcg:.4f}, P@10 {p10:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
