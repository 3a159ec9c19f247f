"""Keeping the search index in step with the database.

Edits reach the index when their transaction commits (never for a rolled-back save), one
process writing at a time (see ``PersianWhooshBackend.write_lock``). Bulk work such as an import
suspends the per-save updates and indexes its articles in batches at the end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db import transaction
from haystack import connections

from articles.models import Article

_state = threading.local()


def _index():
    return connections["default"].get_unified_index().get_index(Article)


def _backend():
    return connections["default"].get_backend()


def index_articles(
    pks: Iterable[int], batch_size: int = 500, on_progress: Callable[[int, int], None] | None = None
) -> int:
    """Index published articles among ``pks`` and drop the others from the index.

    Returns how many documents were written.
    """
    pks = sorted(set(pks))
    index, backend = _index(), _backend()
    written = 0
    if on_progress:
        on_progress(0, len(pks))
    for start in range(0, len(pks), batch_size):
        batch = pks[start : start + batch_size]
        articles = list(index.index_queryset().filter(pk__in=batch))
        if articles:
            backend.update(index, articles)
            written += len(articles)
        for pk in set(batch) - {a.pk for a in articles}:
            backend.remove(f"articles.article.{pk}")
        if on_progress:
            on_progress(min(start + batch_size, len(pks)), len(pks))
    return written


def indexed_ids() -> set[str]:
    return _backend().indexed_ids()


def remove_articles(pks: Iterable[int]) -> None:
    backend = _backend()
    for pk in pks:
        backend.remove(f"articles.article.{pk}")


def _pending() -> set[int] | None:
    return getattr(_state, "pending", None)


def schedule(pk: int) -> None:
    """Re-index article ``pk`` once the current transaction commits (deduplicated)."""
    if getattr(_state, "suspended", 0):
        _state.touched.add(pk)
        return
    pending = _pending()
    if pending is None:
        pending = _state.pending = set()
        transaction.on_commit(_flush)
    pending.add(pk)


def _flush() -> None:
    pending, _state.pending = _pending() or set(), None
    if pending:
        index_articles(pending)


@contextmanager
def suspended() -> Iterator[set[int]]:
    """Collect the ids of articles changed inside the block instead of indexing each save.

    The caller indexes the yielded set when it is ready (in one writer, in batches).
    """
    depth = getattr(_state, "suspended", 0)
    if depth == 0:
        _state.touched = set()
    _state.suspended = depth + 1
    try:
        yield _state.touched
    finally:
        _state.suspended = depth
