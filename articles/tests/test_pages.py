"""Server-rendered pages: right to left, Jalali dates, Persian digits, the article's parts."""

import pytest
from django.urls import reverse

from articles.models import Article
from articles.tests.conftest import SEED, write_jsonl

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(import_paths, tmp_path):

    record = {
        "id": "p-1",
        "title": "برگزاري نشست شوراي شهر تهران",
        "lead": "نشست هفتگی شورا برگزار شد.",
        "body": "به گزارش ایرنا، نشست شورای شهر روز یکشنبه برگزار شد.\nدر این نشست 12 لایحه بررسی شد.",
        "date": "2025-01-20T09:30:00",
        "source": "عصر ایران",
        "source_domain": "asriran.com",
        "url": "https://www.asriran.com/fa/news/2",
        "category": ["شهری"],
        "tags": [],
    }
    import_paths(SEED, write_jsonl(tmp_path / "p.jsonl", [record]))
    return {a.external_id: a for a in Article.objects.all()}


def test_home_lists_latest_articles_right_to_left(client, archive):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in html
    assert "برگزاری نشست شورای شهر تهران" in html  # shown with Persian letters
    assert "۱ بهمن ۱۴۰۳" in html  # 2025-01-20 in Tehran, Jalali, Persian digits


def test_article_page_shows_source_agency_date_and_paragraphs(client, archive):
    article = archive["p-1"]
    html = client.get(article.get_absolute_url()).content.decode()
    assert "عصر ایران" in html
    assert "۱ بهمن ۱۴۰۳، ساعت ۰۹:۳۰" in html
    assert html.count("<p>") >= 2
    assert "۱۲ لایحه" in html  # Latin digits shown as Persian


def test_seed_article_page_shows_its_unresolved_related_link(client, archive):
    seed = next(a for a in archive.values() if a.source.name == "اقتصادنیوز")
    html = client.get(reverse("articles:detail", args=[seed.pk])).content.decode()
    assert "به نقل از ایرنا" in html
    assert "هنوز در آرشیو نیست" in html
    assert "ترامپ کییف را تسلیم می‌کند" in html  # half-space restored for readers


def test_drafts_are_hidden_from_readers(client, archive):
    article = archive["p-1"]
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert "برگزاری نشست" not in client.get("/").content.decode()


def test_search_page_shows_count_title_source_date_and_snippet(client, archive):
    html = client.get("/search/", {"q": "لایحه"}).content.decode()
    assert "۱ نتیجه" in html
    assert "برگزاری نشست شورای شهر تهران" in html
    assert "<mark>لایحه</mark>" in html
    assert 'value="لایحه"' in html


def test_search_page_without_query_explains_itself(client, archive):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "نیم‌فاصله" in response.content.decode()


def test_unknown_article_is_404(client, archive):
    assert client.get("/articles/999999/").status_code == 404


def test_article_page_shows_more_like_this(client, import_paths):
    from pathlib import Path

    import_paths(Path(__file__).resolve().parents[2] / "demo" / "articles.jsonl")
    # The demo's Tehran air-pollution thread shares its vocabulary (some titles use Arabic ي).
    article = Article.objects.get(title="ادامه تعطیلی‌ها در تهران؛ شاخص آلودگی هوا از 170 گذشت")
    response = client.get(article.get_absolute_url())
    assert "خبرهای مشابه" in response.content.decode()
    similar = [a.title.replace("ي", "ی") for a in response.context["similar"]]
    assert article.title not in similar
    assert sum("آلودگی هوا" in title for title in similar) >= 2
