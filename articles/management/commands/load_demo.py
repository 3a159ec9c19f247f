"""``manage.py load_demo``: the demo archive — the seed page and the demo set in ``demo/`` —
imported, linked and indexed. Safe to run again: it updates, never duplicates."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand

from articles.models import Article
from articles.roles import ensure_editors_group
from articles.search import indexing

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
DEMO_PATHS = ["seed", "articles.jsonl", "raw"]


def make_demo_editor() -> str:
    """A staff user in the editors group with a fresh random password; returns the password."""
    user, _ = User.objects.get_or_create(username="editor", defaults={"is_staff": True})
    password = secrets.token_urlsafe(12)
    user.is_staff, user.is_superuser = True, False
    user.set_password(password)
    user.save()
    user.groups.add(ensure_editors_group())
    return password


class Command(BaseCommand):
    help = "Import the demo articles shipped in demo/ and make sure the search index holds them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--editor",
            action="store_true",
            help="also create (or reset) the demo editor «editor» and print a new one-time password",
        )

    def handle(self, *args, editor: bool = False, **options) -> None:
        paths = [str(DEMO_DIR / name) for name in DEMO_PATHS if (DEMO_DIR / name).exists()]
        call_command("load_gazetteer", stdout=self.stdout, stderr=self.stderr)
        call_command("import_articles", *paths, stdout=self.stdout, stderr=self.stderr)
        report = indexing.compare()
        if not report.ok:  # an index from an older run (or none): make it match the database
            indexing.repair(report)
        published = Article.objects.published().count()
        self.stdout.write(f"demo archive ready: {published} published articles, all indexed")
        if editor:
            password = make_demo_editor()
            self.stdout.write(
                f"demo editor: log in at /admin/ as «editor» with the one-time password {password} "
                "(change it under «تغییر گذرواژه»; the next load_demo --editor replaces it)"
            )
