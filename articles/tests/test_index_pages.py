"""A worker gives back the index pages a request mapped, and searches stay right afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from articles.search import indexing
from articles.search.service import SearchParams, run_search
from articles.search.whoosh import index_pages
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
