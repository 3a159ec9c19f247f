"""What one worker computed for a search (facet counts, the attention chart, did-you-mean), kept
in ``search_cache`` for every worker and web machine until the index changes.

A row holds one value (pickled: the exact Python value comes back) under a digest of its key and
the index version it was computed at; a row of an older version is never read, and each write
deletes those. The table is ``UNLOGGED``: a crash empties it, which costs only recomputing. Reads
and writes never fail a page: a missing table (before ``migrate``) is a miss, logged.
"""

from __future__ import annotations

import hashlib
import logging
import pickle

from django.db import DatabaseError, connection, transaction

log = logging.getLogger(__name__)


def digest(key: tuple) -> str:
    """The key's ``repr``: our keys are tuples of strings, numbers, dates and frozen dataclasses,
    written the same way in every process."""
    return hashlib.sha1(repr(key).encode()).hexdigest()


def recall(key: tuple, version: int):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT value FROM search_cache WHERE key = %s AND version = %s", [digest(key), version])
            row = cursor.fetchone()
    except DatabaseError:
        log.warning("search_cache unreadable", exc_info=True)
        return None
    return pickle.loads(row[0]) if row else None


def keep(key: tuple, value, version: int) -> None:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_cache WHERE version < %s", [version])
            cursor.execute(
                "INSERT INTO search_cache (key, version, value) VALUES (%s, %s, %s) ON CONFLICT (key)"
                " DO UPDATE SET version = excluded.version, value = excluded.value"
                " WHERE search_cache.version <= excluded.version",
                [digest(key), version, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)],
            )
    except DatabaseError:
        log.warning("search_cache not written", exc_info=True)
