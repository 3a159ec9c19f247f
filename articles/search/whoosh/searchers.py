"""One searcher per thread, reused until the index changes, with the fast paths in front of Whoosh's."""

from __future__ import annotations

import threading

from whoosh.scoring import BM25F
from whoosh.searching import Results, ResultsPage, Searcher

from articles.search import engine
from articles.search.whoosh import facets, fast_search


def _weighting() -> BM25F:
    k1, b = engine.bm25()
    return BM25F(B=b, K1=k1)


class _KeptSearcher:
    """A shared searcher handed to code that closes what it opens: closing keeps it open."""

    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher

    def __getattr__(self, name):
        return getattr(self._searcher, name)

    def search(self, q, limit=10, sortedby=None, reverse=False, groupedby=None, mask=None, **kwargs) -> Results:
        """Whoosh's ``search``, with plain conjunctions and ranked ORs of plain terms ("more like
        this") answered by ``fast_search`` (same hits, order and count), and haystack's facet
        counts counted by it too (same counts; other options go through Whoosh's collectors)."""
        if not kwargs:
            if groupedby:
                results = facets.grouped_search(
                    self._searcher, q, limit, groupedby, sortedby=sortedby, reverse=reverse, mask=mask
                )
            else:
                results = fast_search.search(self._searcher, q, limit, sortedby=sortedby, reverse=reverse, mask=mask)
            if results is not None:
                return results
        return self._searcher.search(
            q, limit=limit, sortedby=sortedby, reverse=reverse, groupedby=groupedby, mask=mask, **kwargs
        )

    def search_page(self, q, pagenum: int, pagelen: int = 10, **kwargs) -> ResultsPage:
        if pagenum < 1:
            raise ValueError("pagenum must be >= 1")
        return ResultsPage(self.search(q, limit=pagenum * pagelen, **kwargs), pagenum, pagelen)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


class _ReusingIndex:
    """The Whoosh index as the backend holds it: ``searcher()`` reuses one searcher per thread.

    A searcher is reopened only when a writer has committed since (``up_to_date`` compares the
    index's generation on disk); everything else goes to the current index.
    """

    def __init__(self, index) -> None:
        self._index = index
        self._local = threading.local()

    def refresh(self) -> _ReusingIndex:
        self._index = self._index.refresh()
        return self

    def searcher(self, **kwargs) -> _KeptSearcher:
        if kwargs:
            return self._index.refresh().searcher(**kwargs)
        current = getattr(self._local, "searcher", None)
        if current is None or not current.up_to_date():
            self._index = self._index.refresh()
            fresh = self._index.searcher(weighting=_weighting())
            self._local.searcher = fresh
            if current is not None:
                current.close()
            current = fresh
        return _KeptSearcher(current)

    def doc_count(self) -> int:
        return self.searcher().doc_count()

    def __getattr__(self, name):
        return getattr(self._index, name)
