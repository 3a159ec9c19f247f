"""Tags about the page itself: its canonical address."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.http import HttpRequest

register = template.Library()

# What a search's address means, in the order the canonical address writes it; anything else
# (utm_*, fbclid, page_size, a typo) is dropped, so one search has one address.
SEARCH_PARAMS = ("q", "source", "category", "tag", "entity", "from", "to", "sort", "page")
LISTING_PARAMS = ("page",)  # every other page: the path, and the page of a long listing


def canonical_url(request: HttpRequest) -> str:
    """The absolute address search engines and citations should use for ``request``'s page."""
    match = request.resolver_match
    kept = SEARCH_PARAMS if match and match.view_name == "articles:search" else LISTING_PARAMS
    pairs = []
    for name in kept:
        values = sorted({value.strip() for value in request.GET.getlist(name)} - {""})
        if name == "page":
            values = [value for value in values if value != "1"]  # page 1 is the page without one
        pairs.extend((name, value) for value in values)
    address = request.build_absolute_uri(request.path)
    return f"{address}?{urlencode(pairs)}" if pairs else address


@register.simple_tag(takes_context=True)
def canonical(context) -> str:
    request = context.get("request")
    return canonical_url(request) if request is not None else ""
