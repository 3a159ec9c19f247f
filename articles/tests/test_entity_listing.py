"""The entity page's listing: an entity's newest published articles, read from one index of Mention
rows that carry their article's date and status, and those copies kept in step with the article."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.entities import curation as entity_curation
from articles.entities import extract as entities
from articles.entities.gazetteer import load_gazetteer, read_gazetteer
from articles.models import Article, Entity, EntityAlias, EntityCandidate, Mention
from articles.tests.conftest import SEED

pytestmark = pytest.mark.django_db

TEHRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))
BODY = "سخنگوی وزارت امور خارجه ایران گفت گفت‌وگوها با اروپا درباره برنامه هسته‌ای ادامه دارد."


@pytest.fixture(scope="module")
def gazetteer(django_db_setup, django_db_blocker):
    """The shipped gazetteer, loaded once for this module (each test still rolls back its own rows)."""
    with django_db_blocker.unblock():
        load_gazetteer(read_gazetteer())
        entities.invalidate()
    yield
    with django_db_blocker.unblock():
        EntityCandidate.objects.all().delete()
        Mention.objects.all().delete()
        EntityAlias.objects.all().delete()
        Entity.objects.all().delete()
        entities.invalidate()


@pytest.fixture
def iran(gazetteer, search_index) -> Entity:
    return Entity.objects.get(name="ایران")


def day(n: int) -> dt.datetime:
    return dt.datetime(2024, 3, 1, 9, 30, tzinfo=TEHRAN) + dt.timedelta(days=n)


def make_article(n: int, published: dt.datetime | None, status: str = Article.Status.PUBLISHED) -> Article:
    """An article naming ایران; saving it extracts its mentions (the post_save signal)."""
    return Article.objects.create(
        external_id=f"iran-{n}",
        title=f"گزارش شماره {n} درباره مذاکرات ایران و اروپا",
        body=BODY,
        published=published,
        status=status,
    )


def listed(client, entity: Entity, page: int = 1) -> list[int]:
    """The numbers of the articles the entity page lists, in order (the page shows Persian digits)."""
    response = client.get(entity.get_absolute_url(), {"page": page})
    assert response.status_code == 200
    return [int(n) for n in re.findall(r"گزارش شماره (\d+) درباره", response.content.decode())]


def shown_count(client, entity: Entity) -> int:
    return client.get(entity.get_absolute_url()).context["page_obj"].paginator.count


def test_entity_page_lists_newest_published_articles_first_undated_last_no_drafts(client, iran):
    make_article(1, day(1))
    make_article(2, day(3))
    make_article(3, None)
    make_article(4, day(2))
    make_article(5, day(5), status=Article.Status.DRAFT)

    assert listed(client, iran) == [2, 4, 1, 3]
    response = client.get(iran.get_absolute_url())
    assert "۴ خبر" in response.content.decode()


def test_entity_page_splits_pages_of_twenty_and_counts_them_all(client, iran):
    for n in range(25):
        make_article(n, day(n))

    assert listed(client, iran, 1) == list(range(24, 4, -1))
    assert listed(client, iran, 2) == [4, 3, 2, 1, 0]
    assert shown_count(client, iran) == 25


def test_entity_page_count_is_kept_until_the_index_changes(client, iran, django_capture_on_commit_callbacks):
    """The second view of an entity page counts nothing; a new article naming it (indexed at its
    commit, run here) is counted at once."""
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            make_article(n, day(n))
    assert shown_count(client, iran) == 3
    with CaptureQueriesContext(connection) as queries:
        assert shown_count(client, iran) == 3
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]
    with django_capture_on_commit_callbacks(execute=True):
        make_article(9, day(9))
    assert shown_count(client, iran) == 4


def test_same_date_articles_list_newest_id_first(client, iran):
    older, newer = make_article(1, day(1)), make_article(2, day(1))

    assert [a.pk for a in Article.objects.naming(iran)] == [newer.pk, older.pk]


def test_redating_an_article_moves_it_on_the_entity_page(client, iran):
    old = make_article(1, day(1))
    make_article(2, day(2))

    old.published = day(9)
    old.save()

    assert listed(client, iran) == [1, 2]
    assert set(Mention.objects.filter(article=old).values_list("published", flat=True)) == {day(9)}


def test_unpublishing_an_article_takes_it_off_the_entity_page_and_republishing_brings_it_back(
    client, iran, django_capture_on_commit_callbacks
):
    # Each save reaches the index at its commit (run here), as an editor's does: the page's count
    # is kept until the index changes.
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(1, day(1))
        make_article(2, day(2))

    with django_capture_on_commit_callbacks(execute=True):
        article.status = Article.Status.DRAFT
        article.save(update_fields=["status"])
    assert listed(client, iran) == [2]
    assert shown_count(client, iran) == 1

    article = Article.objects.get(pk=article.pk)
    with django_capture_on_commit_callbacks(execute=True):
        article.status = Article.Status.PUBLISHED
        article.save()
    assert listed(client, iran) == [2, 1]
    assert shown_count(client, iran) == 2


def test_saving_without_changing_date_or_status_writes_no_mentions(iran):
    article = Article.objects.get(pk=make_article(1, day(1)).pk)

    article.review_notes = "بازبینی شد"
    with CaptureQueriesContext(connection) as queries:
        article.save()

    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert not [sql for sql in writes if "articles_mention" in sql]


def test_import_copies_the_date_and_status_onto_the_new_mentions(gazetteer, import_paths):
    import_paths(SEED)
    article = Article.objects.get()

    copies = set(Mention.objects.filter(article=article).values_list("published", "status"))

    assert copies == {(article.published, article.status)}


def test_merging_entities_gives_moved_mentions_their_articles_date(iran):
    article = make_article(1, day(4))
    duplicate = Entity.objects.create(name="ایران زمین", slug="iran-zamin", kind=Entity.Kind.PLACE)
    Mention.objects.create(article=article, entity=duplicate, count=1, published=day(4), status="published")
    other = make_article(2, day(5))
    Mention.objects.filter(article=other, entity=iran).delete()
    Mention.objects.create(article_id=other.pk, entity=duplicate, count=2)  # copies looked up

    entity_curation.merge_entities(iran, [duplicate])

    assert set(Mention.objects.filter(entity=iran).values_list("article_id", "published", "status")) == {
        (article.pk, day(4), "published"),
        (other.pk, day(5), "published"),
    }


def test_extracting_entities_again_repairs_copies_a_queryset_update_left_stale(iran):
    article = make_article(1, day(1))
    Article.objects.filter(pk=article.pk).update(published=day(7), status=Article.Status.DRAFT)
    assert set(Mention.objects.filter(article=article).values_list("published", flat=True)) == {day(1)}

    entities.extract_all()

    assert set(Mention.objects.filter(article=article).values_list("published", "status")) == {
        (day(7), Article.Status.DRAFT)
    }
    assert not Mention.objects.for_entity(iran).published().exists()


def test_migration_fills_the_copies_of_existing_mentions(iran):
    make_article(1, day(1))
    make_article(2, None, status=Article.Status.DRAFT)
    Mention.objects.update(published=None, status="")
    migration = importlib.import_module("articles.migrations.0004_mention_listing")

    migration.copy_article_listing(apps, None)

    rows = Mention.objects.values_list("article__published", "article__status", "published", "status")
    assert rows and all(row[:2] == row[2:] for row in rows)


def test_entity_listing_and_count_read_one_index_without_sorting(iran):
    if connection.vendor != "sqlite":  # PostgreSQL plans tiny tables as scans
        pytest.skip("reads SQLite's query plans")
    make_article(1, day(1))
    with CaptureQueriesContext(connection) as queries:
        list(Article.objects.naming(iran).for_listing()[:20])
        Mention.objects.for_entity(iran).published().count()

    for query in queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plan = " | ".join(row[-1] for row in cursor.fetchall())
        assert "COVERING INDEX mention_entity_listing" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
