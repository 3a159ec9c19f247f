"""``manage.py import_articles PATH [PATH ...]``: raw .txt scrapes and JSON Lines, idempotently."""

from __future__ import annotations

import itertools
import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from articles.import_runs import ImportRun, Progress
from articles.ingest import readers as importers
from articles.ingest.save import ImportReport, import_items
from articles.management.progress import advance_to, progress_bar

ALONGSIDE_FROM = 1000  # items from which indexing runs in a second process while importing


class Command(BaseCommand):
    help = "Import articles from .txt scrapes, .jsonl/.json files and folders of them."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files or folders")
        parser.add_argument("--max-errors-shown", type=int, default=50, help="how many rejected items to list")
        parser.add_argument(
            "--index-alongside",
            choices=["auto", "yes", "no"],
            default="auto",
            help="index in a second process while importing (auto: for 1,000+ items on 2+ cores)",
        )
        parser.add_argument("--index-batch", type=int, default=5000, help="articles per index commit alongside")

    def handle(
        self, *args, paths: list[str], max_errors_shown: int, index_alongside: str, index_batch: int, **options
    ) -> None:
        started = time.monotonic()
        total = sum(importers.count_items(path) for path in paths)
        alongside = index_alongside == "yes" or (
            index_alongside == "auto" and total >= ALONGSIDE_FROM and (os.cpu_count() or 1) > 1
        )
        progress = progress_bar(self, total, "import", options["verbosity"])
        items = itertools.chain.from_iterable(importers.iter_path(path) for path in paths)
        indexer = None

        def index_progress(done: int, total: int) -> None:
            nonlocal indexer
            if indexer is None:
                progress.close()
                indexer = progress_bar(self, total, "index", options["verbosity"])
            advance_to(indexer, done)

        run = ImportRun.objects.create(kind=ImportRun.Kind.COMMAND, name=" ".join(paths)[:500], total=total)
        recorded = Progress(run)  # the dashboard shows a running import's progress

        def on_progress(report: ImportReport) -> None:
            advance_to(progress, report.total)
            recorded(report)

        report = import_items(
            items,
            on_progress=on_progress,
            on_index_progress=index_progress,
            index_alongside=max(index_batch, 1) if alongside else 0,
        )
        (indexer or progress).close()
        run.finish(report)  # the dashboard's "last imports"
        seconds = time.monotonic() - started
        self._summary(report, seconds, max_errors_shown)
        if options["verbosity"] >= 2:  # where the time went: this process, and the indexer beside it
            line = f"CPU: import {time.process_time():.1f} s"
            if report.index_alongside_cpu_s:
                line += f", indexing alongside {report.index_alongside_cpu_s:.1f} s"
                line += f"; more like this: {report.lists_in_import} here, {report.lists_alongside} alongside"
            self.stdout.write(line + f"; peak memory {_peak_rss_mb():.0f} MB (the larger process)")
        if report.stopped or report.index_error:
            raise CommandError("the import did not finish: see above")
        if report.failed and not (report.created or report.updated or report.unchanged):
            raise CommandError("nothing imported")

    def _summary(self, report: ImportReport, seconds: float, max_errors_shown: int) -> None:
        for error in report.errors[:max_errors_shown]:
            self.stderr.write(f"skipped {error.origin}: {error.reason}")
        if len(report.errors) > max_errors_shown:
            self.stderr.write(f"… and {len(report.errors) - max_errors_shown} more rejected items")
        if report.stopped:
            self.stderr.write(
                f"import stopped: {report.stopped}. {report.not_imported} items were not imported (listed above "
                "as «not imported»); every article saved is whole. Free some space and run the same "
                "command again: what was saved is reported unchanged and the rest is imported."
            )
            files: dict[str, int] = {}
            for error in report.errors:
                if error.reason.startswith("not imported"):
                    name = error.origin.rsplit(":", 1)[0]
                    files[name] = files.get(name, 0) + 1
            for name, count in files.items():
                self.stderr.write(f"not imported from {name}: {count} items")
        if report.index_error:
            self.stderr.write(
                f"indexing stopped: {report.index_error}. The articles are saved but not all are searchable "
                "yet; free some space, then run `manage.py check_index --fix` (or this import again)."
            )
        rate = report.total / seconds if seconds else 0
        self.stdout.write(
            f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
            f"failed {report.failed}, duplicates {report.duplicates}"
            + (f", not imported {report.not_imported}" if report.stopped else "")
            + f"; held for review {report.held_for_review}; "
            f"invalid links dropped (پیوند نامعتبر) {report.invalid_links} "
            f"({report.total} items in {seconds:.1f} s, {rate:,.0f}/s)"
        )


def _peak_rss_mb() -> float:
    """The peak resident set of this process or of the largest child it waited for (the indexing
    process alongside), in MB; 0 where ``resource`` is missing."""
    try:
        import resource
    except ImportError:
        return 0.0
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return peak / (2**20 if sys.platform == "darwin" else 2**10)  # bytes on macOS, KiB elsewhere
