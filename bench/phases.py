"""The in-process phases of ``bench/run.py``, each run in its own Python process.

    python bench/phases.py build  --data scaled.jsonl --out build.json [--analyzer-docs N]
    python bench/phases.py search --out search.json [--repeat R]

``NEWSARCHIVE_VAR_DIR`` (set by ``run.py``) points at a fresh temporary folder: the database and
the index are built there, never in ``var/``.

build: migrate, load the gazetteer (when the command exists), import with ``index=False`` (time
split into parsing, saving, link resolution and entity extraction by wrapping those functions),
then index every published article the way an import does (``indexing.index_articles``), and
compare our analyzer with Whoosh's ``StemmingAnalyzer`` on bare Whoosh indexes of the same texts.

search: a fresh process (as a gunicorn worker is), the query mix through
``articles.search.service.run_search``: median and p95 per query and overall.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsarchive.settings")


def _setup() -> None:
    import django

    django.setup()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 2) if ms else 0.0,
        "p95_ms": round(percentile(ms, 95), 2),
        "max_ms": round(max(ms), 2) if ms else 0.0,
    }


class Timers:
    """Wall time spent inside wrapped functions, by name (nested calls count in both)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._undo: list[tuple[object, str, object]] = []

    def wrap(self, owner: object, attr: str, name: str) -> None:
        original = getattr(owner, attr)
        seconds, calls = self.seconds, self.calls

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[name] += time.perf_counter() - started
                calls[name] += 1

        setattr(owner, attr, timed)
        self._undo.append((owner, attr, original))

    def timed_iter(self, iterable, name: str):
        iterator = iter(iterable)
        while True:
            started = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                self.seconds[name] += time.perf_counter() - started
                return
            self.seconds[name] += time.perf_counter() - started
            self.calls[name] += 1
            yield item

    def restore(self) -> None:
        for owner, attr, original in reversed(self._undo):
            setattr(owner, attr, original)
        self._undo.clear()


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# build


def build(data: Path, analyzer_docs: int) -> dict:
    _setup()
    from django.conf import settings
    from django.core.management import call_command, get_commands

    from articles import links
    from articles.entities import extract as entities
    from articles.ingest import readers as importers
    from articles.ingest import save as ingest
    from articles.models import Article, Entity, Mention, RelatedLink
    from articles.search import indexing

    result: dict = {"data": str(data), "loadavg_start": os.getloadavg()}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    result["migrate_s"] = round(time.perf_counter() - started, 2)

    if "load_gazetteer" in get_commands():
        started = time.perf_counter()
        call_command("load_gazetteer", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
        result["gazetteer_s"] = round(time.perf_counter() - started, 2)
        result["entities"] = Entity.objects.count()
    else:
        result["gazetteer_s"] = None
        result["entities"] = 0

    # Import: the real path (import_items) with the index left alone; the pieces timed by wrapping.
    timers = Timers()
    timers.wrap(entities, "extract_for", "entities")
    timers.wrap(entities, "extract_for_new", "entities")  # a created article's (the import's case)
    timers.wrap(links, "resolve_from", "links_from")
    timers.wrap(links, "resolve_to", "links_to")
    timers.wrap(ingest, "save_parsed", "save_total")
    total = importers.count_items(data)
    progress_every = max(1000, total // 10)
    started = time.perf_counter()
    cpu_started = time.process_time()

    def on_progress(report) -> None:
        if report.total % progress_every == 0:
            rate = report.total / (time.perf_counter() - started)
            _log(f"import {report.total}/{total} ({rate:,.0f}/s)")

    items = timers.timed_iter(importers.iter_path(data), "parse")
    report = ingest.import_items(items, on_progress=on_progress, index=False)
    import_s = time.perf_counter() - started
    import_cpu = time.process_time() - cpu_started
    timers.restore()
    t = timers.seconds
    db_s = t["save_total"] - t["entities"] - t["links_from"] - t["links_to"]
    n = report.total
    result["import"] = {
        "articles": n,
        "created": report.created,
        "failed": report.failed,
        "held_for_review": report.held_for_review,
        "total_s": round(import_s, 2),
        "cpu_s": round(import_cpu, 2),  # this process's CPU: what a quiet machine would take
        "rate_per_s": round(n / import_s, 1),
        "cpu_rate_per_s": round(n / import_cpu, 1) if import_cpu else None,
        "parse_s": round(t["parse"], 2),
        "save_db_s": round(db_s, 2),
        "links_s": round(t["links_from"] + t["links_to"], 2),
        "entities_s": round(t["entities"], 2),
        # Throughput of each step alone (articles per second of that step's time).
        "parse_rate": round(n / t["parse"], 1) if t["parse"] else None,
        "save_db_rate": round(n / db_s, 1) if db_s else None,
        "entities_rate": round(n / t["entities"], 1) if t["entities"] else None,
        "mentions": Mention.objects.count(),
        "related_links": RelatedLink.objects.count(),
    }
    _log(f"import done: {result['import']}")

    # Indexing: what import_items does at its end, timed apart and split by wrapping.
    from haystack import connections
    from whoosh.writing import SegmentWriter

    from articles.search_indexes import ArticleIndex

    pks = list(Article.objects.published().values_list("pk", flat=True))
    timers = Timers()
    timers.wrap(ArticleIndex, "full_prepare", "prepare")
    timers.wrap(SegmentWriter, "add_document", "add_document")
    timers.wrap(SegmentWriter, "commit", "commit")
    timers.wrap(SegmentWriter, "delete_by_query", "delete_by_query")
    started = time.perf_counter()
    cpu_started = time.process_time()
    last = [started]

    def on_index(done: int, all_: int) -> None:
        if time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            _log(f"index {done}/{all_} ({done / (last[0] - started):,.0f}/s)")

    written = indexing.index_articles(pks, on_progress=on_index)
    index_s = time.perf_counter() - started
    index_cpu = time.process_time() - cpu_started
    timers.restore()
    t = timers.seconds
    backend = connections["default"].get_backend()
    backend.index = backend.index.refresh()
    segments = len(backend.index._segments())
    result["index"] = {
        "articles": written,
        "total_s": round(index_s, 2),
        "rate_per_s": round(written / index_s, 1) if index_s else None,
        "cpu_s": round(index_cpu, 2),
        "cpu_rate_per_s": round(written / index_cpu, 1) if index_cpu else None,
        "prepare_s": round(t["prepare"], 2),  # template + fields (DB rows already fetched)
        "add_document_s": round(t["add_document"], 2),  # analysis + posting buffers
        "commit_s": round(t["commit"], 2),  # segment writing (and merging small segments)
        "delete_by_query_s": round(t["delete_by_query"], 2),
        "fetch_other_s": round(index_s - t["prepare"] - t["add_document"] - t["commit"] - t["delete_by_query"], 2),
        "commits": timers.calls["commit"],
        "segments_after": segments,
        "index_mb": round(_dir_bytes(Path(settings.WHOOSH_PATH)) / 2**20, 1),
        "db_mb": round(_dir_bytes(Path(settings.VAR_DIR)) / 2**20 - _dir_bytes(Path(settings.WHOOSH_PATH)) / 2**20, 1),
    }
    result["import_plus_index_s"] = round(import_s + index_s, 1)
    result["import_plus_index_cpu_s"] = round(import_cpu + index_cpu, 1)
    _log(f"index done: {result['index']}")

    result["analyzer"] = compare_analyzers(Article, min(analyzer_docs, len(pks)))
    _log(f"analyzer: {result['analyzer']}")
    return result


def compare_analyzers(Article, limit: int) -> dict:
    """Bare Whoosh indexes of the same texts, the app's field types, only the analyzer differs."""
    from django.template.loader import render_to_string
    from whoosh import index as whoosh_index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    import persian

    docs = []
    for article in Article.objects.published().order_by("pk")[:limit]:
        text = render_to_string("search/indexes/articles/article_text.txt", {"object": article})
        docs.append((str(article.pk), text, article.title))
    chars = sum(len(text) for _, text, _ in docs)

    def build_with(analyzer) -> tuple[float, float]:
        folder = Path(tempfile.mkdtemp(prefix="analyzer-"))
        try:
            schema = Schema(
                id=ID(stored=True, unique=True),
                text=TEXT(stored=True, analyzer=analyzer, sortable=True),  # as haystack builds it
                title=TEXT(stored=True, analyzer=analyzer, sortable=True),
            )
            ix = whoosh_index.create_in(str(folder), schema)
            gc.collect()
            started = time.process_time()  # CPU time: the machine may be shared
            writer = ix.writer(limitmb=256)
            for pk, text, title in docs:
                writer.add_document(id=pk, text=text, title=title)
            writer.commit()
            index_s = time.process_time() - started
            started = time.process_time()
            for _, text, title in docs:  # analysis alone, as indexing calls it
                for _token in analyzer(text, positions=True):
                    pass
                for _token in analyzer(title, positions=True):
                    pass
            return index_s, time.process_time() - started
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    stock_index, stock_analysis = build_with(StemmingAnalyzer())
    clear = getattr(persian.text, "_clear_caches", None)  # cold per-word caches: the conservative case for ours
    if clear is not None:
        clear()
    from articles.search.whoosh.analyzer import PersianAnalyzer

    ours_index, ours_analysis = build_with(PersianAnalyzer())
    return {
        "docs": len(docs),
        "chars": chars,
        "clock": "process CPU seconds",
        "stock_index_s": round(stock_index, 2),
        "ours_index_s": round(ours_index, 2),
        "index_ratio": round(ours_index / stock_index, 2) if stock_index else None,
        "stock_analysis_s": round(stock_analysis, 2),
        "ours_analysis_s": round(ours_analysis, 2),
        "analysis_ratio": round(ours_analysis / stock_analysis, 2) if stock_analysis else None,
    }


# ---------------------------------------------------------------------------------------------
# search

# (name, params): the fixed mix; {source} is the slug of عصر ایران in the built archive.
QUERIES = [
    ("one word", {"q": "تحریم"}),
    ("two words", {"q": "قیمت نفت"}),
    ("three words", {"q": "وزارت امور خارجه"}),
    ("phrase", {"q": '"رئیس جمهور"'}),
    ("source filter", {"q": "اقتصاد", "source": "{source}"}),
    ("rare term", {"q": "یوتیوب"}),
    ("common term", {"q": "ایران"}),
    ("misspelt (did-you-mean)", {"q": "تحریمهاا"}),
    ("sort newest", {"q": "انتخابات", "sort": "newest"}),
]


def query_mix(source_slug: str) -> list[tuple[str, dict]]:
    return [(name, {k: v.replace("{source}", source_slug) for k, v in params.items()}) for name, params in QUERIES]


def fixtures() -> dict:
    """Ids and slugs the HTTP phase needs (sampled deterministically from the built archive)."""
    import random

    from django.db.models import Count

    from articles import jalali
    from articles.models import Article, Entity, Source

    source = Source.objects.filter(name="عصر ایران").values_list("slug", flat=True).first() or ""
    pks = list(Article.objects.published().order_by("pk").values_list("pk", flat=True))
    rng = random.Random(1403)
    articles = sorted(rng.sample(pks, min(200, len(pks))))
    ranked = list(Entity.objects.annotate(n=Count("mentions")).filter(n__gt=0).order_by("-n").values_list("slug", "n"))
    top = [slug for slug, _ in ranked[:10]]
    rest = [slug for slug, _ in ranked[10:]]
    sample = top + rng.sample(rest, min(30, len(rest)))  # the heaviest pages and a spread of others
    by_size = Source.objects.annotate(n=Count("articles")).filter(n__gt=0).order_by("-n")
    sources = list(by_size.values_list("slug", flat=True))
    # Months of a sample of articles, so busy months weigh as they do in the archive.
    dated = Article.objects.published().exclude(published=None).order_by("pk").values_list("published", flat=True)
    months = sorted({(j.year, j.month) for j in map(jalali.to_jalali, rng.sample(list(dated), min(40, len(dated))))})
    return {
        "source_slug": source,
        "source_slugs": sources[:5] + rng.sample(sources[5:], min(15, len(sources[5:]))),
        "months": months,
        "article_ids": articles,
        "entity_slugs": sample,
        "entity_top": [{"slug": slug, "articles": n} for slug, n in ranked[:5]],
    }


def search(repeat: int) -> dict:
    started = time.perf_counter()
    _setup()
    import persian

    persian.terms("گرم کردن")  # what newsarchive.wsgi does before forking
    from articles.search.service import SearchParams, attention, run_search, warm

    warm()  # so is decoding the index's facet values
    setup_s = time.perf_counter() - started

    info = fixtures()
    mix = query_mix(info["source_slug"])
    result: dict = {"setup_s": round(setup_s, 2), "queries": {}, **info}

    def params(p: dict) -> SearchParams:
        return SearchParams(**{k: v for k, v in p.items()})

    started = time.perf_counter()
    first = run_search(params(mix[0][1]))
    result["first_query_ms"] = round((time.perf_counter() - started) * 1000, 1)
    del first
    every: list[float] = []
    for name, p in [*mix, ("one word, no facets", {**mix[0][1], "_nofacets": "1"})]:
        nofacets = p.pop("_nofacets", None) is not None
        sp = params(p)
        t0, c0 = time.perf_counter(), time.process_time()
        page = run_search(sp, with_facets=not nofacets)  # warm this query's path once
        first_ms = round((time.perf_counter() - t0) * 1000, 1)  # before its facets were kept
        t1 = time.perf_counter()
        if not nofacets and page.count:  # the page's attention chart, as the search page draws it
            attention(sp, page)
        chart_first_ms = round((time.perf_counter() - t1) * 1000, 1)
        first_cpu_ms = round((time.process_time() - c0) * 1000, 1)  # search, facets and chart
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            run_search(sp, with_facets=not nofacets)
            times.append(time.perf_counter() - t0)
        if not nofacets:
            every.extend(times)
        result["queries"][name] = {
            "params": p,
            "count": page.count,
            "relaxed": page.relaxed,
            "suggestion": page.suggestion,
            "first_ms": first_ms,
            "chart_first_ms": chart_first_ms,
            "page_first_ms": round(first_ms + chart_first_ms, 1),
            "page_first_cpu_ms": first_cpu_ms,
            **summary_ms(times),
        }
        _log(f"search {name}: {result['queries'][name]}")
    result["overall"] = summary_ms(every)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=["build", "search"])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--analyzer-docs", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    if "NEWSARCHIVE_VAR_DIR" not in os.environ:
        parser.error("set NEWSARCHIVE_VAR_DIR to a scratch folder (run.py does)")
    result = build(args.data, args.analyzer_docs) if args.phase == "build" else search(args.repeat)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
