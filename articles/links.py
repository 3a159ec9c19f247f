"""Resolving related links: pointing a link at the archived article it names.

A link matches by URL when it has one, else by its title's match key (``persian.match_key``), so a
title scraped without half-spaces or with Arabic letters still finds its article. Resolution runs
both ways on every save: the saved article's own links, and the links elsewhere that name it, so a
later import resolves earlier links without re-importing their source.
"""

from __future__ import annotations

from django.db.models import Q

from articles.models import Article, RelatedLink
from persian.text import match_key


def link_key(title: str) -> str:
    return match_key(title or "")[:500]


def find_target(link: RelatedLink) -> Article | None:
    """The archived article a link names, oldest first when several share a URL or title."""
    candidates = Article.objects.exclude(pk=link.from_article_id).order_by("pk").only("pk")
    if link.url:
        target = candidates.filter(url=link.url).first()
        if target is not None:
            return target
    if link.title_key:
        return candidates.filter(title_key=link.title_key).first()
    return None


def resolve_from(article: Article) -> int:
    """Resolve ``article``'s own unresolved links; returns how many now point somewhere."""
    resolved = 0
    for link in article.links.filter(to_article__isnull=True):
        target = find_target(link)
        if target is not None:
            link.to_article = target
            link.save(update_fields=["to_article"])
            resolved += 1
    return resolved


def resolve_to(article: Article) -> int:
    """Point unresolved links elsewhere that name ``article`` (by URL or title) at it."""
    match = Q(title_key=article.title_key) if article.title_key else Q(pk__in=[])
    if article.url:
        match |= Q(url=article.url)
    return (
        RelatedLink.objects.filter(match, to_article__isnull=True)
        .exclude(from_article=article)
        .update(to_article=article)
    )
