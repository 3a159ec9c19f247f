"""``manage.py update_index``: index what the search index lacks or holds stale, drop deleted articles.

Replaces haystack's command (see ``rebuild_index``); the same as ``check_index --fix``, quietly.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from articles.search import indexing


class Command(BaseCommand):
    help = "Bring the search index up to date with the database (missing, stale and deleted articles)."

    def add_arguments(self, parser):
        parser.add_argument("--remove", action="store_true", help="accepted for haystack's callers: always done")

    def handle(self, *args, verbosity: int = 1, **options) -> None:
        report = indexing.compare()
        indexing.repair(report)
        if verbosity:
            self.stdout.write(
                f"indexed {len(report.missing | report.stale)} articles, removed {len(report.extra)} from the index"
            )
