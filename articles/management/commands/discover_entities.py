"""``manage.py discover_entities``: propose entities the gazetteer lacks, for editors to judge."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from articles.entities import discovery
from articles.management.progress import advance_to, progress_bar
from articles.models import EntityCandidate


class Command(BaseCommand):
    help = "Find names introduced by roles and titles (سخنگوی X، آقای X …) and store them as candidates."

    def add_arguments(self, parser):
        parser.add_argument("--min-articles", type=int, default=2, help="propose names seen in this many articles")
        parser.add_argument("--show", type=int, default=20, help="list this many proposed candidates")

    def handle(self, *args, min_articles: int, show: int, verbosity: int, **options) -> None:
        progress = None

        def on_progress(done: int, total: int) -> None:
            nonlocal progress
            progress = progress or progress_bar(self, total, "discover", verbosity)
            advance_to(progress, done)

        report = discovery.discover(min_articles=min_articles, progress=on_progress)
        if progress:
            progress.close()
        self.stdout.write(
            f"{report.articles} articles: {report.found} names found, {report.created} new candidates, "
            f"{report.updated} updated, {report.decided} already decided"
        )
        proposed = EntityCandidate.objects.proposed()
        for candidate in proposed.order_by("-article_count", "name")[:show]:
            self.stdout.write(
                f"  {candidate.article_count:4}  {candidate.name}  ({candidate.kind}, {candidate.pattern})"
            )
