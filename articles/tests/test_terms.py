"""One category (and one tag) however a site spells it: with or without a half-space, with
kashida, Arabic ي/ك, or as an English section slug; named in Persian, its address stable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from articles import terms
from articles.models import Article, Category, Tag
from articles.tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db


def _record(n: int, categories: list[str], tags: list[str] = ()) -> dict:
    return {
        "id": f"terms-{n}",
        "title": f"گزارش شماره {n} از بازار سرمایه تهران",
        "body": "شاخص کل بورس تهران امروز با رشد همراه بود و ارزش معاملات افزایش یافت.",
        "date": f"2020-05-{n + 1:02d}",
        "source": "خبرگزاری فارس",
        "category": categories,
        "tags": list(tags),
    }


def test_spellings_of_a_name_share_one_key():
    same = ["بین الملل", "بین‌الملل", "بينالملل", "world", "World", " بین  الملل "]
    assert len({terms.term_key(name) for name in same}) == 1
    assert terms.term_key("بـــورس") == terms.term_key("بورس") == terms.term_key("stock")
    assert terms.term_key("ورزشي") == terms.term_key("ورزشی")
    assert terms.term_key("سیاسی") != terms.term_key("سیاست")
    assert terms.display_name("province") == "استان‌ها" and terms.display_name("بـــورس") == "بورس"


def test_import_makes_one_category_per_name_in_persian(import_paths, tmp_path):
    records = [
        _record(1, ["بین الملل"], ["بازار سرمایه"]),
        _record(2, ["بین‌الملل", "بـــورس"], ["بازار‌سرمایه"]),
        _record(3, ["world", "بورس"], ["بازار سرمايه"]),
        _record(4, ["province"]),
    ]
    import_paths(write_jsonl(tmp_path / "a.jsonl", records))
    assert sorted(Category.objects.values_list("name", flat=True)) == ["استان‌ها", "بورس", "بین الملل"]
    world = Category.objects.get(name="بین الملل")
    assert world.articles.count() == 3
    assert Tag.objects.get().articles.count() == 3  # one tag, three spellings
    slug = world.slug
    import_paths(write_jsonl(tmp_path / "b.jsonl", [_record(5, ["بین‌الملل"])]))
    assert Category.objects.get(pk=world.pk).slug == slug  # the address stays


def test_a_known_name_is_found_in_one_query_and_a_new_one_gets_its_slug(django_assert_num_queries):
    known = Tag.objects.for_name("بازار سرمایه")
    with django_assert_num_queries(1):  # by its key: no slug worked out for a name it has
        assert Tag.objects.for_name("بازار‌سرمايه") == known
    fresh = Tag.objects.for_name("بازار سرمایه‌ای")
    assert (fresh.name, fresh.slug) == ("بازار سرمایه‌ای", "بازار-سرمایه-ای")
    assert known.slug == "بازار-سرمایه" and Tag.objects.count() == 2


def test_a_second_spelling_is_refused_in_the_admin():
    Category.objects.create(name="بین الملل", slug="bein-almelal")
    with pytest.raises(ValidationError, match="همین نام است"):
        Category(name="بین‌الملل", slug="other").full_clean()


def test_merged_spelling_address_redirects(client):
    kept = Category.objects.create(name="بین الملل", slug="بین-الملل")
    response = client.get("/categories/بین-الملل-2/")
    assert response.status_code == 301 and response["Location"] == kept.get_absolute_url()
    assert client.get("/categories/هیچ-کجا/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_migration_merges_existing_spellings_and_repoints_articles():
    executor = MigrationExecutor(connection)
    executor.migrate([("articles", "0004_mention_listing")])
    old = executor.loader.project_state([("articles", "0004_mention_listing")]).apps
    OldArticle, OldCategory = old.get_model("articles", "Article"), old.get_model("articles", "Category")
    a = OldCategory.objects.create(name="بین الملل", slug="بین-الملل")
    b = OldCategory.objects.create(name="بین‌الملل", slug="بین-الملل-2")
    c = OldCategory.objects.create(name="world", slug="world")
    d = OldCategory.objects.create(name="بـــورس", slug="بـــورس")
    articles = [OldArticle.objects.create(external_id=f"m-{n}", title=f"خبر {n}") for n in range(5)]
    articles[0].categories.add(a, d)
    articles[1].categories.add(b)
    articles[2].categories.add(a, b, c)
    articles[3].categories.add(c)

    before = dict(OldArticle.objects.values_list("external_id", "updated"))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    world = Category.objects.get(key=terms.term_key("world"))
    assert world.slug == "بین-الملل" and Category.objects.count() == 2  # the busiest kept its address
    assert set(world.articles.values_list("external_id", flat=True)) == {"m-0", "m-1", "m-2", "m-3"}
    assert Article.objects.get(external_id="m-2").categories.count() == 1
    assert Category.objects.get(slug="بـــورس").name == "بورس"
    # The re-pointed articles read as changed since they were indexed (check_index --fix).
    moved = {e for e, t in Article.objects.values_list("external_id", "updated") if t > before[e]}
    assert moved == {"m-1", "m-2", "m-3"}
