"""Bar charts over time as inline SVG, drawn on the server (no JavaScript, no image downloads).

The SVG has no ``viewBox``: it is as wide as its box (``width="100%"``), bars are placed in
percentages of that width and text is sized in CSS pixels. A viewBox scales text with the
drawing, so a 640-unit chart on a 390 px phone drew 6 px labels; percentages keep every bar
inside the canvas however many there are and the text the same size on every screen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.jalali import persian_digits

MAX_BARS = 72  # ~4 px a bar on a phone: more months are drawn as seasons, then years
HEIGHT = 220  # CSS px; the stylesheet gives svg.bars the same block size
PLOT_TOP, PLOT_BOTTOM = 30, HEIGHT - 30  # room for the unit note above, the time labels below
SEASONS = ("بهار", "تابستان", "پاییز", "زمستان")
UNITS = {"day": "روز", "month": "ماه", "season": "فصل", "year": "سال"}

# A link for the bucket from key ``first`` to key ``last`` (Jalali ``1403-01`` or ``1403-01-05``).
LinkFor = Callable[[str, str], str]


@dataclass(frozen=True)
class Bucket:
    first: str  # the first period's key, for a ``from=`` filter
    last: str  # the last period's key, for a ``to=`` filter
    label: str
    count: int


def buckets(series: list[tuple[str, str, int]]) -> tuple[str, list[Bucket]]:
    """``(key, label, count)`` periods in time order, grouped so at most ``MAX_BARS`` remain.

    Days (``1403-01-05``) stay days (a series of days spans two months at most); months become
    seasons, then years, when there are more than ``MAX_BARS`` of them. Returns the unit and the
    buckets, oldest first.
    """
    if not series or len(series[0][0]) > len("1403-01") or len(series) <= MAX_BARS:
        unit = "day" if series and len(series[0][0]) > len("1403-01") else "month"
        return unit, [Bucket(key, key, label, count) for key, label, count in series]
    unit = "season" if math.ceil(len(series) / 3) + 1 <= MAX_BARS else "year"
    grouped: dict[tuple[int, int], list] = {}
    for key, _, count in series:
        year, month = (int(part) for part in key.split("-"))
        group = (year, (month - 1) // 3 if unit == "season" else 0)
        first, last, total = grouped.get(group, (key, key, 0))
        grouped[group] = (first, key, total + count)
    result = []
    for (year, season), (first, last, total) in grouped.items():
        label = persian_digits(year) if unit == "year" else f"{SEASONS[season]} {persian_digits(year)}"
        result.append(Bucket(first, last, label, total))
    return unit, result


def ticks(top: int) -> list[int]:
    """Round values from 0 past ``top``: the smallest step of 1, 2 or 5 × 10ⁿ that needs at most
    four of them above zero, and at least two, so the tallest bar fills most of the height."""
    top = max(top, 1)
    magnitude = 10 ** max(math.floor(math.log10(top / 4)), 0)
    step = next(m * magnitude for m in (1, 2, 5, 10) if math.ceil(top / (m * magnitude)) <= 4)
    return list(range(0, max(math.ceil(top / step), 2) * step + 1, step))


def _label_indexes(n: int) -> tuple[set[int], set[int]]:
    """Bars labelled on every screen (both ends and the middle), and the extra ones on wide screens."""
    major = {0, n // 2, n - 1}
    minor = {n // 4, (3 * n) // 4} - major if n >= 8 else set()
    return major, minor


def bar_chart(series: list[tuple[str, str, int]], title: str, link: LinkFor | None = None) -> SafeString:
    """Bars for ``(key, label, count)`` periods, oldest at the right (the page reads right to left).

    Each bar's ``<title>`` tells its period and count (hover and screen readers); with ``link``
    each bar is a link to the same page filtered to that period. The unit (day, month, season,
    year) is written on the chart, as is a y axis with round Persian-digit values.
    """
    if not series:
        return mark_safe("")
    unit, bars = buckets(series)
    n = len(bars)
    scale = ticks(max(bar.count for bar in bars))
    top = scale[-1]
    slot = 100 / max(n, 8)  # a few bars stay slim instead of filling the width
    start = 100 - (100 - slot * n) / 2  # the group is centred; bar 0 at its right edge
    plot = PLOT_BOTTOM - PLOT_TOP

    def y(value: int) -> float:
        return PLOT_BOTTOM - plot * value / top

    parts = [
        f'<svg class="bars" width="100%" height="{HEIGHT}" role="group" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        # rtl text: "end" anchors the text's left end at x, so at x=0 it runs into the chart.
        f'<text class="unit" x="0" y="14" text-anchor="end">هر ستون: یک {UNITS[unit]}</text>',
        '<g class="grid">',
    ]
    for value in scale:
        parts.append(f'<line x1="0" x2="100%" y1="{y(value):.1f}" y2="{y(value):.1f}"/>')
    parts.append('</g><g class="y-axis">')
    for value in scale[1:]:
        parts.append(
            f'<text class="tick" x="100%" y="{y(value) - 4:.1f}" text-anchor="start">{persian_digits(value)}</text>'
        )
    parts.append('</g><g class="data">')
    for i, bar in enumerate(bars):
        left = start - (i + 1) * slot
        height = plot * bar.count / top
        if bar.count:
            height = max(height, 1.5)  # a month with one article among thousands still shows
        tip = f"<title>{escape(bar.label)}: {persian_digits(bar.count)}</title>"
        drawn = (
            f'<rect class="bar" x="{left + slot * 0.1:.3f}%" y="{PLOT_BOTTOM - height:.1f}" '
            f'width="{slot * 0.8:.3f}%" height="{height:.1f}"/>'
        )
        if link and bar.count:
            # The period fields of the form reach the same filter from the keyboard: bars stay
            # out of the tab order, else a decade of months stands between the reader and results.
            hit = f'<rect class="hit" x="{left:.3f}%" y="{PLOT_TOP}" width="{slot:.3f}%" height="{plot}"/>'
            parts.append(f'<a href="{escape(link(bar.first, bar.last))}" tabindex="-1">{tip}{hit}{drawn}</a>')
        else:
            parts.append(f"<g>{tip}{drawn}</g>")
    parts.append('</g><g class="x-axis">')
    parts.append(f'<line x1="0" x2="100%" y1="{PLOT_BOTTOM}" y2="{PLOT_BOTTOM}"/>')
    major, minor = _label_indexes(n)
    for i in sorted(major | minor):
        centre = start - (i + 0.5) * slot
        x, anchor = f"{centre:.3f}%", "middle"
        if n > 1 and i == 0:
            x, anchor = "100%", "start"  # the oldest label ends at the right edge, inside
        elif n > 1 and i == n - 1:
            x, anchor = "0", "end"  # the newest at the left edge
        css = "axis" if i in major else "axis minor"
        parts.append(
            f'<text class="{css}" x="{x}" y="{HEIGHT - 8}" text-anchor="{anchor}">{escape(bars[i].label)}</text>'
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))
