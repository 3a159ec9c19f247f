"""``manage.py clear_index``: empty the configured engine's search index (see ``rebuild_index``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from articles.management.commands.rebuild_index import confirm
from articles.search.engine import get_engine


class Command(BaseCommand):
    help = "Delete every document of the search index (rebuild_index writes them again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="do not ask for confirmation"
        )

    def handle(self, *args, interactive: bool = True, verbosity: int = 1, **options) -> None:
        confirm(self, interactive, "Every document of the search index will be deleted.")
        get_engine().clear()
        if verbosity:
            self.stdout.write("search index emptied")
