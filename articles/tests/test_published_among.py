"""``Article.objects.published_among(pks)``: the published articles of some keys (the story
thread, did-you-mean's written forms), found by key rather than by walking every published one."""

from __future__ import annotations

import pytest
from django.db import connection

from articles.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles() -> list[Article]:
    titles = ["نرخ دلار در بازار امروز", "گفتوگوی وزیر خارجه با همتای روس", "تماس های مردمی با سامانه ۱۳۷"]
    made = [
        Article.objects.create(external_id=f"among-{n}", title=title, lead=title, body=f"{title}. متن خبر.")
        for n, title in enumerate(titles * 4)
    ]
    Article.objects.filter(pk__in=[a.pk for a in made[::3]]).update(status=Article.Status.DRAFT)
    return made


def test_there_are_two_statuses_so_not_a_draft_is_published():
    assert set(Article.Status.values) == {Article.Status.DRAFT, Article.Status.PUBLISHED}


def test_the_published_articles_of_the_keys_given(articles):
    keys = [a.pk for a in articles[:7]] + [10**9]  # a key no article has
    among = Article.objects.published_among(keys)
    assert set(among) == set(Article.objects.published().filter(pk__in=keys))
    assert {a.status for a in among} == {Article.Status.PUBLISHED} and len(among) == 4


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_sqlite_looks_the_keys_up_instead_of_walking_the_status_index(articles):
    plan = Article.objects.published_among([articles[1].pk, articles[2].pk]).for_listing().explain()
    assert "INTEGER PRIMARY KEY" in plan and "article_status_published" not in plan, plan
