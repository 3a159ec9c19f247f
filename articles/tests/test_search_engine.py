"""The engine interface's Whoosh side: one install of Whoosh's patches, old indexes opening,
writes that survive a failed commit, and no configuration of an engine that is not there."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import pytest
import whoosh
from django.core.exceptions import ImproperlyConfigured
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb import compound
from whoosh.query import Term

import persian
from articles.models import Article
from articles.search import indexing
from articles.search import whoosh as whoosh_engine
from articles.search.engine import get_engine
from articles.search.service import SearchParams, run_search
from articles.search.whoosh import analyzer, files, index_pages, schema
from articles.tests.conftest import REPO

DEMO = REPO / "demo" / "articles.jsonl"


def test_install_applies_the_patches_once_and_insists_on_whoosh_2_7_4(monkeypatch):
    assert compound.BufferFile is files._InPlaceBufferFile  # installed by ArticlesConfig.ready()
    assert compound.CompoundStorage.__init__ is index_pages._remember_mapping
    whoosh_engine.install()  # again: nothing changes
    assert compound.CompoundStorage.__init__ is index_pages._remember_mapping

    monkeypatch.setattr(whoosh_engine, "_installed", False)
    monkeypatch.setattr(whoosh, "versionstring", lambda: "2.7.5")
    with pytest.raises(ImproperlyConfigured, match=r"Whoosh 2\.7\.5 is installed.*2\.7\.4"):
        whoosh_engine.install()


def test_an_index_written_before_the_move_into_packages_opens_without_a_rebuild(tmp_path, monkeypatch):
    # The old layout's class paths, as its indexes pickled them into their schema.
    monkeypatch.setattr(analyzer.PersianTokenizer, "__module__", "articles.persian")
    monkeypatch.setattr(schema.FacetKeyword, "__module__", "articles.search_backend")
    monkeypatch.setattr(schema.FacetListColumn, "__module__", "articles.search_backend")
    fields = {
        "id": ID(stored=True),
        "text": TEXT(analyzer=analyzer.PersianAnalyzer()),
        "entities": schema.FacetKeyword(),
    }
    ix = whoosh_index.create_in(str(tmp_path), Schema(**fields))
    with ix.writer() as writer:
        writer.add_document(id="1", text="گفت‌وگوی ایران و عراق", entities="iran,iraq")
    monkeypatch.undo()
    toc = next(tmp_path.glob("_MAIN_*.toc")).read_bytes()
    assert b"articles.persian" in toc and b"articles.search_backend" in toc

    with monkeypatch.context() as m:  # without the aliases such an index would not open at all
        m.delitem(sys.modules, "articles.persian")
        with pytest.raises(ModuleNotFoundError):
            whoosh_index.open_dir(str(tmp_path))
    with whoosh_index.open_dir(str(tmp_path)).searcher() as searcher:
        assert len(searcher.search(Term("text", persian.term("ایران")))) == 1
        assert searcher.reader().column_reader("entities", translate=False)[0] == ["iran", "iraq"]


@pytest.mark.django_db(transaction=True)
def test_a_failed_commit_leaves_the_index_writable(import_paths):
    """A commit that fails (here: the file size limit, as on a full disk) must not keep Whoosh's
    write lock: before, every later write of the process raised ``LockError``."""
    import_paths(DEMO)
    engine = get_engine()
    article = Article.objects.published().order_by("pk").first()
    Article.objects.filter(pk=article.pk).update(title="زیستبوم و کم‌آبی")
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    with pytest.raises(OSError, match="too large"):
        try:
            with engine.writing() as writer:
                writer.update([Article.objects.get(pk=article.pk)])
                resource.setrlimit(resource.RLIMIT_FSIZE, (256, limit[1]))  # the commit writes the segment
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, limit)

    indexing.index_articles([article.pk])  # the next write in this process
    assert [hit.article.pk for hit in run_search(SearchParams(q="زیست‌بوم")).hits] == [article.pk]


def test_search_url_is_refused_with_a_clear_message(tmp_path):
    env = {**os.environ, "NEWSARCHIVE_VAR_DIR": str(tmp_path), "SEARCH_URL": "elasticsearch://127.0.0.1:9200/news"}
    done = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "check"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "SEARCH_URL is no longer read" in done.stderr


def test_the_service_reaches_the_index_only_through_the_engine():
    import ast

    from articles.search import service

    tree = ast.parse((REPO / "articles" / "search" / "service.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not {name for name in imported if name.split(".")[0] in ("haystack", "whoosh")}
    assert not any(name.startswith("articles.search.whoosh") for name in imported)
    assert "hasattr" not in {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert service.get_engine() is get_engine()
