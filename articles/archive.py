"""The Jalali archive's calendar: which years, months and days hold published articles, how many,
and when each last changed (for the archive pages, their navigation and the sitemap)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max
from django.db.models.functions import TruncDate

from articles import jalali
from articles.models import Article
from articles.search.service import cached


@dataclass
class Period:
    """A Jalali year ``(1403,)``, month ``(1403, 11)`` or day ``(1403, 11, 1)`` with articles."""

    key: tuple[int, ...]
    count: int
    lastmod: dt.datetime  # the newest ``updated`` of its articles: when its page last changed


def days() -> dict[tuple[int, int, int], Period]:
    """Every Jalali day with published articles, in order: one query grouped by Tehran day."""
    rows = (
        Article.objects.published()
        .exclude(published=None)
        .annotate(day=TruncDate("published", tzinfo=jalali.TEHRAN))
        .values("day")
        .annotate(n=Count("pk"), lastmod=Max("updated"))
        .order_by("day")
    )
    periods = {}
    for row in rows:
        j = jalali.to_jalali(row["day"])
        key = (j.year, j.month, j.day)
        periods[key] = Period(key, row["n"], row["lastmod"])
    return periods


def cached_days() -> dict[tuple[int, int, int], Period]:
    """``days()``, kept until the index changes: grouping by Tehran day costs ~0.4 s at 6,500
    articles on SQLite (a Python time-zone function per row)."""
    return cached("archive-days", None, days)


def rollup(periods: dict[tuple, Period], length: int) -> dict[tuple, Period]:
    """Days summed into months (``length=2``) or years (``length=1``), in order."""
    rolled: dict[tuple, Period] = {}
    for period in periods.values():
        key = period.key[:length]
        if key in rolled:
            rolled[key].count += period.count
            rolled[key].lastmod = max(rolled[key].lastmod, period.lastmod)
        else:
            rolled[key] = Period(key, period.count, period.lastmod)
    return rolled


def calendar() -> dict[int, dict]:
    """``{year: {"count": n, "months": [(month, name, count), ×12]}}``, newest year first, for
    the archive's front page."""
    months = rollup(cached_days(), 2)
    years: dict[int, dict] = {}
    for (year, month), period in months.items():
        entry = years.setdefault(year, {"count": 0, "months": [0] * 12})
        entry["count"] += period.count
        entry["months"][month - 1] = period.count
    return {
        year: {
            "count": entry["count"],
            "months": [(m, jalali.month_name(m), n) for m, n in enumerate(entry["months"], start=1)],
        }
        for year, entry in sorted(years.items(), reverse=True)
    }
