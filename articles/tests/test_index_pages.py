"""A worker gives back the index pages a request mapped, and searches stay right afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from articles.search import indexing, query, spelling
from articles.search.engine import SearchRequest
from articles.search.service import SearchParams, get_engine, run_search
from articles.search.whoosh import index_pages
from articles.search.whoosh.compile import TEXT
from articles.tests.conftest import REPO

pytestmark = pytest.mark.django_db

DEMO = REPO / "demo" / "articles.jsonl"


def _mapped_index_kb(index_dir: str) -> int:
    """Resident kB of this process's mappings of the index's segment files (/proc/self/smaps)."""
    folder, total, counting = str(Path(index_dir).resolve()), 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if fields and "-" in fields[0] and len(fields) >= 5:  # a mapping's header line
            counting = len(fields) >= 6 and fields[5].startswith(folder) and fields[5].endswith(".seg")
        elif counting and fields[:1] == ["Rss:"]:
            total += int(fields[1])
    return total


def _hits(q: str) -> list[int]:
    return [hit.article.pk for hit in run_search(SearchParams(q=q)).hits]


def test_a_search_maps_index_pages_and_release_gives_them_back(import_paths):
    import_paths(DEMO)
    backend = indexing._backend()
    before = {q: _hits(q) for q in ("ایران", "اقتصاد", "تحریم")}
    assert any(before.values())
    get_engine().search(SearchRequest(parsed=query.parse("مذاکرات")))
    assert _mapped_index_kb(backend.path) > 0  # read in place: the pages were mapped
    assert index_pages.release() >= 1
    assert _mapped_index_kb(backend.path) == 0
    # Nothing is lost: the same searches read the pages again (run_search's facet and
    # did-you-mean caches are per query, so ask new ones too).
    assert {q: _hits(q) for q in before} == before
    assert _hits("نفت") == _hits("نفت")
    assert _mapped_index_kb(backend.path) > 0


def test_every_request_ends_with_the_pages_given_back(import_paths, client):
    import_paths(DEMO)
    backend = indexing._backend()
    response = client.get("/search/", {"q": "ایران"})
    assert response.status_code == 200
    assert "ایران" in response.content.decode()
    assert _mapped_index_kb(backend.path) == 0
    run_search(SearchParams(q="اقتصاد"))  # outside a request: nothing releases
    assert _mapped_index_kb(backend.path) > 0


def test_did_you_mean_holds_one_segments_pages_at_a_time(import_paths):
    """A misspelt word's ~500 neighbours, most of them no word at all, are looked up in every
    segment's term table; each segment's pages are given back before the next is read (at
    100,000 articles the lookups held ~45 MB, a worker's peak)."""
    import_paths(DEMO)
    backend, engine = indexing._backend(), get_engine()
    words = ("تحریمهاا", "اقتصادیی", "مذاکرت", "انتخابت", "ايرن")
    neighbours = {term for word in words for fix in spelling._neighbours(word) for term in fix.terms}
    index_pages.release()
    with engine._searcher() as searcher:
        reader = searcher.reader()
        absent = {term for term in neighbours if (TEXT, term) not in reader}
    held_by_lookups = _mapped_index_kb(backend.path)
    assert len(absent) > 1000 and held_by_lookups > 0
    index_pages.release()
    assert engine.published_frequencies(absent) == {}
    assert _mapped_index_kb(backend.path) < held_by_lookups / 2
