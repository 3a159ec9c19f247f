"""Response hardening: a Content-Security-Policy on every page, a rate limit on the JSON API."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse

# Reader pages need nothing but our own files; the admin's templates carry inline style attributes.
READER_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
ADMIN_CSP = READER_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


LOOPBACK = {"127.0.0.1", "::1"}


class SecurityHeadersMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = ADMIN_CSP if request.path.startswith("/admin/") else READER_CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class ApiRateLimitMiddleware:
    """At most ``NEWSARCHIVE_API_RATE`` API requests per client per minute (fixed window).

    Counts live in Django's cache: per process with the default local-memory cache, shared
    across workers and machines when ``CACHES`` points at a shared one (e.g. Redis). Loopback
    clients are not limited (local tools, benchmarks, a reverse proxy that does not forward the
    client's address); behind a proxy, set ``NEWSARCHIVE_TRUST_X_FORWARDED_FOR``.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.NEWSARCHIVE_API_RATE
        client = self.client(request)
        if limit and request.path.startswith("/api/") and client not in LOOPBACK:
            window = int(time.time() // 60)
            key = f"api-rate:{client}:{window}"
            count = cache.get_or_set(key, 0, timeout=61)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between the two calls
                cache.set(key, 1, timeout=61)
                count = 1
            if count > limit:
                response = JsonResponse({"error": f"too many requests: at most {limit} a minute"}, status=429)
                response["Retry-After"] = str(60 - int(time.time()) % 60)
                return response
        return self.get_response(request)

    @staticmethod
    def client(request: HttpRequest) -> str:
        if settings.NEWSARCHIVE_TRUST_X_FORWARDED_FOR:
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            if forwarded:
                return forwarded.split(",")[0].strip()
        return request.META.get("REMOTE_ADDR", "unknown")
