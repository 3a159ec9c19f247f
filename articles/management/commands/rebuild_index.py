"""``manage.py rebuild_index``: empty the configured engine's index and index every article again.

Replaces haystack's command of the same name (``articles`` comes first in ``INSTALLED_APPS``) so
that it rebuilds whichever engine ``NEWSARCHIVE_SEARCH`` selects, Whoosh or PostgreSQL.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from articles import similar
from articles.management.progress import advance_to, default_jobs, progress_bar
from articles.models import Article
from articles.search import indexing
from articles.search.engine import get_engine


def confirm(command: BaseCommand, interactive: bool, what: str) -> None:
    if interactive and input(f"{what} Continue? [y/N] ").strip().lower() not in ("y", "yes"):
        raise CommandError("cancelled")


class Command(BaseCommand):
    help = "Empty the search index and index every article from the database again (drafts included)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="do not ask for confirmation"
        )
        parser.add_argument("--batch-size", type=int, default=500, help="articles read per query")
        parser.add_argument(
            "--jobs",
            type=int,
            default=default_jobs(),
            help="processes for the more-like-this lists (default: up to 2 cores)",
        )

    def handle(
        self, *args, interactive: bool = True, batch_size: int = 500, jobs: int = 1, verbosity: int = 1, **options
    ) -> None:
        confirm(self, interactive, "Every document of the search index will be deleted, then written again.")
        started = time.monotonic()
        engine = get_engine()
        engine.clear()
        pks = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        bar = progress_bar(self, len(pks), "index", verbosity)
        written = indexing.index_articles(
            pks, batch_size, on_progress=lambda done, total: advance_to(bar, done), neighbours=False
        )
        bar.close()
        # "More like this" once the whole archive is indexed: a list computed after the first
        # commit would only know the first articles.
        published = list(Article.objects.published().order_by("pk").values_list("pk", flat=True))
        bar = progress_bar(self, len(published), "similar", verbosity)
        similar.fill(published, on_progress=lambda done, total: advance_to(bar, done), processes=jobs)
        bar.close()
        seconds = time.monotonic() - started
        if verbosity:
            self.stdout.write(f"indexed {written} articles in {seconds:.1f} s ({type(engine).__name__})")
