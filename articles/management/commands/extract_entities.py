"""``manage.py extract_entities``: find the gazetteer's entities in every article (or some)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from articles.entities import extract as entities
from articles.management.progress import advance_to, progress_bar
from articles.models import Article
from articles.search import indexing


class Command(BaseCommand):
    help = "Recount every article's entity mentions from its text; re-index the articles that changed."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="article ids (default: all)")
        parser.add_argument("--no-index", action="store_true", help="leave the search index alone")

    def handle(self, *args, ids: list[int], no_index: bool, verbosity: int, **options) -> None:
        started = time.monotonic()
        queryset = Article.objects.filter(pk__in=ids) if ids else Article.objects.all()
        progress = progress_bar(self, queryset.count(), "extract", verbosity)
        with indexing.suspended() as touched:
            report = entities.extract_all(queryset, progress=lambda done, total: advance_to(progress, done))
            changed = set(touched)
        progress.close()
        seconds = time.monotonic() - started
        rate = report.articles / seconds if seconds else 0
        self.stdout.write(
            f"{report.articles} articles, {report.changed} changed, {report.mentions} mentions "
            f"({seconds:.1f} s, {rate:,.0f} articles/s)"
        )
        if changed and not no_index:
            indexer = progress_bar(self, len(changed), "index", verbosity)
            indexing.index_articles(
                changed, on_progress=lambda done, total: advance_to(indexer, done), neighbours=False
            )
            indexer.close()
