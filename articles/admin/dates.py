"""Jalali dates in the admin: a date-time field that round-trips exactly, and a year/month filter.

Editors read and type ``۱۴۰۳/۱۱/۰۱ ۰۹:۳۰`` in Tehran time (``settings.TIME_ZONE``), with Persian
or Latin digits. What the field shows is what it saves: seconds and microseconds appear when the
stored time has them, and an hour that Tehran's clocks passed twice (daylight saving, until 1401)
carries its UTC offset, so saving an untouched form never moves a date.
"""

from __future__ import annotations

import datetime as dt
import re

import jdatetime
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from articles import jalali
from articles.models import Article

EXAMPLE = "۱۴۰۳/۱۱/۰۱ ۰۹:۳۰"
_DATETIME = re.compile(
    r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})"
    r"(?:[ T،,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
    r"(?:\s*([+-])(\d{2}):?(\d{2}))?$"
)


def _ambiguous(local: dt.datetime) -> bool:
    """The wall time happened twice (the hour the clocks went back)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def format_datetime(value: dt.datetime | None) -> str:
    """``۱۴۰۳/۱۱/۰۱ ۰۹:۳۰`` in Tehran time: the editor's text for a stored time, exactly."""
    if value is None:
        return ""
    local = value.astimezone(jalali.TEHRAN) if value.tzinfo else value.replace(tzinfo=jalali.TEHRAN)
    day = jdatetime.date.fromgregorian(date=local.date())
    text = f"{day.year:04d}/{day.month:02d}/{day.day:02d} {local.hour:02d}:{local.minute:02d}"
    if local.second or local.microsecond:
        text += f":{local.second:02d}"
    if local.microsecond:
        text += f".{local.microsecond:06d}"
    if _ambiguous(local):
        offset = int(local.utcoffset().total_seconds() // 60)
        text += f" +{offset // 60:02d}:{offset % 60:02d}"
    return jalali.persian_digits(text)


def parse_datetime(text: str) -> dt.datetime | None:
    """The aware datetime an editor typed (Tehran time unless an offset is given); None if empty.

    Raises ``ValidationError`` with a Persian message for anything else.
    """
    text = " ".join(jalali.latin_digits(text or "").split())
    if not text:
        return None
    match = _DATETIME.match(text)
    if not match:
        raise ValidationError(f"تاریخ را به شکل «{EXAMPLE}» بنویسید (سال/ماه/روز ساعت:دقیقه).", code="invalid")
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m = match.groups()
    if int(year) >= 1700:  # a Gregorian year typed by habit (the archive's Jalali years are 13xx–14xx)
        raise ValidationError(f"سال را جلالی بنویسید، مانند «{EXAMPLE}».", code="gregorian")
    try:
        gregorian = jdatetime.date(int(year), int(month), int(day)).togregorian()
        naive = dt.datetime.combine(
            gregorian,
            dt.time(int(hour or 0), int(minute or 0), int(second or 0), int((fraction or "0").ljust(6, "0"))),
        )
    except ValueError:
        raise ValidationError("چنین روز یا ساعتی در تقویم نیست.", code="invalid_date") from None
    if sign:
        offset = dt.timedelta(hours=int(off_h), minutes=int(off_m)) * (1 if sign == "+" else -1)
        value = naive.replace(tzinfo=dt.timezone(offset))
        if value.astimezone(jalali.TEHRAN).replace(tzinfo=None) != naive:
            raise ValidationError("این اختلاف ساعت با تهرانِ آن روز نمی‌خواند.", code="invalid_offset")
        # In UTC: an aware time in a repeated hour never compares equal across zones (PEP 495).
        return value.astimezone(dt.UTC)
    value = naive.replace(tzinfo=jalali.TEHRAN)
    if value.astimezone(dt.UTC).astimezone(jalali.TEHRAN).replace(tzinfo=None) != naive:
        # Skipped when the clocks went forward: saving it would store another time than typed.
        raise ValidationError("این ساعت در تهران نبود (ساعت تابستانی): یک ساعت بعد را بنویسید.", code="skipped")
    return value.astimezone(dt.UTC)


class JalaliDateTimeInput(forms.TextInput):
    def __init__(self, attrs: dict | None = None) -> None:
        defaults = {"class": "vTextField jalali-datetime", "placeholder": EXAMPLE, "dir": "ltr", "size": 24}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value) -> str | None:
        if isinstance(value, dt.datetime):
            return format_datetime(value)
        return super().format_value(value)


class JalaliDateTimeField(forms.Field):
    widget = JalaliDateTimeInput
    default_error_messages = {"required": "زمان را بنویسید."}

    def __init__(self, *, max_length=None, **kwargs) -> None:  # a model DateTimeField passes no extras
        kwargs.setdefault("help_text", f"به وقت تهران، مانند «{EXAMPLE}».")
        super().__init__(**kwargs)

    def to_python(self, value) -> dt.datetime | None:
        if isinstance(value, dt.datetime):
            return value
        return parse_datetime(str(value or ""))

    def prepare_value(self, value):
        return format_datetime(value) if isinstance(value, dt.datetime) else value

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True


# For a ModelAdmin's ``formfield_overrides``: every date-time an editor types is Jalali.
JALALI_DATETIME = {"form_class": JalaliDateTimeField, "widget": JalaliDateTimeInput}


class JalaliMonthFilter(admin.SimpleListFilter):
    """The date hierarchy in the Jalali calendar: years, and the chosen year's months.

    The years come from the first and last publication time (two index reads), never from a
    scan of every date as Django's Gregorian ``date_hierarchy`` does.
    """

    title = "زمان انتشار"
    parameter_name = "published_jalali"
    field = "published"

    def lookups(self, request, model_admin):
        dated = Article.objects.filter(published__isnull=False).values_list("published", flat=True)
        first, last = dated.order_by("published").first(), dated.order_by("-published").first()
        if first is None:
            return []
        chosen = self._chosen()
        choices = []
        for year in range(jalali.to_jalali(last).year, jalali.to_jalali(first).year - 1, -1):
            choices.append((str(year), jalali.persian_digits(year)))
            if chosen and chosen[0] == year:
                choices += [
                    (f"{year}-{month:02d}", f"— {jalali.month_name(month)} {jalali.persian_digits(year)}")
                    for month in range(1, 13)
                ]
        return choices

    def _chosen(self) -> tuple[int, int | None] | None:
        match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?", jalali.latin_digits(self.value() or ""))
        if not match or not 1 <= int(match[2] or 1) <= 12:
            return None
        return int(match[1]), int(match[2]) if match[2] else None

    def queryset(self, request, queryset):
        chosen = self._chosen()
        if chosen is None:
            return queryset
        start, end = jalali.jalali_month_range(*chosen)
        return queryset.filter(**{f"{self.field}__gte": start, f"{self.field}__lt": end})
