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
    """Save one by one (not ``update()``): history, signals and the index must see every change."""

    def save(obj) -> None:
        change(obj)
        obj.save()

    return len(in_chunks(queryset, save))


def in_chunks(queryset: QuerySet, function) -> list:
    """``function`` of each object (its answers, in order), ``CHUNK`` objects to a transaction.

    The index is written once a chunk, at its commit. In autocommit each article's change wrote
    the index at once (a segment each, until merged): unpublishing or re-extracting names of a
    few hundred articles committed it hundreds of times. One transaction for the whole action
    would hold SQLite's write lock for as long as it takes, and an import running beside it
    would wait for it. A failure rolls back its chunk; the chunks before it stay.
    """
    objects = list(queryset)
    done = []
    for start in range(0, len(objects), CHUNK):
        with transaction.atomic(using=queryset.db):
            done.extend(function(obj) for obj in objects[start : start + CHUNK])
    return done


def each(queryset: QuerySet, function) -> int:
    """``function`` of each object, each in its own work (the entity actions: one transaction a
    candidate already, and each may re-extract many articles)."""
    count = 0
    for item in queryset:
        function(item)
        count += 1
    return count
