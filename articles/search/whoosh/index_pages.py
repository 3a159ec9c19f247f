"""A worker's view of the index's pages is given back after each request.

Whoosh maps each segment file (mmap) and reads it in place (``articles.search.whoosh.files``):
the pages live in the kernel's page cache, shared by every worker. But a page a process has
touched counts in that process's resident set for as long as it stays mapped, so a worker's RSS
grew with the part of the index it had ever read (818 MB a worker at 100,000 articles, 451 MB
of it shared). After each request the worker drops its mappings of those pages
(``madvise(MADV_DONTNEED)`` on a read-only file mapping: nothing is lost, the pages stay cached
and the next read maps them again, a minor fault each), so its RSS is its own memory plus the
pages the current request reads.
"""

from __future__ import annotations

import mmap
import weakref

from whoosh.filedb import compound

_mapped: weakref.WeakSet = weakref.WeakSet()  # open segment files read through an mmap
_open_segment = compound.CompoundStorage.__init__


def _remember_mapping(self, *args, **kwargs) -> None:
    _open_segment(self, *args, **kwargs)
    if self._source is not None:
        _mapped.add(self)


def install() -> None:
    """Track every segment file Whoosh maps (called once by ``articles.search.whoosh.install``)."""
    compound.CompoundStorage.__init__ = _remember_mapping


def release() -> int:
    """Unmap this process's index pages (they stay in the page cache); returns the segments done."""
    return sum(map(_release, list(_mapped)))


def release_segment(reader) -> bool:
    """Unmap the pages of the segment ``reader`` (a ``SegmentReader``) reads, now: for a request
    that reads many pages of every segment in turn, so it holds one segment's at a time."""
    storage = getattr(reader, "_storage", None)
    storage = getattr(storage, "a", storage)  # ``OverlayStorage(compound file, folder)``
    return storage in _mapped and _release(storage)


def _release(storage) -> bool:
    source = storage._source
    if storage.is_closed or source is None or source.closed:
        return False
    try:
        source.madvise(mmap.MADV_DONTNEED)
    except (OSError, ValueError):  # closed meanwhile, or a platform without it
        return False
    return True


def on_request_finished(**kwargs) -> None:
    release()
