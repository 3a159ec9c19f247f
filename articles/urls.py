from django.contrib.sitemaps.views import index as sitemap_index
from django.contrib.sitemaps.views import sitemap
from django.urls import path, register_converter

from articles import api, feeds, views
from articles.sitemaps import SITEMAPS


class TwoDigits:
    """A month or day in an archive URL: ``1`` or ``01`` is read, ``01`` is written (the archive
    view redirects the short form to the written one, so each page has one address)."""

    regex = "[0-9]{1,2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return f"{int(value):02d}"


register_converter(TwoDigits, "dd")

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<int:pk>/", views.article_detail, name="detail"),
    path("articles/<int:pk>/graph/", views.article_graph, name="graph"),
    path("search/", views.search_page, name="search"),
    path("search/attention.csv", views.attention_csv, name="attention-csv"),
    path("search/export/", views.search_export, name="search-export"),
    path("search/feed/", feeds.AtomSearchFeed(), name="feed-atom"),
    path("search/rss/", feeds.SearchFeed(), name="feed-rss"),
    path("feeds/", feeds.feeds_page, name="feeds"),
    path("opensearch.xml", feeds.opensearch, name="opensearch"),
    path("api/suggest/", feeds.suggest, name="suggest"),
    path("sitemap.xml", sitemap_index, {"sitemaps": SITEMAPS, "sitemap_url_name": "articles:sitemap"}),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("archive/", views.archive_index, name="archive"),
    path("archive/<int:year>/", views.archive_year, name="archive-year"),
    path("archive/<int:year>/<dd:month>/", views.archive_month, name="archive-month"),
    path("archive/<int:year>/<dd:month>/<dd:day>/", views.archive_day, name="archive-day"),
    path("sources/<str:slug>/", views.source_detail, name="source"),
    path("sources/<str:slug>/feed/", feeds.ListingFeed("source"), name="source-feed"),
    path("categories/<str:slug>/", views.category_detail, name="category"),
    path("categories/<str:slug>/feed/", feeds.ListingFeed("category"), name="category-feed"),
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
    path("tags/<str:slug>/feed/", feeds.ListingFeed("tag"), name="tag-feed"),
    path("entities/<str:slug>/", views.entity_detail, name="entity"),
    path("entities/<str:slug>/feed/", feeds.ListingFeed("entity"), name="entity-feed"),
    path("api/search/", api.search, name="api-search"),
    path("api/articles/<int:pk>/", api.article, name="api-article"),
    path("api/articles/<int:pk>/graph/", api.article_graph, name="api-graph"),
]
