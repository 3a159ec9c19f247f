"""Search quality: our Persian analyzer against Whoosh's stock ``StemmingAnalyzer``.

Two Whoosh indexes are built over the shared corpus with the app's schema (a stored ``text`` field
of title, lead and body, and a ``title`` field), differing only in the analyzer. A fixed query set
drawn from real titles and tags is searched in four spellings each, the way the app searches (every
word required, "most words" when that finds nothing), and the script reports:

* spelling invariance: the share of queries whose top 10 (ids, in order) is the same in all four
  spellings;
* recall@10 and MRR@10 of the article each query was taken from, per spelling;
* the analyzer's cost: index build time and analysis-only time, ours against stock.

    .venv/bin/python bench/search_quality.py [--corpus DIR] [--json out.json] [--limit N]
    .venv/bin/python bench/search_quality.py --make-queries   # rewrite the committed query set

No Django: the indexes are built directly with Whoosh in a temporary folder.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from whoosh import index as whoosh_index  # noqa: E402
from whoosh.analysis import Analyzer, StemmingAnalyzer  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402
from whoosh.query import And, Or, Phrase, Query, Term  # noqa: E402

import persian  # noqa: E402
from articles.search import query  # noqa: E402
from articles.search.whoosh.analyzer import PersianAnalyzer  # noqa: E402
from persian import lexicon  # noqa: E402

DEFAULT_CORPUS = Path(os.environ.get("NEWSARCHIVE_SHARED", REPO.parent / "shared")) / "corpus"
DEFAULT_QUERIES = REPO / "bench" / "queries" / "search_quality_queries.jsonl"
SPELLINGS = ("corpus", "keyboard", "zwnj", "lost")
SPELLING_NOTES = {
    "corpus": "as written in the corpus",
    "keyboard": "Persian keyboard: ی ک and Persian digits",
    "zwnj": "half-spaces restored (hazm Normalizer)",
    "lost": "half-spaces lost: glued or spaced",
}
TOP = 10
SEED = 1403
WRITER_LIMITMB = 256  # as the app's PersianWhooshBackend
ZWNJ = "\u200c"

ANALYZERS: dict[str, Callable[[], Analyzer]] = {
    "ours": PersianAnalyzer,
    "stock": StemmingAnalyzer,  # haystack's default for a Whoosh text field
}


# ---------------------------------------------------------------------------------------------
# Corpus


@dataclass
class Doc:
    id: str
    title: str
    text: str  # title + lead + body
    tags: list[str] = field(default_factory=list)


def load_docs(corpus: Path, limit: int | None = None, keep: Iterable[str] = ()) -> list[Doc]:
    """Every article of ``corpus/*.jsonl``; with ``limit``, the ``keep`` ids first, then file order."""
    docs = []
    for path in sorted(Path(corpus).glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                record = json.loads(line)
                title = (record.get("title") or "").strip()
                parts = (title, record.get("lead") or "", record.get("body") or "")
                text = "\n".join(part for part in parts if part.strip())
                docs.append(Doc(record["id"], title, text, [t for t in record.get("tags") or [] if t]))
    if limit is not None and limit < len(docs):
        wanted = set(keep)
        first = [doc for doc in docs if doc.id in wanted][:limit]
        rest = [doc for doc in docs if doc.id not in wanted]
        docs = first + rest[: limit - len(first)]
    return docs


# ---------------------------------------------------------------------------------------------
# The query set: spans of real titles and real tags, each in four spellings

_ARABIC_TO_PERSIAN = str.maketrans(
    {"ي": "ی", "ى": "ی", "ك": "ک", **{chr(0x0660 + i): chr(0x06F0 + i) for i in range(10)}}
    | {str(i): chr(0x06F0 + i) for i in range(10)}
)
# Title punctuation ends a span: a reader copies words, not a slash or a colon.
_BREAK = re.compile(r"[\u0640/\\|:;؛،,.!?؟«»\"'“”()\[\]{}<>\-–—_…*+=#@٪%]+")
_NOT_CONTENT = {"ها", "های", "هایی", "تر", "ترین", "ی", "ای", "می", "نمی", "و"}


def keyboard(text: str) -> str:
    """(b) How a Persian keyboard types it: ی and ک for Arabic ي ى ك, Persian digits."""
    return text.translate(_ARABIC_TO_PERSIAN)


def with_zwnj(text: str) -> str:
    """(c) The standard spelling: hazm's Normalizer restores half-spaces (می‌شود، تماس‌های)."""
    return _normalizer().normalize(text)


def zwnj_lost(text: str, mode: str) -> str:
    """(d) Half-spaces lost: ``glued`` (میشود) or ``spaced`` (می شود)."""
    return text.replace(ZWNJ, "" if mode == "glued" else " ")


def spell(text: str, mode: str) -> dict[str, str]:
    b = keyboard(text)
    c = with_zwnj(b)
    return {"corpus": text, "keyboard": b, "zwnj": c, "lost": " ".join(zwnj_lost(c, mode).split())}


_cache: dict[str, object] = {}


def _normalizer():
    if "normalizer" not in _cache:
        from hazm import Normalizer  # slow import (nltk): only to make queries

        _cache["normalizer"] = Normalizer()
    return _cache["normalizer"]


def _stopwords() -> set[str]:
    if "stopwords" not in _cache:
        from hazm import stopwords_list

        _cache["stopwords"] = {_key(word) for word in stopwords_list()} | _NOT_CONTENT
    return _cache["stopwords"]


def _key(text: str) -> str:
    """A spelling-blind key for choosing queries (not an analyzer: letters, digits, no spaces)."""
    return "".join(keyboard(text).replace(ZWNJ, "").split())


def _is_content(word: str) -> bool:
    key = _key(word)
    return len(key) > 1 and key not in _stopwords() and any(ch.isalpha() for ch in key)


def _title_spans(title: str) -> list[list[str]]:
    """Runs of 2–4 consecutive title words (within punctuation) with at least two content words."""
    spans = []
    for segment in _BREAK.split(title):
        words = segment.split()
        for size in (2, 3, 4):
            for start in range(len(words) - size + 1):
                span = words[start : start + size]
                if sum(map(_is_content, span)) >= 2:
                    spans.append(span)
    return spans


def _varies(spellings: dict[str, str]) -> bool:
    return len(set(spellings.values())) > 1


def make_queries(docs: list[Doc], n_title: int = 120, n_tag: int = 40, seed: int = SEED) -> list[dict]:
    """Queries from real titles (2–4 consecutive words) and rare tags, each with its target article.

    Deterministic for a corpus and seed. Two queries in three must be spelled differently in at
    least two of the four spellings (so the test is not vacuous); the third is taken as it comes.
    The half-space loss is glued for even query numbers and spaced for odd ones.
    """
    rng = random.Random(seed)
    order = sorted(docs, key=lambda d: d.id)
    rng.shuffle(order)
    tag_count = Counter(tag for doc in docs for tag in set(doc.tags))
    queries: list[dict] = []
    seen: set[str] = set()

    def add(kind: str, doc: Doc, text: str, spans: list[str]) -> bool:
        mode = "glued" if len(queries) % 2 == 0 else "spaced"
        if _key(text) in seen:
            return False
        spellings = spell(text, mode)
        if len(queries) % 3 != 2 and not _varies(spellings):
            return False
        seen.add(_key(text))
        queries.append(
            {
                "id": f"q{len(queries) + 1:03d}",
                "kind": kind,
                "target": doc.id,
                "source": spans,
                "lost": mode,
                "spellings": spellings,
            }
        )
        return True

    used: set[str] = set()
    for doc in order:
        if sum(q["kind"] == "title" for q in queries) >= n_title:
            break
        spans = _title_spans(doc.title)
        rng.shuffle(spans)
        for span in spans:
            if add("title", doc, " ".join(span), [doc.title]):
                used.add(doc.id)
                break
    for doc in order:
        if sum(q["kind"] == "tag" for q in queries) >= n_tag:
            break
        if doc.id in used:
            continue
        text_key = _key(doc.text)
        tags = [
            tag
            for tag in doc.tags
            if tag_count[tag] <= 5
            and 1 <= len(tag.split()) <= 4
            and not _BREAK.search(tag)
            and any(map(_is_content, tag.split()))
            and _key(tag) in text_key
        ]
        rng.shuffle(tags)
        for tag in tags:
            if add("tag", doc, " ".join(tag.split()), [tag]):
                used.add(doc.id)
                break
    return queries


def write_queries(queries: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for q in queries:
            out.write(json.dumps(q, ensure_ascii=False) + "\n")


def read_queries(path: Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def spelling_stats(queries: list[dict]) -> dict[str, int]:
    """How many queries differ between spellings (identical spellings test nothing)."""

    def count(test: Callable[[dict], bool]) -> int:
        return sum(test(q["spellings"]) for q in queries)

    return {
        "queries": len(queries),
        "title": sum(q["kind"] == "title" for q in queries),
        "tag": sum(q["kind"] == "tag" for q in queries),
        "some_spellings_differ": count(lambda s: len(set(s.values())) > 1),
        "three_or_more_distinct": count(lambda s: len(set(s.values())) >= 3),
        "all_four_distinct": count(lambda s: len(set(s.values())) == 4),
        "corpus_vs_keyboard": count(lambda s: s["corpus"] != s["keyboard"]),
        "keyboard_vs_zwnj": count(lambda s: s["keyboard"] != s["zwnj"]),
        "zwnj_vs_lost": count(lambda s: s["zwnj"] != s["lost"]),
        "corpus_vs_lost": count(lambda s: s["corpus"] != s["lost"]),
    }


# ---------------------------------------------------------------------------------------------
# Indexes


def make_schema(analyzer: Callable[[], Analyzer], spelling: bool = True) -> Schema:
    """The app's schema (haystack's ``build_schema`` for ``ArticleIndex``'s text fields).

    Haystack marks the document field for spelling suggestions; with an analyzer that stems
    (``has_morph``, as the stock one) Whoosh then also indexes every unstemmed word into a second
    field, which ours (terms are final, no morph filter) does not need. ``spelling=False`` times
    the same work for both analyzers.
    """
    text = TEXT(stored=True, analyzer=analyzer(), sortable=True)
    text.spelling = spelling
    return Schema(
        id=ID(stored=True, unique=True),
        text=text,
        title=TEXT(stored=True, analyzer=analyzer(), sortable=True),
    )


def _cold_caches() -> None:
    """Forget our per-word term cache, as a fresh process would (the lexicon stays loaded)."""
    clear = getattr(persian.text, "_clear_caches", None)
    if clear:
        clear()
    gc.collect()


def load_lexicon() -> float:
    """Load our lexicons once (the app does it once per process); returns the seconds it took."""
    started = time.perf_counter()
    persian.terms("بارگذاری واژه‌نامه")
    return time.perf_counter() - started


@dataclass
class Timing:
    wall: float = 0.0  # seconds on the clock: the machine's other work counts too
    cpu: float = 0.0  # this process's CPU seconds (user + system): steadier on a shared machine


class _Stopwatch:
    def __enter__(self) -> Timing:
        self.timing = Timing()
        self.started = time.perf_counter(), time.process_time()
        return self.timing

    def __exit__(self, *exc) -> None:
        self.timing.wall = time.perf_counter() - self.started[0]
        self.timing.cpu = time.process_time() - self.started[1]


def build_index(path: Path, docs: list[Doc], analyzer: Callable[[], Analyzer], spelling: bool = True) -> Timing:
    """Index ``docs`` into a new Whoosh index at ``path``, commit included, as one writer does."""
    path.mkdir(parents=True, exist_ok=True)
    _cold_caches()
    with _Stopwatch() as timing:
        ix = whoosh_index.create_in(str(path), make_schema(analyzer, spelling))
        writer = ix.writer(limitmb=WRITER_LIMITMB)
        for doc in docs:
            writer.add_document(id=doc.id, text=doc.text, title=doc.title)
        writer.commit()
    return timing


def analysis_time(docs: list[Doc], analyzer: Callable[[], Analyzer]) -> tuple[Timing, int]:
    """Time to analyze every text and title as indexing does, and the number of tokens."""
    _cold_caches()
    text_analyzer, title_analyzer = analyzer(), analyzer()
    tokens = 0
    with _Stopwatch() as timing:
        for doc in docs:
            for analyze, value in ((text_analyzer, doc.text), (title_analyzer, doc.title)):
                for _ in analyze(value, positions=True, mode="index"):
                    tokens += 1
    return timing, tokens


# ---------------------------------------------------------------------------------------------
# Searching as the app does


@dataclass
class Plan:
    required: list[Query]  # every clause, ANDed
    relaxed: list[Query] | None  # "most words": plain terms ORed, the rest still required
    terms: list[str]  # the analyzed terms, for reports


def our_plan(text: str) -> Plan:
    """``articles.search.query.parse`` → the same structure as ``articles.search.service._text_sq``."""
    parsed = query.parse(text)

    def clause(c: query.Clause) -> Query:
        name = c.field or "text"
        return Phrase(name, list(c.terms)) if c.is_phrase else Term(name, c.terms[0])

    groups = [Or([clause(c) for c in group]) for group in parsed.any_of]
    required = [clause(c) for c in parsed.required] + groups
    plain = parsed.plain_terms()
    relaxed = None
    if len(plain) > 1:
        relaxed = [Or([clause(c) for c in plain])] + [clause(c) for c in parsed.required if c not in plain] + groups
    terms = [t for c in parsed.required for t in c.terms] + [t for g in parsed.any_of for c in g for t in c.terms]
    return Plan(required, relaxed, terms)


def stock_plan(text: str, analyzer: Analyzer) -> Plan:
    """The query text through the stock analyzer, every term required, then "most words"."""
    terms = [token.text for token in analyzer(text)]
    required = [Term("text", t) for t in terms]
    return Plan(required, [Or(required)] if len(terms) > 1 else None, terms)


def run(searcher, plan: Plan) -> tuple[list[str], bool]:
    """Top ids by BM25F: every clause, or "most words" when every clause finds nothing."""
    if not plan.required:
        return [], False
    hits = searcher.search(And(plan.required), limit=TOP)
    if hits.scored_length() == 0 and plan.relaxed:
        return [hit["id"] for hit in searcher.search(And(plan.relaxed), limit=TOP)], True
    return [hit["id"] for hit in hits], False


# ---------------------------------------------------------------------------------------------
# Evaluation


def evaluate(
    docs: list[Doc],
    queries: list[dict],
    workdir: Path,
    log: Callable[[str], None] = print,
    timing_builds: bool = True,
    repeat: int = 1,
) -> dict:
    """Time both analyzers, build both indexes in ``workdir`` and score the queries on them.

    ``timing_builds`` also builds both indexes without haystack's spelling field, for timing only;
    analysis and those builds run ``repeat`` times, alternating which analyzer goes first, and the
    best time is kept. Ratios are ours / stock in CPU seconds.
    """
    ids = {doc.id for doc in docs}
    queries = [q for q in queries if q["target"] in ids]
    cost: dict = {"repeat": repeat, "lexicon_load_s": load_lexicon()}
    report: dict = {
        "articles": len(docs),
        "analyzed_with": provenance(),
        "spelling_stats": spelling_stats(queries),
        "cost": cost,
        "analyzers": {},
    }

    def record(key: str, timing: Timing) -> None:  # the best of the repeats
        cost[f"{key}_cpu_s"] = min(cost.get(f"{key}_cpu_s", timing.cpu), timing.cpu)
        cost[f"{key}_wall_s"] = min(cost.get(f"{key}_wall_s", timing.wall), timing.wall)
        log(f"{key}: {timing.cpu:.1f} s CPU, {timing.wall:.1f} s wall")

    names = list(ANALYZERS)
    for round_ in range(repeat):
        order = names if round_ % 2 == 0 else names[::-1]  # neither analyzer always goes first
        for name in order:
            timing, cost[f"{name}_tokens"] = analysis_time(docs, ANALYZERS[name])
            record(f"{name}_analysis", timing)
        for name in order if timing_builds else ():
            path = workdir / f"{name}-nospell-{round_}"
            record(f"{name}_build_nospell", build_index(path, docs, ANALYZERS[name], spelling=False))
            shutil.rmtree(path)
    for name in names:  # the indexes that are searched: the app's schema
        record(f"{name}_build", build_index(workdir / name, docs, ANALYZERS[name]))
        cost[f"{name}_index_mb"] = sum(f.stat().st_size for f in (workdir / name).iterdir()) / 1e6
    for key in ("analysis", "build", "build_nospell"):
        if f"ours_{key}_cpu_s" in cost:
            cost[f"{key}_ratio"] = cost[f"ours_{key}_cpu_s"] / cost[f"stock_{key}_cpu_s"]
            cost[f"{key}_wall_ratio"] = cost[f"ours_{key}_wall_s"] / cost[f"stock_{key}_wall_s"]
    for name, analyzer in ANALYZERS.items():
        query_analyzer = analyzer()
        plan = our_plan if name == "ours" else (lambda text, a=query_analyzer: stock_plan(text, a))
        with whoosh_index.open_dir(str(workdir / name)).searcher() as searcher:
            report["analyzers"][name] = _score(searcher, plan, queries)
    return report


def provenance() -> dict[str, str]:
    """What was measured: the commit and the analysis files as they were (they may be uncommitted)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        head = ""
    files = (*sorted(Path(persian.__file__).parent.glob("*.py")), lexicon.VARIANTS_FILE)
    return {"git_head": head, **{f.name: hashlib.sha256(f.read_bytes()).hexdigest()[:16] for f in files}}


def _score(searcher, plan: Callable[[str], Plan], queries: list[dict]) -> dict:
    per_query = []
    for q in queries:
        row: dict = {"id": q["id"], "kind": q["kind"], "target": q["target"], "spellings": {}}
        for spelling in SPELLINGS:
            text = q["spellings"][spelling]
            p = plan(text)
            top, relaxed = run(searcher, p)
            rank = top.index(q["target"]) + 1 if q["target"] in top else 0
            row["spellings"][spelling] = {"text": text, "terms": p.terms, "top": top, "rank": rank, "relaxed": relaxed}
        results = [tuple(row["spellings"][s]["top"]) for s in SPELLINGS]
        terms = [tuple(row["spellings"][s]["terms"]) for s in SPELLINGS]
        row["invariant"] = len(set(results)) == 1
        row["terms_invariant"] = len(set(terms)) == 1
        per_query.append(row)
    return {"summary": _summary(per_query), "by_kind": _by_kind(per_query), "queries": per_query}


def _summary(rows: list[dict]) -> dict:
    n = len(rows) or 1
    varied = [r for r in rows if len({c["text"] for c in r["spellings"].values()}) > 1]
    out: dict = {
        "queries": len(rows),
        "invariance": sum(r["invariant"] for r in rows) / n,
        "terms_invariance": sum(r["terms_invariant"] for r in rows) / n,
        "varied": len(varied),
        "invariance_varied": sum(r["invariant"] for r in varied) / (len(varied) or 1),
    }
    for spelling in SPELLINGS:
        cells = [r["spellings"][spelling] for r in rows]
        out[spelling] = {
            "recall@10": sum(c["rank"] > 0 for c in cells) / n,
            "mrr@10": sum(1 / c["rank"] for c in cells if c["rank"]) / n,
            "relaxed": sum(c["relaxed"] for c in cells) / n,
            "no_results": sum(not c["top"] for c in cells) / n,
        }
    for metric in ("recall@10", "mrr@10", "relaxed", "no_results"):
        out[f"mean_{metric}"] = sum(out[s][metric] for s in SPELLINGS) / len(SPELLINGS)
    return out


def _by_kind(rows: list[dict]) -> dict:
    return {kind: _summary([r for r in rows if r["kind"] == kind]) for kind in sorted({r["kind"] for r in rows})}


def failures(report: dict, name: str = "ours") -> list[dict]:
    """Queries whose results differ between spellings, with each spelling's terms."""
    return [r for r in report["analyzers"][name]["queries"] if not r["invariant"] or not r["terms_invariant"]]


def terms_probe(docs: list[Doc], n: int, seed: int = SEED + 1) -> dict:
    """Many more queries, terms only (no index): where do the four spellings give other terms?"""
    queries = make_queries(docs, n_title=n, n_tag=n // 8, seed=seed)
    stock = StemmingAnalyzer()
    plans = {"ours": our_plan, "stock": lambda text: stock_plan(text, stock)}
    same = Counter()
    differ = []
    for q in queries:
        for name, plan in plans.items():
            cells = {s: {"text": q["spellings"][s], "terms": plan(q["spellings"][s]).terms} for s in SPELLINGS}
            if len({tuple(c["terms"]) for c in cells.values()}) == 1:
                same[name] += 1
            elif name == "ours":
                differ.append({"id": q["id"], "kind": q["kind"], "target": q["target"], "spellings": cells})
    n_queries = len(queries) or 1
    return {
        "queries": len(queries),
        "spelling_stats": spelling_stats(queries),
        **{f"{name}_terms_invariance": same[name] / n_queries for name in plans},
        "ours_differ": differ,
    }


# ---------------------------------------------------------------------------------------------
# Output


def table(report: dict) -> str:
    ours, stock = (report["analyzers"][name]["summary"] for name in ("ours", "stock"))
    cost = report["cost"]
    lines = []

    def row(label: str, a: str, b: str, note: str = "") -> None:
        lines.append(f"{label:<40}{a:>10}{b:>10}  {note}".rstrip())

    def pct(value: float) -> str:
        return f"{100 * value:.1f}%"

    stats = report["spelling_stats"]
    lines.append(
        f"{report['articles']:,} articles, {stats['queries']} queries ({stats['title']} title, {stats['tag']} tag) "
        f"x {len(SPELLINGS)} spellings; spellings differ for {stats['some_spellings_differ']} queries "
        f"(3+ distinct: {stats['three_or_more_distinct']}, all 4: {stats['all_four_distinct']})"
    )
    lines.append("")
    row("", "ours", "stock")
    row("spelling invariance (top-10 ids)", pct(ours["invariance"]), pct(stock["invariance"]), "same top 10 in all 4")
    row(
        "  among queries spelled differently",
        pct(ours["invariance_varied"]),
        pct(stock["invariance_varied"]),
        f"{ours['varied']} queries",
    )
    row("  same analyzed terms", pct(ours["terms_invariance"]), pct(stock["terms_invariance"]))
    for metric, label, fmt in (("recall@10", "recall@10", pct), ("mrr@10", "MRR@10", "{:.3f}".format)):
        for spelling in SPELLINGS:
            row(
                f"{label} {spelling}",
                fmt(ours[spelling][metric]),
                fmt(stock[spelling][metric]),
                SPELLING_NOTES[spelling],
            )
        row(f"{label} mean", fmt(ours[f"mean_{metric}"]), fmt(stock[f"mean_{metric}"]))
    row("relaxed to most words (mean)", pct(ours["mean_relaxed"]), pct(stock["mean_relaxed"]))
    row("no results (mean)", pct(ours["mean_no_results"]), pct(stock["mean_no_results"]))
    for kind in sorted(report["analyzers"]["ours"]["by_kind"]):
        a, b = (report["analyzers"][name]["by_kind"][kind] for name in ("ours", "stock"))
        row(f"  {kind} queries: recall@10 mean", pct(a["mean_recall@10"]), pct(b["mean_recall@10"]))
    lines.append("")
    timed = (
        ("analysis", "analysis only", "the analyzer alone"),
        ("build_nospell", "index build, no spelling field", "same work for both: the analyzer's cost"),
        ("build", "index build, app schema", "haystack's spelling field: stock indexes words twice"),
    )
    for key, label, note in timed:
        if f"{key}_ratio" in cost:
            ours_s, stock_s = cost[f"ours_{key}_cpu_s"], cost[f"stock_{key}_cpu_s"]
            row(f"{label} (CPU s)", f"{ours_s:.1f}", f"{stock_s:.1f}", f"ratio {cost[f'{key}_ratio']:.2f}x  {note}")
            ours_s, stock_s = cost[f"ours_{key}_wall_s"], cost[f"stock_{key}_wall_s"]
            row("  wall clock (s)", f"{ours_s:.1f}", f"{stock_s:.1f}", f"ratio {cost[f'{key}_wall_ratio']:.2f}x")
    row("tokens analyzed", f"{cost['ours_tokens']:,}", f"{cost['stock_tokens']:,}")
    row("index size, app schema (MB)", f"{cost['ours_index_mb']:.0f}", f"{cost['stock_index_mb']:.0f}")
    row("lexicon load, once a process (s)", f"{cost['lexicon_load_s']:.1f}", "-")
    return "\n".join(lines)


def describe_failures(report: dict, limit: int = 10) -> str:
    rows = failures(report)
    if not rows:
        return "ours: every query gives the same terms and the same top 10 in all four spellings."
    lines = [f"ours: {len(rows)} queries differ between spellings (first {min(limit, len(rows))}):"]
    for r in rows[:limit]:
        lines.extend(_describe(r, f"same top 10: {r['invariant']}"))
    return "\n".join(lines)


def describe_probe(probe: dict, limit: int = 10) -> str:
    rows = probe["ours_differ"]
    lines = [
        f"terms probe, {probe['queries']} more queries (no index): same terms in all four spellings: "
        f"ours {100 * probe['ours_terms_invariance']:.1f}%, stock {100 * probe['stock_terms_invariance']:.1f}%"
    ]
    if rows:
        lines.append(f"ours: {len(rows)} give other terms in some spelling (first {min(limit, len(rows))}):")
    for r in rows[:limit]:
        lines.extend(_describe(r))
    return "\n".join(lines)


def _describe(row: dict, note: str = "") -> list[str]:
    """One query: each spelling (repr shows the ZWNJs) → its terms, and the target's rank if searched."""
    lines = [f"  {row['id']} ({row['kind']}, target {row['target']}{', ' + note if note else ''})"]
    for spelling in SPELLINGS:
        cell = row["spellings"][spelling]
        rank = f"  (rank {cell['rank']})" if "rank" in cell else ""
        lines.append(f"    {spelling:<9}{cell['text']!r:<50} → {' | '.join(cell['terms'])}{rank}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of *.jsonl (default: %(default)s)")
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES, help="query set (default: %(default)s)")
    parser.add_argument("--json", type=Path, help="write every figure and per-query result here")
    parser.add_argument("--limit", type=int, help="index N articles: the query targets first, then file order")
    parser.add_argument("--make-queries", action="store_true", help="rewrite --queries from the corpus and exit")
    parser.add_argument("--failures", type=int, default=10, help="failing queries of ours to print")
    parser.add_argument("--repeat", type=int, default=1, help="time analysis and builds N times, keep the best")
    parser.add_argument("--no-timing-builds", action="store_true", help="skip the timing-only builds")
    parser.add_argument("--probe", type=int, metavar="N", help="also compare terms (no index) on N more title queries")
    args = parser.parse_args(argv)

    if args.make_queries:
        queries = make_queries(load_docs(args.corpus))
        write_queries(queries, args.queries)
        print(f"wrote {len(queries)} queries to {args.queries}")
        print(json.dumps(spelling_stats(queries), indent=2))
        return 0

    queries = read_queries(args.queries)
    docs = load_docs(args.corpus, args.limit, keep=[q["target"] for q in queries])
    if not docs:
        print(f"no articles in {args.corpus}", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory(prefix="search-quality-") as tmp:
        report = evaluate(
            docs,
            queries,
            Path(tmp),
            log=lambda line: print(line, file=sys.stderr, flush=True),
            timing_builds=not args.no_timing_builds,
            repeat=max(1, args.repeat),
        )
    print(table(report))
    print()
    print(describe_failures(report, args.failures))
    if args.probe:
        report["probe"] = terms_probe(docs, args.probe)
        print()
        print(describe_probe(report["probe"], args.failures))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
