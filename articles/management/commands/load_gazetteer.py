"""``manage.py load_gazetteer [PATH]``: entities and their aliases from a JSON Lines gazetteer."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from articles.entities import gazetteer


class Command(BaseCommand):
    help = "Create or update entities (by slug) and add their aliases from a gazetteer; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(gazetteer.GAZETTEER), help="a .jsonl gazetteer")

    def handle(self, *args, path: str, **options) -> None:
        try:
            records = gazetteer.read_gazetteer(path)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        report = gazetteer.load_gazetteer(records)
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            f"entities: created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
            f"skipped {report.skipped}; aliases: created {report.aliases_created}, "
            f"skipped {report.aliases_skipped}"
        )
