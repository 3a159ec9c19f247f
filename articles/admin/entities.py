"""Entities and the names discovery proposed: merged, accepted or rejected by editors."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.html import format_html

from articles.admin.actions import confirm_action, each
from articles.edit_conflicts import VersionedHistoryAdmin
from articles.entities import curation as entity_curation
from articles.jalali import persian_digits
from articles.models import Entity, EntityAlias, EntityCandidate


class EntityAliasInline(admin.TabularInline):
    model = EntityAlias
    extra = 1
    fields = ["name"]


class MergeTargetForm(forms.Form):
    target = forms.ModelChoiceField(Entity.objects.none(), label="ادغام در")

    def __init__(self, *args, choices: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = choices


@admin.register(Entity)
class EntityAdmin(VersionedHistoryAdmin):
    list_display = ["name", "kind", "slug", "article_count", "page"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [EntityAliasInline]
    actions = ["merge"]

    @admin.action(description="ادغام موجودیت‌های برگزیده در یکی از آن‌ها", permissions=["change", "delete"])
    def merge(self, request, queryset):
        if queryset.count() < 2:
            self.message_user(request, "برای ادغام دست‌کم دو موجودیت برگزینید.", messages.WARNING)
            return None
        chosen = Entity.objects.filter(pk__in=queryset.values("pk"))

        def form_class(data=None):
            return MergeTargetForm(data, choices=chosen)

        def perform(qs, data):
            target = data["target"]
            entity_curation.merge_entities(target, [e for e in qs if e.pk != target.pk])
            return qs.count() - 1 if qs.exists() else 0

        return confirm_action(self, request, chosen, "ادغام موجودیت‌ها", perform, form_class)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("mentions", distinct=True))

    @admin.display(description="شمار خبرها", ordering="n_articles")
    def article_count(self, obj: Entity) -> str:
        return persian_digits(obj.n_articles)

    @admin.display(description="صفحه")
    def page(self, obj: Entity) -> str:
        return format_html('<a href="{}">دیدن</a>', reverse("articles:entity", args=[obj.slug]))


class CandidateEntityForm(forms.Form):
    entity = forms.ModelChoiceField(Entity.objects.all(), label="نام دیگرِ این موجودیت")


@admin.register(EntityCandidate)
class EntityCandidateAdmin(admin.ModelAdmin):
    """Names discovery proposed: never entities until an editor accepts or merges them."""

    list_display = ["name", "kind", "pattern", "articles", "status", "example_article"]
    list_filter = ["status", "kind"]
    search_fields = ["name"]
    list_select_related = ["example_article"]
    readonly_fields = ["key", "example_article", "merged_into"]
    actions = ["accept", "reject", "merge_into"]

    @admin.display(description="شمار خبرها", ordering="article_count")
    def articles(self, obj: EntityCandidate) -> str:
        return persian_digits(obj.article_count)

    @admin.action(description="پذیرفتن به‌عنوان موجودیت تازه", permissions=["change"])
    def accept(self, request, queryset):
        proposed = queryset.proposed()
        return confirm_action(self, request, proposed, "پذیرفتن", lambda qs, _: each(qs, entity_curation.accept))

    @admin.action(description="رد کردن", permissions=["change"])
    def reject(self, request, queryset):
        proposed = queryset.proposed()
        return confirm_action(self, request, proposed, "رد کردن", lambda qs, _: each(qs, entity_curation.reject))

    @admin.action(description="افزودن به‌عنوان نام دیگرِ یک موجودیت", permissions=["change"])
    def merge_into(self, request, queryset):
        proposed = queryset.proposed()

        def perform(qs, data):
            return each(qs, lambda candidate: entity_curation.merge(candidate, data["entity"]))

        return confirm_action(self, request, proposed, "افزودن به موجودیت", perform, CandidateEntityForm)
