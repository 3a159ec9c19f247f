from django.contrib.sitemaps.views import index as sitemap_index
from django.contrib.sitemaps.views import sitemap
from django.urls import path

from articles import api, feeds, views

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
    path("opensearch.xml", feeds.opensearch, name="opensearch"),
    path("api/suggest/", feeds.suggest, name="suggest"),
    path("sitemap.xml", sitemap_index, {"sitemaps": feeds.SITEMAPS, "sitemap_url_name": "articles:sitemap"}),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": feeds.SITEMAPS}, name="sitemap"),
    path("archive/", views.archive_index, name="archive"),
    path("archive/<int:year>/", views.archive_year, name="archive-year"),
    path("archive/<int:year>/<int:month>/", views.archive_month, name="archive-month"),
    path("archive/<int:year>/<int:month>/<int:day>/", views.archive_day, name="archive-day"),
    path("sources/<str:slug>/", views.source_detail, name="source"),
    path("categories/<str:slug>/", views.category_detail, name="category"),
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
    path("entities/<str:slug>/", views.entity_detail, name="entity"),
    path("api/search/", api.search, name="api-search"),
    path("api/articles/<int:pk>/", api.article, name="api-article"),
    path("api/articles/<int:pk>/graph/", api.article_graph, name="api-graph"),
]
