"""A search's first run is as fast as its repeats (issue 19): the attention chart counts the
matching set's dates between period boundaries instead of making a datetime per article, and
must draw the very bars the per-article grouping drew."""

from __future__ import annotations

import ctypes
import datetime as dt
import mmap
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from whoosh.query import Term

from articles import jalali, views
from articles.models import Article, Entity
from articles.search.engine import FACET_FIELDS, PublishedDates, get_engine
from articles.search.params import SearchParams
from articles.search.service import _attention_series, attention, run_search
from articles.search.whoosh import facets, files
from articles.tests.conftest import REPO

UTC = dt.UTC

# On the synthetic archive: a common word, two words, an exclusion, a phrase, a filter.
WORD_SEARCHES = [
    SearchParams(q="ایران"),
    SearchParams(q="بانک مرکزی"),
    SearchParams(q="ایران -تهران"),
    SearchParams(q='"بانک مرکزی"'),
    SearchParams(q="ایران", entity=("tehran",)),
]


def _grouped_per_article(dates: list[dt.datetime]) -> list[tuple[str, str, int]]:
    """The chart as it was computed before: each date to its Tehran day, then to its month."""
    if dates and max(dates) - min(dates) <= dt.timedelta(days=62):
        return jalali.daily_counts(dates)
    return jalali.monthly_counts(dates)


def _series(moments: list[dt.datetime]) -> list[tuple[str, str, int]]:
    return _attention_series(PublishedDates(sorted(moments)))


@pytest.mark.parametrize(
    "moments",
    [
        # Iran's last summer time began at midnight of 2 Farvardin 1401 (22 March 2022, 20:30 UTC
        # the day before) and ended at midnight of 31 Shahrivar: the days around both changes.
        [dt.datetime(2022, 3, 21, 20, 29, tzinfo=UTC), dt.datetime(2022, 3, 21, 20, 30, tzinfo=UTC)],
        [dt.datetime(2022, 9, 21, 19, 29, tzinfo=UTC), dt.datetime(2022, 9, 21, 20, 31, tzinfo=UTC)],
        # 62 days apart is still days; a minute more is months.
        [dt.datetime(2024, 1, 1, 10, tzinfo=UTC), dt.datetime(2024, 3, 3, 10, tzinfo=UTC)],
        [dt.datetime(2024, 1, 1, 10, tzinfo=UTC), dt.datetime(2024, 3, 3, 10, 1, tzinfo=UTC)],
        # A Jalali month's first minute and the month before's last, years apart, with empty months.
        [dt.datetime(2019, 3, 20, 20, 30, tzinfo=UTC), dt.datetime(2019, 3, 20, 20, 29, tzinfo=UTC)]
        + [dt.datetime(2025, 10, 22, 20, 30, tzinfo=UTC)] * 3,
    ],
)
def test_periods_counted_between_boundaries_are_the_per_article_grouping(moments):
    assert _series(moments) == _grouped_per_article(moments)


def test_no_dates_draw_no_chart():
    assert _series([]) == []


@pytest.mark.django_db(transaction=True)
def test_charts_and_entity_timelines_are_the_per_article_grouping(synthetic_archive):
    """On a real index of several segments, with drafts and deleted documents: a common word, a
    rare one, an exclusion, a phrase, a filter, a month narrowed to days, words found nowhere;
    and each entity's page timeline."""
    dated = Article.objects.published().exclude(published=None).order_by("published")
    middle = jalali.to_jalali(dated[dated.count() // 2].published)
    month_start, month_end = jalali.jalali_month_range(middle.year, middle.month)
    searches = [
        *WORD_SEARCHES,
        SearchParams(q="ایران", date_from=month_start.date(), date_to=(month_end - dt.timedelta(days=1)).date()),
        SearchParams(q="", date_from=month_start.date(), date_to=(month_end - dt.timedelta(days=1)).date()),
        SearchParams(q="واژه‌ای‌که‌نیست"),
    ]
    shapes = set()
    for params in searches:
        page = run_search(params)
        expected = _grouped_per_article([jalali.aware_utc(d) for d in get_engine().published_dates(page.request)])
        assert attention(params, page) == expected, params
        shapes.add(len(expected[0][0]) if expected else 0)
    assert shapes == {0, len("1401-01"), len("1401-01-01")}  # months, days and no chart were all drawn
    # An entity's timeline comes from the index the same way: the months the database's mentions
    # (grouped by Tehran day) gave, for every entity of the archive.
    entities = list(Entity.objects.all())
    timelines = {entity.slug: views._entity_timeline(entity) for entity in entities}
    assert timelines == {entity.slug: views._entity_timeline_from_database(entity) for entity in entities}
    assert sum(len(timeline) > 1 for timeline in timelines.values()) >= 2


@pytest.mark.django_db(transaction=True)
def test_facets_of_most_of_a_segment_are_its_totals_less_the_rest(synthetic_archive):
    """A word in most documents is counted as the segment's totals less the documents without
    it; a rarer one directly: both as counting every match's values one by one."""
    with get_engine()._searcher() as searcher:
        reader = searcher.reader()
        live = [d for d in range(reader.doc_count_all()) if not reader.is_deleted(d)]
        common = max((reader.doc_frequency("text", t), t) for _, t in reader.most_frequent_terms("text", 40))[1]
        rare = next(t for t in reader.lexicon("text") if 5 <= reader.doc_frequency("text", t) <= 50)
        matches = [set(searcher.docs_for_query(Term("text", text))) for text in (common, rare)]
        assert len(matches[0]) > len(live) / 2 > len(matches[1])  # both ways are taken
        for docs in (*matches, set(live)):
            names = list(FACET_FIELDS)
            expected = {name: Counter() for name in names}
            for docnum in docs:
                stored = searcher.stored_fields(docnum)
                for name in names:
                    expected[name].update(v for v in (stored.get(name) or "").split(",") if v)
            assert facets.count_values(searcher, docs, names) == {n: dict(c) for n, c in expected.items()}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("match", ["all", "any"])
def test_the_matches_a_search_keeps_for_its_chart_are_those_found_afresh(synthetic_archive, settings, match):
    """The chart reads the matching set its search just found instead of finding it again: for
    words, an exclusion, a phrase (Whoosh's own collector), a filter and, with every word asked
    for, a relaxed search, the kept set is the one found afresh, and it is the search's count."""
    from articles.search.whoosh import engine as whoosh

    settings.SEARCH_MATCH = match
    engine = get_engine()
    searches = [
        *WORD_SEARCHES,
        SearchParams(q="بانک مرکزی واژه‌ای‌که‌نیست"),  # no article has every word
    ]
    relaxed = 0
    for params in searches:
        page = run_search(params)
        with engine._searcher() as searcher:
            kept = whoosh._last_matches.get(searcher, page.request)
            fresh = whoosh.matching_docs(searcher, whoosh._compiled(page.request))
            if not fresh and whoosh._relaxes(page.request):
                fresh = whoosh.matching_docs(searcher, whoosh._compiled(page.request, relaxed=True))
        relaxed += page.relaxed
        assert page.request.match == match
        assert kept == fresh and len(kept) == page.count > 0, params
    assert relaxed == (match == "all")


@pytest.mark.django_db(transaction=True)
def test_the_first_pages_are_cut_from_the_kept_top_hits(synthetic_archive):
    """A search ranks every match once: its top 100 are kept until the index changes, and its
    next pages (and the same page again) read no postings, with the hits a fresh ranking gives."""
    from dataclasses import replace

    from articles.search.whoosh import postings

    engine = get_engine()
    first = run_search(SearchParams(q="ایران"))
    assert first.count > 2 * 20 and engine.result_window == 100
    start = postings.read.count
    pages = [run_search(SearchParams(q="ایران", page=n)) for n in (1, 2, 3)]
    assert postings.read.count == start  # nothing scored again
    for n, page in enumerate(pages):
        fresh = engine.search(replace(page.request, offset=20 * n, limit=20, facets=False))
        assert [h.article.pk for h in page.hits] == [pk for pk, _ in fresh.hits]
        assert page.count == first.count


def _in_page_cache(path) -> float:
    """The share of the file's pages in the page cache (``mincore`` over a private mapping, which
    itself reads none of them)."""
    size = os.path.getsize(path)
    pages = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_ubyte)]
    vector = (ctypes.c_ubyte * pages)()
    with open(path, "rb") as file:
        mapped = mmap.mmap(file.fileno(), size, access=mmap.ACCESS_COPY)
    start = ctypes.c_char.from_buffer(mapped)
    try:
        if libc.mincore(ctypes.addressof(start), size, vector) != 0:
            raise OSError(ctypes.get_errno(), "mincore")
    finally:
        del start
        mapped.close()
    return sum(byte & 1 for byte in vector) / pages


@pytest.fixture
def on_disk(tmp_path):
    """A folder on a disk: ``tmp_path``, or one under the repository's ``var/`` where ``/tmp`` is
    a tmpfs (whose pages are the files themselves, never dropped from the page cache)."""
    mounts = [line.split()[1:3] for line in Path("/proc/mounts").read_text().splitlines()]
    under = [(point, kind) for point, kind in mounts if str(tmp_path).startswith(point.rstrip("/") + "/")]
    if max(under, key=lambda mount: len(mount[0]), default=("", ""))[1] != "tmpfs":
        yield tmp_path
        return
    (REPO / "var").mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="test-read-ahead-", dir=REPO / "var"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mincore and /proc/mounts: Linux")
@pytest.mark.django_db(transaction=True)
def test_warming_reads_the_index_files_ahead_into_the_page_cache(synthetic_archive, on_disk):
    """Before the workers fork, ``warm`` asks the kernel to read every segment file of the index
    into the page cache: a worker's first searches after a reboot do not wait on the disk a page
    at a time. Checked on copies of the files, put out of the page cache first (the index's own
    are mapped by this process, which keeps them in), and on a file larger than the kernel reads
    ahead in one request (the device's read-ahead window, 128 KiB to a few MiB)."""
    engine = get_engine()
    index = engine.backend.index.refresh()._index
    with index.searcher() as searcher:
        paths = files.segment_files(searcher)
        assert len(paths) == len(searcher.leaf_searchers()) > 1
    assert paths[0] == max(paths, key=os.path.getmtime)  # the newest first
    large = on_disk / "large.seg"
    large.write_bytes(os.urandom(48 * 2**20))
    copies = [shutil.copy(path, on_disk) for path in paths] + [large]
    for copy in copies:
        with open(copy, "rb+") as file:
            os.fsync(file.fileno())  # clean pages, which the kernel drops when asked
            os.posix_fadvise(file.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    if max(_in_page_cache(copy) for copy in copies) >= 0.2:
        pytest.skip(f"this filesystem keeps the pages of {on_disk} in memory")

    assert files.read_ahead(copies, share=1e-9) == 0  # beyond the memory it may take: nothing asked
    assert files.read_ahead(copies) == sum(os.path.getsize(copy) for copy in copies)
    deadline = time.monotonic() + 20
    while min(_in_page_cache(copy) for copy in copies) < 0.95 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert min(_in_page_cache(copy) for copy in copies) >= 0.95
