"""Issue 16, item 6: a disk that fills up during an import. The import stops with a clear message
and its counts, lists what it did not import, saves no article by halves, and the same command
run again once there is space imports the rest and reports the first part unchanged.

Fast tier: the database's own limit (SQLite's ``max_page_count`` answers SQLITE_FULL, "database
or disk is full", exactly as a full disk does) and ``OSError(ENOSPC)`` from the files Whoosh
writes (injected where Whoosh opens them, the library's boundary with the OS). Slow tier: a real
full disk, a 16 MB tmpfs mounted in a mount namespace of its own, where the machine allows it.
"""

from __future__ import annotations

import builtins
import errno
import json
import re
import shutil
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from articles.models import Article, RelatedLink
from articles.tests.conftest import REPO, process_env, write_jsonl

N = 60


def record(n: int) -> dict:
    """An article with everything that is saved beside it: a source, terms and a related link."""
    return {
        "id": f"d-{n}",
        "title": f"گزارش شماره {n} از بازار طلا و ارز تهران",
        "body": (
            f"به گزارش ایسنا، قیمت سکه در معاملات روز {n} بازار تهران افزایش یافت.\n"
            "خبر مرتبط دلار در کانال تازه ایسنا: قیمت دلار در بازار آزاد امروز تغییر کرد.\n"
            + "کارشناسان بازار می‌گویند نوسان قیمت‌ها تا پایان هفته ادامه خواهد داشت. "
            * 20
        ),
        "date": "2024-05-01T10:00:00",
        "source": "ایسنا",
        "category": ["اقتصادی"],
        "tags": ["طلا", f"روز {n}"],
    }


def counts(summary: str) -> dict[str, int]:
    return {name: int(value) for value, name in re.findall(r"(\d+) (?=(\w+(?: \w+)?)[,;])", summary)} | {
        name: int(value) for name, value in re.findall(r"(created|updated|unchanged|failed|duplicates) (\d+)", summary)
    }


def assert_whole(article: Article) -> None:
    """Saved with everything that belongs to it, or not at all."""
    assert article.source.name == "ایسنا"
    assert list(article.categories.values_list("name", flat=True)) == ["اقتصادی"]
    assert article.tags.count() == 2
    assert article.links.filter(kind=RelatedLink.Kind.RELATED).count() == 1
    assert article.history.count() == 1


def test_a_full_disk_is_recognized_from_each_database_and_the_os():
    import sqlite3

    import psycopg.errors
    from django.db.utils import OperationalError

    from articles.ingest.save import storage_full

    def wrapped(cause: BaseException) -> BaseException:  # as Django raises a driver's error
        try:
            raise OperationalError(str(cause)) from cause
        except OperationalError as exc:
            return exc

    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL
    assert storage_full(wrapped(full))
    assert storage_full(wrapped(psycopg.errors.DiskFull("could not extend file")))
    assert storage_full(OSError(errno.ENOSPC, "No space left on device"))
    assert not storage_full(RuntimeError("commit failed"))
    assert not storage_full(wrapped(sqlite3.OperationalError("database is locked")))
    assert not storage_full(OSError(errno.EACCES, "Permission denied"))


@pytest.mark.django_db(transaction=True)
def test_a_full_database_stops_the_import_cleanly(tmp_path, search_index, capsys):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's page limit stands in for a full disk; PostgreSQL raises disk_full the same way")
    path = write_jsonl(tmp_path / "batch.jsonl", [record(n) for n in range(N)])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM")  # earlier tests' free pages would be reused first: room for all N
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages + 60}")
    try:
        with pytest.raises(CommandError, match="did not finish"):
            call_command("import_articles", str(path))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA max_page_count = 1073741823")
    out, err = capsys.readouterr()
    summary = out.strip().splitlines()[-1]
    created = int(re.search(r"created (\d+)", summary)[1])
    not_imported = int(re.search(r"not imported (\d+)", summary)[1])
    assert 0 < created < N and created + not_imported == N
    assert f"({N} items in" in summary
    assert "import stopped: the disk is full (database or disk is full)" in err
    assert f"not imported from {path}: {not_imported} items" in err
    listed = re.findall(rf"skipped {re.escape(str(path))}:(\d+): not imported", err)
    assert len(listed) == min(not_imported, 50) and int(listed[0]) == created + 1
    assert Article.objects.count() == created
    for article in Article.objects.all():
        assert_whole(article)
    assert search_index.doc_count() == created  # what was saved is searchable

    call_command("import_articles", str(path))  # space again: the same command
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary.startswith(f"created {not_imported}, updated 0, unchanged {created}, failed 0, duplicates 0;")
    assert Article.objects.count() == search_index.doc_count() == N
    for article in Article.objects.all():
        assert_whole(article)


class _FullDiskFile:
    """A file Whoosh opened for writing, on a disk with no space left."""

    def __init__(self, file) -> None:
        self._file = file

    def write(self, data) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self._file, name)


@pytest.mark.django_db(transaction=True)
def test_a_full_disk_while_indexing_keeps_the_articles_and_says_how_to_finish(
    tmp_path, search_index, capsys, monkeypatch
):
    import whoosh.filedb.filestore as filestore

    def open_on_a_full_disk(path, mode="r", *args, **kwargs):
        file = builtins.open(path, mode, *args, **kwargs)  # noqa: SIM115 (Whoosh closes it)
        return _FullDiskFile(file) if "w" in mode or "a" in mode else file

    path = write_jsonl(tmp_path / "batch.jsonl", [record(n) for n in range(5)])
    monkeypatch.setattr(filestore, "open", open_on_a_full_disk, raising=False)
    with pytest.raises(CommandError, match="did not finish"):
        call_command("import_articles", str(path))
    out, err = capsys.readouterr()
    assert out.strip().splitlines()[-1].startswith("created 5, updated 0, unchanged 0, failed 0, duplicates 0;")
    assert "indexing stopped: the disk is full" in err and "check_index --fix" in err
    assert Article.objects.count() == 5 and search_index.doc_count() == 0
    monkeypatch.undo()  # space again; the index was left unlocked and whole
    call_command("import_articles", str(path))
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("created 0, updated 0, unchanged 5,")
    assert search_index.doc_count() == 5


# --- a real full disk --------------------------------------------------------------------------

SCRIPT = """
set -e
mount -t tmpfs -o size=16m tmpfs "$VAR"
"$PY" "$REPO/manage.py" migrate --noinput -v0
# Leave about 1 MB free: room for some of the articles only (the import also writes its run record
# and the index, and SQLite needs journal space for each transaction).
free=$(df -k --output=avail "$VAR" | tail -1)
dd if=/dev/zero of="$VAR/filler" bs=1k count=$((free - 1000)) status=none 2>/dev/null || true
set +e
"$PY" "$REPO/manage.py" import_articles "$DATA" > "$OUT/first.out" 2> "$OUT/first.err"
echo $? > "$OUT/first.rc"
"$PY" "$REPO/manage.py" shell -c "$CHECK" > "$OUT/after_first.json"
rm "$VAR/filler"
"$PY" "$REPO/manage.py" import_articles "$DATA" > "$OUT/second.out" 2> "$OUT/second.err"
echo $? > "$OUT/second.rc"
"$PY" "$REPO/manage.py" shell -c "$CHECK" > "$OUT/after_second.json"
"""
CHECK = """
import json
from articles.models import Article
from articles.search import indexing
rows = [(a.external_id, a.links.count(), a.tags.count(), a.categories.count(), a.history.count())
        for a in Article.objects.all()]
try:
    indexed = len(indexing.indexed_ids())
except Exception:  # the disk filled before the index was created
    indexed = 0
print(json.dumps({"rows": rows, "indexed": indexed}))
"""


@pytest.mark.slow
def test_a_real_full_disk(tmp_path):
    if not shutil.which("unshare") or subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        pytest.skip("no mount namespace here for a small tmpfs")
    if connection.vendor != "sqlite":
        pytest.skip("the database is on the server's disk, not on the tmpfs")
    var, out = tmp_path / "var", tmp_path / "out"
    var.mkdir(), out.mkdir()
    data = write_jsonl(tmp_path / "batch.jsonl", [record(n) for n in range(300)])
    env = {**process_env(var), "VAR": str(var), "OUT": str(out), "DATA": str(data), "CHECK": CHECK}
    env |= {"PY": sys.executable, "REPO": str(REPO)}
    subprocess.run(["unshare", "-rm", "sh", "-c", SCRIPT], env=env, check=True, timeout=600)
    first_out, first_err = (out / "first.out").read_text(), (out / "first.err").read_text()
    assert (out / "first.rc").read_text().strip() == "1", first_err[-2000:]
    assert "import stopped: the disk is full" in first_err or "indexing stopped: the disk is full" in first_err
    summary = first_out.strip().splitlines()[-1]
    saved = json.loads((out / "after_first.json").read_text().strip().splitlines()[-1])
    created = int(re.search(r"created (\d+)", summary)[1])
    not_imported = int(m[1]) if (m := re.search(r"not imported (\d+)", summary)) else 0
    assert created + not_imported == 300 and len(saved["rows"]) == created
    assert all(row[1:] == [1, 2, 1, 1] for row in saved["rows"])  # whole: links, tags, category, one version
    second = (out / "second.out").read_text().strip().splitlines()[-1]
    assert (out / "second.rc").read_text().strip() == "0", (out / "second.err").read_text()[-2000:]
    assert second.startswith(f"created {not_imported}, updated 0, unchanged {created}, failed 0, duplicates 0;")
    final = json.loads((out / "after_second.json").read_text().strip().splitlines()[-1])
    assert len(final["rows"]) == final["indexed"] == 300
    assert all(row[1:] == [1, 2, 1, 1] for row in final["rows"])
