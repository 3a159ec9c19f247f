"""The editors' desk: the Django admin in Persian."""

from django.contrib import admin
from django.db.models import Count

from articles import jalali
from articles.models import Article, Category, Entity, EntityAlias, Mention, RelatedLink, Source, Tag


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "article_count"]
    search_fields = ["name", "domain"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles"))

    @admin.display(description="شمار خبرها", ordering="n_articles")
    def article_count(self, obj: Source) -> int:
        return obj.n_articles


@admin.register(Category, Tag)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    fk_name = "from_article"
    extra = 0
    fields = ["position", "kind", "title", "url", "to_article"]
    autocomplete_fields = ["to_article"]


class MentionInline(admin.TabularInline):
    model = Mention
    extra = 0
    autocomplete_fields = ["entity"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "published_jalali", "status", "title_derived"]
    list_filter = ["status", "title_derived", "source", "categories"]
    list_select_related = ["source"]
    search_fields = ["title", "lead", "external_id"]
    date_hierarchy = "published"
    readonly_fields = ["external_id", "content_hash", "created", "updated"]
    autocomplete_fields = ["source", "categories", "tags"]
    inlines = [RelatedLinkInline, MentionInline]
    fieldsets = [
        (None, {"fields": ["title", "title_derived", "lead", "body", "status"]}),
        ("منبع", {"fields": ["source", "agency", "published", "url", "categories", "tags"]}),
        ("درون‌ریزی", {"fields": ["external_id", "review_notes", "content_hash", "created", "updated"]}),
    ]

    @admin.display(description="تاریخ", ordering="published")
    def published_jalali(self, obj: Article) -> str:
        return jalali.format_date(obj.published)


class EntityAliasInline(admin.TabularInline):
    model = EntityAlias
    extra = 1
    fields = ["name"]


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [EntityAliasInline]


@admin.register(RelatedLink)
class RelatedLinkAdmin(admin.ModelAdmin):
    list_display = ["title", "from_article", "to_article", "kind"]
    list_filter = ["kind"]
    search_fields = ["title", "url"]
    autocomplete_fields = ["from_article", "to_article"]
    list_select_related = ["from_article", "to_article"]
