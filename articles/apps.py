from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "آرشیو خبر"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from articles.search import whoosh

        # Whoosh's patches, once, before any index is opened (and its version checked).
        whoosh.install()

        from django.core.signals import request_finished
        from django.db.models.signals import post_migrate

        # entities, signals: their receivers (the matcher's invalidation, the index-on-commit handlers)
        from articles.entities import extract, gazetteer  # noqa: F401
        from articles.roles import ensure_editors_group
        from articles.search import signals  # noqa: F401
        from articles.search.whoosh import index_pages

        # Entity names must analyze the same in every process (web, import, index): see gazetteer.
        gazetteer.ensure_protected()
        post_migrate.connect(ensure_editors_group, sender=self)
        # A worker gives back the index pages a request mapped (they stay in the page cache).
        request_finished.connect(index_pages.on_request_finished)


class ArchiveAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the archive's own site (the editors' dashboard): see ``admin_site``."""

    default = False  # ArticlesConfig stays this module's default
    default_site = "articles.admin_site.ArchiveAdminSite"

    def ready(self) -> None:
        super().ready()  # autodiscover: every app's admin module is loaded now
        from django.contrib import admin

        from articles.admin_ids import require_well_formed_ids

        require_well_formed_ids(admin.site)
