from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "آرشیو خبر"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from articles import signals  # noqa: F401  (connects the index-on-commit handlers)
        from articles.roles import ensure_editors_group

        post_migrate.connect(ensure_editors_group, sender=self)
