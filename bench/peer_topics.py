"""The FTS5 peer on the judged topics: ``bench/peers.py topics`` (see ``peers.py``).

An FTS5 index of the shared corpus over our analyzer's terms, each article as ``relevance.py``
indexes it (title twice, lead, body), kept in ``--work`` while the corpus and the Persian
pipeline are unchanged (``relevance``'s stamp); every topic in every spelling through
``peers.fts5_search`` (its query analyzed by ``query.parse``, an OR of the clauses, ``bm25()``),
the top ``--depth`` written as ``fts5.<spelling>.run``; then ``topic_eval``'s measures of it and
of the other rankers' runs already in ``--runs``.
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

import peers
import relevance
import topic_eval

OTHERS = ("app", "bm25or", "stock")


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, default=relevance.DEFAULT_CORPUS)
    parser.add_argument("--work", type=Path, default=relevance.DEFAULT_WORK, help="the FTS5 index goes here")
    parser.add_argument("--runs", type=Path, default=relevance.DEFAULT_WORK / "runs")
    parser.add_argument(
        "--spellings",
        default=",".join(relevance.SPELLINGS),
        type=lambda v: relevance.names(v, relevance.SPELLINGS),
    )
    parser.add_argument("--topics", type=Path, default=relevance.TOPICS)
    parser.add_argument("--qrels", type=Path, default=topic_eval.QRELS)
    parser.add_argument("--depth", type=int, default=100)


def open_index(corpus: Path, work: Path) -> tuple[sqlite3.Connection, list[str]]:
    """The corpus's FTS5 index (built unless current) and its rowid → corpus id list."""
    articles = relevance.read_corpus(corpus)
    ids = [a.id for a in articles]
    path = work / "fts5-topics.sqlite"
    stamp, stamp_file = relevance._source_stamp(corpus, "ours"), work / "fts5-topics.stamp"
    if not (path.exists() and stamp_file.exists() and stamp_file.read_text() == stamp):
        work.mkdir(parents=True, exist_ok=True)
        built = peers.fts5_build(path, ((i, a.document, "", None) for i, a in enumerate(articles)))
        stamp_file.write_text(stamp)
        relevance._log(f"FTS5 index of {built['docs']} articles: {built}")
    return sqlite3.connect(path), ids


def write_runs(opts: argparse.Namespace) -> dict[str, Path]:
    con, ids = open_index(opts.corpus, opts.work)
    topics = relevance.read_topics(opts.topics)
    paths = {}
    for spelling in opts.spellings:
        results = {}
        for t in topics:
            _, hits = peers.fts5_search(con, relevance.SPELLINGS[spelling](t.query), limit=opts.depth)
            results[t.qid] = [(ids[rowid], score) for rowid, score in hits]
        paths[f"fts5.{spelling}"] = opts.runs / f"fts5.{spelling}.run"
        relevance.write_run(paths[f"fts5.{spelling}"], "fts5", results)
    return paths


def main(opts: argparse.Namespace) -> int:
    runs = write_runs(opts)
    for name in OTHERS:
        for spelling in opts.spellings:
            path = opts.runs / f"{name}.{spelling}.run"
            if path.exists():
                runs[f"{name}.{spelling}"] = path
    result = topic_eval.evaluate(topic_eval.read_qrels(opts.qrels), runs, relevance.read_topics(opts.topics))
    print(topic_eval.table(result))
    return 0
