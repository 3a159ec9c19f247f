from django.urls import path

from articles import api, views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<int:pk>/", views.article_detail, name="detail"),
    path("articles/<int:pk>/graph/", views.article_graph, name="graph"),
    path("search/", views.search_page, name="search"),
    path("sources/<str:slug>/", views.source_detail, name="source"),
    path("categories/<str:slug>/", views.category_detail, name="category"),
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
    path("entities/<str:slug>/", views.entity_detail, name="entity"),
    path("api/search/", api.search, name="api-search"),
    path("api/articles/<int:pk>/", api.article, name="api-article"),
    path("api/articles/<int:pk>/graph/", api.article_graph, name="api-graph"),
]
