"""What one worker computed for a search (facet counts, the attention chart, did-you-mean), kept
in ``search_cache`` for every worker and web machine until the index changes.

The table has at most ``SLOTS`` rows, whatever readers ask (a crawler's million queries):
a key's digest picks its slot, and a write replaces what the slot held. A row holds one value
(pickled: the exact Python value comes back), its key's digest and the index version it was
computed at; it is read only for that key at that version. The table is ``UNLOGGED``: a crash
empties it, which costs only recomputing. Reads and writes never fail a page: a missing table
(before ``migrate``) is a miss, logged.
"""

from __future__ import annotations

import hashlib
import logging
import pickle

from django.db import DatabaseError, connection, transaction

log = logging.getLogger(__name__)


SLOTS = 4096  # rows: tens of MB (a common word's facets are ~50 kB at 10,000 articles)


def digest(key: tuple) -> tuple[int, str]:
    """The key's slot and digest, from its ``repr``: our keys are tuples of strings, numbers,
    dates and frozen dataclasses, written the same way in every process."""
    found = hashlib.sha1(repr(key).encode()).hexdigest()
    return int(found[:8], 16) % SLOTS, found


def recall(key: tuple, version: int):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT value FROM search_cache WHERE slot = %s AND key = %s AND version = %s", [*digest(key), version]
            )
            row = cursor.fetchone()
    except DatabaseError:
        log.warning("search_cache unreadable", exc_info=True)
        return None
    return pickle.loads(row[0]) if row else None


def keep(key: tuple, value, version: int) -> None:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO search_cache (slot, key, version, value) VALUES (%s, %s, %s, %s) ON CONFLICT (slot)"
                " DO UPDATE SET key = excluded.key, version = excluded.version, value = excluded.value",
                [*digest(key), version, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)],
            )
    except DatabaseError:
        log.warning("search_cache not written", exc_info=True)
