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
from articles.search.service import cached

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
    """Pages that list articles, each with its articles' newest ``updated``: one grouping query
    over every published article, kept until the index changes (every saved article changes it)."""

    limit = PAGE
    model: type
    updated: str  # the path to the articles' ``updated``
    status: str  # the path to the status that says they are published

    @cached_property
    def _rows(self) -> list[tuple[str, object]]:
        def rows() -> list[tuple[str, object]]:
            newest = Max(self.updated, filter=Q(**{self.status: _PUBLISHED}))
            subjects = self.model.objects.annotate(lastmod=newest).filter(lastmod__isnull=False).order_by("pk")
            return [(subject.get_absolute_url(), subject.lastmod) for subject in subjects]

        return cached("sitemap", self.model.__name__, rows)

    def items(self) -> list[tuple[str, object]]:
        return self._rows

    def location(self, item) -> str:
        return item[0]

    def lastmod(self, item):
        return item[1]

    def get_latest_lastmod(self):
        return max((lastmod for _, lastmod in self._rows), default=None)


class SourceSitemap(_ListingSitemap):
    model, updated, status = Source, "articles__updated", "articles__status"


class CategorySitemap(_ListingSitemap):
    model, updated, status = Category, "articles__updated", "articles__status"


class EntitySitemap(_ListingSitemap):
    model, updated, status = Entity, "mentions__article__updated", "mentions__status"


_ARCHIVE_PAGES = ("articles:archive-year", "articles:archive-month", "articles:archive-day")


class ArchiveSitemap(Sitemap):
    """The archive's year, month and day pages that hold articles (empty ones answer 404)."""

    limit = PAGE

    @cached_property
    def _periods(self) -> list[archive.Period]:
        days = archive.cached_days()
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
