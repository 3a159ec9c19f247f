"""Bulk actions that show what they will touch and ask again before acting."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from articles.jalali import persian_digits


def confirm_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    title: str,
    perform,
    form_class: type[forms.Form] | Callable[..., forms.Form] | None = None,
) -> HttpResponse | None:
    """Show what a bulk action will touch and ask again; on "apply", run ``perform``.

    ``perform(queryset, data)`` returns how many objects changed; the count is reported.
    """
    form = form_class(request.POST if "apply" in request.POST else None) if form_class else None
    if "apply" in request.POST and (form is None or form.is_valid()):
        changed = perform(queryset, form.cleaned_data if form else {})
        modeladmin.message_user(
            request,
            f"{title}: {persian_digits(changed)} مورد از {persian_digits(queryset.count())} مورد تغییر کرد.",
            messages.SUCCESS,
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


# Objects a bulk action saves in one transaction.
CHUNK = 100


def save_each(queryset: QuerySet, change) -> int:
    """Save one by one (not ``update()``): history, signals and the index must see every change.

    ``CHUNK`` saves to a transaction: the index is written once a chunk, at its commit. Saved in
    autocommit, each article wrote the index at once, and again for its names' change (two
    commits, two segments an article); one transaction for the whole action would hold SQLite's
    write lock for as long as it takes, and an import running beside it would wait for it.
    """
    objects = list(queryset)
    for start in range(0, len(objects), CHUNK):
        with transaction.atomic(using=queryset.db):
            for obj in objects[start : start + CHUNK]:
                change(obj)
                obj.save()
    return len(objects)


def each(queryset: QuerySet, function) -> int:
    count = 0
    for item in queryset:
        function(item)
        count += 1
    return count
