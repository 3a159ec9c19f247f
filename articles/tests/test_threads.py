"""«رشتهٔ این خبر»: a story's articles, not every article that shares a common name or a daily
template, each title once, and the same thread on the article page and its graph page."""

from __future__ import annotations

import datetime as dt

import pytest

from articles import graph
from articles.models import Article, Entity, Mention, Source

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2020, 1, 5, 9, 0, tzinfo=dt.UTC)


def _entity(name: str, slug: str, kind: str = Entity.Kind.PERSON) -> Entity:
    return Entity.objects.create(name=name, slug=slug, kind=kind)


def _article(key: str, title: str, days: int, names: dict[Entity, int], source: Source | None = None) -> Article:
    article = Article.objects.create(
        external_id=key,
        title=title,
        lead=title,
        body=f"{title}. متن کامل خبر در این بند آمده است.",
        published=DAY + dt.timedelta(days=days),
        source=source,
    )
    # Saving found the names the text spells out; the counts say what the article is about.
    article.mentions.exclude(entity__in=list(names)).delete()
    for entity, count in names.items():
        Mention.objects.update_or_create(article=article, entity=entity, defaults={"count": count})
    return article


@pytest.fixture
def archive():
    """A coaching saga (Stramaccioni, Esteghlal), daily dollar prices, and an archive full of
    «ایران» and «تهران»: names every article has tell no story apart."""
    strama = _entity("آندره‌آ استراماچونی", "stramaccioni")
    esteghlal = _entity("باشگاه استقلال", "esteghlal", Entity.Kind.ORGANIZATION)
    iran = _entity("ایران", "iran", Entity.Kind.PLACE)
    tehran = _entity("تهران", "tehran", Entity.Kind.PLACE)
    bank = _entity("بانک مرکزی", "central-bank", Entity.Kind.ORGANIZATION)
    hemmati = _entity("عبدالناصر همتی", "hemmati")
    instagram = _entity("اینستاگرام", "instagram", Entity.Kind.ORGANIZATION)
    for n in range(20):
        _article(f"filler-{n}", f"گزارش روز {n} از شهر", n, {iran: 3, tehran: 2})
    story = {
        "start": _article(
            "strama-1", "استراماچونی منتظر انتقام زمستانی از کالدرون", 0, {strama: 6, esteghlal: 4, iran: 2}
        ),
        "next": _article(
            "strama-2", "بازگشت استرا یا انتخاب سرمربی جدید؛ همه در انتظار دوشنبه", 9, {strama: 5, esteghlal: 3}
        ),
        "end": _article("strama-3", "استراماچونی به بازی با شاهین بوشهر نرسید", 12, {strama: 3, esteghlal: 2}),
        # The same story republished under the same title by another site.
        "copy": _article(
            "strama-3-copy",
            "استراماچونی به بازی با شاهین بوشهر نرسید",
            12,
            {strama: 3, esteghlal: 2},
            Source.objects.create(name="عصر ایران", slug="asriran"),
        ),
        # Names both once, in passing: not what it is about.
        "passing": _article("internet", "اتمام زودهنگام بسته‌های اینترنتی", 3, {strama: 1, esteghlal: 1, instagram: 1}),
        # Names both, but half a year later: another story.
        "later": _article("strama-later", "وکیل استراماچونی: غرامت می‌خواهیم", 200, {strama: 4, esteghlal: 2}),
    }
    prices = [
        _article(f"price-{d}", f"قیمت دلار و یورو امروز {w} {d} خرداد ۹۹/ دلار تکان نخورد", d, {bank: 3, hemmati: 2})
        for d, w in ((10, "شنبه"), (11, "یکشنبه"), (12, "دوشنبه"), (13, "سه‌شنبه"))
    ]
    story["bank"] = _article("hemmati", "همتی: بانک مرکزی نرخ ارز را مهار می‌کند", 11, {bank: 4, hemmati: 3})
    return story, prices


def _titles(articles: list[Article]) -> list[str]:
    return [a.title for a in articles]


def test_thread_is_the_story_in_date_order(archive):
    story, _ = archive
    ids = [a.external_id for a in graph.thread(story["start"])]
    assert ids[:2] == ["strama-1", "strama-2"] and ids[2] in ("strama-3", "strama-3-copy") and len(ids) == 3


def test_a_title_is_listed_once(archive):
    story, _ = archive
    assert _titles(graph.thread(story["next"])).count(story["end"].title) == 1
    # On the article's own page its copy is not listed beside it.
    assert _titles(graph.thread(story["end"])).count(story["end"].title) == 1
    assert story["end"] in graph.thread(story["end"]) and story["copy"] not in graph.thread(story["end"])


def test_names_every_article_has_or_named_in_passing_join_nothing(archive):
    story, _ = archive
    assert graph.thread(Article.objects.get(external_id="filler-3")) == []  # ایران and تهران only
    assert story["passing"] not in graph.thread(story["start"])
    assert graph.thread(story["passing"]) == []


def test_a_story_months_later_is_another_thread(archive):
    story, _ = archive
    assert story["later"] not in graph.thread(story["start"])


def test_daily_price_lists_neither_join_nor_gather_a_thread(archive):
    story, prices = archive
    assert graph.title_template(prices[0].title_key) == graph.title_template(prices[3].title_key) != ""
    assert graph.is_templated(prices[0].title_key)
    assert not graph.is_templated(story["bank"].title_key)
    assert graph.thread(story["bank"]) == []  # it names the bank and Hemmati like every price list
    assert graph.thread(prices[1]) == []


def test_graph_page_shows_the_thread_the_article_page_shows(client, archive, search_index):
    story, _ = archive
    article = story["next"]
    page = client.get(article.get_absolute_url()).content.decode()
    thread_html = page[page.index('id="thread-h"') :]
    for other in (story["start"], story["end"]):
        assert other.get_absolute_url() in thread_html

    response = client.get(f"/articles/{article.pk}/graph/")
    html = response.content.decode()
    assert response.status_code == 200 and "<svg" in html
    assert "این خبر هنوز به خبر دیگری در آرشیو پیوند ندارد" not in html
    assert story["start"].title in html and story["end"].title in html and "هم‌رشته" in html

    data = client.get(f"/api/articles/{article.pk}/graph/").json()
    assert {n["id"] for n in data["nodes"]} == {a.pk for a in graph.thread(article)}
    assert {e["kind"] for e in data["edges"]} == {graph.THREAD_EDGE}


def test_a_series_counts_only_published_titles_that_begin_with_its_words(db):
    """Its words and then a space: a draft, a longer word («امروزی») or another word («دیروز»)
    after the same letters does not make a title one of the series."""
    source = Source.objects.create(name="خبرگزاری آزمایشی", slug="test-agency")

    def article(title: str, status=Article.Status.PUBLISHED) -> Article:
        return Article.objects.create(
            external_id=title, title=title, body="متن خبر", source=source, status=status, published=DAY
        )

    first = article("قیمت طلا و ارز امروز شنبه ۱ خرداد")
    article("قیمت طلا و ارز امروز یکشنبه ۲ خرداد")
    article("قیمت طلا و ارز امروز دوشنبه ۳ خرداد", status=Article.Status.DRAFT)
    article("قیمت طلا و ارز امروزی سه‌شنبه ۴ خرداد")
    article("قیمت طلا و ارز دیروز چهارشنبه ۵ خرداد")
    assert graph.TEMPLATE_MIN == 3 and not graph.is_templated(first.title_key)
    article("قیمت طلا و ارز امروز پنجشنبه ۶ خرداد")
    assert graph.is_templated(first.title_key)


def _sharing_names_counted_in_full(article: Article) -> list[int]:
    """``graph.sharing_names`` as it was, every name's published mentions counted in full."""
    import math

    from django.db.models import Count

    mine = dict(article.mentions.filter(count__gte=graph.THREAD_SALIENT).values_list("entity_id", "count"))
    total = Article.objects.published().count()
    df = dict(
        Mention.objects.published()
        .filter(entity__in=mine)
        .values("entity")
        .annotate(n=Count("pk"))
        .values_list("entity", "n")
    )
    common = max(graph.THREAD_COMMON * total, graph.THREAD_COMMON_FLOOR)
    weight = {e: math.log(total / n) for e, n in df.items() if n <= common}
    window = (article.published - graph.THREAD_WINDOW, article.published + graph.THREAD_WINDOW)
    rows = (
        Mention.objects.published()
        .filter(entity__in=weight, count__gte=graph.THREAD_SALIENT, published__range=window)
        .exclude(article=article)
        .values_list("article_id", "entity_id", "article__title_key")
    )
    scores, shared, titles = {}, {}, {}
    for pk, entity, title_key in rows:
        scores[pk] = scores.get(pk, 0.0) + weight[entity]
        shared[pk] = shared.get(pk, 0) + 1
        titles[pk] = title_key
    chosen = [pk for pk in scores if shared[pk] >= graph.THREAD_MIN_SHARED and not graph.is_templated(titles[pk])]
    return sorted(chosen, key=lambda pk: -scores[pk])[: graph.THREAD_LIMIT * 2]


@pytest.mark.parametrize("floor", [graph.THREAD_COMMON_FLOOR, 3, 5, 6])
def test_names_are_counted_only_until_they_are_common(archive, floor, monkeypatch):
    """A name's articles are counted up to just past "common", never in full (``LIMIT``, no
    ``ORDER BY``), and the threads are those that counting every article gives: with the bound
    at 3, 5 and 6 articles, names counted in 4, 5 and 6 fall on either side of it (the saga's
    names, the bank's)."""
    monkeypatch.setattr(graph, "THREAD_COMMON_FLOOR", floor)
    articles = list(Article.objects.published().exclude(published=None).order_by("pk"))
    for article in articles:
        if graph.is_templated(article.title_key):
            continue
        assert graph.sharing_names(article) == _sharing_names_counted_in_full(article), article.title
    story, _ = archive
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        graph.sharing_names(story["start"])
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"] and "articles_mention" in q["sql"]]
    # Bounded, and unordered: ``Mention``'s default order would sort all of a name's mentions first.
    assert counts and all("LIMIT" in sql and "ORDER BY" not in sql for sql in counts), counts
