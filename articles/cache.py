"""A cache the gunicorn workers of one machine share, for the API's rate-limit counts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks


class SharedCounterCache(FileBasedCache):
    """Django's file cache with ``add()`` and ``incr()`` atomic across processes.

    django-ratelimit counts with ``add`` then ``incr``; the stock file cache reads a value and
    writes it back, so two workers counting at the same moment would both write 6 after 5. Here
    both run under an exclusive lock on one file of the cache's folder (held for microseconds).
    """

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        self._createdir()
        with open(os.path.join(self._dir, "counters.lock"), "ab") as lock:
            locks.lock(lock, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(lock)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        with self._exclusive():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None) -> int:
        with self._exclusive():
            return super().incr(key, delta, version)
