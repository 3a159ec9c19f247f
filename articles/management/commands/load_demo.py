"""``manage.py load_demo``: the demo archive — the seed page and the demo set in ``demo/`` —
imported, linked and indexed. Safe to run again: it updates, never duplicates."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from articles import indexing
from articles.models import Article

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
DEMO_PATHS = ["seed", "articles.jsonl", "raw"]


class Command(BaseCommand):
    help = "Import the demo articles shipped in demo/ and make sure the search index holds them."

    def handle(self, *args, **options) -> None:
        paths = [str(DEMO_DIR / name) for name in DEMO_PATHS if (DEMO_DIR / name).exists()]
        call_command("load_gazetteer", stdout=self.stdout, stderr=self.stderr)
        call_command("import_articles", *paths, stdout=self.stdout, stderr=self.stderr)
        report = indexing.compare()
        if not report.ok:  # an index from an older run (or none): make it match the database
            indexing.repair(report)
        published = Article.objects.published().count()
        self.stdout.write(f"demo archive ready: {published} published articles, all indexed")
