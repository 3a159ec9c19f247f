"""Importing files an editor uploads: checked, unpacked safely, imported through the importer.

The upload goes through the same entry point as ``manage.py import_articles``
(``articles.ingest.readers.iter_path`` and ``articles.ingest.save.import_items``), so it saves,
reports and indexes exactly as the command does; its summary is kept in an ``ImportRun``.
Each article is saved in its own transaction: a run that stops midway keeps the articles it
finished and lists the ones it did not reach.

Zip archives are opened with suspicion: only known extensions are unpacked, under names we
build (never a path from the archive: no ``..``, no absolute path, no link), and the bytes
actually written are counted against caps, whatever sizes the archive claims.
"""

from __future__ import annotations

import itertools
import re
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import close_old_connections, connections

from articles.import_runs import ImportRun, Progress
from articles.ingest import readers
from articles.ingest.parsed import ParseError
from articles.ingest.save import ImportReport, import_items

ARTICLE_FILES = {".txt", ".jsonl", ".json"}
UPLOADS = {*ARTICLE_FILES, ".zip"}
MAX_UPLOAD_BYTES = 200 * 2**20
MAX_UNPACKED_BYTES = 1024 * 2**20  # all members together, as written
MAX_MEMBERS = 50_000
MAX_RATIO = 200  # a member that claims to unpack to more than 200× its compressed size is a bomb
NOT_REACHED = "درون‌ریزی نشد: کار پیش از رسیدن به این خبر ایستاد."
MAX_NOT_REACHED = 200
_SAFE = re.compile(r"[^\w.\-\u200c]+")


class UploadRefused(Exception):
    """The upload is not something we import; the message is Persian, for the editor."""


def upload_folder(run: ImportRun) -> Path:
    return Path(settings.VAR_DIR) / "uploads" / str(run.pk)


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _safe_name(name: str) -> str:
    cleaned = _SAFE.sub("_", name).strip("._") or "file"
    return cleaned[:120]


def _copy_counted(source, target: Path, budget: int) -> int:
    """Copy at most ``budget`` bytes; more means the archive lied about its sizes."""
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(2**20):
            written += len(chunk)
            if written > budget:
                raise UploadRefused("فایل فشرده بیش از اندازه‌ی مجاز باز می‌شود؛ پذیرفته نشد.")
            out.write(chunk)
    return written


def unpack_zip(archive: Path, folder: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The article files of ``archive`` written under ``folder``, and the members skipped with why."""
    try:
        zipped = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise UploadRefused("فایل zip خراب است یا zip نیست.") from None
    files, skipped, budget = [], [], MAX_UNPACKED_BYTES
    with zipped:
        members = zipped.infolist()
        if len(members) > MAX_MEMBERS:
            raise UploadRefused(f"فایل فشرده بیش از {MAX_MEMBERS} پرونده دارد.")
        for number, info in enumerate(members):
            name = info.filename
            path = PurePosixPath(name.replace("\\", "/"))
            if info.is_dir():
                continue
            if path.is_absolute() or ".." in path.parts or ":" in name:
                skipped.append((name, "مسیر بیرون از پوشه‌ی فایل فشرده"))
            elif path.suffix.lower() not in ARTICLE_FILES:
                skipped.append((name, "نوع پرونده شناخته نیست (فقط .txt، .jsonl و .json)"))
            elif info.flag_bits & 0x1:
                skipped.append((name, "رمزدار است"))
            elif info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                skipped.append((name, "بیش از اندازه فشرده است (بمب zip؟)"))
            else:
                # A name we build: the member's own name kept readable, its folders flattened.
                target = folder / f"{number:05d}-{_safe(path)}"
                with zipped.open(info) as source:
                    budget -= _copy_counted(source, target, budget)
                files.append(target)
    return files, skipped


def _safe(path: PurePosixPath) -> str:
    return _safe_name("-".join(path.parts[-3:]))


def receive(upload: UploadedFile, folder: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """Store an uploaded file; a zip is unpacked. Returns the article files and what was skipped."""
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in UPLOADS:
        raise UploadRefused("فقط پرونده‌های .txt، .jsonl، .json یا .zip پذیرفته می‌شوند.")
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise UploadRefused(f"پرونده بزرگ‌تر از {MAX_UPLOAD_BYTES // 2**20} مگابایت است.")
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / ("upload.zip" if suffix == ".zip" else _safe_name(Path(upload.name).name))
    with stored.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    if suffix != ".zip":
        return [stored], []
    unpacked = folder / "files"
    unpacked.mkdir()
    try:
        return unpack_zip(stored, unpacked)
    finally:
        stored.unlink()


def count(files: list[Path]) -> int:
    return sum(readers.count_items(path) for path in files)


class _Tracked:
    """The items given to the importer, counted, so that a run stopped midway can list the rest."""

    def __init__(self, items: Iterator) -> None:
        self.items, self.taken, self.last = items, 0, None

    def __iter__(self):
        for item in self.items:
            self.taken, self.last = self.taken + 1, item
            yield item

    def rest(self, finished: int) -> list[list[str]]:
        """Origins of the items not finished: the one being saved when it stopped, and those after."""
        pending = [self.last] if self.last is not None and self.taken > finished else []
        rest = itertools.islice(itertools.chain(pending, self.items), MAX_NOT_REACHED)
        return [[str(item.origin), NOT_REACHED] for item in rest]


def run_import(run_id: int, files: list[Path], folder: Path, skipped: list[tuple[str, str]] = ()) -> ImportRun:
    """Import ``files`` into the run ``run_id``; the uploaded files are removed afterwards."""
    run = ImportRun.objects.get(pk=run_id)
    prefix = f"{folder}/"
    progress = Progress(run, prefix)
    tracked = _Tracked(itertools.chain.from_iterable(readers.iter_path(path) for path in files))
    skipped_errors = [ParseError(name, reason) for name, reason in skipped]
    try:
        report = import_items(itertools.chain(skipped_errors, tracked), on_progress=progress)
    except Exception as exc:  # the importer itself stopped: keep what it finished, list the rest
        report = progress.report or ImportReport()
        run.finish(report, prefix, message=f"درون‌ریزی ایستاد: {exc}")
        not_reached = [[origin.removeprefix(prefix), reason] for origin, reason in tracked.rest(report.total)]
        run.errors = run.errors + not_reached
        run.save(update_fields=["errors"])
    else:
        run.finish(report, prefix)
    finally:
        discard(folder)
    return run


def start(run: ImportRun, files: list[Path], folder: Path, skipped: list, background: bool) -> None:
    """Import now (small uploads: the editor sees the summary at once) or in a thread of this process."""
    if not background:
        run_import(run.pk, files, folder, skipped)
        return

    def work() -> None:
        close_old_connections()
        try:
            run_import(run.pk, files, folder, skipped)
        finally:
            connections.close_all()  # this thread's connections; the request's are its own

    threading.Thread(target=work, name=f"import-run-{run.pk}", daemon=True).start()
