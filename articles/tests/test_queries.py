"""No N+1 queries: every page and endpoint runs as many queries for a large archive as for a small one.

One archive is built for the module through the real importer: a story (a Kremlin article from the
demo set) with follow-ups from the same source, category, tag and Jalali day, linking to it and
linked from it, some of them drafts, naming the gazetteer's people. Each page is measured on the
small archive, the archive then grows (the rest of the demo set, the seed page, many more
follow-ups, links resolved and unresolved, the whole gazetteer, name candidates), and the page is
measured again: it must list more and run exactly as many queries. Each test then checks a tight
bound with ``django_assert_max_num_queries`` on the large archive.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from haystack import connections

from articles import jalali
from articles.entities import extract as entities
from articles.entities import gazetteer
from articles.ingest import readers as importers
from articles.ingest.save import import_items
from articles.models import Article, Category, Entity, EntityCandidate, Source, Tag
from articles.roles import ensure_editors_group
from articles.search import indexing
from articles.tests.conftest import REPO, SEED, write_jsonl
from persian.text import match_key

pytestmark = pytest.mark.django_db

DEMO = REPO / "demo" / "articles.jsonl"
FOCUS = "demo-0039"  # «کرملین: پوتین برای گفت وگو با ترامپ آماده است»
# Stories of the same thread (Russia and America) whose text the follow-ups reuse.
TEMPLATES = ["demo-0041", "demo-0042", "demo-0044", "demo-0055", "demo-0034", "demo-0033"]
# The names the small archive's gazetteer knows; the large archive loads the whole gazetteer.
SMALL_GAZETTEER = {"پوتین", "ترامپ", "کرملین", "ریابکوف", "لاوروف", "روبیو", "زلنسکی", "ایرنا", "روسیه", "آمریکا"}
SMALL, LARGE = 4, 44  # follow-ups in each archive
SMALL_LINKS, LARGE_LINKS = 3, 30  # the focus article's links to follow-ups (plus unresolved ones)
DRAFT_EVERY = 3  # every third follow-up is a draft (the focus links to one)


def _demo_records() -> dict[str, dict]:
    return {r["id"]: r for r in map(json.loads, DEMO.read_text(encoding="utf-8").splitlines())}


def follow_up_title(n: int) -> str:
    template = _demo_records()[TEMPLATES[n % len(TEMPLATES)]]
    return f"{template['title']}؛ پیگیری {jalali.persian_digits(n)}"


def follow_up(n: int, focus: dict) -> dict:
    """A later report of the focus story: same source, category, tags and Tehran day, linking back."""
    template = _demo_records()[TEMPLATES[n % len(TEMPLATES)]]
    published = dt.datetime.fromisoformat(focus["date"]) + dt.timedelta(minutes=8 * n)
    return {
        **template,
        "id": f"followup-{n:03d}",
        "title": follow_up_title(n),
        "body": f"{template['body']}\nبیشتر بخوانید: {focus['title']}",
        "date": published.isoformat(),
        "date_jalali": None,
        "source": focus["source"],
        "source_domain": focus["source_domain"],
        "url": f"https://archive.example.ir/fa/news/followup-{n}",
        "category": focus["category"],
        "tags": focus["tags"],
    }


def focus_record(links: int, unresolved: int) -> dict:
    """The focus article, its «بیشتر بخوانید» lines naming follow-ups and stories not archived."""
    focus = _demo_records()[FOCUS]
    lines = [f"بیشتر بخوانید: {follow_up_title(n)}" for n in range(1, links + 1)]
    lines += [
        f"بیشتر بخوانید: گزارش تحلیلی شماره {jalali.persian_digits(n)} درباره مذاکرات مسکو" for n in range(unresolved)
    ]
    return {**focus, "body": "\n".join([focus["body"], *lines])}


@dataclass
class Page:
    name: str
    url: Callable[[Archive], str]
    bound: int  # queries on the large archive, measured in a test on SQLite and on PostgreSQL
    marker: str | None  # counted in the response: the page lists more of it in the large archive
    admin: bool = False
    status: int = 200


@dataclass
class Measure:
    queries: int
    items: int
    sql: list[str] = field(default_factory=list)


@dataclass
class Archive:
    tmp: Path
    editor: User | None = None
    counts: dict[str, tuple[Measure, Measure]] = field(default_factory=dict)

    @property
    def focus(self) -> Article:
        return Article.objects.get(external_id=FOCUS)

    @property
    def jalali_day(self):
        return jalali.to_jalali(self.focus.published)

    def entity(self) -> Entity:
        return Entity.objects.filter(aliases__name="پوتین").get()

    def client(self, page: Page) -> Client:
        client = Client()
        if page.admin:
            client.force_login(self.editor)
        return client


def _import(archive: Archive, name: str, records: list[dict], *paths) -> None:
    items = [
        item
        for path in (write_jsonl(archive.tmp / f"{name}.jsonl", records), *paths)
        for item in importers.iter_path(path)
    ]
    report = import_items(items)
    assert report.failed == 0, report.errors


def _draft(*external_ids: str) -> None:
    for article in Article.objects.filter(external_id__in=external_ids):
        article.status = Article.Status.DRAFT
        article.save()  # through save(): history, signals and the index see it


def _candidates(names: list[str], pattern: str) -> None:
    examples = list(Article.objects.order_by("pk")[: len(names)])
    for n, name in enumerate(names):
        EntityCandidate.objects.get_or_create(
            key=match_key(name),
            defaults={
                "name": name,
                "pattern": pattern,
                "example_article": examples[n % len(examples)],
                "article_count": 2 + n % 5,
            },
        )


def build_small(archive: Archive) -> None:
    records = gazetteer.read_gazetteer()
    small = [r for r in records if SMALL_GAZETTEER & {r["name"], *r.get("aliases", [])}]
    gazetteer.load_gazetteer(small)
    focus = _demo_records()[FOCUS]
    follow_ups = [follow_up(n, focus) for n in range(1, SMALL + 1)]
    _import(archive, "small", [focus_record(SMALL_LINKS, 1), *follow_ups])
    _draft(*(f"followup-{n:03d}" for n in range(DRAFT_EVERY, SMALL + 1, DRAFT_EVERY)))
    _candidates(["دیمیتری پسکوف", "یوری اوشاکوف", "مایک والتز"], "سخنگوی X")


def build_large(archive: Archive) -> None:
    gazetteer.load_gazetteer(gazetteer.read_gazetteer())
    with indexing.suspended() as touched:
        entities.extract_all()
    indexing.index_articles(touched)
    focus = _demo_records()[FOCUS]
    others = [r for r in _demo_records().values() if r["id"] != FOCUS]
    follow_ups = [follow_up(n, focus) for n in range(SMALL + 1, LARGE + 1)]
    _import(archive, "large", [*others, *follow_ups, focus_record(LARGE_LINKS, 8)], REPO / "demo" / "raw", SEED)
    _draft(*(f"followup-{n:03d}" for n in range(DRAFT_EVERY, LARGE + 1, DRAFT_EVERY)))
    _candidates(
        list(Tag.objects.exclude(name__in=Entity.objects.values("name")).values_list("name", flat=True)[:60]), "برچسب X"
    )


def _q(**params) -> str:
    return "?" + urlencode({"q": "پوتین", **params})


def _slug(model, name: str) -> str:
    return model.objects.get(name=name).slug


FOCUS_SOURCE, FOCUS_CATEGORY, FOCUS_TAG = "خبرنامه آرشیو", "سیاست خارجی", "پوتین"

PAGES = [
    Page("home", lambda a: "/", 4, 'class="article-item"'),
    Page("article", lambda a: a.focus.get_absolute_url(), 13, 'href="/articles/'),
    Page("article-graph", lambda a: f"/articles/{a.focus.pk}/graph/", 4, "<circle"),
    Page("search", lambda a: "/search/" + _q(), 4, 'class="article-item"'),
    Page(
        "search-filtered",
        lambda a: (
            "/search/"
            + _q(source=_slug(Source, FOCUS_SOURCE), category=_slug(Category, FOCUS_CATEGORY), **{"from": "1403-01-01"})
        ),
        4,
        'class="article-item"',
    ),
    Page("search-newest", lambda a: "/search/" + _q(sort="newest", page_size=50), 4, 'class="article-item"'),
    Page("search-entity-facet", lambda a: "/search/" + _q(entity=a.entity().slug), 4, 'class="article-item"'),
    Page("attention-csv", lambda a: "/search/attention.csv" + _q(), 0, None),
    Page("feed-atom", lambda a: "/search/feed/" + _q(), 1, "<entry>"),
    Page("feed-rss", lambda a: "/search/rss/", 1, "<item>"),
    Page("feeds", lambda a: "/feeds/", 3, 'aria-label="خوراک Atom'),  # 0 until the index changes
    Page("source-feed", lambda a: Source.objects.get(name=FOCUS_SOURCE).get_absolute_url() + "feed/", 2, "<entry>"),
    Page("entity-feed", lambda a: a.entity().get_absolute_url() + "feed/", 2, "<entry>"),
    Page("opensearch", lambda a: "/opensearch.xml", 0, None),
    Page("suggest", lambda a: "/api/suggest/?q=" + "پوت", 3, None),
    # Each section's size and newest lastmod; the grouped ones are kept until the index changes.
    Page("sitemap", lambda a: "/sitemap.xml", 6, None),
    Page("sitemap-articles", lambda a: "/sitemap-articles.xml", 2, "<url>"),
    Page("sitemap-archive", lambda a: "/sitemap-archive.xml", 1, "<url>"),
    Page("sitemap-sources", lambda a: "/sitemap-sources.xml", 1, "<url>"),
    Page("sitemap-categories", lambda a: "/sitemap-categories.xml", 1, "<url>"),
    Page("sitemap-entities", lambda a: "/sitemap-entities.xml", 1, "<url>"),
    Page("archive", lambda a: "/archive/", 1, "<li><a"),
    Page("archive-year", lambda a: f"/archive/{a.jalali_day.year}/", 3, None),
    Page(
        "archive-month",
        lambda a: f"/archive/{a.jalali_day.year}/{a.jalali_day.month:02d}/",
        5,
        'class="article-item"',
    ),
    Page(
        "archive-day",
        lambda a: f"/archive/{a.jalali_day.year}/{a.jalali_day.month:02d}/{a.jalali_day.day:02d}/",
        4,
        'class="article-item"',
    ),
    Page("source", lambda a: Source.objects.get(name=FOCUS_SOURCE).get_absolute_url(), 3, 'class="article-item"'),
    Page("category", lambda a: Category.objects.get(name=FOCUS_CATEGORY).get_absolute_url(), 3, 'class="article-item"'),
    Page("tag", lambda a: Tag.objects.get(name=FOCUS_TAG).get_absolute_url(), 3, 'class="article-item"'),
    Page("entity", lambda a: a.entity().get_absolute_url(), 5, 'class="article-item"'),  # timeline: index
    Page("api-search", lambda a: "/api/search/" + _q(page_size=50), 4, '"external_id"'),
    Page("api-article", lambda a: f"/api/articles/{a.focus.pk}/", 5, '"kind"'),
    Page("api-graph", lambda a: f"/api/articles/{a.focus.pk}/graph/", 4, '"depth"'),
    Page("admin-articles", lambda a: "/admin/articles/article/", 11, 'class="action-select"', admin=True),
    Page("admin-entities", lambda a: "/admin/articles/entity/", 7, 'class="action-select"', admin=True),
    Page("admin-candidates", lambda a: "/admin/articles/entitycandidate/", 7, 'class="action-select"', admin=True),
    Page("admin-links", lambda a: "/admin/articles/relatedlink/", 7, 'class="action-select"', admin=True),
    # The editors' desk at scale: search through the index, a source's articles, a Jalali month,
    # an article's history and the dashboard (issue 18).
    Page("admin-articles-search", lambda a: "/admin/articles/article/" + _q(), 10, 'class="action-select"', admin=True),
    Page(
        "admin-articles-source",
        lambda a: f"/admin/articles/article/?source__id__exact={Source.objects.get(name=FOCUS_SOURCE).pk}",
        10,
        'class="action-select"',
        admin=True,
    ),
    Page(
        "admin-articles-jalali-month",
        lambda a: f"/admin/articles/article/?published_jalali={a.jalali_day.year}-{a.jalali_day.month:02d}",
        10,
        'class="action-select"',
        admin=True,
    ),
    Page("admin-article-history", lambda a: f"/admin/articles/article/{a.focus.pk}/history/", 7, None, admin=True),
    Page("admin-dashboard", lambda a: "/admin/dashboard/", 12, None, admin=True),
    Page("admin-imports", lambda a: "/admin/articles/importrun/", 6, None, admin=True),
    Page("admin-sources", lambda a: "/admin/articles/source/", 7, 'class="action-select"', admin=True),
    Page(
        "admin-article-change",
        lambda a: f"/admin/articles/article/{a.focus.pk}/change/",
        12,  # was 22 → 57 as links and mentions grew: each mention's entity, each link's target
        "has_original",
        admin=True,
    ),
]


def measure(archive: Archive, page: Page) -> Measure:
    client = archive.client(page)
    url = page.url(archive)
    client.get(url)  # warm the per-process caches (content types, the index's searcher)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == page.status, url
    body = response.content.decode()
    return Measure(len(queries), body.count(page.marker) if page.marker else 0, [q["sql"] for q in queries])


def _clear_archive() -> None:
    connections["default"].get_backend().clear()
    for model in apps.get_app_config("articles").get_models():
        if model._meta.object_name.startswith("Historical"):
            model.objects.all().delete()
    Article.objects.all().delete()
    for model in (EntityCandidate, Entity, Source, Category, Tag):
        model.objects.all().delete()
    User.objects.filter(username="query-editor").delete()
    entities.invalidate()


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker, tmp_path_factory):
    """The archive measured small and large; committed, so removed again at the end."""
    archive = Archive(tmp=tmp_path_factory.mktemp("queries"))
    with django_db_blocker.unblock():
        _clear_archive()
        archive.editor = User.objects.create_user("query-editor", is_staff=True)
        archive.editor.groups.add(ensure_editors_group())
        build_small(archive)
        small = {page.name: measure(archive, page) for page in PAGES}
        build_large(archive)
        large = {page.name: measure(archive, page) for page in PAGES}
        archive.counts = {name: (small[name], large[name]) for name in small}
    yield archive
    with django_db_blocker.unblock():
        _clear_archive()


def _repeated(sql: list[str]) -> str:
    """The large page's queries that ran more than once (ids blanked), most repeated first."""
    counts = Counter(re.sub(r"\b\d+\b", "?", q) for q in sql)
    return "\n".join(f"{n} × {q[:300]}" for q, n in counts.most_common() if n > 1)


@pytest.mark.parametrize(
    "page",
    PAGES,
    ids=[page.name for page in PAGES],
)
def test_queries_do_not_grow_with_the_archive(page, archive, django_assert_max_num_queries):
    small, large = archive.counts[page.name]
    if page.marker:
        assert large.items > small.items, f"the large archive should list more on {page.name}"
    assert large.queries == small.queries, f"{small.queries} → {large.queries} queries:\n{_repeated(large.sql)}"
    client, url = archive.client(page), page.url(archive)
    with django_assert_max_num_queries(page.bound):
        response = client.get(url)
    assert response.status_code == page.status
