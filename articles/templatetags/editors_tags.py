"""Template tags for the editors' desk: Persian numbers in the admin's counts and page links."""

from __future__ import annotations

from django import template
from django.contrib.admin.views.main import PAGE_VAR
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles import jalali

register = template.Library()


@register.filter
def fa_number(value) -> str:
    """``۱٬۱۷۹``: Persian digits with the Persian thousands separator."""
    try:
        return jalali.persian_digits(f"{int(value):,}".replace(",", "٬"))
    except (TypeError, ValueError):
        return jalali.persian_digits(value if value is not None else "")


@register.filter
def fa_jdatetime(value) -> str:
    return jalali.format_datetime(value)


@register.simple_tag
def fa_paginator_number(cl, i) -> str:
    """Django's ``paginator_number`` with Persian digits."""
    if i == cl.paginator.ELLIPSIS:
        return format_html("{} ", cl.paginator.ELLIPSIS)
    if i == cl.page_num:
        return format_html('<span class="this-page">{}</span> ', jalali.persian_digits(i))
    return format_html(
        '<a role="button" href="{}"{}>{}</a> ',
        cl.get_query_string({PAGE_VAR: i}),
        mark_safe(' class="end"') if i == cl.paginator.num_pages else "",
        jalali.persian_digits(i),
    )


@register.simple_tag
def fa_page_link(page_var: str, i, current, last) -> str:
    """One page link of a plain paginator (the history page)."""
    if not isinstance(i, int):
        return format_html("{} ", i)
    if i == current:
        return format_html('<span class="this-page">{}</span> ', jalali.persian_digits(i))
    end = mark_safe(' class="end"') if i == last else ""
    return format_html('<a href="?{}={}"{}>{}</a> ', page_var, i, end, jalali.persian_digits(i))


@register.filter
def fa_reason(reason) -> str:
    """An importer's reason as an editor reads it (``articles.import_reasons``)."""
    from articles.import_reasons import in_persian

    return in_persian(str(reason))
