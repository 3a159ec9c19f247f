"""Template filters for what readers see: Persian digits, Jalali dates, readable Persian text, safe links."""

from django import template

import persian
from articles import jalali
from articles.links import web_address

register = template.Library()


@register.filter
def fa_digits(value) -> str:
    return jalali.persian_digits(value if value is not None else "")


@register.filter
def jdate(value) -> str:
    return jalali.format_date(value)


@register.filter
def jdatetime(value) -> str:
    return jalali.format_datetime(value)


@register.filter
def fa_text(value) -> str:
    """Scraped text made readable (Persian letters, half-spaces); escaped by the template as usual."""
    return persian.display(value or "")


@register.filter
def web_url(value) -> str:
    """``value`` if it is an http(s) address a browser can open, else "" (``links.web_address``).

    Imported URLs are stored as scraped; escaping keeps markup out of ``href`` but not a
    ``javascript:`` or ``data:`` URL, which only a scheme allow-list stops.
    """
    return web_address(str(value or ""))
