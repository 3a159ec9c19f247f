"""NEWSARCHIVE_SEARCH picks the engine; the PostgreSQL one is refused without a PostgreSQL database."""

from __future__ import annotations

import os
import subprocess
import sys

from articles.tests.conftest import REPO

SETUP = "import django; django.setup(); from django.conf import settings; print(settings.NEWSARCHIVE_SEARCH_ENGINE)"


def setup_with(tmp_path, **env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEWSARCHIVE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "newsarchive.settings", **env}
    return subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=REPO, capture_output=True, text=True)


def test_postgres_search_on_sqlite_is_refused_saying_what_to_set(tmp_path):
    done = setup_with(tmp_path, NEWSARCHIVE_SEARCH="postgres", DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "set DATABASE_URL=postgres://" in done.stderr and "NEWSARCHIVE_SEARCH=whoosh" in done.stderr


def test_whoosh_is_the_default_and_an_unknown_engine_is_refused(tmp_path):
    sqlite = f"sqlite:///{tmp_path}/db.sqlite3"
    done = setup_with(tmp_path, NEWSARCHIVE_SEARCH="", DATABASE_URL=sqlite)
    assert done.stdout.strip() == "articles.search.whoosh.engine.WhooshSearchEngine"
    done = setup_with(tmp_path, NEWSARCHIVE_SEARCH="elastic", DATABASE_URL=sqlite)
    assert done.returncode != 0 and "use one of whoosh, postgres" in done.stderr
