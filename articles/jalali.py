"""Jalali (Solar Hijri) dates and Persian digits for what readers see.

Dates are stored in UTC; readers see them in Tehran time, in the Jalali calendar, with Persian
digits. Filters accept Jalali (``1403-11-01``) or Gregorian ISO (``2025-01-20``) dates.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from zoneinfo import ZoneInfo

import jdatetime

TEHRAN = ZoneInfo("Asia/Tehran")
MONTHS = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip
_TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_TO_LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?\s*$")
# The dates a reader may ask for: the search filters and the archive's pages answer for
# Gregorian 1900–2100 (Jalali 1279–1479). Outside it a date is a typo or a probe (year 1, 9999),
# and the arithmetic of the index and of the calendars runs out near its ends.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)
JALALI_YEARS = range(1279, 1480)


def persian_digits(value: object) -> str:
    return str(value).translate(_TO_PERSIAN)


def latin_digits(value: str) -> str:
    return value.translate(_TO_LATIN)


def to_jalali(value: dt.datetime | dt.date) -> jdatetime.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(TEHRAN)
        value = value.date()
    return jdatetime.date.fromgregorian(date=value)


def format_date(value: dt.datetime | dt.date | None) -> str:
    """``۱ بهمن ۱۴۰۳``; an empty string for no date."""
    if value is None:
        return ""
    j = to_jalali(value)
    return persian_digits(f"{j.day} {MONTHS[j.month - 1]} {j.year}")


def format_datetime(value: dt.datetime | None) -> str:
    """``۱ بهمن ۱۴۰۳، ساعت ۰۹:۳۰`` in Tehran time."""
    if value is None:
        return ""
    local = value.astimezone(TEHRAN) if value.tzinfo else value
    return f"{format_date(local)}، ساعت {persian_digits(local.strftime('%H:%M'))}"


def iso_jalali(value: dt.datetime | dt.date | None) -> str:
    """``1403-11-01`` (Latin digits, for URLs and JSON)."""
    if value is None:
        return ""
    j = to_jalali(value)
    return f"{j.year:04d}-{j.month:02d}-{j.day:02d}"


def month_name(month: int) -> str:
    return MONTHS[month - 1]


def in_range(day: dt.date) -> bool:
    """A date the archive answers for (``EARLIEST``–``LATEST``)."""
    return EARLIEST <= day <= LATEST


def parse_date(text: str, end: bool = False) -> dt.date | None:
    """A Jalali or Gregorian date typed by a reader, as a Gregorian date; None if not a date.

    Years below 1700 are Jalali (the archive's Jalali years are 13xx–14xx), others Gregorian.
    Without a day (``1403-11``) it means the month's first day, or its last with ``end=True``.
    """
    match = _DATE.match(latin_digits(text or ""))
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    try:
        if match[3]:
            day = int(match[3])
            return jdatetime.date(year, month, day).togregorian() if year < 1700 else dt.date(year, month, day)
        if year < 1700:
            start, stop = jalali_month_range(year, month)
            return (stop - dt.timedelta(days=1)).date() if end else start.date()
        first = dt.date(year, month, 1)
        if not end:
            return first
        return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    except (ValueError, OverflowError):
        return None


def jalali_month_range(year: int, month: int | None = None, day: int | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The [start, end) of a Jalali year, month or day, as aware datetimes (Tehran midnight).

    ``ValueError`` for a day that does not exist or a year outside ``JALALI_YEARS``.
    """
    if year not in JALALI_YEARS:
        raise ValueError(f"year {year} is outside the archive's years")
    if month is None:
        start, end = jdatetime.date(year, 1, 1), jdatetime.date(year + 1, 1, 1)
    elif day is None:
        start = jdatetime.date(year, month, 1)
        end = jdatetime.date(year + (month == 12), month % 12 + 1, 1)
    else:
        start = jdatetime.date(year, month, day)
        end = start + jdatetime.timedelta(days=1)
    return start_of_day(start.togregorian()), start_of_day(end.togregorian())


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight in Tehran at the start of ``day``, as an aware datetime."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=TEHRAN)


def naive_utc(value: dt.datetime) -> dt.datetime:
    """The search index stores naive UTC datetimes (Whoosh has no time zones)."""
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def aware_utc(value: dt.datetime) -> dt.datetime:
    """The inverse of ``naive_utc``: a datetime read back from the index."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


Period = tuple[str, str, dt.datetime, dt.datetime]  # key, label, start, end


def periods(first: dt.datetime, last: dt.datetime) -> list[Period]:
    """The attention chart's periods from ``first`` to ``last`` (aware datetimes): ``days`` when
    they are at most 62 days apart, else ``months``."""
    return days(first, last) if last - first <= dt.timedelta(days=62) else months(first, last)


def days(first: dt.datetime, last: dt.datetime) -> list[Period]:
    """Every Tehran day from ``first``'s to ``last``'s, with ``daily_counts``'s keys and labels.
    Each starts at Tehran midnight and ends where the next begins, so counting the moments in
    [start, end) is what grouping each one's Tehran date does."""
    found: list[Period] = []
    day, final = first.astimezone(TEHRAN).date(), last.astimezone(TEHRAN).date()
    while day <= final:
        following = day + dt.timedelta(days=1)
        found.append((iso_jalali(day), format_date(day), start_of_day(day), start_of_day(following)))
        day = following
    return found


def months(first: dt.datetime, last: dt.datetime) -> list[Period]:
    """Every Jalali month from ``first``'s to ``last``'s, with ``monthly_counts``'s keys and
    labels, from Tehran midnight of its first day to that of the next month's."""
    found: list[Period] = []
    (year, month), final = _year_month(first), _year_month(last)
    while (year, month) <= final:
        found.append(_month(year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


@functools.lru_cache(maxsize=4096)
def _month(year: int, month: int) -> Period:
    """A Jalali month's period (kept: a chart over twenty years makes 240 of them each time)."""
    after = (year + 1, 1) if month == 12 else (year, month + 1)
    start = start_of_day(jdatetime.date(year, month, 1).togregorian())
    end = start_of_day(jdatetime.date(*after, 1).togregorian())
    return f"{year:04d}-{month:02d}", f"{MONTHS[month - 1]} {persian_digits(year)}", start, end


def _year_month(moment: dt.datetime) -> tuple[int, int]:
    j = to_jalali(moment)
    return j.year, j.month


def daily_counts(datetimes: list[dt.datetime]) -> list[tuple[str, str, int]]:
    """Counts per Tehran day, every day from the first to the last: ``(1403-11-01, ۱ بهمن ۱۴۰۳, n)``."""
    counts: dict[dt.date, int] = {}
    for value in datetimes:
        day = value.astimezone(TEHRAN).date()
        counts[day] = counts.get(day, 0) + 1
    return daily_counts_by_day(counts)


def daily_counts_by_day(counts: dict[dt.date, int]) -> list[tuple[str, str, int]]:
    """``daily_counts`` from counts per Tehran day (as a database can group them)."""
    if not counts:
        return []
    day, last, series = min(counts), max(counts), []
    while day <= last:
        series.append((iso_jalali(day), format_date(day), counts.get(day, 0)))
        day += dt.timedelta(days=1)
    return series


def monthly_counts(datetimes: list[dt.datetime]) -> list[tuple[str, str, int]]:
    """Counts per Jalali month, every month from the first to the last (gaps as zero).

    Returns ``(key, label, count)``: key ``1403-11`` for URLs and CSV, label ``بهمن ۱۴۰۳``.
    """
    days: dict[dt.date, int] = {}  # Tehran days first: thousands of matches fall on few days
    for value in datetimes:
        day = value.astimezone(TEHRAN).date()
        days[day] = days.get(day, 0) + 1
    return monthly_counts_by_day(days)


def monthly_counts_by_day(days: dict[dt.date, int]) -> list[tuple[str, str, int]]:
    """``monthly_counts`` from counts per Tehran day (as a database can group them)."""
    counts: dict[tuple[int, int], int] = {}
    for day, n in days.items():
        j = jdatetime.date.fromgregorian(date=day)
        counts[(j.year, j.month)] = counts.get((j.year, j.month), 0) + n
    if not counts:
        return []
    (year, month), last = min(counts), max(counts)
    series = []
    while (year, month) <= last:
        label = f"{MONTHS[month - 1]} {persian_digits(year)}"
        series.append((f"{year:04d}-{month:02d}", label, counts.get((year, month), 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return series
