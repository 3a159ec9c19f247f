"""Accessible bar charts as inline SVG, drawn on the server (no JavaScript, no image downloads)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.jalali import persian_digits


def bar_chart(series: list[tuple[str, int]], title: str, width: int = 640, height: int = 200) -> SafeString:
    """Bars for ``(label, count)`` pairs in reading order (right to left, like the page).

    The SVG has a ``<title>`` and each bar its own ``<title>`` (label and count) so screen readers
    and hover both tell the numbers; the same numbers are also offered as a table or CSV by pages.
    """
    if not series:
        return mark_safe("")
    top = max(count for _, count in series) or 1
    gap, label_height = 2, 24
    bar_width = max((width - gap * len(series)) / len(series), 1)
    plot = height - label_height
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="none">',
        f"<title>{escape(title)}</title>",
    ]
    every = max(1, len(series) // 5)  # label at most ~5 bars so labels never overlap on a phone
    for i, (label, count) in enumerate(series):
        x = width - (i + 1) * (bar_width + gap)  # first item at the right edge (RTL)
        h = plot * count / top
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{plot - h:.1f}" width="{bar_width:.1f}" height="{h:.1f}">'
            f"<title>{escape(label)}: {persian_digits(count)}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text class="axis" x="{x + bar_width / 2:.1f}" y="{height - 4}" text-anchor="middle" '
                f'font-size="16">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))
