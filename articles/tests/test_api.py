"""The JSON endpoints return the documented shapes."""

import pytest

from articles.models import Article
from articles.tests.conftest import SEED

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed(import_paths):
    import_paths(SEED)
    return Article.objects.get()


def test_search_api_shape(client, seed):
    data = client.get("/api/search/", {"q": "گفت‌وگو", "page_size": 5}).json()
    assert data["count"] == 1 and data["page"] == 1
    (result,) = data["results"]
    assert set(result) >= {
        "id", "external_id", "title", "url", "source", "published", "published_jalali", "snippet", "score",
    }  # fmt: skip
    assert result["id"] == seed.pk
    assert result["external_id"] == seed.external_id
    assert result["source"] == "اقتصادنیوز"
    assert result["published"] is None and result["published_jalali"] is None
    assert result["score"] > 0
    assert set(data["facets"]) == {"source", "categories", "entities"}


def test_search_api_caps_page_size_and_survives_nonsense(client, seed):
    data = client.get("/api/search/", {"q": "روسیه", "page_size": 100000, "page": "x"}).json()
    assert data["page_size"] == 100 and data["page"] == 1
    assert client.get("/api/search/", {"q": '"(( OR -', "from": "1403-99-99"}).status_code == 200


def test_article_api_shape(client, seed):
    data = client.get(f"/api/articles/{seed.pk}/").json()
    assert data["source"] == "اقتصادنیوز"
    assert data["agency"] == "ایرنا"
    assert data["lead"].startswith("سرگئی ریابکوف")
    assert "مایک والتز" in data["body"]
    (related,) = data["related"]
    assert set(related) == {"title", "url", "article_id", "kind"}
    assert related["article_id"] is None and related["kind"] == "related"
    assert isinstance(data["entities"], list)


def test_article_api_404_for_unknown(client, seed):
    assert client.get("/api/articles/123456/").status_code == 404
