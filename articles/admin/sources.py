"""Sources, categories and tags, and the related-link graph's edges."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count

from articles.edit_conflicts import EditConflictMixin, VersionedHistoryAdmin
from articles.jalali import persian_digits
from articles.models import Article, Category, RelatedLink, Source, Tag


@admin.register(Source)
class SourceAdmin(EditConflictMixin, admin.ModelAdmin):
    list_display = ["name", "domain", "article_count"]
    search_fields = ["name", "domain"]
    fields = ["name", "slug", "domain"]  # Source redefines name (its help text): name first still
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles"))

    @admin.display(description="شمار خبرها", ordering="n_articles")
    def article_count(self, obj: Source) -> str:
        return persian_digits(obj.n_articles)


@admin.register(Category, Tag)
class TermAdmin(EditConflictMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ResolvedFilter(admin.SimpleListFilter):
    """Links whose target is in the archive, and those still waiting for it (the dashboard links here)."""

    title = "مقصد"
    parameter_name = "resolved"

    def lookups(self, request, model_admin):
        return [("no", "هنوز در آرشیو نیست"), ("yes", "در آرشیو"), ("draft", "پیش‌نویس (برای خواننده شکسته)")]

    def queryset(self, request, queryset):
        if self.value() == "draft":
            return queryset.filter(to_article__status=Article.Status.DRAFT)
        if self.value() in ("yes", "no"):
            return queryset.filter(to_article__isnull=self.value() == "no")
        return queryset


@admin.register(RelatedLink)
class RelatedLinkAdmin(VersionedHistoryAdmin):
    list_display = ["title", "from_article", "to_article", "kind"]
    list_filter = [ResolvedFilter, "kind"]
    search_fields = ["title", "url"]
    autocomplete_fields = ["from_article", "to_article"]
    list_select_related = ["from_article", "to_article"]
    show_full_result_count = False  # a second COUNT(*) over every link, for a number nobody reads
