"""Prototype of the proposed search fixes, measured on a copy of a bench archive (app code untouched).

    .venv/bin/python bench/facet_proto.py VAR_DIR [--repeat 5]

VAR_DIR is a ``bench/run.py --keep`` archive; it is copied to a scratch folder first. Each variant is
applied on top of the previous one, by monkeypatching in this process only:

0. baseline: ``run_search`` as it is;
1. one search per page: count and facets read from the query that fetched the page (today the
   page's clone runs the search, then ``sqs.count()`` runs it again on the original);
2. + one segment: ``index.optimize()`` (the import leaves one segment per 500-article batch);
3. + facet columns: the facet fields (``source``, ``categories``, ``entities``) get a Whoosh column
   holding each document's list of slugs, so Whoosh's overlapping facet reads the matching
   documents' values instead of walking every posting of every facet term on every query
   (index rebuilt with the new schema);
4. + reused searcher: one Whoosh searcher per process, refreshed only when the index changed
   (haystack opens a new reader, twice, per query).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsarchive.settings")

# Facet fields backed by a list column (module level: Whoosh pickles the schema into the index).
from whoosh import columns as _columns  # noqa: E402
from whoosh.fields import KEYWORD as _KEYWORD  # noqa: E402


class ListReader(_columns.PickleColumn.Reader):
    def __getitem__(self, docnum):
        return super().__getitem__(docnum) or []


class StrListColumn(_columns.PickleColumn):
    Reader = ListReader

    def stores_lists(self):
        return True


class FacetKeyword(_KEYWORD):
    def to_column_value(self, value):
        if isinstance(value, str):
            value = value.split(",")
        return [v for v in value if v]


QUERIES = ["تحریم", "قیمت نفت", "ایران", '"رئیس جمهور"', "یوتیوب"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("var_dir", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--max-step", type=int, default=4, help="stop after this variant (3 rebuilds the index)")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="facet-proto-"))
    shutil.copytree(args.var_dir, scratch / "var")
    os.environ["NEWSARCHIVE_VAR_DIR"] = str(scratch / "var")
    try:
        return run(args.repeat, args.max_step)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(repeat: int, max_step: int = 4) -> int:
    import django

    django.setup()
    from haystack import connections

    import persian
    from articles.search import service as search
    from articles.search.service import SearchParams

    persian.terms("گرم کردن")
    backend = connections["default"].get_backend()
    original_run_search = search.run_search

    def measure(label: str) -> None:
        per_query = {}
        for q in QUERIES:
            page = search.run_search(SearchParams(q=q))  # warm
            times = []
            for _ in range(repeat):
                started = time.process_time()
                search.run_search(SearchParams(q=q))
                times.append((time.process_time() - started) * 1000)
            per_query[q] = (statistics.median(times), page.count, sum(len(v) for v in page.facets.values()))
        overall = statistics.median([t for t, _, _ in per_query.values()])
        detail = "  ".join(f"{q}:{t:.0f}ms/{n}hits/{f}facets" for q, (t, n, f) in per_query.items())
        print(f"{label:<28} median of per-query medians {overall:7.1f} ms CPU   {detail}", flush=True)

    measure("0 baseline")

    # 1. one search per page
    def run_search_once(params, with_facets=True):
        parsed = search.query.parse(params.q)
        page = search.SearchPage(params=params, parsed=parsed)
        if parsed.is_empty and params.is_blank:
            return page
        base = search._base_queryset(params, parsed)
        sqs, relaxed = search._matching(base, parsed)
        if with_facets:
            for name in search.FACET_FIELDS:
                sqs = sqs.facet(name, limit=20)
        start = (params.page - 1) * params.page_size
        loaded = sqs.load_all()
        results = list(loaded[start : start + params.page_size])
        page.count, page.relaxed = loaded.count(), relaxed  # cached by the search that ran
        if with_facets:
            page.facets = search._facets(loaded.facet_counts())
        if page.count < search.SUGGEST_BELOW or page.relaxed:
            page.suggestion = search.did_you_mean(parsed)
        terms = parsed.highlight_terms()
        for result in results:
            article = result.object
            if article is None or not (article.is_published or getattr(params, "include_drafts", False)):
                continue
            page.hits.append(search.Hit(article, result.score or 0.0, terms))  # as articles.search.service does
        return page

    search.run_search = run_search_once
    measure("1 one search per page")
    if max_step < 2:
        return 0

    # 2. one segment
    backend.setup()
    started = time.perf_counter()
    backend.index.optimize()
    print(f"  (optimize: {time.perf_counter() - started:.1f} s wall)")
    backend.index = backend.index.refresh()
    measure("2 + optimized index")
    if max_step < 3:
        return 0

    # 3. facet columns: rebuild with the new schema
    from whoosh import columns

    from articles.models import Article
    from articles.search import indexing
    from articles.search.whoosh.backend import PersianWhooshBackend

    facet_names = set(search.FACET_FIELDS)
    original_build_schema = PersianWhooshBackend.build_schema

    def build_schema(self, fields):
        content_field, schema = original_build_schema(self, fields)
        for name in facet_names:
            old = schema[name]
            schema.remove(name)
            field = FacetKeyword(stored=True, commas=True, scorable=True)
            field.column_type = StrListColumn(columns.VarBytesColumn())  # KEYWORD ignores a Column in sortable=
            schema.add(name, field)
            assert old is not None
        return content_field, schema

    PersianWhooshBackend.build_schema = build_schema
    shutil.rmtree(backend.path)
    backend.setup_complete = False
    backend.setup()
    pks = list(Article.objects.published().values_list("pk", flat=True))
    started = time.perf_counter()
    indexing.index_articles(pks)
    backend.index = backend.index.refresh()
    backend.index.optimize()  # as variant 2: compare like with like
    print(f"  (reindex with facet columns and optimize: {time.perf_counter() - started:.1f} s wall)")
    backend.index = backend.index.refresh()
    measure("3 + facet columns")

    # 4. one searcher per process
    from whoosh.searching import Searcher

    cached: dict = {}
    original_searcher = type(backend.index).searcher

    def shared_searcher(index, **kwargs):
        current = cached.get("s")
        if current is None or not current.up_to_date():
            current = cached["s"] = original_searcher(index, **kwargs)
        return _NoClose(current)

    class _NoClose:
        def __init__(self, s: Searcher) -> None:
            self._s = s

        def __getattr__(self, name):
            return getattr(self._s, name)

        def close(self):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            pass

    type(backend.index).searcher = shared_searcher
    try:
        measure("4 + reused searcher")
    finally:
        type(backend.index).searcher = original_searcher
        search.run_search = original_run_search
    return 0


if __name__ == "__main__":
    sys.exit(main())
