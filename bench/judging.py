"""Pool the rankers' top articles per topic into judging files, and collect the judges' grades.

    .venv/bin/python bench/judging.py pool [--depth 30] [--rankers allwords,bm25or,stock]
    .venv/bin/python bench/judging.py collect [--allow-missing]

``pool`` takes the union of each ranker's top ``--depth`` articles per topic (the query as
written), writes ``bench/topics/pool.tsv`` (qid, docid), the pooled part of each run as
``bench/topics/runs/pool-<ranker>.run`` and one file per topic, ``bench/topics/judging/<qid>.md``:
the topic's query and description, then every pooled article in a random order that does not
say which ranker found it (docid, date, source, title, the first ~700 characters of lead and
body) with a line ``grade:`` to fill in. Grades already written in a judging file are kept when
the pool is made again (say, with another ranker added).

``collect`` reads the filled-in judging files into ``bench/topics/qrels.txt`` (TREC qrels,
``qid 0 docid grade``: 2 relevant, 1 partly, 0 not). It stops on a grade that is not 0, 1 or 2,
and on a blank one unless ``--allow-missing`` (then blank ones are left out and counted).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import relevance  # noqa: E402

TOPICS_DIR = HERE / "topics"
POOL = TOPICS_DIR / "pool.tsv"
JUDGING = TOPICS_DIR / "judging"
QRELS = TOPICS_DIR / "qrels.txt"
POOL_RANKERS = "allwords,bm25or,stock"
EXCERPT_CHARS = 700
GRADES = {"0": 0, "1": 1, "2": 2, "۰": 0, "۱": 1, "۲": 2}
_DOC = re.compile(r"^### .*docid: (?P<docid>\S+)")
_GRADE = re.compile(r"^grade:(?P<grade>.*)$")
_JUDGE = re.compile(r"^judge:(?P<judge>.*)$", re.MULTILINE)

INSTRUCTIONS = """\
Read each article below against the description, then write its grade after `grade:`:
**2** relevant (the article is about what the description asks for), **1** partly relevant (it
touches the topic, or covers only a part of it), **0** not relevant. Judge by the article, not by
whether it contains the query's words. The order is random and does not say which ranker found
an article. Put your name after `judge:`. Then run `.venv/bin/python bench/judging.py collect`."""


def pool(runs: dict[str, dict[str, list[str]]], depth: int) -> dict[str, list[str]]:
    """qid → the union of every run's top ``depth`` docids, sorted (the order judges see is shuffled)."""
    pooled: dict[str, set[str]] = {}
    for run in runs.values():
        for qid, docids in run.items():
            pooled.setdefault(qid, set()).update(docids[:depth])
    return {qid: sorted(docids) for qid, docids in pooled.items()}


def read_grades(path: Path) -> dict[str, str]:
    """docid → the grade written in a judging file ("" when blank)."""
    grades, docid = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := _DOC.match(line):
            docid = m["docid"]
        elif (m := _GRADE.match(line)) and docid:
            grades[docid] = m["grade"].strip()
            docid = None
    return grades


def read_qrels(path: Path) -> dict[str, dict[str, str]]:
    """``qid → {docid: grade}`` from a TREC qrels file."""
    grades: dict[str, dict[str, str]] = {}
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.strip():
            qid, _, docid, grade = line.split()
            grades.setdefault(qid, {})[docid] = grade
    return grades


def read_judge(path: Path) -> str:
    """Who graded a judging file (its ``judge:`` line), "" when nobody said."""
    m = _JUDGE.search(path.read_text(encoding="utf-8")) if path.exists() else None
    return m["judge"].strip() if m else ""


def _excerpt(article: relevance.Article) -> str:
    text = " ".join(f"{article.lead}\n{article.body}".split())
    if len(text) <= EXCERPT_CHARS:
        return text
    cut = text.rfind(" ", 0, EXCERPT_CHARS)
    return text[: cut if cut > EXCERPT_CHARS // 2 else EXCERPT_CHARS] + " …"


def judging_file(
    topic: relevance.Topic, docids: list[str], articles: dict, kept: dict[str, str], judge: str = ""
) -> str:
    order = list(docids)
    random.Random(f"judging-{topic.qid}").shuffle(order)
    lines = [
        f"# Topic {topic.qid} ({topic.split})",
        "",
        f"query: {topic.query}",
        "",
        f"description: {topic.description}",
        "",
        INSTRUCTIONS,
        "",
        f"judge: {judge}",
        "",
        f"{len(order)} articles.",
    ]
    for n, docid in enumerate(order, 1):
        article = articles[docid]
        lines += [
            "",
            "---",
            "",
            f"### {n}/{len(order)} · docid: {docid}",
            "",
            f"{article.date[:10] or 'no date'} · {article.source}",
            "",
            f"title: {article.title or '(no title)'}",
            "",
            f"> {_excerpt(article) or '(no text)'}",
            "",
            f"grade: {kept.get(docid, '')}",
        ]
    return "\n".join(lines) + "\n"


def make_pool(opts: argparse.Namespace) -> int:
    topics = relevance.read_topics(opts.topics)
    paths = relevance.make_runs(
        opts.rankers, ["as_written"], topics, opts.runs, opts.corpus, opts.work, app_var=opts.app_var
    )
    runs = {name.split(".")[0]: relevance.read_run(path) for name, path in paths.items()}
    pooled = pool(runs, opts.depth)
    articles = {a.id: a for a in relevance.read_corpus(opts.corpus)}
    (TOPICS_DIR / "runs").mkdir(parents=True, exist_ok=True)
    for name, path in paths.items():  # the part of each run that was pooled, for the record
        ranker = name.split(".")[0]
        kept = [line for line in path.read_text().splitlines() if int(line.split()[3]) <= opts.depth]
        (TOPICS_DIR / "runs" / f"pool-{ranker}.run").write_text("\n".join(kept) + "\n")
    JUDGING.mkdir(parents=True, exist_ok=True)
    with POOL.open("w") as out:
        out.write("qid\tdocid\n")
        for topic in topics:
            for docid in pooled.get(topic.qid, []):
                out.write(f"{topic.qid}\t{docid}\n")
    sizes = {}
    judged = read_qrels(QRELS) if QRELS.exists() else {}  # the judging files are not committed
    for topic in topics:
        target = JUDGING / f"{topic.qid}.md"
        kept = read_grades(target) if target.exists() else judged.get(topic.qid, {})
        docids = pooled.get(topic.qid, [])
        page = judging_file(topic, docids, articles, kept, read_judge(target))
        target.write_text(page, encoding="utf-8")
        sizes[topic.qid] = len(docids)
    total = sum(sizes.values())
    print(f"pool depth {opts.depth}, rankers {', '.join(opts.rankers)}: {total} articles for {len(sizes)} topics")
    print("per topic: " + " ".join(f"{qid}:{n}" for qid, n in sizes.items()))
    print(f"smallest {min(sizes.values())}, largest {max(sizes.values())}, mean {total / len(sizes):.1f}")
    return 0


def collect(opts: argparse.Namespace) -> int:
    rows, blank, bad, judges = [], Counter(), [], Counter()
    files = sorted(opts.judging.glob("*.md"), key=lambda p: int(p.stem) if p.stem.isdigit() else 0)
    for path in files:
        judges[read_judge(path) or "(no judge: line)"] += 1
        for docid, grade in read_grades(path).items():
            if not grade:
                blank[path.stem] += 1
            elif grade in GRADES:
                rows.append((path.stem, docid, GRADES[grade]))
            else:
                bad.append(f"{path.name}: {docid}: grade {grade!r} (0, 1 or 2)")
    if bad:
        print("\n".join(bad), file=sys.stderr)
        return 1
    if blank and not opts.allow_missing:
        print(f"{sum(blank.values())} articles have no grade yet: {dict(blank)}", file=sys.stderr)
        print("grade them, or pass --allow-missing to write the graded ones", file=sys.stderr)
        return 1
    opts.qrels.write_text("".join(f"{qid} 0 {docid} {grade}\n" for qid, docid, grade in rows))
    counts = Counter(grade for *_, grade in rows)
    print(f"{opts.qrels}: {len(rows)} judgments ({counts[2]} relevant, {counts[1]} partly, {counts[0]} not)", end="")
    print(f"; {sum(blank.values())} left blank" if blank else "")
    print("judged by: " + ", ".join(f"{judge} ({n} topics)" for judge, n in judges.most_common()))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    pool_cmd = sub.add_parser("pool", help="runs → pool.tsv and judging/<qid>.md")
    relevance.add_run_options(pool_cmd, POOL_RANKERS)
    pool_cmd.add_argument("--runs", type=Path, default=relevance.DEFAULT_WORK / "runs")
    pool_cmd.set_defaults(depth=30)
    collect_cmd = sub.add_parser("collect", help="judging/<qid>.md → qrels.txt")
    collect_cmd.add_argument("--allow-missing", action="store_true")
    collect_cmd.add_argument("--judging", type=Path, default=JUDGING, help="the folder of judging files")
    collect_cmd.add_argument("--qrels", type=Path, default=QRELS)
    opts = parser.parse_args(argv)
    return make_pool(opts) if opts.command == "pool" else collect(opts)


if __name__ == "__main__":
    sys.exit(main())
