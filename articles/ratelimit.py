"""The JSON API's rate limit: ``NEWSARCHIVE_API_RATE`` requests per client per minute.

django-ratelimit counts in the ``ratelimit`` cache, a folder every gunicorn worker of the machine
shares (``articles.cache.SharedCounterCache``), so two workers allow 120 a minute, not 240. Loopback
clients are not limited (local tools, benchmarks, a reverse proxy that does not forward the
client's address); behind a proxy, set ``NEWSARCHIVE_TRUST_X_FORWARDED_FOR``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit

LOOPBACK = {"127.0.0.1", "::1"}
GROUP = "api"  # one count per client across every API endpoint


def client_address(group: str, request: HttpRequest) -> str:
    if settings.NEWSARCHIVE_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def api_rate(group: str, request: HttpRequest) -> tuple[int, int] | None:
    """(requests, seconds), or None for no limit: turned off, or a loopback client."""
    limit = settings.NEWSARCHIVE_API_RATE
    if not limit or client_address(group, request) in LOOPBACK:
        return None
    return limit, 60


# Views wear this; a request over the limit raises Ratelimited, which django-ratelimit's
# middleware turns into ``too_many_requests`` (settings.RATELIMIT_VIEW).
api_limit = ratelimit(group=GROUP, key=client_address, rate=api_rate)


def too_many_requests(request: HttpRequest, exception: Exception) -> JsonResponse:
    usage = get_usage(request, group=GROUP, key=client_address, rate=api_rate) or {}
    limit = settings.NEWSARCHIVE_API_RATE
    response = JsonResponse({"error": f"too many requests: at most {limit} a minute"}, status=429)
    response["Retry-After"] = str(max(usage.get("time_left", 60), 1))
    return response
