"""``manage.py import_archive PATH``: load an ``export_archive`` file into an empty database."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import OuterRef, Subquery

from articles import similar
from articles.models import Article, Mention
from articles.search import indexing


class Command(BaseCommand):
    help = "Restore an archive written by export_archive (into an empty database), then index it."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path: str, **options) -> None:
        if Article.objects.exists():
            raise CommandError("the database already holds articles: restore into an empty one")
        with transaction.atomic(), indexing.suspended():  # all or nothing; index once at the end
            call_command("loaddata", path, format="jsonl", verbosity=0)
            # Exports from before the mentions carried their article's date and status: fill
            # those copies, or the restored mentions would be missing from entity pages.
            article = Article.objects.filter(pk=OuterRef("article_id"))
            Mention.objects.update(
                published=Subquery(article.values("published")[:1]),
                status=Subquery(article.values("status")[:1]),
            )
        indexing.repair(indexing.compare())
        similar.fill()  # "more like this" is not in the export: what repair did not index
        self.stdout.write(f"restored {Article.objects.count()} articles from {path}; index rebuilt")
