"""Keeping the search index in step with the database.

Edits reach the index when their transaction commits (never for a rolled-back save), one
process writing at a time (see ``SearchEngine.writing``). Bulk work such as an import
suspends the per-save updates and indexes its articles in batches at the end.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import time
from collections import ChainMap, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections as db_connections
from django.db import transaction

from articles import similar
from articles.jalali import naive_utc
from articles.models import Article
from articles.search.engine import get_engine
from persian import prepared

_state = threading.local()
log = logging.getLogger(__name__)


# Articles per index commit in bulk indexing: a segment each (see ``merge.MERGE_BELOW``).
COMMIT_EVERY = 5000


def index_articles(
    pks: Iterable[int],
    batch_size: int = 500,
    on_progress: Callable[[int, int], None] | None = None,
    commit_every: int | None = None,
    neighbours: bool = True,
) -> int:
    """Index the articles among ``pks`` and drop the deleted ones from the index.

    Articles are read ``batch_size`` at a time and committed ``commit_every`` (``COMMIT_EVERY``)
    at a time: each commit merges segments, and between commits the write lock is free for
    editors' saves.
    After each commit the written articles' "more like this" lists are stored (``articles.similar``;
    ``neighbours=False``: the caller does it, or their text did not change).
    Returns how many documents were written.
    """
    pks = sorted(set(pks))
    commit_every = max(commit_every or COMMIT_EVERY, 1)
    engine = get_engine()
    written = 0
    if on_progress:
        on_progress(0, len(pks))
    for chunk_start in range(0, len(pks), commit_every):
        chunk = pks[chunk_start : chunk_start + commit_every]
        indexed = []
        with engine.writing() as writer:
            for start in range(0, len(chunk), batch_size):
                batch = chunk[start : start + batch_size]
                articles = list(_indexed_articles().filter(pk__in=batch))
                written += writer.update(articles)
                writer.remove(set(batch) - {a.pk for a in articles})
                if neighbours:
                    indexed.extend(articles)
                if on_progress:
                    on_progress(chunk_start + min(start + batch_size, len(chunk)), len(pks))
        for start in range(0, len(indexed), batch_size):  # the index now holds them: found by others
            similar.store_quietly(indexed[start : start + batch_size])
    return written


def _indexed_articles():
    """Articles with what their documents hold (source, categories, tags, mentions) prefetched."""
    return (
        Article.objects.select_related("source")
        .prefetch_related("categories", "tags", "mentions__entity")
        .order_by("pk")
    )


def optimize() -> None:
    get_engine().optimize()


def indexed_ids() -> set[int]:
    return set(get_engine().indexed_versions())


def _backend():
    """The Whoosh engine's haystack backend (tests read the index's internals through it)."""
    return get_engine().backend


@dataclass
class IndexReport:
    missing: set[int]  # in the database, not in the index
    stale: set[int]  # in the index with an older version than the database
    extra: set[int]  # in the index but deleted

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def compare() -> IndexReport:
    """How the index differs from the database."""
    versions = get_engine().indexed_versions()
    articles = dict(Article.objects.values_list("pk", "updated"))
    stale = {pk for pk, updated in articles.items() if pk in versions and versions[pk] != naive_utc(updated)}
    return IndexReport(
        missing=set(articles) - set(versions),
        stale=stale,
        extra=set(versions) - set(articles),
    )


def recreate() -> None:
    """An empty index in place of an unreadable one (``check_index --fix`` then fills it)."""
    get_engine().clear()


def repair(report: IndexReport) -> None:
    remove_articles(report.extra)
    index_articles(report.missing | report.stale)


def remove_articles(pks: Iterable[int]) -> None:
    get_engine().remove(pks)


class _Batch:
    """Article ids saved in one transaction, indexed together when it commits."""

    def __init__(self, pk: int) -> None:
        self.pks = {pk}

    def __call__(self) -> None:
        if getattr(_state, "batch", None) is self:
            _state.batch = None
        try:
            index_articles(self.pks)
        except Exception:
            # The save has committed: failing now would answer 500 for a change that was made.
            # The index is behind (missing, corrupt, a full disk); ``check_index --fix`` catches up.
            log.exception("could not index articles %s; check_index --fix will", sorted(self.pks))
            _tell_editor(INDEX_BEHIND)


INDEX_BEHIND = (
    "تغییر ذخیره شد، اما نمایهٔ جست‌وجو اکنون در دسترس نیست؛ جست‌وجو پس از بازسازی نمایه"
    " (manage.py check_index --fix) این تغییر را نشان می‌دهد."
)


def _tell_editor(text: str) -> None:
    """A warning on the page of the request that made the change, when there is one (an admin
    save commits inside its view, so its on-commit indexing runs while the request is current)."""
    from django.contrib import messages
    from simple_history.models import HistoricalRecords

    # django-simple-history's middleware keeps the current request (for the history's author).
    request = getattr(HistoricalRecords.context, "request", None)
    if request is not None:
        messages.warning(request, text, fail_silently=True)


def is_suspended() -> bool:
    """Inside ``suspended()``: bulk work (an import) that does per-article work itself."""
    return bool(getattr(_state, "suspended", 0))


def schedule(pk: int, saved: Article | None = None, deleted: bool = False) -> None:
    """Re-index article ``pk`` once the current transaction commits (one batch per transaction).

    A rolled-back transaction drops its callback, and with it the batch: the next save starts a
    new one instead of adding to a batch that will never run. ``saved``: the article as just
    saved; ``deleted``: it was deleted; neither: only its categories, tags or mentions changed.

    A transactional engine (PostgreSQL) writes now instead, in the transaction that changes the
    article, imports included: a rollback takes the index change with it.
    """
    engine = get_engine()
    if engine.transactional:
        with engine.writing() as writer:
            if deleted:
                writer.remove([pk])
            elif saved is not None:
                writer.update([saved])
            else:
                writer.touch()  # what it reads live changed: cached pages must go
        if saved is not None and not deleted:
            similar.store_quietly([saved])
        return
    if getattr(_state, "suspended", 0):
        _state.touched.add(pk)
        return
    batch = getattr(_state, "batch", None)
    connection = transaction.get_connection()
    if batch is not None and connection.in_atomic_block and any(f is batch for _, f, _ in connection.run_on_commit):
        batch.pks.add(pk)
        return
    _state.batch = _Batch(pk)
    transaction.on_commit(_state.batch)  # outside a transaction this runs at once


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


# Articles whose "more like this" lists are one piece of the work the two processes share.
LIST_CHUNK = 50
# The import's own process takes a piece only while more than this many wait (see ``help``).
LIST_BACKLOG = 2
_POLL_S = 0.05
_STOP = "stop"  # after the job queue's None: every list is done, the second process may leave
_NOTHING = object()  # no job waiting


class AlongsideIndexer:
    """A second process that indexes batches of saved articles while an import goes on; the
    "more like this" lists of what it indexed are shared between the two processes.

    An import's own process saves articles and extracts their names (one core); this one reads
    the committed articles and writes the index (the other). It is forked with no database
    connection open (a forked connection is shared with the parent), and opens its own.

    A list can be computed only once its article is in the index, and at 100,000 articles a list
    costs several times what indexing the article does: left to the second process, the lists
    made it the import's bottleneck while the first process waited. So once a batch is indexed,
    its lists become pieces of ``LIST_CHUNK`` articles in a queue that both processes take from:
    the second when it has no batch to index, the import's between two articles when the second
    alone would not be done with them before the next batch (``help``), and both at the end
    (``finish``).
    """

    def __init__(self, batch: int = 5000) -> None:
        self.batch = batch  # articles per job: one index commit each
        context = multiprocessing.get_context("fork")
        # A queue with a feeding thread: a job carries its articles' analysed lines (tens of MB),
        # and the import goes on while the second process is still busy with the previous job.
        self._jobs = context.Queue()
        # Leaving, this process does not wait for that thread: ``finish`` has seen every job read
        # by then, and a second process that died must not hang the import on a full pipe.
        self._jobs.cancel_join_thread()
        self._lists = context.Queue()  # pieces of list work, put by the second process
        self._results = context.SimpleQueue()
        db_connections.close_all()
        self._process = context.Process(target=_index_jobs, args=(self._jobs, self._lists, self._results), daemon=True)
        self._process.start()
        self._recent: deque[dict] = deque(maxlen=_KEPT_JOBS)  # the lines sent with the last jobs
        self.indexed = 0
        self.listed = 0  # articles whose lists were computed, by either process
        self.listed_here = 0  # by this one
        self._queued = self._done = 0  # pieces of list work put in the queue, and finished
        self._drained = False  # the second process has indexed every job
        # Seconds to save an article and to compute a piece of lists, as measured here (``help``).
        self._article_s, self._piece_s = 0.01, 0.5
        self._last_help: float | None = None
        self._ended = False
        self.cpu_s = 0.0  # the second process's CPU time, known once it has stopped

    def send(self, pks: Iterable[int], kept: dict | None = None) -> None:
        """Index these articles; ``kept``: their lines as the import analysed them (``persian.prepared``)."""
        pks = sorted(pks)
        if pks:
            self._recent.append(kept or {})
            self._jobs.put((pks, kept or {}))

    def help(self, left: int) -> None:
        """Between two articles of the import (``left``: articles still to save before the next
        batch is sent): compute one piece of the lists when the second process, alone, would
        still be busy with them after that batch is ready. Otherwise they are its work, and the
        import goes on saving: leaving the second process idle would lose its core."""
        now = time.perf_counter()
        if self._last_help is not None:  # what saving one article takes, on average
            self._article_s += (now - self._last_help - self._article_s) * 0.02
        self._read_reports()
        backlog = self._queued - self._done
        if backlog > LIST_BACKLOG and backlog * self._piece_s > left * self._article_s:
            started = time.perf_counter()
            if self._list_one(wait=0):
                self._piece_s += (time.perf_counter() - started - self._piece_s) * 0.1
            now = time.perf_counter()
        self._last_help = now

    def finish(self, on_progress: Callable[[int, int], None] | None = None, total: int = 0) -> None:
        """Share the lists left until every job is indexed and listed (reporting progress: an
        article counts once indexed and once listed), then stop the second process."""
        self._jobs.put(None)
        self._read_reports()

        def progress() -> None:
            if on_progress:
                on_progress(min(self.indexed + self.listed, 2 * total), 2 * total)

        progress()  # the bar starts from there, so its rate is of the work left
        stopping = False
        while not self._ended:
            if not stopping and self._drained and self._done >= self._queued:
                self._jobs.put(_STOP)
                stopping = True
            if stopping or not self._list_one(wait=_POLL_S):
                if not self._process.is_alive():
                    self._read_reports()
                    if not self._ended:
                        # It died (killed, out of memory): what it missed shows up as missing or
                        # stale, and the import indexes it itself, lists included.
                        log.warning("the indexing process stopped early; the import indexes what is left")
                    break
                if stopping:
                    time.sleep(0.01)
            self._read_reports()
            progress()
        self._process.join()
        # The job queue's feeding thread and the pipes go now, not when this process ends: a
        # process that goes on after an import (a test's) forks later with no thread of ours.
        # Waited for a second at most: with the second process dead, a full pipe keeps it.
        self._jobs.close()
        self._lists.close()
        feeder = getattr(self._jobs, "_thread", None)  # multiprocessing.Queue's, None if never fed
        if feeder is not None:
            feeder.join(timeout=1)

    def _list_one(self, wait: float) -> bool:
        """Compute one piece of the lists from the queue; False when none came within ``wait`` s."""
        try:
            pks = self._lists.get(timeout=wait) if wait else self._lists.get_nowait()
        except queue.Empty:
            return False
        with prepared.using(ChainMap(*self._recent)):
            _store_lists(pks)
        self._done += 1
        self.listed += len(pks)
        self.listed_here += len(pks)
        return True

    def _read_reports(self) -> None:
        while not self._ended and not self._results.empty():
            self._take(self._results.get())

    def _take(self, message: tuple[str, object]) -> None:
        """Count one report of the second process."""
        kind, value = message
        if kind == "indexed":
            self.indexed += value
        elif kind == "queued":
            self._queued += value
        elif kind == "listed":
            self._done += 1
            self.listed += value
        elif kind == "drained":
            self._drained = True
        elif kind == "error":
            log.warning("indexing alongside the import failed, the import will index again: %s", value)
        elif kind == "end":
            self.cpu_s = value
            self._ended = True


# Jobs whose analysed lines a process keeps for the lists: a job's lists are computed while the
# next job is indexed, or the one after.
_KEPT_JOBS = 3


def _store_lists(pks: list[int]) -> None:
    similar.store_quietly(Article.objects.filter(pk__in=pks).order_by("pk"))


def _index_jobs(jobs, lists, results) -> None:
    # The fork gave this process the sending end of its job queue too: closed here, a parent that
    # dies (an import killed with SIGKILL) ends the queue, and this process with it, instead of
    # leaving it waiting for jobs forever.
    jobs._writer.close()
    lists.cancel_join_thread()  # leaving, never wait for the pieces nobody took (the parent died)
    recent: deque[dict] = deque(maxlen=_KEPT_JOBS)
    try:
        while True:
            try:  # a batch to index comes first: its lists are work for both processes
                job = jobs.get_nowait()
            except queue.Empty:
                job = _NOTHING
            if job == _STOP:
                break
            if job is None:
                results.put(("drained", None))
                continue
            if job is not _NOTHING:
                pks, kept = job
                recent.append(kept)
                try:
                    with prepared.using(kept):  # one commit a job, whatever its size (``--index-batch``)
                        indexed = index_articles(pks, commit_every=len(pks), neighbours=False)
                except Exception as exc:  # reported; the import indexes what is missing or stale
                    results.put(("error", repr(exc)))
                    continue
                pieces = [pks[start : start + LIST_CHUNK] for start in range(0, len(pks), LIST_CHUNK)]
                results.put(("indexed", indexed))
                results.put(("queued", len(pieces)))
                for piece in pieces:
                    lists.put(piece)
                continue
            try:
                piece = lists.get(timeout=_POLL_S)
            except queue.Empty:
                continue
            with prepared.using(ChainMap(*recent)):
                _store_lists(piece)
            results.put(("listed", len(piece)))
        results.put(("end", time.process_time()))
    except (EOFError, OSError):  # the import is gone
        pass
    finally:
        db_connections.close_all()
