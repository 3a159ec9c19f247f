"""The editors' desk: the Django admin in Persian, with bulk actions that confirm before acting."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from articles import jalali, links
from articles.admin_ids import require_well_formed_ids
from articles.edit_conflicts import EditConflictMixin, VersionedHistoryAdmin
from articles.entities import curation as entity_curation
from articles.entities import extract as entities
from articles.models import Article, Category, Entity, EntityAlias, EntityCandidate, Mention, RelatedLink, Source, Tag
from articles.search.service import matching_ids

admin.site.site_header = "میز ویراستاران آرشیو خبر"
admin.site.site_title = "آرشیو خبر"
admin.site.index_title = "مدیریت آرشیو"


def confirm_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    title: str,
    perform,
    form_class: type[forms.Form] | None = None,
) -> HttpResponse | None:
    """Show what a bulk action will touch and ask again; on "apply", run ``perform``.

    ``perform(queryset, data)`` returns how many objects changed; the count is reported.
    """
    form = form_class(request.POST if "apply" in request.POST else None) if form_class else None
    if "apply" in request.POST and (form is None or form.is_valid()):
        changed = perform(queryset, form.cleaned_data if form else {})
        modeladmin.message_user(
            request, f"{title}: {changed} مورد از {queryset.count()} مورد تغییر کرد.", messages.SUCCESS
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "objects": queryset[:200],
        "count": queryset.count(),
        "form": form,
        "action": request.POST.get("action"),
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/articles/confirm_action.html", context)


class SourceChoiceForm(forms.Form):
    source = forms.ModelChoiceField(Source.objects.all(), label="منبع تازه")


class CategoryChoiceForm(forms.Form):
    category = forms.ModelChoiceField(Category.objects.all(), label="دسته")
    replace = forms.BooleanField(label="دسته‌های پیشین برداشته شوند", required=False)


@admin.register(Source)
class SourceAdmin(EditConflictMixin, admin.ModelAdmin):
    list_display = ["name", "domain", "article_count"]
    search_fields = ["name", "domain"]
    fields = ["name", "slug", "domain"]  # Source redefines name (its help text): name first still
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles"))

    @admin.display(description="شمار خبرها", ordering="n_articles")
    def article_count(self, obj: Source) -> int:
        return obj.n_articles


@admin.register(Category, Tag)
class TermAdmin(EditConflictMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class KnownChoiceAutocomplete(AutocompleteSelect):
    """An autocomplete whose chosen object's label can be given, not read: Django's widget runs
    one query per row of an inline to label the choice it shows."""

    known: dict[str, str] | None = None

    def optgroups(self, name, value, attr=None):
        chosen = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if not self.known or not chosen or any(v not in self.known for v in chosen):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        options += [self.create_option(name, v, self.known[v], True, len(options) + i) for i, v in enumerate(chosen)]
        return [(None, options, 0)]


class RelatedLinkFormSet(forms.BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        target = form.instance.to_article if form.instance.to_article_id else None  # read with the link
        widget = getattr(form.fields["to_article"].widget, "widget", None)
        if target is not None and isinstance(widget, KnownChoiceAutocomplete):
            widget.known = {str(target.pk): str(target)}
        return form


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    formset = RelatedLinkFormSet
    fk_name = "from_article"
    extra = 0
    fields = ["position", "kind", "title", "url", "to_article"]
    autocomplete_fields = ["to_article"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("to_article")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "to_article":
            kwargs["widget"] = KnownChoiceAutocomplete(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MentionInline(admin.TabularInline):
    """Mentions are derived from the text on every save: shown, not edited by hand."""

    model = Mention
    extra = 0
    fields = ["entity", "count"]
    readonly_fields = ["entity", "count"]
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entity")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(VersionedHistoryAdmin):
    list_display = ["title", "source", "published_jalali", "status", "mention_count", "link_count", "title_derived"]
    list_filter = ["status", "title_derived", "source", "categories"]
    list_select_related = ["source"]
    search_fields = ["title"]  # shows the search box; the search itself is get_search_results
    search_help_text = "همان جست‌وجوی خوانندگان: نیم‌فاصله، ی/ي و شکل جمع فرقی نمی‌کند. پیش‌نویس‌ها هم یافت می‌شوند."
    date_hierarchy = "published"
    readonly_fields = ["external_id", "preview", "content_hash", "created", "updated"]
    autocomplete_fields = ["source", "categories", "tags"]
    inlines = [RelatedLinkInline, MentionInline]
    actions = ["publish", "unpublish", "change_source", "add_category", "reextract_entities", "resolve_links"]
    fieldsets = [
        (None, {"fields": ["title", "title_derived", "lead", "body", "status", "preview"]}),
        ("منبع", {"fields": ["source", "agency", "published", "url", "categories", "tags"]}),
        ("درون‌ریزی", {"fields": ["external_id", "review_notes", "content_hash", "created", "updated"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_mentions=Count("mentions", distinct=True), n_links=Count("links", distinct=True))
        )

    def get_search_results(self, request, queryset, search_term):
        """Find articles as readers do (through the Persian pipeline and the index), drafts
        included; an exact external id finds its article too."""
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(Q(pk__in=matching_ids(term)) | Q(external_id=term)), False

    @admin.display(description="تاریخ", ordering="published")
    def published_jalali(self, obj: Article) -> str:
        return jalali.format_date(obj.published)

    @admin.display(description="نام‌ها", ordering="n_mentions")
    def mention_count(self, obj: Article) -> int:
        return obj.n_mentions

    @admin.display(description="پیوندها", ordering="n_links")
    def link_count(self, obj: Article) -> int:
        return obj.n_links

    @admin.display(description="پیش‌نمایش")
    def preview(self, obj: Article) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">صفحه همان‌گونه که خواننده می‌بیند</a>', obj.get_absolute_url()
        )

    @admin.action(description="انتشار خبرهای برگزیده", permissions=["change"])
    def publish(self, request, queryset):
        return confirm_action(
            self, request, queryset, "انتشار", lambda qs, _: _set_status(qs, Article.Status.PUBLISHED)
        )

    @admin.action(description="بازگرداندن به پیش‌نویس", permissions=["change"])
    def unpublish(self, request, queryset):
        return confirm_action(
            self, request, queryset, "بازگرداندن به پیش‌نویس", lambda qs, _: _set_status(qs, Article.Status.DRAFT)
        )

    @admin.action(description="تغییر منبع", permissions=["change"])
    def change_source(self, request, queryset):
        def perform(qs, data):
            return _save_each(qs.exclude(source=data["source"]), lambda a: setattr(a, "source", data["source"]))

        return confirm_action(self, request, queryset, "تغییر منبع", perform, SourceChoiceForm)

    @admin.action(description="افزودن دسته", permissions=["change"])
    def add_category(self, request, queryset):
        def perform(qs, data):
            changed = 0
            for article in qs:
                before = set(article.categories.values_list("pk", flat=True))
                after = {data["category"].pk} if data["replace"] else before | {data["category"].pk}
                if after != before:
                    article.categories.set(after)
                    changed += 1
            return changed

        return confirm_action(self, request, queryset, "افزودن دسته", perform, CategoryChoiceForm)

    @admin.action(description="استخراج دوباره نام‌ها", permissions=["change"])
    def reextract_entities(self, request, queryset):
        def perform(qs, _):
            return sum(1 for article in qs if entities.extract_for(article) is not None)

        return confirm_action(self, request, queryset, "استخراج دوباره نام‌ها", perform)

    @admin.action(description="یافتن مقصد پیوندهای مرتبط", permissions=["change"])
    def resolve_links(self, request, queryset):
        return confirm_action(
            self, request, queryset, "یافتن مقصد پیوندها", lambda qs, _: sum(links.resolve_from(a) for a in qs)
        )


def _set_status(queryset: QuerySet, status: str) -> int:
    return _save_each(queryset.exclude(status=status), lambda article: setattr(article, "status", status))


def _save_each(queryset: QuerySet, change) -> int:
    """Save one by one (not ``update()``): history, signals and the index must see every change."""
    count = 0
    for article in queryset:
        change(article)
        article.save()
        count += 1
    return count


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
    def article_count(self, obj: Entity) -> int:
        return obj.n_articles

    @admin.display(description="صفحه")
    def page(self, obj: Entity) -> str:
        return format_html('<a href="{}">دیدن</a>', reverse("articles:entity", args=[obj.slug]))


class CandidateEntityForm(forms.Form):
    entity = forms.ModelChoiceField(Entity.objects.all(), label="نام دیگرِ این موجودیت")


@admin.register(EntityCandidate)
class EntityCandidateAdmin(admin.ModelAdmin):
    """Names discovery proposed: never entities until an editor accepts or merges them."""

    list_display = ["name", "kind", "pattern", "article_count", "status", "example_article"]
    list_filter = ["status", "kind"]
    search_fields = ["name"]
    list_select_related = ["example_article"]
    readonly_fields = ["key", "example_article", "merged_into"]
    actions = ["accept", "reject", "merge_into"]

    @admin.action(description="پذیرفتن به‌عنوان موجودیت تازه", permissions=["change"])
    def accept(self, request, queryset):
        proposed = queryset.proposed()
        return confirm_action(self, request, proposed, "پذیرفتن", lambda qs, _: _each(qs, entity_curation.accept))

    @admin.action(description="رد کردن", permissions=["change"])
    def reject(self, request, queryset):
        proposed = queryset.proposed()
        return confirm_action(self, request, proposed, "رد کردن", lambda qs, _: _each(qs, entity_curation.reject))

    @admin.action(description="افزودن به‌عنوان نام دیگرِ یک موجودیت", permissions=["change"])
    def merge_into(self, request, queryset):
        proposed = queryset.proposed()

        def perform(qs, data):
            return _each(qs, lambda candidate: entity_curation.merge(candidate, data["entity"]))

        return confirm_action(self, request, proposed, "افزودن به موجودیت", perform, CandidateEntityForm)


def _each(queryset: QuerySet, function) -> int:
    count = 0
    for item in queryset:
        function(item)
        count += 1
    return count


@admin.register(RelatedLink)
class RelatedLinkAdmin(VersionedHistoryAdmin):
    list_display = ["title", "from_article", "to_article", "kind"]
    list_filter = ["kind"]
    search_fields = ["title", "url"]
    autocomplete_fields = ["from_article", "to_article"]
    list_select_related = ["from_article", "to_article"]


# Last of the apps in INSTALLED_APPS: every admin (auth's and axes' too) is registered by now.
require_well_formed_ids(admin.site)
