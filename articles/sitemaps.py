"""The sitemap: articles, the Jalali archive's pages, and the source, category and entity pages,
each with its real last change (the newest ``updated`` of its articles). Sections of more than
``limit`` URLs are split into pages the sitemap index lists (``sitemap-articles.xml?p=2``)."""

from __future__ import annotations

from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse

from articles import archive
from articles.models import Article, Category, Entity, Source

PAGE = 5000  # URLs a sitemap page lists (the protocol allows 50,000; smaller pages answer faster)
_PUBLISHED = Article.Status.PUBLISHED


class ArticleSitemap(Sitemap):
    limit = PAGE

    def items(self):
        return Article.objects.published().only("pk", "updated").order_by("pk")

    def lastmod(self, item: Article):
        return item.updated

    def get_latest_lastmod(self):
        # Django's default reads every item's lastmod: 100,000 rows for the index alone.
        return Article.objects.published().aggregate(Max("updated"))["updated__max"]


class _ListingSitemap(Sitemap):
    """Pages that list articles; ``items`` annotate each with ``lastmod``."""

    limit = PAGE

    def lastmod(self, item):
        return item.lastmod

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("lastmod"))["latest"]


def _with_lastmod(model, updated: str, status: str):
    """``model``'s rows that list a published article, each with its articles' newest ``updated``."""
    newest = Max(updated, filter=Q(**{status: _PUBLISHED}))
    return model.objects.annotate(lastmod=newest).filter(lastmod__isnull=False).order_by("pk")


class SourceSitemap(_ListingSitemap):
    def items(self):
        return _with_lastmod(Source, "articles__updated", "articles__status")


class CategorySitemap(_ListingSitemap):
    def items(self):
        return _with_lastmod(Category, "articles__updated", "articles__status")


class EntitySitemap(_ListingSitemap):
    def items(self):
        return _with_lastmod(Entity, "mentions__article__updated", "mentions__status")


_ARCHIVE_PAGES = ("articles:archive-year", "articles:archive-month", "articles:archive-day")


class ArchiveSitemap(Sitemap):
    """The archive's year, month and day pages that hold articles (empty ones answer 404)."""

    limit = PAGE

    @cached_property
    def _periods(self) -> list[archive.Period]:
        days = archive.days()
        return [*archive.rollup(days, 1).values(), *archive.rollup(days, 2).values(), *days.values()]

    def items(self) -> list[archive.Period]:
        return self._periods

    def location(self, item: archive.Period) -> str:
        return reverse(_ARCHIVE_PAGES[len(item.key) - 1], args=item.key)

    def lastmod(self, item: archive.Period):
        return item.lastmod

    def get_latest_lastmod(self):
        return max((period.lastmod for period in self._periods), default=None)


SITEMAPS = {
    "articles": ArticleSitemap,
    "archive": ArchiveSitemap,
    "sources": SourceSitemap,
    "categories": CategorySitemap,
    "entities": EntitySitemap,
}
