"""Numbered pages: ``{% page_window number num_pages as pages %}``, then ``includes/pagination.html``."""

from __future__ import annotations

from django import template

register = template.Library()

AROUND = 2  # pages shown on each side of the current one


@register.simple_tag
def page_window(number: int, num_pages: int, around: int = AROUND) -> list[int | None]:
    """The page numbers to link: the first, the last, and ``around`` on each side of ``number``;
    ``None`` where pages are skipped (``[1, None, 7, 8, 9, 10, 11, None, 40]``)."""
    number, num_pages = int(number), int(num_pages)
    shown = sorted({1, num_pages, *range(max(1, number - around), min(num_pages, number + around) + 1)})
    window: list[int | None] = []
    for page in shown:
        if window and page - window[-1] == 2:
            window.append(page - 1)  # one skipped page is shown rather than an ellipsis
        elif window and page - window[-1] > 2:
            window.append(None)
        window.append(page)
    return window
