"""Reading the index's segment files in place (installed by ``articles.search.whoosh.install``)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from whoosh.filedb import compound, structfile
from whoosh.reading import SegmentReader

# At most this share of the memory the system has available is asked for by ``read_ahead``.
READ_AHEAD_SHARE = 0.5


class _MemoryViewFile:
    """A read-only file over a slice of the index's mmap, without copying it.

    Whoosh opens each file inside a segment as ``BufferFile(memoryview)``, whose ``BytesIO``
    copies the whole file: every worker held a private copy of the index (~0.7 of its size on
    disk, growing with the archive: 281 MB instead of 189 MB a worker at 6,456 articles). Read
    in place, the pages stay in the page cache, shared by all workers. Without mmap at all
    (``supports_mmap = False``) memory stays flat too, but searches cost ~35% more CPU.
    """

    def __init__(self, view: memoryview) -> None:
        self._view, self._pos = view, 0

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(self._pos + size, len(self._view))
        data = bytes(self._view[self._pos : end])
        self._pos = end
        return data

    def readline(self, size: int | None = -1) -> bytes:
        limit = len(self._view) if size is None or size < 0 else min(self._pos + size, len(self._view))
        newline = bytes(self._view[self._pos : limit]).find(b"\n")
        return self.read((newline + 1) if newline >= 0 else limit - self._pos)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._view))[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._view = memoryview(b"")


class _InPlaceBufferFile(structfile.BufferFile):
    def __init__(self, buf, name=None, onclose=None) -> None:
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _MemoryViewFile(memoryview(buf))


def install() -> None:
    compound.BufferFile = _InPlaceBufferFile  # what ``CompoundStorage.open_file`` wraps a segment's files in


def segment_file(reader) -> str | None:
    """The path of ``reader``'s segment file, or None: a reader of another kind, a segment not
    in a folder, or one written as several files (the archive's segments are each one compound
    file)."""
    segment = reader.segment() if type(reader) is SegmentReader else None
    storage = getattr(reader, "_storage", None)
    folder = getattr(getattr(storage, "b", storage), "folder", None)  # OverlayStorage(compound, folder)
    if segment is None or folder is None or not segment.is_compound():
        return None
    return os.path.join(folder, segment.make_filename(segment.COMPOUND_EXT))


def segment_files(searcher) -> list[str]:
    """The files of the segments ``searcher`` reads (``segment_file``), newest first; none for
    an empty index."""
    paths = [segment_file(sub.reader()) for sub, _offset in searcher.leaf_searchers()]
    return [path for path in reversed(paths) if path is not None]


# Each ``POSIX_FADV_WILLNEED`` asks for this much: Linux reads at most the device's read-ahead
# window of a larger range (``force_page_cache_ra``; 128 KiB by default), the rest not at all.
READ_AHEAD_PIECE = 128 * 1024


def read_ahead(paths: Iterable[str | os.PathLike], share: float = READ_AHEAD_SHARE) -> int:
    """Ask the kernel to read these segment files into the page cache (``POSIX_FADV_WILLNEED``,
    ``READ_AHEAD_PIECE`` at a time), in the order given, while they fit in ``share`` of the
    memory available; returns the bytes asked for (0 where the system has no ``posix_fadvise``).

    A search reads its terms' postings through the index's mmap, a page at a time: after a
    reboot (or once the files have left the page cache) a worker's first searches waited on the
    disk for each page, more than twice as long as on pages in memory. Read ahead in large
    sequential reads before the workers fork, the files are in memory by their first request.
    The kernel queues the reads and returns; once its queue is full, each call waits, so this
    takes at most about as long as reading the files from the disk.
    """
    if not hasattr(os, "posix_fadvise"):
        return 0
    budget = _available_bytes() * share
    asked = 0
    for path in paths:
        try:
            size = os.path.getsize(path)
            if asked + size > budget:
                break
            descriptor = os.open(path, os.O_RDONLY)
        except OSError:  # gone since (a merge): nothing to read
            continue
        try:
            for offset in range(0, size, READ_AHEAD_PIECE):
                os.posix_fadvise(descriptor, offset, READ_AHEAD_PIECE, os.POSIX_FADV_WILLNEED)
            asked += size
        finally:
            os.close(descriptor)
    return asked


def _available_bytes() -> int:
    """MemAvailable from /proc/meminfo (elsewhere the physical memory), and no more than a
    cgroup's memory limit leaves (a container's page cache counts against its limit)."""
    available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        with (
            open("/sys/fs/cgroup/memory.max", encoding="ascii") as limit,
            open("/sys/fs/cgroup/memory.current", encoding="ascii") as current,
        ):
            maximum = limit.read().strip()
            if maximum != "max":
                available = min(available, max(int(maximum) - int(current.read()), 0))
    except (OSError, ValueError):
        pass
    return available
