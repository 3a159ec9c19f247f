"""``manage.py export_archive PATH``: the whole archive as JSON Lines, for backups.

Articles, sources, categories, tags, links, entities, aliases, mentions, candidates, their
history and the users the history names — one object a line (Django's ``jsonl`` serializer).
``import_archive PATH`` into an empty database reproduces it exactly, ids included.
"""

import datetime as dt

from django.apps import apps
from django.core import serializers
from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from articles.management.progress import advance_to, progress_bar

# Derived from the search index, as the index is: recomputed when the archive is restored.
DERIVED = {"SimilarArticle"}


def archive_models() -> list:
    """Referenced rows before the rows that reference them, so loading never dangles."""
    articles = [m for m in apps.get_app_config("articles").get_models() if m.__name__ not in DERIVED]
    return [apps.get_model("auth", "User"), *articles]


class LosslessEncoder(DjangoJSONEncoder):
    """Datetimes to the microsecond (Django's encoder cuts them to milliseconds)."""

    def default(self, o):
        if isinstance(o, dt.datetime):
            return o.isoformat().replace("+00:00", "Z")
        return super().default(o)


class Command(BaseCommand):
    help = "Write everything in the archive to a JSON Lines file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .jsonl file to write")

    def handle(self, *args, path: str, verbosity: int, **options) -> None:
        models = archive_models()
        total = sum(model._default_manager.count() for model in models)
        progress = progress_bar(self, total, "export", verbosity)
        written = 0
        with open(path, "w", encoding="utf-8") as out:
            for model in models:
                rows = model._default_manager.order_by("pk").iterator(chunk_size=2000)
                for obj in rows:
                    serializers.serialize("jsonl", [obj], stream=out, cls=LosslessEncoder)
                    written += 1
                    if written % 500 == 0:
                        advance_to(progress, written)
        advance_to(progress, written)
        progress.close()
        self.stdout.write(f"exported {written} rows of {len(models)} kinds to {path}")
