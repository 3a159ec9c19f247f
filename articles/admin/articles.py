"""The article list and change form: Jalali dates, the readers' search, and quick at 100,000 articles."""

from __future__ import annotations

import json
from functools import cached_property, lru_cache

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection, models
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.html import format_html, format_html_join

from articles import jalali, links
from articles.admin.actions import confirm_action, in_chunks, save_each
from articles.admin.dates import JALALI_DATETIME, JalaliMonthFilter
from articles.edit_conflicts import VersionedHistoryAdmin
from articles.entities import extract as entities
from articles.models import Article, Category, Mention, RelatedLink, Source
from articles.search.engine import get_engine
from articles.search.service import matching_ids, matching_page

INLINE_IDS = 500  # more matching ids than this go to the database as one JSON (or array) parameter


class SourceChoiceForm(forms.Form):
    source = forms.ModelChoiceField(Source.objects.all(), label="منبع تازه")


class CategoryChoiceForm(forms.Form):
    category = forms.ModelChoiceField(Category.objects.all(), label="دسته")
    replace = forms.BooleanField(label="دسته‌های پیشین برداشته شوند", required=False)


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


class RelatedLinkInline(admin.StackedInline):
    """Stacked, not a table: five wide columns (title, URL, target) do not fit a 1366-pixel window."""

    model = RelatedLink
    formset = RelatedLinkFormSet
    fk_name = "from_article"
    extra = 0
    fields = [("position", "kind"), "title", "url", "to_article"]
    autocomplete_fields = ["to_article"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # an address typed without one

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("to_article")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "to_article":
            kwargs["widget"] = KnownChoiceAutocomplete(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# What the import marked for an editor: a title made from the text, or notes on doubtful parsing.
HELD_FOR_REVIEW = Q(title_derived=True) | Q(review_notes__gt="")


class ReviewFilter(admin.SimpleListFilter):
    title = "بازبینی"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("held", "نگه‌داشته برای بازبینی"), ("title", "عنوان برگرفته از متن"), ("notes", "با یادداشت بازبینی")]

    def queryset(self, request, queryset):
        wanted = {"held": HELD_FOR_REVIEW, "title": Q(title_derived=True), "notes": Q(review_notes__gt="")}
        return queryset.filter(wanted[self.value()]) if self.value() in wanted else queryset


def _count_of(model: type[models.Model], field: str) -> Coalesce:
    """A correlated count: computed for the page's rows only, where ``annotate(Count())`` joined
    and grouped every article before the list could take its first hundred."""
    rows = model._default_manager.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(rows.annotate(n=Count("*")).values("n")), 0)


@lru_cache(maxsize=8)
def _matching_ids(term: str, index_version: tuple) -> tuple[int, ...]:
    """Every match of a search, kept while the index is unchanged: an editor pages through one
    search, sorts it and narrows it by filters, each a new request with the same matches."""
    return tuple(matching_ids(term, limit=None))


SOURCE_VAR = "source__id__exact"  # the source filter: the index filters by source too


def _source_slug(request) -> str | None:
    """The filtered source's slug ("" for none); None when the filter names no source."""
    value = request.GET.get(SOURCE_VAR)
    if value is None:
        return ""
    return Source.objects.filter(pk=value).values_list("slug", flat=True).first() if value.isdigit() else None


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get(PAGE_VAR, 1)))
    except ValueError:
        return 1


class EnginePagePaginator(Paginator):
    """A page the index already cut: ``object_list`` is that page, ``total`` the index's count."""

    def __init__(self, object_list, per_page: int, total: int) -> None:
        super().__init__(object_list, per_page)
        self.total = total

    @cached_property
    def count(self) -> int:
        return self.total

    def page(self, number):
        return self._get_page(self.object_list, self.validate_number(number), self)


def pk_in(ids: list[int]) -> Q:
    """``pk IN ids`` for any number of ids: past a few hundred, one parameter instead of one each
    (SQLite refuses more than 32,766 parameters; long lists also cost planning time)."""
    if len(ids) <= INLINE_IDS:
        return Q(pk__in=ids)
    if connection.vendor == "postgresql":
        return Q(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))
    return Q(pk__in=RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)]))


@admin.register(Article)
class ArticleAdmin(VersionedHistoryAdmin):
    list_display = ["title", "source", "published_jalali", "status", "mention_count", "link_count", "title_derived"]
    list_filter = [JalaliMonthFilter, ReviewFilter, "status", "source", "categories"]
    list_select_related = ["source"]
    list_per_page = 50
    # The exact count of the filtered list is shown; the unfiltered total is one more COUNT(*).
    show_full_result_count = False
    search_fields = ["title"]  # shows the search box; the search itself is get_search_results
    search_help_text = "همان جست‌وجوی خوانندگان: نیم‌فاصله، ی/ي و شکل جمع فرقی نمی‌کند. پیش‌نویس‌ها هم یافت می‌شوند."
    readonly_fields = ["external_id", "preview", "named", "fingerprint", "created_jalali", "updated_jalali"]
    autocomplete_fields = ["source", "categories", "tags"]
    formfield_overrides = {models.DateTimeField: JALALI_DATETIME, models.URLField: {"assume_scheme": "https"}}
    inlines = [RelatedLinkInline]
    actions = ["publish", "unpublish", "change_source", "add_category", "reextract_entities", "resolve_links"]
    fieldsets = [
        (None, {"fields": ["title", "title_derived", "lead", "body", "status", "preview"]}),
        ("منبع", {"fields": ["source", "agency", "published", "url", "categories", "tags"]}),
        ("نام‌ها", {"fields": ["named"]}),
        ("درون‌ریزی", {"fields": ["external_id", "review_notes", "fingerprint", "created_jalali", "updated_jalali"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("body")
            .annotate(n_mentions=_count_of(Mention, "article"), n_links=_count_of(RelatedLink, "from_article"))
        )

    def get_object(self, request, object_id, from_field=None):
        """The change form reads one article whole: the body the list defers, none of its counts."""
        field = Article._meta.pk if from_field is None else Article._meta.get_field(from_field)
        try:
            return Article.objects.get(**{field.name: field.to_python(object_id)})
        except (Article.DoesNotExist, ValidationError, ValueError):
            return None

    def get_search_results(self, request, queryset, search_term):
        """Find articles as readers do (through the Persian pipeline and the index), every match
        and drafts included, so the count is the readers' count plus drafts; an exact external id
        finds its article too.

        A plain search (no filter but the source, the default order, a GET) asks the index for
        just the page shown and the count: reading the id of every match costs ~65 µs a match,
        seconds for a common word at 100,000 articles. Anything else (other filters, another
        order, a bulk action over every match) reads every match's id.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        if self._plain_search(request, term):
            page, source = _page_number(request), _source_slug(request)
            ids, total = matching_page(term, (page - 1) * self.list_per_page, self.list_per_page, source)
            request.engine_search_total = total
            return queryset.filter(pk_in(ids)), False
        return queryset.filter(pk_in(list(_matching_ids(term, get_engine().version()))) | Q(external_id=term)), False

    def _plain_search(self, request, term: str) -> bool:
        return (
            request.method == "GET"
            and set(request.GET) <= {SEARCH_VAR, PAGE_VAR, SOURCE_VAR}
            and _source_slug(request) is not None
            and not Article.objects.filter(external_id=term).exists()
        )

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        total = getattr(request, "engine_search_total", None)
        if total is None:
            return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        return EnginePagePaginator(queryset, per_page, total)

    @admin.display(description="تاریخ", ordering="published")
    def published_jalali(self, obj: Article) -> str:
        return jalali.format_date(obj.published)

    @admin.display(description="نام‌ها", ordering="n_mentions")
    def mention_count(self, obj: Article) -> str:
        return jalali.persian_digits(obj.n_mentions)

    @admin.display(description="پیوندها", ordering="n_links")
    def link_count(self, obj: Article) -> str:
        return jalali.persian_digits(obj.n_links)

    @admin.display(description="نام‌های یافته در متن")
    def named(self, obj: Article) -> str:
        """Mentions are derived from the text on every save: listed in one line, not a form per
        entity (an inline of 120 read-only rows took most of the change form's 500 ms)."""
        if not obj.pk:
            return "—"
        mentions = obj.mentions.select_related("entity").order_by("-count", "entity__name")
        return (
            format_html_join(
                "، ",
                '<a href="{}">{}</a> ({})',
                ((m.entity.get_absolute_url(), m.entity.name, jalali.persian_digits(m.count)) for m in mentions),
            )
            or "—"
        )

    @admin.display(description="اثر انگشت محتوا")
    def fingerprint(self, obj: Article) -> str:
        """What re-imports compare: an unchanged file leaves the article alone."""
        return obj.content_hash[:16] or "—"

    @admin.display(description="ایجاد")
    def created_jalali(self, obj: Article) -> str:
        return jalali.format_datetime(obj.created) or "—"

    @admin.display(description="آخرین تغییر")
    def updated_jalali(self, obj: Article) -> str:
        return jalali.format_datetime(obj.updated) or "—"

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
            return save_each(qs.exclude(source=data["source"]), lambda a: setattr(a, "source", data["source"]))

        return confirm_action(self, request, queryset, "تغییر منبع", perform, SourceChoiceForm)

    @admin.action(description="افزودن دسته", permissions=["change"])
    def add_category(self, request, queryset):
        def perform(qs, data):
            def add(article) -> bool:
                before = set(article.categories.values_list("pk", flat=True))
                after = {data["category"].pk} if data["replace"] else before | {data["category"].pk}
                if after != before:
                    article.categories.set(after)
                return after != before

            return sum(in_chunks(qs, add))

        return confirm_action(self, request, queryset, "افزودن دسته", perform, CategoryChoiceForm)

    @admin.action(description="استخراج دوباره نام‌ها", permissions=["change"])
    def reextract_entities(self, request, queryset):
        def perform(qs, _):
            return len(in_chunks(qs, entities.extract_for))

        return confirm_action(self, request, queryset, "استخراج دوباره نام‌ها", perform)

    @admin.action(description="یافتن مقصد پیوندهای مرتبط", permissions=["change"])
    def resolve_links(self, request, queryset):
        return confirm_action(
            self, request, queryset, "یافتن مقصد پیوندها", lambda qs, _: sum(in_chunks(qs, links.resolve_from))
        )


def _set_status(queryset: QuerySet, status: str) -> int:
    return save_each(queryset.exclude(status=status), lambda article: setattr(article, "status", status))
