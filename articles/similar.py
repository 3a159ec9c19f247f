""" "More like this", stored: each published article's nearest articles, kept in the database.

Asking the index on every article view cost an OR of the article's ten key terms over the whole
archive: at 100,000 articles the postings of its common words (tens of thousands each) were
decoded on nearly every view, and the article page's p95 was ~2 s under eight clients. Instead
each article's list is computed when the article is indexed (an import, ``rebuild_index``, an
editor's save), by the engine's bounded ``neighbours`` (only rarer terms find candidates, so the
work per article does not grow with the archive), and the page reads it in one query.

- Lists hold ``STORED`` articles, more than a page shows: a neighbour unpublished or deleted since
  is left out when the list is read (``Article.objects.published()``, joined), and the page still
  has enough.
- An article indexed before lists existed has none: its page computes it (bounded) and stores it;
  ``manage.py fill_similar`` fills every missing list at once (``rebuild_index`` and
  ``check_index --fix`` do too).
- A list is not updated when newer articles arrive: an article's neighbours are those the archive
  held when it was indexed (``fill_similar --all`` recomputes every list).
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable, Iterable

from django.db import connections, models, transaction
from django.db.models import Exists, OuterRef

from articles.models import Article

log = logging.getLogger(__name__)

STORED = 8  # neighbours kept per article; the page shows ``SHOWN``
SHOWN = 5
BATCH = 500  # lists stored per transaction by ``fill``


class SimilarArticle(models.Model):
    """One neighbour of an article: ``similar`` is its ``rank``-th nearest (0 first)."""

    # Its lists are read by (article, rank): that unique constraint's index serves, no other.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, db_index=False, related_name="neighbours")
    # No foreign-key constraint nor index on the neighbour: a list is written in the transaction
    # that indexes its article (on PostgreSQL, after the index's totals row is locked), and a
    # constraint would also lock each neighbour's row: with another transaction deleting one of
    # them (it locks the article, then the totals) that deadlocked. A deleted neighbour's row is
    # left to the next computation of the list; reading joins the articles and never sees it.
    # An article with no neighbour at all keeps one row without one (NULL): its list is stored,
    # empty, and neither a page view nor ``check_index`` counts it as missing.
    similar = models.ForeignKey(
        Article,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="neighbour_of",
    )
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()

    class Meta:
        app_label = "articles"
        verbose_name = "مقالهٔ همانند"
        verbose_name_plural = "مقاله‌های همانند"
        constraints = [models.UniqueConstraint(fields=["article", "rank"], name="similar_article_rank")]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.similar_id} ({self.rank})"


def compute(articles: Iterable[Article]) -> dict[int, list[tuple[int, float]]]:
    """Each published article's ``STORED`` nearest published articles, ``(pk, score)`` best first."""
    from articles.search.engine import get_engine

    engine = get_engine()
    return {a.pk: engine.neighbours(a, STORED) for a in articles if a.is_published}


def store(articles: Iterable[Article]) -> int:
    """Compute and save the lists of ``articles`` (a draft's list is emptied); returns how many
    lists were saved. The index must already hold what it should find."""
    from articles.search.engine import get_engine

    articles = list(articles)
    if get_engine().transactional:
        # Its reads are queries in the caller's transaction: a failure rolls back to here only.
        with transaction.atomic():
            return _save(articles, compute(articles))
    # The index alone is read: outside the transaction, which on SQLite takes the write lock at
    # BEGIN (IMMEDIATE). Held while a batch's lists were computed (seconds on a busy machine), it
    # made an import's own saves wait past their timeout: "database is locked" ended the import.
    found = compute(articles)
    with transaction.atomic():
        return _save(articles, found)


def _save(articles: list[Article], found: dict[int, list[tuple[int, float]]]) -> int:
    rows = [
        SimilarArticle(article_id=pk, similar_id=other, rank=rank, score=score)
        for pk, neighbours in found.items()
        for rank, (other, score) in enumerate(neighbours or [(None, 0.0)])
    ]
    SimilarArticle.objects.filter(article__in=[a.pk for a in articles]).delete()
    SimilarArticle.objects.bulk_create(rows)
    return len(found)


def store_quietly(articles: Iterable[Article]) -> None:
    """``store``, a failure logged: the lists are derived data, and the indexing that calls this
    has succeeded (a page computes a missing list; ``fill_similar`` fills them all)."""
    articles = list(articles)
    try:
        store(articles)
    except Exception:
        log.exception("could not store more like this for %d articles; fill_similar will", len(articles))


def missing() -> list[int]:
    """Published articles without a stored list.

    ``NOT EXISTS``, an anti-join: ``exclude(pk__in=…)`` is ``NOT IN``, which PostgreSQL cannot
    turn into one (a NULL in the list would change its meaning). With 800,000 list rows, too
    many to hash in ``work_mem``, it scanned them again for every article: ``check_index`` at
    100,000 articles ran for minutes on end without finishing."""
    listed = SimilarArticle.objects.filter(article=OuterRef("pk"))
    return list(Article.objects.published().filter(~Exists(listed)).order_by("pk").values_list("pk", flat=True))


def fill(
    pks: Iterable[int] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    processes: int = 1,
    stats: dict | None = None,
) -> int:
    """Store the lists of ``pks`` (every published article without one when None), a batch per
    transaction; with ``processes`` > 1 the batches are shared with forked helper processes (the
    articles must be committed: a helper has its own connection). ``stats["helpers_cpu_s"]``
    receives the helpers' CPU time."""
    pks = missing() if pks is None else sorted(set(pks))
    batches = [pks[start : start + BATCH] for start in range(0, len(pks), BATCH)]
    # Helpers read what is committed: inside a transaction (a test's, a caller's) this process works alone.
    if processes > 1 and len(batches) > 1 and not connections["default"].in_atomic_block:
        return _fill_shared(batches, len(pks), on_progress, processes, stats if stats is not None else {})
    saved = done = 0
    for batch in batches:
        saved += _store_batch(batch)
        done += len(batch)
        if on_progress:
            on_progress(done, len(pks))
    return saved


def _store_batch(pks: list[int]) -> int:
    return store(Article.objects.filter(pk__in=pks).only("title", "lead", "body", "status"))


def _fill_shared(batches: list[list[int]], total: int, on_progress, processes: int, stats: dict) -> int:
    """``fill`` with every ``processes``-th batch done by a forked helper, the first share here.

    Each helper reports each batch it stored; a batch a helper did not report (an error, or the
    helper killed) is stored here at the end, so every list is stored once the call returns."""
    context = multiprocessing.get_context("fork")
    results = context.SimpleQueue()
    connections.close_all()  # a forked connection would be shared with the helper
    helpers = [
        context.Process(target=_fill_helper, args=(batches[n::processes], results), daemon=True)
        for n in range(1, processes)
    ]
    for helper in helpers:
        helper.start()
    pending = {batch[0]: batch for share in range(1, processes) for batch in batches[share::processes]}
    saved = done = 0
    stats["helpers_cpu_s"] = 0.0

    def take() -> None:
        nonlocal saved, done
        while not results.empty():
            kind, *value = results.get()
            if kind == "batch":
                first, count, stored = value
                pending.pop(first, None)
                saved, done = saved + stored, done + count
            elif kind == "error":
                log.warning("a helper could not store more like this for a batch (stored here instead): %s", value[1])
            elif kind == "end":
                stats["helpers_cpu_s"] += value[0]
        if on_progress:
            on_progress(min(done, total), total)

    for batch in batches[0::processes]:
        saved, done = saved + _store_batch(batch), done + len(batch)
        take()
    while any(helper.is_alive() for helper in helpers):
        take()
        time.sleep(0.05)
    for helper in helpers:
        helper.join()
    take()
    for batch in pending.values():  # what no helper stored
        saved, done = saved + _store_batch(batch), done + len(batch)
        if on_progress:
            on_progress(min(done, total), total)
    return saved


def _fill_helper(batches: list[list[int]], results) -> None:
    try:
        for batch in batches:
            try:
                results.put(("batch", batch[0], len(batch), _store_batch(batch)))
            except Exception as exc:  # reported; the parent stores this batch
                results.put(("error", batch[0], repr(exc)))
        results.put(("end", time.process_time()))
    finally:
        connections.close_all()


def similar_articles(article: Article, limit: int = SHOWN) -> list[Article]:
    """The article's stored neighbours that are still published, best first: one query.

    No list yet (indexed before lists were kept): computed now and stored, for the next view.
    """
    if not article.is_published:
        return []
    shown = _stored(article, limit)
    if shown or SimilarArticle.objects.filter(article=article).exists():  # maybe stored empty
        return shown
    try:
        store([article])
    except Exception:  # the page must render even when the index is being rebuilt
        log.exception("could not compute more like this for article %s", article.pk)
        return []
    return _stored(article, limit)


def _stored(article: Article, limit: int) -> list[Article]:
    return list(
        Article.objects.published()
        .for_listing()
        .filter(neighbour_of__article=article)
        .order_by("neighbour_of__rank")[:limit]
    )
