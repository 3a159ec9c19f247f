"""The related-link graph: links resolve by URL or normalized title, across separate imports."""

import pytest

from articles import links
from articles.models import Article, RelatedLink
from articles.tests.conftest import REPO, write_jsonl

pytestmark = pytest.mark.django_db

RAW = REPO / "demo" / "raw" / "archive-ryabkov-istanbul-round2.txt"
# The raw page names its related article without half-spaces: «گفتوگوهای … سفارتخانهها …».
TARGET = {
    "id": "link-target",
    "title": "گفت‌وگوهای استانبول درباره فعالیت سفارتخانه‌ها به پایان رسید",
    "body": "دور نخست گفت‌وگوهای روسیه و آمریکا در استانبول به پایان رسید.",
    "date": "2025-02-27T18:00:00",
    "source": "خبرنامه آرشیو",
    "url": "https://archive.example.ir/news/44",
}


def test_link_resolves_when_its_target_arrives_in_a_later_import(import_paths, tmp_path):
    import_paths(RAW)
    link = RelatedLink.objects.get()
    assert link.to_article is None  # visible as unresolved until the target is archived

    import_paths(write_jsonl(tmp_path / "later.jsonl", [TARGET]))
    link.refresh_from_db()
    assert link.to_article == Article.objects.get(external_id="link-target")


def test_link_resolves_at_once_when_the_target_is_already_archived(import_paths, tmp_path):
    import_paths(write_jsonl(tmp_path / "first.jsonl", [TARGET]))
    import_paths(RAW)
    assert RelatedLink.objects.get().to_article.external_id == "link-target"


def test_link_resolves_by_url_before_title(import_paths, tmp_path):
    source = {
        "id": "src",
        "title": "خبر نخست",
        "body": "متن خبر نخست.\nبیشتر بخوانید: عنوانی که با هیچ خبری یکی نیست",
        "source": "خبرنامه آرشیو",
    }
    import_paths(write_jsonl(tmp_path / "a.jsonl", [source, TARGET]))
    link = RelatedLink.objects.get(from_article__external_id="src")
    assert link.kind == RelatedLink.Kind.ALSO_READ and link.to_article is None
    RelatedLink.objects.filter(pk=link.pk).update(url=TARGET["url"])

    assert links.resolve_from(link.from_article) == 1  # the admin's «find the links' targets»
    link.refresh_from_db()
    assert link.to_article.external_id == "link-target"


def test_article_page_and_api_show_both_directions(client, import_paths, tmp_path):
    import_paths(RAW, write_jsonl(tmp_path / "t.jsonl", [TARGET]))
    source = Article.objects.exclude(external_id="link-target").get()
    target = Article.objects.get(external_id="link-target")

    html = client.get(target.get_absolute_url()).content.decode()
    assert "خبرهایی که به این خبر پیوند داده‌اند" in html and source.get_absolute_url() in html
    thread = html[html.index('id="thread-h"') :]  # the story in date order, this article unlinked
    assert "<ol>" in thread and source.get_absolute_url() in thread
    assert f'<strong aria-current="page">{target.title}</strong>' in thread
    related = client.get(f"/api/articles/{source.pk}/").json()["related"]
    assert [r["article_id"] for r in related] == [target.pk]


def test_graph_page_lists_the_neighbourhood_without_javascript(client, import_paths, tmp_path):
    import_paths(RAW, write_jsonl(tmp_path / "t.jsonl", [TARGET]))
    target = Article.objects.get(external_id="link-target")
    response = client.get(f"/articles/{target.pk}/graph/")
    html = response.content.decode()
    assert response.status_code == 200 and "<svg" in html
    assert "ریابکوف: دور دوم" in html  # the linking article, in the list
    data = client.get(f"/api/articles/{target.pk}/graph/").json()
    assert data["center"] == target.pk and len(data["nodes"]) == 2 and data["edges"][0]["to"] == target.pk
