"""The embedded peers side by side: the same archive and query mix through three searches.

    NEWSARCHIVE_VAR_DIR=DIR .venv/bin/python bench/peers.py search --out peers.json [--repeat 10] [--work DIR]
    .venv/bin/python bench/peers.py topics [--runs DIR] [--work DIR] [--spellings ...]

``search`` (``bench/run.py`` calls it for each size, on the archive it built):

- **(a) ours**: the archive's own search in this process, twice: ``ranked_hits`` (the engine's
  top 10 and count, nothing else: the row to compare with the peers) and ``run_search`` as the
  search page calls it (facets, chart cache, did-you-mean, the hits' rows from the database);
- **(b) FTS5**: SQLite's full-text index over the same published articles, title + lead + body,
  each text already analyzed by our Persian pipeline (``persian.index_spans``) and stored as
  space-joined terms, so FTS5 only splits on spaces what we analyzed (checked at every build:
  its vocabulary must be exactly our terms); a compound's parts, which our index stores at the
  compound's position, go to a second column so phrases keep their neighbours. The query is
  analyzed by ``query.parse`` and run as an FTS5 ``MATCH`` of its clauses joined by ``OR`` (the
  app's default, ``SEARCH_MATCH = "any"``), ordered by ``bm25()``: the top 10 and ``count(*)``;
- **(c) stock**: Whoosh with haystack's stock analyzer (``StemmingAnalyzer``) and its schema for a
  document field (stored, sortable, spelling), the query through Whoosh's ``QueryParser`` with
  ``OrGroup`` (haystack's default operator is AND; OR does the same work as the others), BM25F:
  the top 10 (their stored fields, as haystack reads them) and ``len(results)``.

The source filter is a column (FTS5: ``UNINDEXED``; Whoosh: an ``ID`` field) and "newest" sorts by
the publication date in each. Every query is run once to warm, then ``--repeat`` times per peer,
the peers taking turns query by query; wall and CPU milliseconds of this process are kept (on a
shared machine the CPU figure is the steady one). Build time (CPU) and size of each index: ours
is the archive's (built by the import: ``run.py``'s "indexing alongside" row).

``topics``: the FTS5 ranker on the judged topics (``bench/topics/``): an FTS5 index of the shared
corpus as ``relevance.py`` indexes it (title twice, lead, body), one run per spelling in
``--runs`` (``fts5.<spelling>.run``), then ``topic_eval``'s table of it beside the runs already
there (``stock``, ``bm25or``, ``app``: ``relevance.py`` writes them).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for folder in (str(REPO), str(HERE)):
    if folder not in sys.path:
        sys.path.insert(0, folder)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsarchive.settings")

PEERS = ("ours", "ours_page", "fts5", "stock")
LABELS = {
    "ours": "(a) ours: top 10 + count",
    "ours_page": "(a) ours: the page (facets, rows)",
    "fts5": "(b) FTS5 + our terms",
    "stock": "(c) Whoosh stock analyzer",
}
# unicode61 keeps letters and digits together and splits on the rest; our terms are only letters
# and digits (no ZWNJ: a word's term is its glued spelling), which every build checks.
FTS5_TOKENIZER = "unicode61 remove_diacritics 0"


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return round(sum(p.stat().st_size for p in files) / 2**20, 1)


# ---------------------------------------------------------------------------------------------
# (b) FTS5 over our terms


def analyzed(text: str) -> tuple[str, str]:
    """``(terms, parts)``: the text's terms as our index reads them, space-joined, and the
    compound parts it stores beside them."""
    import persian

    spans = persian.index_spans(text)
    return " ".join(t for t, _, _, _ in spans), " ".join(p for _, _, _, parts in spans for p in parts)


def fts5_build(path: Path, docs: Iterable[tuple]) -> dict:
    """An FTS5 table ``doc(terms, parts, source, published)`` of ``(rowid, text, source,
    published)`` rows, merged into one b-tree; CPU seconds of analysis and of SQLite apart."""
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.execute(
        "CREATE VIRTUAL TABLE doc USING fts5(terms, parts, source UNINDEXED, published UNINDEXED, "
        f"tokenize='{FTS5_TOKENIZER}')"
    )
    vocabulary: set[str] = set()
    analysis = inserting = 0.0
    batch: list[tuple] = []

    def flush() -> float:
        started = time.process_time()
        con.executemany("INSERT INTO doc(rowid, terms, parts, source, published) VALUES (?, ?, ?, ?, ?)", batch)
        batch.clear()
        return time.process_time() - started

    n = 0
    for rowid, text, source, published in docs:
        started = time.process_time()
        terms, parts = analyzed(text)
        analysis += time.process_time() - started
        vocabulary.update(terms.split(), parts.split())
        batch.append((rowid, terms, parts, source, published))
        n += 1
        if len(batch) >= 1000:
            inserting += flush()
    inserting += flush()
    started = time.process_time()
    con.execute("INSERT INTO doc(doc) VALUES ('optimize')")
    con.commit()
    inserting += time.process_time() - started
    con.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, doc, 'row')")
    theirs = {term for (term,) in con.execute("SELECT term FROM temp.vocab")}
    con.close()
    return {
        "docs": n,
        "analysis_cpu_s": round(analysis, 2),
        "sqlite_cpu_s": round(inserting, 2),
        "cpu_s": round(analysis + inserting, 2),
        "mb": _mb(path),
        "terms": len(vocabulary),
        # FTS5's vocabulary against ours: both 0 when it kept every term whole
        "terms_split": len(vocabulary - theirs),
        "terms_not_ours": len(theirs - vocabulary),
    }


def fts5_match(parsed) -> str:
    """An FTS5 query for a ``query.parse`` result: its clauses (a phrase when a clause has several
    terms) joined by OR, minus the excluded ones; "" when nothing is left to match."""

    def phrase(clause) -> str:
        return '"' + " ".join(clause.terms).replace('"', '""') + '"'

    wanted = [phrase(c) for c in parsed.required] + [phrase(c) for group in parsed.any_of for c in group]
    if not wanted:
        return ""
    expr = " OR ".join(dict.fromkeys(wanted))
    if parsed.excluded:
        expr = f"({expr}) NOT ({' OR '.join(phrase(c) for c in parsed.excluded)})"
    return expr


def fts5_search(con: sqlite3.Connection, q: str, source: str = "", newest: bool = False, limit: int = 10):
    """``(count, [(rowid, score), …])``: the top ``limit`` by ``bm25()`` (or newest first)."""
    from articles.search import query

    match = fts5_match(query.parse(q))
    if not match:
        return 0, []
    where, args = "doc MATCH ?", [match]
    if source:
        where, args = where + " AND source = ?", [match, source]
    count = con.execute(f"SELECT count(*) FROM doc WHERE {where}", args).fetchone()[0]
    order = "published DESC" if newest else "bm25(doc)"
    rows = con.execute(f"SELECT rowid, -bm25(doc) FROM doc WHERE {where} ORDER BY {order} LIMIT ?", [*args, limit])
    return count, rows.fetchall()


# ---------------------------------------------------------------------------------------------
# (c) Whoosh with haystack's stock analyzer


def stock_schema():
    """What haystack's ``build_schema`` gives a document field by default, with a source and a date."""
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import DATETIME, ID, TEXT, Schema

    text = TEXT(stored=True, analyzer=StemmingAnalyzer(), sortable=True)
    text.spelling = True  # haystack's document field
    return Schema(
        id=ID(stored=True, unique=True),
        text=text,
        source=ID(stored=True),
        published=DATETIME(stored=True, sortable=True),
    )


def stock_build(folder: Path, docs: Iterable[tuple]) -> dict:
    from whoosh import index as whoosh_index

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ix = whoosh_index.create_in(str(folder), stock_schema())
    started = time.process_time()
    writer = ix.writer(limitmb=256)
    n = 0
    for rowid, text, source, published in docs:
        fields = {"id": str(rowid), "text": text, "source": source or ""}
        if published is not None:
            fields["published"] = published
        writer.add_document(**fields)
        n += 1
    writer.commit()
    return {"docs": n, "cpu_s": round(time.process_time() - started, 2), "mb": _mb(folder)}


def stock_search(searcher, parser, q: str, source: str = "", newest: bool = False, limit: int = 10):
    from whoosh.query import Term

    options = {"filter": Term("source", source)} if source else {}
    if newest:
        options.update(sortedby="published", reverse=True)
    results = searcher.search(parser.parse(q), limit=limit, **options)
    return len(results), [(int(hit["id"]), hit.score) for hit in results]


# ---------------------------------------------------------------------------------------------
# The three side by side on an archive


def archive_docs() -> list[tuple]:
    """``(pk, title + lead + body, source slug, published)`` of every published article."""
    from articles.models import Article

    rows = (
        Article.objects.published()
        .order_by("pk")
        .values_list("pk", "title", "lead", "body", "source__slug", "published")
    )
    return [
        (pk, "\n".join(p for p in (t, lead, body) if p), slug or "", date) for pk, t, lead, body, slug, date in rows
    ]


def build_peers(work: Path, docs: list[tuple]) -> dict:
    """Build (b) and (c) in ``work`` and size ours; returns each one's build figures."""
    from django.conf import settings

    import persian

    started = time.process_time()
    persian.terms("گرم کردن")  # the lexicon, loaded once per process: not the index's cost
    lexicon_s = round(time.process_time() - started, 2)
    work.mkdir(parents=True, exist_ok=True)
    fts5_rows = ((pk, text, source, date.isoformat() if date else None) for pk, text, source, date in docs)
    _log(f"peers: FTS5 over our terms, {len(docs)} articles")
    fts5 = {**fts5_build(work / "fts5.sqlite", fts5_rows), "lexicon_cpu_s": lexicon_s}
    _log(f"peers: FTS5 built {fts5}; Whoosh with the stock analyzer")
    stock = stock_build(work / "stock", docs)
    _log(f"peers: stock built {stock}")
    ours = Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])  # on PostgreSQL: run.py's index MB row
    return {"fts5": fts5, "stock": stock, "ours": {"mb": _mb(ours) if ours.is_dir() else None}}


def searchers(work: Path) -> dict:
    """Peer name → ``fn(params) -> (count, [(pk, score), …])``, each on its own index."""
    from whoosh import index as whoosh_index
    from whoosh.qparser import OrGroup, QueryParser

    from articles.search.service import SearchParams, ranked_hits, run_search

    con = sqlite3.connect(work / "fts5.sqlite")
    ix = whoosh_index.open_dir(str(work / "stock"))
    searcher = ix.searcher()
    parser = QueryParser("text", ix.schema, group=OrGroup)

    def page(p: dict):
        result = run_search(SearchParams(**p))
        return result.count, [(hit.article.pk, hit.score) for hit in result.hits]

    def plain(p: dict) -> tuple[str, str, bool]:
        return p["q"], p.get("source", ""), p.get("sort") == "newest"

    return {
        "ours": lambda p: ranked_hits(SearchParams(**p), 10),
        "ours_page": page,
        "fts5": lambda p: fts5_search(con, *plain(p)),
        "stock": lambda p: stock_search(searcher, parser, *plain(p)),
    }


def _summary(wall: list[float], cpu: list[float]) -> dict:
    from phases import percentile

    ms = [s * 1000 for s in wall]
    return {
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "cpu_median_ms": round(statistics.median(cpu) * 1000, 2),
        "cpu_p95_ms": round(percentile([s * 1000 for s in cpu], 95), 2),
    }


def compare(search_fns: dict, mix: list[tuple[str, dict]], repeat: int) -> dict:
    """Each query through each peer (warm once, then ``repeat`` timed runs, peers taking turns)."""
    out: dict = {name: {"queries": {}} for name in search_fns}
    every = {name: ([], []) for name in search_fns}
    for kind, params in mix:
        for name, fn in search_fns.items():
            count, hits = fn(dict(params))
            wall, cpu = [], []
            for _ in range(repeat):
                w0, c0 = time.perf_counter(), time.process_time()
                fn(dict(params))
                wall.append(time.perf_counter() - w0)
                cpu.append(time.process_time() - c0)
            every[name][0].extend(wall)
            every[name][1].extend(cpu)
            out[name]["queries"][kind] = {"count": count, "top": [pk for pk, _ in hits[:10]], **_summary(wall, cpu)}
        ours = set(out["ours"]["queries"][kind]["top"]) if "ours" in out else set()
        for name in search_fns:  # how much of our top 10 each peer also ranks in its top 10
            top = out[name]["queries"][kind]["top"]
            out[name]["queries"][kind]["shared_top10"] = len(ours & set(top))
        _log(f"peers {kind}: " + ", ".join(f"{n} {out[n]['queries'][kind]['median_ms']} ms" for n in search_fns))
    for name, (wall, cpu) in every.items():
        out[name]["overall"] = _summary(wall, cpu)
    return out


def run(work: Path, repeat: int) -> dict:
    import django

    django.setup()
    from phases import fixtures, query_mix

    mix = query_mix(fixtures()["source_slug"])
    docs = archive_docs()
    result: dict = {"docs": len(docs), "loadavg_start": os.getloadavg(), "repeat": repeat}
    result["build"] = build_peers(work, docs)
    del docs
    result["peers"] = compare(searchers(work), mix, repeat)
    result["loadavg_end"] = os.getloadavg()
    return result


def ratio(result: dict, peer: str, kind: str | None = None, key: str = "median_ms") -> float | None:
    """``peer``'s figure over FTS5's, for one query kind or overall."""

    def figure(name: str) -> float:
        block = result["peers"][name]
        return (block["queries"][kind] if kind else block["overall"])[key]

    base = figure("fts5")
    return round(figure(peer) / base, 2) if base else None


def rows(result: dict) -> list[tuple[str, str]]:
    """``(label, value)`` lines of the side-by-side table (``run_table`` puts them in its column)."""
    b = result["build"]
    out = [
        ("peers: articles", str(result["docs"])),
        (
            "peers: index CPU s / MB: FTS5 (analysis+SQLite)",
            f"{b['fts5']['cpu_s']} ({b['fts5']['analysis_cpu_s']}+{b['fts5']['sqlite_cpu_s']}) / {b['fts5']['mb']}",
        ),
        ("peers: index CPU s / MB: Whoosh stock", f"{b['stock']['cpu_s']} / {b['stock']['mb']}"),
        ("peers: index MB: ours (CPU: indexing alongside)", str(b["ours"]["mb"])),
        ("peers: FTS5 terms split / not ours (0 / 0)", f"{b['fts5']['terms_split']} / {b['fts5']['terms_not_ours']}"),
    ]
    for peer in PEERS:
        if peer in result["peers"]:
            o = result["peers"][peer]["overall"]
            out.append(
                (
                    f"{LABELS[peer]}: p50/p95 ms, CPU p50, ×FTS5 wall/CPU",
                    f"{o['median_ms']}/{o['p95_ms']}, {o['cpu_median_ms']}, "
                    f"{ratio(result, peer)}×/{ratio(result, peer, key='cpu_median_ms')}×",
                )
            )
    names = [p for p in ("ours", "fts5", "stock") if p in result["peers"]]
    for kind in result["peers"]["fts5"]["queries"]:
        cells = [result["peers"][p]["queries"][kind] for p in names]
        out.append(
            (
                f"  {kind}: p50 ms {' / '.join(names)} (hits), ours ×FTS5",
                " / ".join(f"{c['median_ms']} ({c['count']})" for c in cells) + f", {ratio(result, 'ours', kind)}×",
            )
        )
    return out


def format_rows(result: dict) -> str:
    lines = rows(result)
    width = max(len(label) for label, _ in lines)
    return "\n".join(f"{label.ljust(width)}  {value}" for label, value in lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("search", help="the three searches on the archive of NEWSARCHIVE_VAR_DIR")
    one.add_argument("--out", type=Path, required=True)
    one.add_argument("--repeat", type=int, default=10)
    one.add_argument("--work", type=Path, help="where the peers' indexes go (default: VAR_DIR/../peers)")
    topics = sub.add_parser("topics", help="the FTS5 ranker on the judged topics")
    import peer_topics

    peer_topics.add_options(topics)
    args = parser.parse_args(argv)
    if args.command == "topics":
        return peer_topics.main(args)
    if "NEWSARCHIVE_VAR_DIR" not in os.environ:
        parser.error("set NEWSARCHIVE_VAR_DIR to the archive's folder (run.py does)")
    work = args.work or Path(os.environ["NEWSARCHIVE_VAR_DIR"]).resolve().parent / "peers"
    result = run(work, args.repeat)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(format_rows(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
