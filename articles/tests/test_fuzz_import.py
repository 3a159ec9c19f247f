"""The importer against generated hostile input (the importer's half of ``test_fuzz``): folders of
JSON Lines, JSON lists on one line or many and ``.txt`` pages, with control and bidi characters
in every field, over-long values, NaN and numbers for text, the same id again in one list, one
file and another file, beside FIFOs, devices, symlink loops, unreadable files and a folder named
like a page; and, apart, a database that fills up midway.

Each example's expectations are worked out from what was generated, not from the importer:
nothing lost (every valid item imported, exactly, the first of each id), every bad item reported
with its path and reason, the summary's counts add up, and a second run reports all unchanged.
A quick version runs in the fast tier; ``heavy`` runs many more examples.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.ingest import readers
from articles.ingest.save import import_items, source_key
from articles.ingest.values import clean
from articles.models import Article
from articles.terms import term_key

WORDS = ["قیمت", "بازار", "تهران", "دولت", "مجلس", "گزارش", "سکه", "هوا", "مدرسه", "وزیر", "نفت", "بانک", "ارز"]
# Invisible, bidi and control characters that may sit anywhere inside a line (no line breaks:
# in a page, a line break makes another line, which is another matter).
MARKS = list("\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202e\u2066\u2069\u061c\ufeff\x00\x01\x07\x1b\x7f\t")
FUZZ_QUICK = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
FUZZ_HEAVY = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
_run = itertools.count()

nasty_words = st.lists(
    st.tuples(st.sampled_from(WORDS), st.lists(st.sampled_from(MARKS), max_size=2).map("".join)),
    min_size=2,
    max_size=6,
).map(lambda pairs: " ".join(word + marks for word, marks in pairs))
# What makes a record unusable, and what the report must say.
DEFECTS = {
    "long_id": ({"id": "ش" * 1000}, "field id: 1,000 characters"),
    "long_url": ({"url": "https://example.org/" + "a" * 2980}, "field url: 3,000 characters"),
    "long_source": ({"source": "خبرگزاری " * 50}, "field source: "),
    "long_tag": ({"tags": ["ب" * 300]}, "field tags: 300 characters"),
    "nan_title": ({"title": float("nan")}, "field title: expected text, got number NaN"),
    "number_title": ({"title": 1403}, "field title: expected text, got number"),
    "invisible": ({"title": "\u200c\u200f\u200e", "body": "\u200f\x01"}, "missing title and body"),
}
record = st.fixed_dictionaries(
    {
        "id": st.tuples(st.sampled_from("abcdef"), st.sampled_from(["", "", "\x01", "\u200f"])).map("".join),
        "title": nasty_words,
        "body": st.lists(nasty_words, min_size=1, max_size=3).map("\n".join),
        "defect": st.sampled_from([None, None, None, *DEFECTS]),
    },
    optional={
        "source": nasty_words,
        "lead": nasty_words,
        "agency": nasty_words,
        "url": st.lists(st.sampled_from([*"abc/", *MARKS]), max_size=8).map(lambda p: "https://a.ir/" + "".join(p)),
        "category": st.lists(nasty_words, max_size=2),
        "tags": st.lists(nasty_words, max_size=2),
    },
)
container = st.tuples(st.sampled_from(["jsonl", "json_line", "json_pretty", "txt"]), st.lists(record, max_size=4))
SPECIAL = ["fifo", "zero", "loop", "mem", "folder_page", "locked"]


@dataclass
class Expected:
    articles: dict[str, dict] = field(default_factory=dict)  # key → the record that must be stored
    errors: dict[str, str] = field(default_factory=dict)  # origin → a piece of its reason
    duplicates: set[str] = field(default_factory=set)  # origins

    def add(self, origin: str, key: str, rec: dict) -> None:
        if rec.get("defect"):
            self.errors[origin] = DEFECTS[rec["defect"]][1]
        elif key in self.articles:
            self.duplicates.add(origin)
        else:
            self.articles[key] = rec


def _as_json(rec: dict, prefix: str) -> dict:
    out = {k: v for k, v in rec.items() if k != "defect"} | {"id": f"{prefix}-{rec['id']}"}
    return out | (DEFECTS[rec["defect"]][0] if rec["defect"] else {})


def _page(rec: dict, prefix: str) -> str:
    return f"{rec['title']}\nhttps://example.org/{prefix}/{rec['id']}\n{rec['body']}\n"


def _page_key(rec: dict, prefix: str) -> str:
    return f"https://example.org/{prefix}/{clean(rec['id'])}"


def write_batch(folder: Path, containers, specials: set[str], prefix: str) -> Expected:
    """Write the generated files and say what importing them must give."""
    expected = Expected()
    for n, (kind, records) in enumerate(containers):
        if kind == "txt":  # one page a file, keyed by the URL line after its title
            for m, rec in enumerate(records):
                path = folder / f"{n:02d}-{m}.txt"
                path.write_text(_page(rec, prefix), encoding="utf-8")
                expected.add(f"{path}:1", _page_key(rec, prefix), {"title": rec["title"], "body": rec["body"]})
            continue
        path = folder / f"{n:02d}.{'jsonl' if kind == 'jsonl' else 'json'}"
        rows = [json.dumps(_as_json(r, prefix)) for r in records]  # ASCII: "\u0001", NaN as JSON writes them
        if kind == "jsonl":
            path.write_text("".join(r + "\n" for r in rows) or "\n", encoding="utf-8")
            origins = [f"{path}:{i}" for i in range(1, len(rows) + 1)]
        elif kind == "json_line":
            path.write_text("[" + ", ".join(rows) + "]", encoding="utf-8")
            origins = [f"{path}:1 (element {i})" for i in range(1, len(rows) + 1)]
        else:
            path.write_text("[\n" + ",\n".join(rows) + "\n]", encoding="utf-8")
            origins = [f"{path}:{i + 1} (element {i})" for i in range(1, len(rows) + 1)]
        if not rows and kind == "jsonl":  # an empty list "[]" is a file with no articles, no error
            expected.errors[f"{path}:1"] = "empty file"
        for origin, rec in zip(origins, records, strict=True):
            expected.add(origin, f"{prefix}-{clean(rec['id'])}", rec)
    extra = {"id": "z", "title": "خبر پرونده قفل", "body": "متن", "defect": None}
    for name in sorted(specials):
        path = folder / f"90-{name}.txt"
        if name == "fifo":
            os.mkfifo(path)
        elif name == "zero":
            path.symlink_to("/dev/zero")
        elif name == "loop":
            path.symlink_to(path)
        elif name == "mem":
            path.symlink_to("/proc/self/mem")
        elif name == "folder_page":  # walked: its page imports
            path.mkdir()
            rec = extra | {"id": "y", "title": "خبر درون پوشه"}
            (path / "page.txt").write_text(_page(rec, prefix), encoding="utf-8")
            expected.add(f"{path / 'page.txt'}:1", _page_key(rec, prefix), rec)
            continue
        elif name == "locked":
            path = path.with_suffix(".jsonl")
            path.write_text(json.dumps(_as_json(extra, prefix)) + "\n", encoding="utf-8")
            path.chmod(0)
            if os.geteuid() == 0:  # root reads it anyway: then it must be imported
                expected.add(f"{path}:1", f"{prefix}-z", extra)
                continue
        expected.errors[f"{path}:1"] = ""
    return expected


def stored(key: str) -> Article:
    return Article.objects.get(url=key) if key.startswith("https://") else Article.objects.get(external_id=key)


def check(folder: Path, expected: Expected) -> None:
    report = import_items(readers.iter_path(folder))
    errors = {e.origin: e.reason for e in report.errors}
    assert report.created == len(expected.articles), errors
    assert (report.updated, report.unchanged, report.not_imported) == (0, 0, 0)
    assert report.duplicates == len(expected.duplicates)
    assert report.failed == len(expected.errors), errors
    assert report.total == len(expected.articles) + len(expected.duplicates) + len(expected.errors)
    for origin, reason in expected.errors.items():
        assert reason in errors[origin]
    for origin in expected.duplicates:
        assert errors[origin].startswith("duplicate id")
    for key, rec in expected.articles.items():  # nothing lost, nothing changed but the controls
        article = stored(key)
        assert article.title == clean(rec["title"]).strip()
        assert article.body.split() == clean(rec["body"]).split()
        for name in ("lead", "agency", "url"):  # JSON records' other fields
            if name in rec:
                assert getattr(article, name) == clean(rec[name]).strip()
        if "source" in rec:
            # one source however its name is spaced (save.source_key): the first spelling names it
            assert source_key(article.source.name) == source_key(" ".join(clean(rec["source"]).split()))
        for name, related in (("category", article.categories), ("tags", article.tags)):
            terms = {term_key(" ".join(clean(t).split())) for t in rec.get(name, [])}  # one however spelled
            assert {term_key(n) for n in related.values_list("name", flat=True)} == terms
    again = import_items(readers.iter_path(folder))
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(expected.articles))
    assert (again.duplicates, again.failed) == (report.duplicates, report.failed)


def _fuzz(tmp_path_factory, containers, specials):
    previous = signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the import hung"))
    signal.alarm(60)
    try:
        folder = tmp_path_factory.mktemp("fuzz-import")
        check(folder, write_batch(folder, containers, specials, f"f{next(_run)}"))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


batch = st.lists(container, min_size=1, max_size=5)
specials = st.sets(st.sampled_from(SPECIAL))


@pytest.mark.django_db
@FUZZ_QUICK
@given(containers=batch, specials=specials)
def test_generated_batches_import_exactly_and_report_the_rest(
    tmp_path_factory, search_index, whoosh_own_random, containers, specials
):
    _fuzz(tmp_path_factory, containers, specials)


@pytest.mark.heavy
@pytest.mark.django_db
@FUZZ_HEAVY
@given(containers=batch, specials=specials)
def test_many_generated_batches_import_exactly_and_report_the_rest(
    tmp_path_factory, search_index, whoosh_own_random, containers, specials
):
    _fuzz(tmp_path_factory, containers, specials)


# --- a database that fills up ------------------------------------------------------------------


def _fill_up(tmp_path_factory, records: list[dict], room: int) -> None:
    """Import with only ``room`` pages to spare, then with space again: nothing lost."""
    prefix = f"full{next(_run)}"
    folder = tmp_path_factory.mktemp("fuzz-full")
    expected = write_batch(folder, [("jsonl", records)], set(), prefix)
    with connection.cursor() as cursor:
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages + room}")
    try:
        report = import_items(readers.iter_path(folder))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA max_page_count = 1073741823")
    assert report.total == len(records)
    assert report.created + report.not_imported == len(expected.articles)
    if report.not_imported:
        assert report.stopped.startswith("the disk is full")
    saved = set(Article.objects.filter(external_id__startswith=f"{prefix}-").values_list("external_id", flat=True))
    assert len(saved) == report.created
    again = import_items(readers.iter_path(folder))
    assert (again.created, again.unchanged, again.updated) == (report.not_imported, report.created, 0)
    for key, rec in expected.articles.items():
        assert stored(key).title == clean(rec["title"]).strip()


full_disk = {"records": st.lists(record, min_size=1, max_size=12), "room": st.integers(0, 40)}


@pytest.mark.django_db(transaction=True)
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(**full_disk)
def test_a_database_that_fills_up_loses_nothing(tmp_path_factory, search_index, whoosh_own_random, records, room):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's page limit stands in for a full disk")
    _fill_up(tmp_path_factory, records, room)


@pytest.mark.heavy
@pytest.mark.django_db(transaction=True)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(**full_disk)
def test_databases_that_fill_up_lose_nothing(tmp_path_factory, search_index, whoosh_own_random, records, room):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's page limit stands in for a full disk")
    _fill_up(tmp_path_factory, records, room)
