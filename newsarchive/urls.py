from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "میز ویراستاران آرشیو خبر"
admin.site.site_title = "آرشیو خبر"
admin.site.index_title = "مدیریت آرشیو"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
]
