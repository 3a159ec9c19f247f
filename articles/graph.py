"""The story graph: an article's neighbourhood through related links, and its story thread."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Count, Q

from articles.models import Article, RelatedLink

THREAD_LIMIT = 30
THREAD_WINDOW = dt.timedelta(days=120)  # a story's articles sharing names but years apart are not one story
THREAD_MIN_SHARED = 2  # entities two articles must share to join a thread without a link


@dataclass
class Neighbourhood:
    center: Article
    nodes: dict[int, Article] = field(default_factory=dict)
    depth: dict[int, int] = field(default_factory=dict)
    edges: list[tuple[int, int, str]] = field(default_factory=list)  # (from, to, kind)


def neighbourhood(article: Article, depth: int = 2, limit: int = 60) -> Neighbourhood:
    """Published articles within ``depth`` related links of ``article``, either direction."""
    hood = Neighbourhood(center=article, nodes={article.pk: article}, depth={article.pk: 0})
    frontier = {article.pk}
    seen_edges: set[tuple[int, int]] = set()
    for level in range(1, depth + 1):
        links = RelatedLink.objects.filter(
            Q(from_article__in=frontier) | Q(to_article__in=frontier),
            to_article__isnull=False,
            from_article__status=Article.Status.PUBLISHED,
            to_article__status=Article.Status.PUBLISHED,
        ).values_list("from_article_id", "to_article_id", "kind")
        new = set()
        for src, dst, kind in links:
            if (src, dst) not in seen_edges and src != dst:
                seen_edges.add((src, dst))
                hood.edges.append((src, dst, kind))
            for pk in (src, dst):
                if pk not in hood.depth and len(hood.depth) + len(new) < limit:
                    new.add(pk)
        for pk in new:
            hood.depth[pk] = level
        frontier = new
        if not frontier:
            break
    hood.nodes.update(Article.objects.for_listing().in_bulk(list(hood.depth)))
    hood.edges = [e for e in hood.edges if e[0] in hood.nodes and e[1] in hood.nodes]
    return hood


# The drawing's user units are about CSS pixels: 360 wide fits a 390 px phone at ~0.9×, so a
# 13-unit label reads at ≥ 11 px there (a 640-wide drawing drew 6 px labels); the stylesheet
# caps its width on a desktop.
GRAPH_SIZE = 360
LABEL_SIZE = 13
LABEL_CHARS = 24  # a longer title is cut with an ellipsis; its <title> keeps it whole
LABEL_EM = 0.55  # a Persian letter's mean advance in Vazirmatn, in ems, for keeping labels inside


def node_label(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= LABEL_CHARS else title[: LABEL_CHARS - 1].rstrip() + "…"


def label_x(x: float, label: str, size: int = GRAPH_SIZE) -> float:
    """The centre of a label under a node at ``x``, moved in so the whole label stays in the drawing."""
    half = len(label) * LABEL_SIZE * LABEL_EM / 2 + 4
    return min(max(x, half), size - half)


def layout(hood: Neighbourhood, size: int = GRAPH_SIZE) -> dict[int, tuple[float, float]]:
    """Concentric rings: the article in the middle, one ring per link depth."""
    positions = {hood.center.pk: (size / 2, size / 2)}
    rings: dict[int, list[int]] = {}
    for pk, level in sorted(hood.depth.items(), key=lambda item: (item[1], item[0])):
        if level:
            rings.setdefault(level, []).append(pk)
    for level, members in rings.items():
        radius = size * 0.2 * level
        for i, pk in enumerate(members):
            angle = 2 * math.pi * i / len(members) - math.pi / 2
            positions[pk] = (size / 2 + radius * math.cos(angle), size / 2 + radius * math.sin(angle))
    return positions


def thread(article: Article) -> list[Article]:
    """The article's story in date order: linked articles (any depth) and close-in-time articles
    sharing at least two of its names, newest limit ``THREAD_LIMIT``."""
    members = set(neighbourhood(article, depth=4, limit=THREAD_LIMIT).depth)
    entity_ids = list(article.mentions.order_by("-count").values_list("entity_id", flat=True)[:8])
    if article.published and len(entity_ids) >= THREAD_MIN_SHARED:
        sharing = (
            Article.objects.published()
            .filter(
                published__range=(article.published - THREAD_WINDOW, article.published + THREAD_WINDOW),
                mentions__entity__in=entity_ids,
            )
            .annotate(shared=Count("mentions", distinct=True))
            .filter(shared__gte=THREAD_MIN_SHARED)
            .order_by("-shared")
            .values_list("pk", flat=True)[:THREAD_LIMIT]
        )
        members.update(sharing)
    if len(members) <= 1:
        return []
    return list(
        Article.objects.published().for_listing().filter(pk__in=members).order_by("published", "pk")[:THREAD_LIMIT]
    )
