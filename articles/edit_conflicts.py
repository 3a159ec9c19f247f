"""Edit conflicts in the admin: a change form never silently overwrites a save made after it opened.

The form carries the version of the row it showed (a digest of the row); saving re-reads the
row, locked, inside the admin's transaction, and refuses when it changed: the editor sees who
changed it and when, and the saved values of the fields that differ, with their own values kept
in the form and the version refreshed, so saving again is deliberate.
"""

from __future__ import annotations

import hashlib
import json

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.db import models, router, transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import is_historic
from simple_history.template_utils import HistoricalRecordContextHelper

from articles import jalali

VERSION_FIELD = "edit_version"


def row_version(obj: models.Model, many_to_many: dict[str, list] | None = None) -> str:
    """A digest of a row as read into ``obj``: every column and every many-to-many choice (the
    pks in ``many_to_many`` where given, by field name; else read now).

    A digest rather than ``Article.updated``: it also sees writes that leave ``updated`` alone
    (``update()``, ``save(update_fields=…)``, a bulk action's ``categories.set()``), and it needs
    no new column on models that have no such timestamp (entities, sources).
    """
    many_to_many = many_to_many or {}
    values = [[f.attname, f.value_to_string(obj)] for f in obj._meta.concrete_fields]
    for f in obj._meta.many_to_many:
        pks = many_to_many[f.name] if f.name in many_to_many else getattr(obj, f.name).values_list("pk", flat=True)
        values.append([f.name, sorted(pks)])
    return hashlib.sha256(json.dumps(values, ensure_ascii=False, default=str).encode()).hexdigest()[:32]


def stored_version(model: type[models.Model], pk, lock: bool = False) -> str:
    """The version of the row as stored now; ``lock``: locked until the transaction ends
    (SQLite's IMMEDIATE transactions hold the whole database anyway)."""
    rows = model._default_manager.select_for_update() if lock else model._default_manager.all()
    obj = rows.filter(pk=pk).first()
    return "deleted" if obj is None else row_version(obj)


class VersionedForm(forms.ModelForm):
    """A change form that carries the version of the row it was opened at, and refuses to save
    over a row that changed since: the editor sees who changed it, when, and what differs."""

    edit_version = forms.CharField(label="نسخه‌ی ویرایش", widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None or self.is_bound:
            return
        if is_historic(self.instance):  # a revert form: it shows an old version, it replaces the stored one
            version = stored_version(type(self.instance), self.instance.pk)
        else:
            # The version of the values shown, as read once: the admin reads a change form outside
            # a transaction, so a second read could already see a later save, which would then
            # pass the check and be overwritten unseen.
            shown = {
                f.name: [o.pk for o in self.initial[f.name]]
                for f in self._meta.model._meta.many_to_many
                if f.name in self.initial
            }
            version = row_version(self.instance, shown)
        self.fields[VERSION_FIELD].initial = version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        model = type(self.instance)
        current = stored_version(model, self.instance.pk, lock=True)  # held until the save commits
        if cleaned.get(VERSION_FIELD) != current:
            self._refuse(model, current)
        return cleaned

    def _refuse(self, model: type[models.Model], current: str) -> None:
        """Report the conflict and carry the current version, so that saving again is deliberate."""
        data = self.data.copy()
        data[self.add_prefix(VERSION_FIELD)] = current
        self.data = data
        opts = model._meta
        stored = model._default_manager.filter(pk=self.instance.pk).first()
        if stored is None:
            self.add_error(None, f"این {opts.verbose_name} پس از باز شدن این فرم پاک شده است؛ ذخیره نشد.")
            return
        differ = self._fields_that_differ(stored)
        who, when = _last_change(stored)
        history = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[stored.pk])
        message = format_html(
            "این {} پس از باز شدن این فرم، به دست {} در {} تغییر کرده است و فرم شما ذخیره نشد. "
            '<a href="{}">تغییرهای او را ببینید</a>، سپس دوباره ذخیره کنید.',
            opts.verbose_name,
            who,
            when,
            history,
        )
        if differ:
            labels = "، ".join(str(self.fields[name].label) for name in differ)
            message = format_html("{} فرم شما با نسخه ذخیره‌شده در این‌ها فرق دارد: {}.", message, labels)
        self.add_error(None, message)
        for name in differ:
            self.add_error(name, f"در نسخه ذخیره‌شده: «{_shown(stored, name)}»")

    def _fields_that_differ(self, stored: models.Model) -> list[str]:
        initial = model_to_dict(stored, fields=self._meta.fields, exclude=self._meta.exclude)
        return [
            name
            for name, field in self.fields.items()
            if name in initial and field.has_changed(initial[name], self[name].data)
        ]


def _last_change(obj: models.Model) -> tuple[str, str]:
    """Who last changed ``obj`` and when (Jalali, Tehran time), from its history where it has one."""
    history = getattr(obj, "history", None)
    record = history.order_by("-history_date", "-history_id").first() if history is not None else None
    if record is None:
        return "ویراستاری دیگر", "زمانی نامعلوم"
    user = record.history_user
    who = (user.get_full_name() or user.get_username()) if user else "درون‌ریزی یا اسکریپتی بی‌نام"
    return who, jalali.format_datetime(record.history_date)


def _shown(obj: models.Model, name: str) -> str:
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if field.many_to_many:
        value = "، ".join(str(item) for item in value.all())
    elif field.choices:
        value = getattr(obj, f"get_{name}_display")()
    elif isinstance(value, bool):
        value = "بله" if value else "خیر"
    elif hasattr(value, "astimezone"):
        value = jalali.format_datetime(value)
    return Truncator(str(value if value not in (None, "") else "—")).chars(200)


class EditConflictMixin:
    """For a ModelAdmin: change forms that refuse to overwrite a row changed since they opened.

    The check runs in ``clean()``, inside the transaction the admin's change view opens.
    """

    form = VersionedForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if VERSION_FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], VERSION_FIELD]}), *rest]


class JalaliHistoryHelper(HistoricalRecordContextHelper):
    """The history page's "what changed" list, with times in Jalali (Tehran, Persian digits)."""

    def prepare_delta_change_value(self, change, value):
        if hasattr(value, "astimezone"):
            return jalali.format_datetime(value)
        return super().prepare_delta_change_value(change, value)


class VersionedHistoryAdmin(EditConflictMixin, SimpleHistoryAdmin):
    def get_historical_record_context_helper(self, request, historical_record):
        return JalaliHistoryHelper(self.model, historical_record)

    def history_form_view(self, request, *args, **kwargs):
        """A revert is a save too: checked and saved in one transaction, as a change is."""
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, *args, **kwargs)
