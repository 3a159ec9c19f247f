"""Shared fixtures: a real Whoosh index in a temporary folder, the seed page, the shared corpus, and the
demo archive served by gunicorn (one server for the session, shared by test_serve and test_browser)."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("NEWSARCHIVE_SHARED", REPO.parent / "shared"))
SEED = REPO / "demo" / "seed" / "eghtesadnews-russia-putin-trump.txt"
BIN = Path(sys.executable).parent


def process_env(var_dir: Path) -> dict[str, str]:
    """Environment for a separate archive process (gunicorn, manage.py) with its own data.

    Its own ``NEWSARCHIVE_VAR_DIR``; on PostgreSQL also a database of its own, created here, so
    processes started by different tests never share rows.
    """
    env = {**os.environ, "NEWSARCHIVE_VAR_DIR": str(var_dir)}
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import uuid

        import psycopg

        name = f"newsarchive_e2e_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    return env


def on_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config, items) -> None:
    """Tests marked ``postgres`` need a PostgreSQL server: deselected (not skipped) on SQLite."""
    if on_postgresql():
        return
    dropped = [item for item in items if item.get_closest_marker("postgres")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


@pytest.fixture(scope="session", autouse=True)
def _whoosh_in_tmp(tmp_path_factory):
    """Point the search index at a fresh folder for the whole test session."""
    from django.conf import settings
    from haystack import connections

    path = tmp_path_factory.mktemp("whoosh")
    settings.HAYSTACK_CONNECTIONS["default"]["PATH"] = str(path)
    connections.reload("default")
    yield path


@pytest.fixture
def search_index(_whoosh_in_tmp):
    """An empty index for this test (database ids repeat between tests)."""
    from haystack import connections

    backend = connections["default"].get_backend()
    backend.clear()
    yield backend
    backend.clear()


@pytest.fixture
def whoosh_own_random(monkeypatch):
    """Whoosh's own ``random.Random`` for the names of new segments and temporary files.

    Whoosh draws those names from the global ``random``, which Hypothesis reseeds before every
    example: examples that write to one index draw the same segment name again and the commit
    fails (``AssertionError`` in ``create_compound_file``, then ``LockError``). A private
    instance is never reseeded. Use it in every ``@given`` test that writes to the index."""
    import whoosh.util

    monkeypatch.setattr(whoosh.util, "random", random.Random())


def write_jsonl(path: Path, records: list[dict]) -> Path:
    """Write ``records`` as a JSON Lines file (real Persian, not escaped) and return its path."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def import_paths(search_index):
    """``import_files`` into this test's empty index."""
    return import_files


@pytest.fixture
def import_with_bourse(import_paths):
    """``import_files`` with the entity «بورس تهران» (slug ``tehran-bourse``) in the gazetteer;
    returns the archive's articles by external id."""
    from articles.models import Article, Entity, EntityAlias

    def run(*paths: Path) -> dict:
        entity = Entity.objects.create(name="بورس تهران", slug="tehran-bourse", kind=Entity.Kind.ORGANIZATION)
        EntityAlias.objects.create(entity=entity, name="بورس تهران")
        import_paths(*paths)
        return {a.external_id: a for a in Article.objects.all()}

    return run


# Entities of the synthetic archive (name, slug, aliases): enough for the entity filter to narrow.
SYNTHETIC_ENTITIES = [
    ("سرگئی ریابکوف", "ryabkov", ["ریابکوف"]),
    ("بانک مرکزی", "central-bank", ["بانك مركزي"]),
    ("تهران", "tehran", []),
]


def settle_archive() -> None:
    """Saves one at a time after an import, as editors make them: drafts, an edited article and a
    deleted one. Each save commits on its own, so the index gains small segments after the
    import's big one, and holds deleted documents (the edited article's old version)."""
    from articles.models import Article

    for article in Article.objects.order_by("pk")[:40:4]:
        article.status = Article.Status.DRAFT
        article.save()
    edited = Article.objects.published().order_by("pk").last()
    edited.title += " ایران"
    edited.save()
    Article.objects.published().order_by("pk")[1].delete()


def import_files(*paths: Path):
    """Import files through the real importer and indexer; returns the report."""
    from articles.ingest import readers as importers
    from articles.ingest.save import import_items

    return import_items([item for path in paths for item in importers.iter_path(path)])


def build_synthetic_archive(folder: Path) -> int:
    """The demo articles and 400 more recombined from their sentences (``synthetic.py``), with a
    few entities, then settled (``settle_archive``): a few hundred articles of real Persian with
    a spread of word frequencies, drafts, deletions and several index segments, in a fresh clone.
    Built only through models and the importer, so it does not depend on the search engine's API.
    Needs the database and an empty index; returns the number of articles."""
    from articles.models import Article, Entity, EntityAlias
    from articles.tests.synthetic import synthetic_records

    for name, slug, aliases in SYNTHETIC_ENTITIES:
        entity = Entity.objects.create(name=name, slug=slug)
        for alias in aliases:
            EntityAlias.objects.create(entity=entity, name=alias)
    import_files(REPO / "demo" / "articles.jsonl", write_jsonl(folder / "synthetic.jsonl", synthetic_records(400)))
    settle_archive()
    return Article.objects.count()


@pytest.fixture
def synthetic_archive(search_index, tmp_path) -> int:
    """The synthetic archive for one test (``transaction=True``: its saves reach the index)."""
    return build_synthetic_archive(tmp_path)


@contextmanager
def committed_archive(django_db_blocker) -> Iterator[None]:
    """For a module-scoped archive that read-only tests share (built once: seconds saved per
    test). Inside, rows commit as in production and the index follows; afterwards the database
    is flushed (as after a ``transaction=True`` test) and the index cleared. Tests that use it
    are plain ``django_db``: what they change rolls back and never reaches the index."""
    from django.core.management import call_command
    from django.db import connection
    from haystack import connections

    backend = connections["default"].get_backend()
    with django_db_blocker.unblock():
        if not Path(str(connection.settings_dict["NAME"])).name.startswith(("test_", "test-db-")):
            # pytest-django creates the test database (Django's test_<name>, our SQLite
            # test-db-<pid>) only for a run with a test marked django_db: without one, this
            # would fill and then flush the real database.
            pytest.fail("no test database: mark the tests that use this archive django_db")
        backend.clear()
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)
            backend.clear()


@pytest.fixture
def corpus_dir() -> Path:
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not present")
    return corpus


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


served_var: dict[str, Path] = {}  # base URL → the served archive's var folder
served_env: dict[str, dict[str, str]] = {}  # base URL → the environment its manage.py commands need


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    """Migrate a fresh database, load the demo and serve it with gunicorn; yields the base URL."""
    var = tmp_path_factory.mktemp("var")
    env = {**process_env(var), "DEBUG": "0"}
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=REPO)
    demo = subprocess.run([*manage, "load_demo", "--editor"], env=env, check=True, cwd=REPO, capture_output=True)
    (var / "editor-password").write_text(demo.stdout.decode().split("one-time password ")[1].split()[0])
    port = _free_port()
    log_path = var / "gunicorn.log"
    log = log_path.open("wb")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "newsarchive.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--preload",
            "--no-control-socket",
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=log,  # a file, not a pipe: nobody drains a pipe during a long session, and a full one blocks
    )
    base = f"http://127.0.0.1:{port}"
    served_var[base] = var
    served_env[base] = env
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=5)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                server.wait(timeout=20)
                log.close()
                pytest.fail("gunicorn did not start: " + log_path.read_text(errors="replace")[-2000:])
            time.sleep(0.3)
    yield base
    server.terminate()
    server.wait(timeout=20)
    log.close()
