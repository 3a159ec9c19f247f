"""The admin site of the archive: Django's, in Persian, with the editors' dashboard.

Set as the default site (``articles.apps.ArchiveAdminConfig``), so ``admin.site`` is this one.
It lives outside ``articles.admin``: the site must exist before that package registers models.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path


class ArchiveAdminSite(admin.AdminSite):
    site_header = "میز ویراستاران آرشیو خبر"
    site_title = "آرشیو خبر"
    index_title = "مدیریت آرشیو"

    def get_urls(self):
        from articles.admin.dashboard import dashboard_view

        dashboard = self.admin_view(lambda request: dashboard_view(request, self))
        return [path("dashboard/", dashboard, name="dashboard"), *super().get_urls()]
