"""``manage.py clean_links``: drop or repair stored related links whose address is not one a
browser can open (migration 0005 ran it once; imports since then never store such links)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from articles.links import clean_stored
from articles.models import RelatedLink


class Command(BaseCommand):
    help = "Delete untitled related links without a real web address; empty junk addresses on titled ones."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        with transaction.atomic():
            deleted, repaired, articles = clean_stored(RelatedLink.objects.all())
            if dry_run:
                transaction.set_rollback(True)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"{verb} {deleted} junk links, repaired {repaired}, in {articles} articles")
