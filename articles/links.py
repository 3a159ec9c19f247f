"""Resolving related links: pointing a link at the archived article it names.

A link matches by URL when it has one, else by its title's match key (``persian.match_key``), so a
title scraped without half-spaces or with Arabic letters still finds its article. Resolution runs
both ways on every save: the saved article's own links, and the links elsewhere that name it, so a
later import resolves earlier links without re-importing their source.

Only a real web address becomes a link (``is_web_url``): scraped text such as «sahamedalat. ir»
(a space after the dot) is cut by the URL pattern into ``https://sahamedalat``, which no browser
can open. ``keep_links`` drops those at import; ``clean_stored`` repairs what was stored before.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.db.models import Q, QuerySet

from articles.ingest.parsed import ParsedLink
from articles.models import Article, RelatedLink
from persian.text import match_key

# A host's last label: letters (``ir``, ``com``, ``museum``) or an IDN's punycode (``xn--mgba3a4f16a``).
_TLD = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def is_web_url(url: str) -> bool:
    """An http(s) address a browser can open: no whitespace, and a host that is an IPv4 address
    or dotted labels ending in a TLD-like one (``https://sahamedalat`` is not)."""
    url = url or ""
    if not url or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
    except ValueError:
        return False
    if parts.scheme.lower() not in {"http", "https"} or "." not in host:
        return False
    try:
        ipaddress.IPv4Address(host)
        return True
    except ValueError:
        pass
    try:
        host = host.encode("idna").decode("ascii")  # a Persian host name counts as its punycode
    except UnicodeError:
        return False
    *labels, tld = host.split(".")
    return bool(_TLD.fullmatch(tld)) and all(_LABEL.fullmatch(label) for label in labels)


def web_address(url: str) -> str:
    """``url`` as an address to link to, or "" when it is none: the scraper also picks up
    ``www.sid.ir`` without a scheme, which a browser opens as ``http://www.sid.ir``."""
    url = (url or "").strip()
    if url[:4].lower() == "www.":
        url = "http://" + url
    return url if is_web_url(url) else ""


def keep_links(links: Iterable[ParsedLink]) -> tuple[list[ParsedLink], int]:
    """The parsed links worth storing, and how many were dropped as junk: a link needs a title or
    a real address; a titled link with a junk address keeps its title as text."""
    kept, dropped = [], 0
    for link in links:
        url = web_address(link.url)
        if not url and not link.title.strip():
            dropped += 1
            continue
        kept.append(dataclasses.replace(link, url=url) if url != link.url else link)
    return kept, dropped


def shown(links: Iterable[RelatedLink]) -> list[RelatedLink]:
    """The links a page can show as something: a published article, a title or a real address
    (an editor may still store an untitled link with a junk address)."""
    return [
        link
        for link in links
        if (link.to_article is not None and link.to_article.is_published) or link.title.strip() or web_address(link.url)
    ]


def clean_stored(related_links: QuerySet) -> tuple[int, int, int]:
    """``keep_links``' rule on stored links (``RelatedLink`` rows, or a migration's historical
    model's): an untitled link without a real address is deleted, a titled one keeps its title
    as text, a ``www.`` address gains its scheme. Returns (deleted, repaired, articles touched)."""
    doomed, repaired, articles = [], 0, set()
    for link in related_links.only("pk", "url", "title", "from_article_id").iterator():
        url = web_address(link.url)
        if url == link.url and (url or link.title.strip()):
            continue
        articles.add(link.from_article_id)
        if not url and not link.title.strip():
            doomed.append(link.pk)
        else:
            repaired += related_links.filter(pk=link.pk).update(url=url)
    deleted = sum(related_links.filter(pk__in=doomed[i : i + 500]).delete()[0] for i in range(0, len(doomed), 500))
    return deleted, repaired, len(articles)


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
