"""Named entities in articles: the process's matcher, and the Mention rows that follow the text.

The matcher (``matcher.Matcher``) is built lazily once per process from the database and
rebuilt when an entity or alias changes (signals in this process, a cheap row-count signature for
other processes). Extraction makes an article's Mention rows equal what its text mentions now.

The gazetteer and the protection of its names from the stemmer live in ``gazetteer``; what editors
decide about candidates and duplicate entities, in ``curation``.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.entities.gazetteer import ensure_protected
from articles.entities.matcher import Matcher, segments
from articles.models import Article, Entity, EntityAlias, Mention
from articles.search import indexing
from persian.prepared import Lines


def article_segments(article: Article, lines: Lines | None = None) -> list[list[str]]:
    """The article's own text and the titles of its related links: a «خبر مرتبط» teaser is
    part of the page as published (the seed names کی‌یف only there); the teaser's lead is not.

    ``lines``: an import's, which keeps each line's analysis for the index (``persian.prepared``).
    """
    link_titles = [link.title for link in article.links.all()] if article.pk else []
    return segments(article.title, article.lead, article.body, *link_titles, lines=lines)


# ---------------------------------------------------------------------------------------------
# The process's matcher, from the database


_matcher: tuple[tuple, Matcher] | None = None
_matcher_lock = threading.Lock()


def _signature() -> tuple:
    """Changes when any process adds or deletes an entity or alias (renames: see ``invalidate``)."""
    return (
        *Entity.objects.aggregate(n=Count("id"), top=Max("id")).values(),
        *EntityAlias.objects.aggregate(n=Count("id"), top=Max("id")).values(),
    )


def _build() -> Matcher:
    ensure_protected()
    # Aliases first: their keys are unique in the database, so a name another entity holds as an
    # alias does not steal it. Canonical names count too, for entities an editor made by hand.
    aliases = EntityAlias.objects.order_by("pk").values_list("entity_id", "name")
    names = Entity.objects.order_by("pk").values_list("pk", "name")
    return Matcher([*aliases, *names])


def matcher() -> Matcher:
    global _matcher
    signature = _signature()
    current = _matcher
    if current is None or current[0] != signature:
        with _matcher_lock:
            current = _matcher
            if current is None or current[0] != signature:
                current = _matcher = (signature, _build())
    return current[1]


@receiver(post_save, sender=Entity)
@receiver(post_delete, sender=Entity)
@receiver(post_save, sender=EntityAlias)
@receiver(post_delete, sender=EntityAlias)
def invalidate(**kwargs) -> None:
    """Drop this process's matcher; the next extraction rebuilds it."""
    global _matcher
    _matcher = None


# ---------------------------------------------------------------------------------------------
# Extraction: Mention rows follow the text


def count_mentions(article: Article, using: Matcher | None = None, lines: Lines | None = None) -> Counter[int]:
    """Mentions per entity id in the article's title, lead and body (no writes)."""
    return (using or matcher()).count(article_segments(article, lines))


def extract_for(article: Article, using: Matcher | None = None, lines: Lines | None = None) -> dict[int, int]:
    """Replace the article's Mention rows with what its text mentions now; returns {entity id: count}.

    Idempotent: rows already right are left alone, so a second run writes nothing.
    """
    if article.pk is None:
        raise ValueError("save the article before extracting its mentions")
    counts = count_mentions(article, using, lines)
    _apply({article.pk: counts})
    return dict(counts)


def extract_for_new(
    article: Article, link_titles: list[str], using: Matcher | None = None, lines: Lines | None = None
) -> dict[int, int]:
    """``extract_for`` for an article just created with these related-link titles: it has no
    Mention rows yet and its links are known, so nothing is read back (an import's hot path)."""
    texts = (article.title, article.lead, article.body, *link_titles)
    counts = (using or matcher()).count(segments(*texts, lines=lines))
    if counts:
        Mention.objects.bulk_create(
            [
                Mention(
                    article_id=article.pk,
                    entity_id=entity_id,
                    count=count,
                    published=article.published,
                    status=article.status,
                )
                for entity_id, count in counts.items()
            ]
        )
        indexing.schedule(article.pk)
    return dict(counts)


@dataclass
class ExtractReport:
    articles: int = 0
    changed: int = 0  # articles whose Mention rows changed
    mentions: int = 0  # Mention rows the articles have now


def extract_all(
    queryset: QuerySet[Article] | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 500,
) -> ExtractReport:
    """``extract_for`` every article of ``queryset`` (default: all), one transaction per batch.

    Changed articles are scheduled for re-indexing; wrap the call in ``indexing.suspended()`` to
    index them in one pass afterwards instead.
    """
    queryset = Article.objects.all() if queryset is None else queryset
    articles = queryset.only("pk", "title", "lead", "body").order_by("pk")
    total = articles.count()
    current = matcher()
    report = ExtractReport()
    if progress:
        progress(0, total)
    batch: dict[int, Counter[int]] = {}
    for article in articles.iterator(chunk_size=batch_size):
        batch[article.pk] = current.count(article_segments(article))
        if len(batch) >= batch_size:
            _flush_batch(batch, report, progress, total)
    _flush_batch(batch, report, progress, total)
    return report


def _flush_batch(
    batch: dict[int, Counter[int]], report: ExtractReport, progress: Callable[[int, int], None] | None, total: int
) -> None:
    if not batch:
        return
    report.changed += len(_apply(batch))
    report.articles += len(batch)
    report.mentions += sum(len(counts) for counts in batch.values())
    batch.clear()
    if progress:
        progress(report.articles, total)


def _apply(wanted: dict[int, Counter[int]]) -> set[int]:
    """Make the Mention rows of these articles equal ``wanted``; returns the ids that changed.

    Rows also get their article's date and status again where those copies went stale (an
    article changed by ``QuerySet.update()``, which bypasses ``Article.save``).
    """
    ids = list(wanted)
    articles = Article.objects.filter(pk__in=ids).values_list("pk", "published", "status")
    listing = {pk: (published, status) for pk, published, status in articles}
    have: dict[int, dict[int, Mention]] = defaultdict(dict)
    rows = Mention.objects.filter(article_id__in=ids).order_by()  # no join for Meta.ordering
    for mention in rows.only("pk", "article_id", "entity_id", "count", "published", "status"):
        have[mention.article_id][mention.entity_id] = mention
    create, update, delete, changed = [], [], [], set()
    for article_id, counts in wanted.items():
        if article_id not in listing:  # deleted meanwhile: its mentions went with it
            continue
        published, status = listing[article_id]
        rows = have.get(article_id, {})
        for entity_id, mention in rows.items():
            if entity_id not in counts:
                delete.append(mention.pk)
            elif (mention.count, mention.published, mention.status) != (counts[entity_id], published, status):
                mention.count, mention.published, mention.status = counts[entity_id], published, status
                update.append(mention)
            else:
                continue
            changed.add(article_id)
        for entity_id, count in counts.items():
            if entity_id not in rows:
                create.append(
                    Mention(article_id=article_id, entity_id=entity_id, count=count, published=published, status=status)
                )
                changed.add(article_id)
    if changed:
        with transaction.atomic():
            Mention.objects.filter(pk__in=delete).delete()
            Mention.objects.bulk_update(update, ["count", "published", "status"], batch_size=500)
            Mention.objects.bulk_create(create, batch_size=500)
            # Bulk writes send no post_save, so the index hears about them here (on commit).
            for article_id in changed:
                indexing.schedule(article_id)
    return changed
