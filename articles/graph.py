"""The story graph: an article's neighbourhood through related links, and its story thread."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q

from articles import jalali
from articles.models import Article, Mention, RelatedLink
from persian.text import match_key

THREAD_LIMIT = 30
THREAD_WINDOW = dt.timedelta(days=60)  # a story's articles sharing names but months apart are not one story
THREAD_SALIENT = 2  # times an article names an entity for it to say what the article is about
THREAD_COMMON = 0.015  # an entity named in more than this share of the archive tells no story apart…
THREAD_COMMON_FLOOR = 12  # …or in more articles than this, whichever is more (a small archive)
THREAD_MIN_SHARED = 2  # distinctive entities two articles must share to join a thread without a link
TEMPLATE_MIN = 3  # published titles repeating the same words before a date make a daily series
THREAD_EDGE = "thread"  # the graph's edge from an article to a thread member it has no link with


@dataclass
class Neighbourhood:
    center: Article
    nodes: dict[int, Article] = field(default_factory=dict)
    depth: dict[int, int] = field(default_factory=dict)
    edges: list[tuple[int, int, str]] = field(default_factory=list)  # (from, to, kind)
    threaded: set[int] = field(default_factory=set)  # nodes joined by the thread alone (no link)


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


def story_graph(article: Article, story: list[Article]) -> Neighbourhood:
    """The article's neighbourhood with its thread (``thread``) joined to it: the graph page and
    the article page show the same story, so an article whose thread comes from shared names
    (no link) is not a graph of one."""
    hood = neighbourhood(article)
    for item in story:
        if item.pk not in hood.nodes:
            hood.nodes[item.pk], hood.depth[item.pk] = item, 1
            hood.threaded.add(item.pk)
            hood.edges.append((article.pk, item.pk, THREAD_EDGE))
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


def cached_thread(article: Article) -> list[Article]:
    """``thread(article)``, kept in this process until the index changes (every edit of an
    article, its mentions or links changes it): the article page and its graph page share it."""
    from articles.search.service import cached

    return cached("thread", article.pk, lambda: thread(article))


def thread(article: Article) -> list[Article]:
    """The article's story in date order, itself included: the articles linked to it (any
    depth) and close-in-time articles that name the same distinctive people, places and bodies
    (``story_members``); one article per title; empty when it has no other.
    """
    members = story_members(article)
    if not members:
        return []
    found = Article.objects.published_among([article.pk, *members]).for_listing()
    ordered = sorted(found, key=lambda a: (a.published is None, a.published or dt.datetime.min, a.pk))
    story, titles = [], {article.title_key}
    for item in ordered:
        if item.pk == article.pk:
            story.append(item)
        elif item.title_key not in titles:  # the same story copied (or re-published) is listed once
            titles.add(item.title_key)
            story.append(item)
    return story if len(story) > 1 else []


def story_members(article: Article) -> list[int]:
    """Pks of the article's thread (itself left out), linked ones first, at most ``THREAD_LIMIT``."""
    linked = [pk for pk in neighbourhood(article, depth=4, limit=THREAD_LIMIT + 1).depth if pk != article.pk]
    named = [pk for pk in sharing_names(article) if pk not in linked]
    return (linked + named)[:THREAD_LIMIT]


def sharing_names(article: Article) -> list[int]:
    """Published articles within ``THREAD_WINDOW`` of ``article`` that name enough of the same
    distinctive entities, best first.

    Two articles must share ``THREAD_MIN_SHARED`` entities that each of them is about (named
    ``THREAD_SALIENT`` times or more: a passing «اینستاگرام» in a sign-off joins nothing) and
    that tell a story apart (not named in more than ``THREAD_COMMON`` of the archive, like ایران
    or a news agency); the rarer the shared names (``log(N / df)`` summed), the earlier listed.
    Daily templated titles (``is_templated``) neither join nor gather a thread this way: a price
    list shares only boilerplate names with a story.
    """
    if not article.published or is_templated(article.title_key):
        return []
    mine = dict(article.mentions.filter(count__gte=THREAD_SALIENT).values_list("entity_id", "count"))
    if not mine:
        return []
    from articles.search.service import cached_count

    total = cached_count(Article.objects.published())  # once per index version (4.5 ms at 100,000)
    common = max(THREAD_COMMON * total, THREAD_COMMON_FLOOR)
    # Each name's articles counted only until it is known to be common: a name in a third of the
    # archive («ایران», a news agency) was counted in full on every article page's first view,
    # 55 ms of PostgreSQL's time at 55,000 articles. Up to ``common`` the count is exact.
    # No order (the model's would sort every mention of the name before the limit).
    enough = math.floor(common) + 1
    published = Mention.objects.published().order_by()
    df = {entity: published.filter(entity=entity)[:enough].count() for entity in mine}
    weight = {e: math.log(total / n) for e, n in df.items() if 0 < n <= common}
    if not weight:
        return []
    window = (article.published - THREAD_WINDOW, article.published + THREAD_WINDOW)
    rows = (
        Mention.objects.published()
        .filter(entity__in=weight, count__gte=THREAD_SALIENT, published__range=window)
        .exclude(article=article)
        .values_list("article_id", "entity_id", "article__title_key")
    )
    scores: dict[int, float] = {}
    shared: dict[int, int] = {}
    titles: dict[int, str] = {}
    for pk, entity, title_key in rows:
        scores[pk] = scores.get(pk, 0.0) + weight[entity]
        shared[pk] = shared.get(pk, 0) + 1
        titles[pk] = title_key
    chosen = [pk for pk in scores if shared[pk] >= THREAD_MIN_SHARED and not is_templated(titles[pk])]
    return sorted(chosen, key=lambda pk: -scores[pk])[: THREAD_LIMIT * 2]


# Words that date a daily title («قیمت دلار و یورو امروز یکشنبه ۱۱ خرداد ۹۹»), as match keys.
_DATE_WORDS = {
    match_key(w) for w in ("شنبه", "یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنج‌شنبه", "جمعه", *jalali.MONTHS)
}


def title_template(title_key: str) -> str:
    """The words of a title before its first date word or number ("" when it has none, or fewer
    than two words before it): what a daily series repeats."""
    words = title_key.split()
    for i, word in enumerate(words):
        if word in _DATE_WORDS or any(ch.isdigit() for ch in word):
            return " ".join(words[:i]) if i >= 2 else ""
    return ""


def is_templated(title_key: str) -> bool:
    """Whether the title is one of a recurring series (``TEMPLATE_MIN`` published titles begin
    with the same words before a date), like the daily «قیمت دلار و یورو امروز …»."""
    template = title_template(title_key)
    if not template:
        return False
    titles = Article.objects.published().filter(title_key__startswith=template + " ")
    if connection.vendor == "sqlite":
        # A range of the key instead, and "not a draft" for "published": SQLite's LIKE cannot use
        # the key's index, and with the status's index it scanned every published article (43 ms
        # at 100,000, up to three times an article page). SQLite compares by code point, and "!"
        # follows the space that ends the words (a locale's collation may not).
        titles = Article.objects.exclude(status=Article.Status.DRAFT).filter(
            title_key__gte=template + " ", title_key__lt=template + "!"
        )
    return titles[:TEMPLATE_MIN].count() >= TEMPLATE_MIN
