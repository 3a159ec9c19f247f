"""``manage.py check_index [--fix]``: does the search index hold exactly the published articles?"""

from django.core.management.base import BaseCommand, CommandError

from articles import similar
from articles.search import indexing


class Command(BaseCommand):
    help = "Report articles missing from or stale in the search index; --fix repairs them."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="index what is missing or stale, drop the rest")

    def handle(self, *args, fix: bool, **options) -> None:
        try:
            report = indexing.compare()
        except Exception as exc:  # a deleted, emptied or corrupt index folder
            self.stdout.write(f"index unreadable: {exc!r}")
            if not fix:
                raise CommandError("the search index cannot be read; run check_index --fix to rebuild it") from exc
            indexing.recreate()
            report = indexing.compare()
        for name in ("missing", "stale", "extra"):
            ids = sorted(getattr(report, name))
            shown = ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")
            self.stdout.write(f"{name}: {len(ids)}" + (f" ({shown})" if ids else ""))
        # Published articles without a stored "more like this" (indexed before lists were kept):
        # their pages compute one when first viewed; --fix stores them all now.
        lists = similar.missing()
        self.stdout.write(f"similar lists missing: {len(lists)}")
        if fix and lists:
            similar.fill(set(lists) - report.missing - report.stale)  # those repair indexes get theirs
        if report.ok:
            self.stdout.write("index matches the database")
            return
        if not fix:
            raise CommandError("index differs from the database; run check_index --fix")
        indexing.repair(report)
        after = indexing.compare()
        if not after.ok:
            raise CommandError("index still differs after --fix")
        self.stdout.write("fixed: index matches the database")
