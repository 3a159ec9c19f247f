"""``manage.py fill_similar [--all]``: store "more like this" for the articles that lack it.

An archive indexed before lists were kept (``articles.similar``) has none: each article's page
would compute its own on its first view. This fills them all at once, from the index as it is
now; ``--all`` recomputes every published article's list (neighbours published since included).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from articles import similar
from articles.management.progress import advance_to, default_jobs, progress_bar
from articles.models import Article


class Command(BaseCommand):
    help = 'Store the "more like this" list of every published article that lacks one (--all: of every one).'

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", dest="everything", help="recompute every list")
        parser.add_argument("--jobs", type=int, default=default_jobs(), help="processes (default: up to 2 cores)")

    def handle(self, *args, everything: bool, jobs: int = 1, verbosity: int = 1, **options) -> None:
        started, cpu = time.monotonic(), time.process_time()
        published = Article.objects.published().order_by("pk").values_list("pk", flat=True)
        pks = list(published) if everything else similar.missing()
        bar = progress_bar(self, len(pks), "similar", verbosity)
        saved = similar.fill(pks, on_progress=lambda done, total: advance_to(bar, done), processes=jobs)
        bar.close()
        if verbosity:
            seconds = time.monotonic() - started
            self.stdout.write(f"stored {saved} lists in {seconds:.1f} s (CPU {time.process_time() - cpu:.1f} s)")
