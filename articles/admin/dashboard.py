"""The editors' dashboard: what waits for an editor, each item a link to the list that fixes it.

Every block is shown only to staff whose permissions let them act on it. The index check reads
every article's id and update time and every indexed version (``check_index``'s own
comparison), so its result is kept for a minute while the index and the number of articles
stay the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from articles.admin.articles import HELD_FOR_REVIEW
from articles.import_runs import ImportRun
from articles.models import Article, EntityCandidate, RelatedLink
from articles.search import indexing
from articles.search.engine import get_engine

INDEX_CHECK_KEY = "editors-dashboard-index-check"
INDEX_CHECK_SECONDS = 60
LAST_RUNS = 8


@dataclass
class Item:
    label: str
    count: int
    url: str
    hint: str = ""


def _changelist(model_name: str, query: str = "") -> str:
    return reverse(f"admin:articles_{model_name}_changelist") + (f"?{query}" if query else "")


def review_items() -> list[Item]:
    return [
        Item(
            "خبرهای نگه‌داشته برای بازبینی",
            Article.objects.filter(HELD_FOR_REVIEW).count(),
            _changelist("article", "review=held"),
            "عنوانی ساخته از متن یا تردیدی در خواندن پرونده",
        ),
        Item(
            "  عنوان برگرفته از متن",
            Article.objects.filter(title_derived=True).count(),
            _changelist("article", "review=title"),
        ),
        Item(
            "  با یادداشت بازبینی",
            Article.objects.filter(review_notes__gt="").count(),
            _changelist("article", "review=notes"),
        ),
    ]


def candidate_items() -> list[Item]:
    return [
        Item(
            "نام‌های پیشنهادی در انتظار داوری",
            EntityCandidate.objects.proposed().count(),
            _changelist("entitycandidate", "status__exact=proposed"),
        )
    ]


def link_items() -> list[Item]:
    return [
        Item(
            "پیوندهایی که مقصدشان هنوز در آرشیو نیست",
            RelatedLink.objects.filter(to_article__isnull=True).count(),
            _changelist("relatedlink", "resolved=no"),
            "با کنش «یافتن مقصد پیوندهای مرتبط» دوباره جست‌وجو می‌شوند",
        ),
        Item(
            "پیوندهایی به پیش‌نویس (برای خواننده شکسته)",
            RelatedLink.objects.filter(to_article__status=Article.Status.DRAFT).count(),
            _changelist("relatedlink", "resolved=draft"),
        ),
    ]


def index_state(refresh: bool = False) -> dict:
    """``check_index``'s comparison: counts of missing, stale and extra documents, with when."""
    try:  # kept while neither side changes: the index's version, the number of articles
        key = f"{INDEX_CHECK_KEY}:{hash((get_engine().version(), Article.objects.count()))}"
    except Exception:
        key = INDEX_CHECK_KEY
    state = None if refresh else cache.get(key)
    if state is None:
        try:
            report = indexing.compare()
        except Exception as exc:  # an index being rebuilt: say so, do not fail the page
            state = {"error": str(exc), "checked": timezone.now()}
        else:
            state = {
                "items": [
                    Item("در پایگاه داده، نه در نمایه", len(report.missing), ""),
                    Item("کهنه در نمایه", len(report.stale), ""),
                    Item("در نمایه، پاک‌شده از پایگاه داده", len(report.extra), ""),
                ],
                "ok": report.ok,
                "checked": timezone.now(),
            }
        cache.set(key, state, INDEX_CHECK_SECONDS)
    return state


def dashboard_view(request: HttpRequest, site) -> TemplateResponse | HttpResponseRedirect:
    user = request.user
    if request.method == "POST" and request.POST.get("action") == "repair_index":
        if not user.has_perm("articles.change_article"):
            raise PermissionDenied
        indexing.repair(indexing.compare())
        index_state(refresh=True)
        messages.success(request, "نمایه با پایگاه داده هم‌گام شد.")
        return HttpResponseRedirect(reverse("admin:dashboard"))
    can = user.has_perm
    context = {
        **site.each_context(request),
        "title": "پیشخوان ویراستاران",
        "review": review_items() if can("articles.view_article") else None,
        "candidates": candidate_items() if can("articles.view_entitycandidate") else None,
        "links": link_items() if can("articles.view_relatedlink") else None,
        "index": index_state() if can("articles.view_article") else None,
        "can_repair": can("articles.change_article"),
        "runs": (
            list(ImportRun.objects.select_related("user")[:LAST_RUNS]) if can("articles.view_importrun") else None
        ),
        "can_upload": can("articles.import_articles"),
    }
    return TemplateResponse(request, "admin/dashboard.html", context)
