"""The reader's default search: the best matches of all the words, ranked by relevance (BM25 with
Lucene's idf, k1 and b tuned on the judged topics in bench/topics), nothing required unless
``+``-marked; a shortened query says so on the page and in the API."""

from __future__ import annotations

import pytest
from django.conf import settings

from articles.models import Article
from articles.search import query
from articles.search.service import SearchParams, run_search
from articles.tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db(transaction=True)  # the index follows commits


def _article(key: str, title: str, body: str) -> dict:
    return {
        "id": f"ranking-{key}",
        "title": title,
        "lead": "",
        "body": body,
        "date": "2024-02-01T09:00:00+03:30",
        "source": "ایرنا",
        "source_domain": "irna.ir",
        "url": f"https://irna.ir/news/ranking-{key}",
        "category": "اقتصادی",
        "tags": [],
    }


ARTICLES = [
    _article("all", "کم‌آبی و کشاورزان خوزستان", "کشاورزان خوزستان از کم‌آبی و خشک شدن مزرعه‌ها گلایه دارند."),
    _article("two", "کشاورزان خوزستان در انتظار بارش", "کشاورزان خوزستان چشم به آسمان دوخته‌اند."),
    _article("one", "نمایشگاه کتاب تهران", "ناشران خوزستان در نمایشگاه کتاب تهران غرفه دارند."),
    _article("none", "بازار خودرو", "قیمت خودرو در بازار تهران بالا رفت."),
]


@pytest.fixture
def archive(import_paths, tmp_path):
    import_paths(write_jsonl(tmp_path / "ranking.jsonl", ARTICLES))


def _keys(q: str) -> list[str]:
    return [hit.article.external_id.removeprefix("ranking-") for hit in run_search(SearchParams(q=q)).hits]


def test_the_default_is_relevance_ranking_tuned_on_the_judged_topics():
    assert settings.SEARCH_MATCH == "any"
    assert (settings.SEARCH_BM25_K1, settings.SEARCH_BM25_B) == (2.0, 0.65)  # bench/tune_ranking.py


def test_articles_with_more_of_the_words_rank_higher_and_none_is_required(archive):
    # No article holds all four words of the question; the one with three comes first.
    assert _keys("پیامدهای کم آبی برای کشاورزان خوزستان") == ["all", "two", "one"]


def test_a_plus_requires_a_word(archive):
    assert _keys("+کم‌آبی کشاورزان خوزستان") == ["all"]
    assert sorted(_keys("+کشاورزان +خوزستان")) == ["all", "two"]


def test_a_shortened_query_says_so_on_the_page_and_in_the_api(archive, client):
    long_query = " ".join(Article.objects.get(external_id="ranking-all").body.split() * 5)
    assert query.parse(long_query).trimmed
    page = client.get("/search/", {"q": long_query})
    assert page.status_code == 200 and "پرسش بلند بود" in page.content.decode()
    api = client.get("/api/search/", {"q": long_query}).json()
    assert api["trimmed"] is True and api["count"] >= 1
    assert client.get("/api/search/", {"q": "کشاورزان"}).json()["trimmed"] is False
