"""Shared fixtures: a real Whoosh index in a temporary folder, the seed page, the shared corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("NEWSARCHIVE_SHARED", REPO.parent / "shared"))
SEED = REPO / "demo" / "seed" / "eghtesadnews-russia-putin-trump.txt"


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
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def import_paths(search_index):
    """Import files through the real importer and indexer; returns the report."""
    from articles import importers
    from articles.ingest import import_items

    def run(*paths):
        items = [item for path in paths for item in importers.iter_path(path)]
        return import_items(items)

    return run


@pytest.fixture
def corpus_dir() -> Path:
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not present")
    return corpus
