"""Rankers for the judged topic collection (``bench/topics/``), and their runs in TREC format.

    .venv/bin/python bench/relevance.py [--rankers allwords,bm25or,stock] [--spellings as_written]
                                        [--depth 100] [--runs DIR] [--work DIR] [--app-var DIR]
                                        [--engines whoosh,postgres]

Writes ``DIR/<ranker>.<spelling>.run`` (``qid Q0 docid rank score tag``, docid = the corpus
``id``) for every topic of ``bench/topics/topics.tsv``. The rankers:

- ``allwords``: the archive's behaviour before issue 14 — our analyzer (``query.parse``), every
  term required, "most words" (an OR) only when that finds nothing, Whoosh's BM25F. The terms go
  to Whoosh as ``Term`` objects, so this is the app's query without its double analysis.
- ``bm25or``: our analyzer, an OR of the query terms, BM25 with Lucene's idf
  ``log(1 + (N − n + 0.5)/(n + 0.5))`` (Whoosh's never falls below 1), k1 = 2.0, b = 0.75.
- ``stock``: Whoosh's ``StemmingAnalyzer``, an OR of the words, Whoosh's BM25F: what a Django
  developer gets from haystack by default.
- ``app``: the app's own search, ``articles.search.service.run_search`` with ``page_size=100``, on
  a scratch archive (``NEWSARCHIVE_VAR_DIR`` in ``--work``, ``migrate`` + ``import_articles`` of
  the corpus; ``--app-var`` reuses one). It follows the code as it is: run it again after the
  ranking changes. ``--engines`` chooses the search engine(s) it runs on: ``whoosh`` (runs named
  ``app``) and ``postgres`` (``app-postgres``: the same import into a PostgreSQL database of its
  own, ``na_relevance``, searched with ``NEWSARCHIVE_SEARCH=postgres``; ``bench/engines.py``).
  Django is set up once per process, so with two engines each one's runs are made by a child
  process.

The Whoosh rankers index each article as the app's document template does (title twice, lead,
body) in one ``text`` field, into ``--work`` (reused while the corpus and the analyzer's source
are unchanged: a stamp file holds their hash). No Django for them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import engines  # noqa: E402
from whoosh import index as whoosh_index  # noqa: E402
from whoosh import scoring  # noqa: E402
from whoosh.analysis import Analyzer, StemmingAnalyzer  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402
from whoosh.query import And, Or, Query, Term  # noqa: E402

TOPICS = HERE / "topics" / "topics.tsv"
DEFAULT_CORPUS = Path(os.environ.get("NEWSARCHIVE_SHARED", REPO.parent / "shared")) / "corpus"
DEFAULT_WORK = Path(tempfile.gettempdir()) / "newsarchive-relevance"
ZWNJ = "\u200c"
RANKERS = ("allwords", "bm25or", "stock", "app")
# The four ways a reader may type the same query: as the topic was written, half-spaces lost
# (glued, or typed as spaces), and an Arabic keyboard's ي and ك.
SPELLINGS: dict[str, Callable[[str], str]] = {
    "as_written": lambda q: q,
    "zwnj_removed": lambda q: q.replace(ZWNJ, ""),
    "zwnj_space": lambda q: q.replace(ZWNJ, " "),
    "arabic": lambda q: q.translate(str.maketrans({"ی": "ي", "ک": "ك"})),
}


@dataclass(frozen=True)
class Topic:
    qid: str
    split: str  # "tuning" or "heldout"
    query: str
    description: str


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    lead: str
    body: str
    date: str = ""
    source: str = ""

    @property
    def document(self) -> str:
        """The app's indexed text (``templates/search/indexes/articles/article_text.txt``)."""
        return "\n".join(part for part in (self.title, self.title, self.lead, self.body) if part)


def read_topics(path: Path = TOPICS) -> list[Topic]:
    rows = [line.rstrip("\n").split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    header, rows = rows[0], rows[1:]
    assert header == ["qid", "split", "query", "description"], header
    return [Topic(*row) for row in rows if row and row[0]]


def read_corpus(corpus: Path = DEFAULT_CORPUS) -> list[Article]:
    articles = []
    for path in sorted(Path(corpus).glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    r = json.loads(line)
                    title, lead, body = (r.get("title") or "").strip(), r.get("lead") or "", r.get("body") or ""
                    articles.append(
                        Article(str(r["id"]), title, lead, body, r.get("date") or "", r.get("source") or "")
                    )
    if not articles:
        raise SystemExit(f"no articles in {corpus}/*.jsonl: pass --corpus or set NEWSARCHIVE_SHARED")
    return articles


# ---------------------------------------------------------------------------------------------
# Whoosh rankers


class LuceneBM25(scoring.BM25F):
    """BM25 with Lucene's idf, which goes to ~0 for a word in every document (Whoosh's stays ≥ 1)."""

    def idf(self, searcher, fieldname: str, text: str) -> float:
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        return math.log(1 + (parent.doc_count_all() - n + 0.5) / (n + 0.5))


def _our_terms(text: str) -> tuple[list[str], bool]:
    """The query's plain terms through ``query.parse``; True when it holds operators we ignore."""
    from articles.search import query

    parsed = query.parse(text)
    terms = [c.terms[0] for c in parsed.plain_terms()]
    return terms, len(terms) != len(parsed.required) or bool(parsed.any_of or parsed.excluded)


def _stock_terms(text: str) -> list[str]:
    return [token.text for token in StemmingAnalyzer()(text)]


def _unique(terms: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(terms))


@dataclass
class WhooshRanker:
    name: str
    analyzer: Callable[[], Analyzer]
    weighting: scoring.WeightingModel
    plans: Callable[[str], list[Query]]  # queries to try in turn; the first that finds something wins
    index_name: str

    def search(self, searcher, text: str, depth: int) -> list[tuple[str, float]]:
        for plan in self.plans(text):
            hits = searcher.search(plan, limit=depth)
            if hits.scored_length():
                return [(hit["id"], hit.score) for hit in hits]
        return []


def _allwords_plans(text: str) -> list[Query]:
    terms = _unique(_our_terms(text)[0])
    if not terms:
        return []
    plans: list[Query] = [And([Term("text", t) for t in terms])]
    if len(terms) > 1:
        plans.append(Or([Term("text", t) for t in terms]))
    return plans


def _or_plans(terms: list[str]) -> list[Query]:
    terms = _unique(terms)
    return [Or([Term("text", t) for t in terms])] if terms else []


def _our_analyzer() -> Analyzer:
    from articles.search.whoosh.analyzer import PersianAnalyzer

    return PersianAnalyzer()


WHOOSH_RANKERS = {
    "allwords": WhooshRanker("allwords", _our_analyzer, scoring.BM25F(), _allwords_plans, "ours"),
    "bm25or": WhooshRanker(
        "bm25or", _our_analyzer, LuceneBM25(K1=2.0, B=0.75), lambda q: _or_plans(_our_terms(q)[0]), "ours"
    ),
    "stock": WhooshRanker("stock", StemmingAnalyzer, scoring.BM25F(), lambda q: _or_plans(_stock_terms(q)), "stock"),
}


def _source_stamp(corpus: Path, index_name: str) -> str:
    """Changes when the corpus or (for ours) the Persian pipeline's source or word lists change."""
    digest = hashlib.sha256(index_name.encode())
    for path in sorted(Path(corpus).glob("*.jsonl")):
        digest.update(f"{path.name}:{path.stat().st_size}:{path.stat().st_mtime_ns}".encode())
    if index_name == "ours":
        sources = [*sorted((REPO / "persian").rglob("*")), REPO / "articles/search/whoosh/analyzer.py"]
        for path in sources:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def open_index(name: str, analyzer: Callable[[], Analyzer], corpus: Path, work: Path):
    """The Whoosh index of the corpus for ``analyzer``, built into ``work/name`` unless current."""
    folder = work / f"index-{name}"
    stamp = _source_stamp(corpus, name)
    stamp_file = folder / "STAMP"
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        return whoosh_index.open_dir(str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    started = time.perf_counter()
    schema = Schema(id=ID(stored=True, unique=True), text=TEXT(analyzer=analyzer()))
    ix = whoosh_index.create_in(str(folder), schema)
    writer = ix.writer(limitmb=256)
    articles = read_corpus(corpus)
    for article in articles:
        writer.add_document(id=article.id, text=article.document)
    writer.commit(optimize=True)
    stamp_file.write_text(stamp)
    _log(f"index {name}: {len(articles)} articles in {time.perf_counter() - started:.0f} s")
    return ix


# ---------------------------------------------------------------------------------------------
# The app's own search, on a scratch archive


def app_ranker(engine: str) -> str:
    """The name of the app's runs on ``engine`` ("app" on the embedded default)."""
    return "app" if engine == "whoosh" else f"app-{engine}"


def archive_folder(work: Path, engine: str) -> Path:
    return work / ("app-archive" if engine == "whoosh" else f"app-archive-{engine}")


def _archive_env(var_dir: Path, engine: str) -> dict[str, str]:
    """The scratch archive's environment; on PostgreSQL its database is ``na_relevance``."""
    return engines.archive_env(var_dir, engine, engines.database_url("na_relevance") if engine != "whoosh" else "")


def build_archive(var_dir: Path, corpus: Path, engine: str = "whoosh") -> None:
    """``migrate`` and ``import_articles`` of the corpus, as a user runs them (once per folder)."""
    stamp = f"{corpus}\n{engine}"
    done = var_dir / "IMPORTED"
    if done.exists() and done.read_text().strip() in ({stamp, str(corpus)} if engine == "whoosh" else {stamp}):
        return
    env = _archive_env(var_dir, engine)
    var_dir.mkdir(parents=True, exist_ok=True)
    if engine == "postgres":
        engines.fresh_database("na_relevance")
    for args in (["migrate", "-v0"], ["import_articles", str(corpus), "--index-alongside", "yes"]):
        _log(f"scratch archive {var_dir} ({engine}): manage.py {' '.join(args[:1])}")
        subprocess.run([sys.executable, str(REPO / "manage.py"), *args], cwd=REPO, env=env, check=True)
    (var_dir / "IMPORTED").write_text(stamp)


def archive_parser(description: str | None) -> argparse.ArgumentParser:
    """The options of a script that searches a scratch archive of the corpus through the app."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--app-var", type=Path, help="an archive already imported")
    return parser


def open_archive(opts: argparse.Namespace, match: str) -> Callable[[str, int], list[tuple[str, float]]]:
    """Build the scratch archive once (``--app-var`` reuses one) and search it with ``match``."""
    var_dir = opts.app_var or opts.work / "app-archive"
    build_archive(var_dir, opts.corpus)
    os.environ["NEWSARCHIVE_SEARCH_MATCH"] = match
    return app_search(var_dir)


def app_search(var_dir: Path, engine: str = "whoosh") -> Callable[[str, int], list[tuple[str, float]]]:
    """``run_search`` of the app in this process, on the archive in ``var_dir`` with ``engine``."""
    env = _archive_env(var_dir, engine)
    for name in ("DATABASE_URL", "NEWSARCHIVE_SEARCH"):  # those the embedded archive must not see
        if name not in env:
            os.environ.pop(name, None)
    os.environ.update(env)
    import django

    django.setup()
    from articles.search.service import SearchParams, run_search

    def search(text: str, depth: int) -> list[tuple[str, float]]:
        page = run_search(SearchParams(q=text, page_size=depth), with_facets=False)
        if page.unavailable:
            raise RuntimeError(f"the app's search failed for {text!r}: see the log")
        return [(hit.article.external_id, hit.score) for hit in page.hits]

    return search


# ---------------------------------------------------------------------------------------------
# Runs


def write_run(path: Path, tag: str, results: dict[str, list[tuple[str, float]]]) -> None:
    """TREC run format; ranks follow the ranker's order (Whoosh breaks score ties by index order)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for qid, hits in results.items():
            for rank, (docid, score) in enumerate(hits, 1):
                out.write(f"{qid} Q0 {docid} {rank} {score:.6f} {tag}\n")


def read_run(path: Path) -> dict[str, list[str]]:
    run: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        qid, _, docid, *_ = line.split()
        run.setdefault(qid, []).append(docid)
    return run


def make_runs(
    rankers: list[str],
    spellings: list[str],
    topics: list[Topic],
    out: Path,
    corpus: Path = DEFAULT_CORPUS,
    work: Path = DEFAULT_WORK,
    depth: int = 100,
    app_var: Path | None = None,
    engines_: tuple[str, ...] = ("whoosh",),
    topics_path: Path = TOPICS,
) -> dict[str, Path]:
    """Write ``out/<ranker>.<spelling>.run`` for each ranker and spelling; returns the paths
    (the app's, on each of ``engines_``, as ``app_ranker(engine)``; ``topics`` read from
    ``topics_path`` when a child process makes them)."""
    paths = {}
    for name in rankers:
        if name == "app":
            for engine in engines_:
                var_dir = (app_var if len(engines_) == 1 else None) or archive_folder(work, engine)
                runs = [f"{app_ranker(engine)}.{spelling}" for spelling in spellings]
                paths.update({run: out / f"{run}.run" for run in runs})
                if len(engines_) > 1:  # Django is set up once per process: one child per engine
                    _app_runs_elsewhere(engine, spellings, topics_path, out, corpus, work, depth)
                    continue
                build_archive(var_dir, corpus, engine)
                search = app_search(var_dir, engine)
                for spelling, run in zip(spellings, runs, strict=True):
                    results = {t.qid: search(SPELLINGS[spelling](t.query), depth) for t in topics}
                    write_run(paths[run], app_ranker(engine), results)
            continue
        ranker = WHOOSH_RANKERS[name]
        ix = open_index(ranker.index_name, ranker.analyzer, corpus, work)
        with ix.searcher(weighting=ranker.weighting) as searcher:
            for spelling in spellings:
                results = {t.qid: ranker.search(searcher, SPELLINGS[spelling](t.query), depth) for t in topics}
                paths[f"{name}.{spelling}"] = out / f"{name}.{spelling}.run"
                write_run(paths[f"{name}.{spelling}"], name, results)
    return paths


def _app_runs_elsewhere(
    engine: str, spellings: list[str], topics: Path, out: Path, corpus: Path, work: Path, depth: int
) -> None:
    """The app's runs on ``engine``, made by ``relevance.py`` in a process of their own."""
    args = ["--rankers", "app", "--engines", engine, "--spellings", ",".join(spellings), "--topics", str(topics)]
    args += ["--corpus", str(corpus), "--work", str(work), "--depth", str(depth), "--runs", str(out)]
    subprocess.run([sys.executable, str(HERE / "relevance.py"), *args], cwd=REPO, check=True)


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def names(value: str, allowed: Iterable[str]) -> list[str]:
    """A comma-separated command-line list, each name checked."""
    chosen = [v.strip() for v in value.split(",") if v.strip()]
    unknown = set(chosen) - set(allowed)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown {sorted(unknown)}; choose from {', '.join(allowed)}")
    return chosen


def add_run_options(parser: argparse.ArgumentParser, default_rankers: str) -> None:
    parser.add_argument("--rankers", default=default_rankers, type=lambda v: names(v, RANKERS))
    parser.add_argument("--spellings", default=",".join(SPELLINGS), type=lambda v: names(v, SPELLINGS))
    parser.add_argument("--topics", type=Path, default=TOPICS)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="indexes and the scratch archive")
    parser.add_argument("--app-var", type=Path, help="an archive already imported, for the app ranker")
    parser.add_argument("--depth", type=int, default=100)
    parser.add_argument(
        "--engines",
        default="whoosh",
        type=lambda v: names(v, engines.ENGINES),
        help="the app ranker's search engines: app (whoosh), app-postgres (postgres)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_options(parser, "allwords,bm25or,stock")
    parser.add_argument("--runs", type=Path, default=DEFAULT_WORK / "runs", help="where the runs go")
    opts = parser.parse_args(argv)
    topics = read_topics(opts.topics)
    paths = make_runs(
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
    for path in paths.values():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
