"""Error answers: Persian pages for readers, JSON for the API (``/api/…``).

Wired as ``handler400/403/404/500`` in the root URLconf, so they answer whenever DEBUG is off.
Under ``/api/`` a program reads ``{"error": …}`` with the status, never an HTML page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_error("bad request", 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_error("forbidden", 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_error("not found", 404)
    # templates/404.html: the site's frame (header, search box) around «صفحه پیدا نشد».
    return HttpResponse(loader.render_to_string("404.html", {}, request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return api_error("server error", 500)
    # templates/500.html is plain HTML without template tags: nothing in it can fail again.
    return defaults.server_error(request)


def api_methods(*methods: str) -> Callable:
    """Like ``require_http_methods``, but the refusal is JSON: 405 with an ``Allow`` header."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = api_error(f"method {request.method} not allowed", 405)
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def read_only(view: Callable) -> Callable:
    """An API view that only reads: GET and HEAD, anything else a JSON 405.

    CSRF-exempt so that a POST reaches the 405 instead of Django's HTML 403 for a missing token;
    nothing it does needs the token's protection.
    """
    return csrf_exempt(api_methods("GET", "HEAD")(view))
