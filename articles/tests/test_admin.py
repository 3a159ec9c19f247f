"""The editors' desk, driven through Django's test client as an editor would."""

import sys

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from articles import jalali
from articles.models import Article, Category, Entity
from articles.roles import EDITORS
from articles.search.service import SearchParams, run_search
from articles.tests.conftest import REPO, SEED

sys.path.insert(0, str(REPO / "bench"))
from write_load import form_fields as form_data

pytestmark = pytest.mark.django_db
CONFLICT = "پس از باز شدن این فرم"


def _log_in(client: Client, username: str, **names) -> User:
    user = User.objects.create_user(username, password="a-long-editor-pass-1403", is_staff=True, **names)
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    return user


@pytest.fixture
def editor(client):
    return _log_in(client, "sara")


@pytest.fixture
def other_client(editor) -> Client:
    """A second editor, in a browser of her own."""
    other = Client()
    _log_in(other, "maryam", first_name="مریم", last_name="کاظمی")
    return other


@pytest.fixture
def seed(import_paths):
    import_paths(SEED)
    return Article.objects.get()


def test_editors_group_has_exactly_the_archive_permissions():
    codenames = set(Group.objects.get(name=EDITORS).permissions.values_list("content_type__app_label", flat=True))
    assert codenames == {"articles"}
    perms = set(Group.objects.get(name=EDITORS).permissions.values_list("codename", flat=True))
    assert {"change_article", "delete_entity", "add_relatedlink", "view_source"} <= perms
    assert not any("user" in p or "group" in p for p in perms)


def test_editor_cannot_reach_users_or_groups(client, editor):
    assert client.get("/admin/articles/article/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403


def test_admin_is_persian_and_right_to_left(client, editor):
    html = client.get("/admin/").content.decode()
    assert 'dir="rtl"' in html and "میز ویراستاران" in html


def test_editor_fixes_a_title_and_search_finds_it_at_once(client, editor, seed, django_capture_on_commit_callbacks):
    url = f"/admin/articles/article/{seed.pk}/change/"
    data = form_data(client.get(url).content.decode())
    data["title"] = ["واکنش روسیه به احتمال گفت‌وگوی تلفنی پوتین و ترامپ پس از تحلیف"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, [str(e) for e in response.context["errors"]]
    hits = run_search(SearchParams(q="تحلیف پوتین", page_size=5)).hits
    assert hits[0].article.title.endswith("پس از تحلیف")


def test_admin_search_goes_through_the_persian_pipeline_and_finds_drafts(client, editor, seed):
    Article.objects.filter(pk=seed.pk).update(status=Article.Status.DRAFT)
    from articles.search import indexing

    indexing.index_articles([seed.pk])
    for q in ["گفت‌وگو", "گفت وگو", "ريابكوف"]:
        html = client.get("/admin/articles/article/", {"q": q}).content.decode()
        assert f"/admin/articles/article/{seed.pk}/change/" in html, q


def test_bulk_unpublish_asks_first_then_reports_the_count(
    client, editor, import_paths, django_capture_on_commit_callbacks
):
    import_paths(REPO / "demo" / "articles.jsonl")
    chosen = list(Article.objects.order_by("pk").values_list("pk", flat=True)[:3])
    post = {"action": "unpublish", "_selected_action": [str(pk) for pk in chosen]}
    confirm = client.post("/admin/articles/article/", post)
    assert confirm.status_code == 200 and "مطمئن" in confirm.content.decode()
    assert Article.objects.filter(pk__in=chosen, status=Article.Status.DRAFT).count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/admin/articles/article/", {**post, "apply": "1"}, follow=True)
    assert "۳" in done.content.decode() or "3 مورد" in done.content.decode()
    assert Article.objects.filter(pk__in=chosen, status=Article.Status.DRAFT).count() == 3
    titles = {hit.article.pk for hit in run_search(SearchParams(q="تهران", page_size=100)).hits}
    assert not titles & set(chosen)


def test_bulk_change_source_uses_a_form(client, editor, import_paths):
    import_paths(REPO / "demo" / "articles.jsonl")
    from articles.models import Source

    target = Source.objects.get(name="خبرنامه آرشیو")
    chosen = [str(pk) for pk in Article.objects.exclude(source=target).values_list("pk", flat=True)[:2]]
    post = {"action": "change_source", "_selected_action": chosen}
    page = client.post("/admin/articles/article/", post).content.decode()
    assert 'name="source"' in page
    client.post("/admin/articles/article/", {**post, "apply": "1", "source": str(target.pk)})
    assert Article.objects.filter(pk__in=chosen, source=target).count() == 2


def test_article_list_shows_jalali_dates_and_counts(client, editor, import_paths):
    import_paths(REPO / "demo" / "articles.jsonl")
    html = client.get("/admin/articles/article/").content.decode()
    assert "۱۴۰۴" in html and "column-mention_count" in html and "column-link_count" in html


def test_history_keeps_who_changed_what_and_revert_restores_text_and_index(
    client, editor, seed, django_capture_on_commit_callbacks
):
    url = f"/admin/articles/article/{seed.pk}/change/"
    original = seed.title
    data = form_data(client.get(url).content.decode())
    data["title"] = ["عنوانی که ویراستار اشتباه نوشت درباره زرافه"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
    record = seed.history.order_by("-history_date").first()
    assert record.history_user == editor and record.title.endswith("زرافه")
    history_page = client.get(f"{url.removesuffix('change/')}history/").content.decode()
    assert "sara" in history_page and "زرافه" in history_page

    first = seed.history.order_by("history_date").first()
    revert_url = f"/admin/articles/article/{seed.pk}/history/{first.history_id}/"
    revert_data = form_data(client.get(revert_url).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(revert_url, revert_data)
    assert response.status_code == 302
    seed.refresh_from_db()
    assert seed.title == original
    assert run_search(SearchParams(q="زرافه")).count == 0
    assert [h.article.pk for h in run_search(SearchParams(q="ریابکوف")).hits] == [seed.pk]


def test_merging_entities_keeps_every_mention(client, editor, seed):
    from articles.models import Entity, EntityAlias, Mention

    putin = Entity.objects.create(name="ولادیمیر پوتین", slug="putin", kind=Entity.Kind.PERSON)
    twin = Entity.objects.create(name="پوتین", slug="putin-2", kind=Entity.Kind.PERSON)
    EntityAlias.objects.create(entity=twin, name="ولادیمیر ولادیمیرویچ پوتین")
    Mention.objects.create(article=seed, entity=putin, count=2)
    Mention.objects.create(article=seed, entity=twin, count=3)
    post = {"action": "merge", "_selected_action": [str(putin.pk), str(twin.pk)]}
    assert 'name="target"' in client.post("/admin/articles/entity/", post).content.decode()
    client.post("/admin/articles/entity/", {**post, "apply": "1", "target": str(putin.pk)})

    assert not Entity.objects.filter(pk=twin.pk).exists()
    assert Mention.objects.get(article=seed, entity=putin).count == 5
    assert set(putin.aliases.values_list("name", flat=True)) >= {"پوتین", "ولادیمیر ولادیمیرویچ پوتین"}
    assert Entity.history.filter(id=twin.pk, history_type="-").exists()  # the deleted twin is in history


def test_rejecting_candidates_touches_only_the_proposed_ones(client, editor):
    from articles.models import EntityCandidate

    proposed = EntityCandidate.objects.create(name="کیانوش‌راد", pattern="آقای X")
    accepted = EntityCandidate.objects.create(
        name="شیرین کاظم‌نژاد", key="x", pattern="خانم X", status=EntityCandidate.Status.ACCEPTED
    )
    post = {"action": "reject", "_selected_action": [str(proposed.pk), str(accepted.pk)]}
    page = client.post("/admin/articles/entitycandidate/", post).content.decode()
    assert "کیانوش‌راد" in page and "شیرین کاظم‌نژاد" not in page  # asked about the proposed one only
    client.post("/admin/articles/entitycandidate/", {**post, "apply": "1"})
    assert list(EntityCandidate.objects.order_by("pk").values_list("status", flat=True)) == ["rejected", "accepted"]


def test_login_attempts_are_limited(client, settings):
    User.objects.create_user("reza", password="the-right-password-1403", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "reza", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "reza", "password": "the-right-password-1403"})
    assert response.status_code == 429 or "_auth_user_id" not in client.session


# -- edit conflicts: two editors on one article ----------------------------------------------------


def _change_url(obj) -> str:
    return f"/admin/articles/{obj._meta.model_name}/{obj.pk}/change/"


def test_later_save_over_a_changed_article_is_refused_naming_who_and_when(client, other_client, editor, seed):
    url = _change_url(seed)
    mine, hers = form_data(client.get(url).content.decode()), form_data(other_client.get(url).content.decode())
    assert mine["edit_version"] == hers["edit_version"] and mine["edit_version"][0]

    hers["title"] = ["عنوان مریم درباره گفت‌وگوی تلفنی"]
    assert other_client.post(url, hers).status_code == 302
    mine["title"] = ["عنوان سارا درباره گفت‌وگوی تلفنی"]
    mine["lead"] = ["لید تازه سارا"]
    refused = client.post(url, mine)

    assert refused.status_code == 200
    html = refused.content.decode()
    changed_at = seed.history.order_by("-history_date").first().history_date
    assert CONFLICT in html and "مریم کاظمی" in html and jalali.format_datetime(changed_at) in html
    assert f'<a href="{url.removesuffix("change/")}history/">تغییرهای او را ببینید</a>' in html
    assert "در این‌ها فرق دارد: عنوان، لید." in html  # the fields her save and this form disagree on
    assert "در نسخه ذخیره‌شده: «عنوان مریم درباره گفت‌وگوی تلفنی»" in html
    seed.refresh_from_db()
    assert seed.title == "عنوان مریم درباره گفت‌وگوی تلفنی" and seed.lead != "لید تازه سارا"

    again = form_data(html)  # what I typed is still in the form, with the version I have now seen
    assert again["title"] == mine["title"] and again["lead"] == mine["lead"]
    assert again["edit_version"] != mine["edit_version"]
    assert client.post(url, again).status_code == 302
    seed.refresh_from_db()
    assert (seed.title, seed.lead) == ("عنوان سارا درباره گفت‌وگوی تلفنی", "لید تازه سارا")
    titles = [record.title for record in seed.history.order_by("history_date")]
    assert titles[-2:] == ["عنوان مریم درباره گفت‌وگوی تلفنی", "عنوان سارا درباره گفت‌وگوی تلفنی"]


def test_editors_saving_one_after_another_see_no_conflict(client, other_client, editor, seed):
    url = _change_url(seed)
    for browser, title in [(client, "عنوان نخست"), (other_client, "عنوان دوم"), (client, "عنوان سوم")]:
        data = form_data(browser.get(url).content.decode())
        data["title"] = [title]
        assert browser.post(url, data).status_code == 302
    seed.refresh_from_db()
    assert seed.title == "عنوان سوم"


@pytest.mark.parametrize("version", [None, "", "garbled", "0" * 32])
def test_a_missing_or_forged_version_never_overwrites(client, editor, seed, version):
    url = _change_url(seed)
    data = form_data(client.get(url).content.decode())
    data["title"] = ["عنوانی بی‌نسخه"]
    if version is None:
        del data["edit_version"]
    else:
        data["edit_version"] = [version]
    response = client.post(url, data)
    assert response.status_code == 200 and CONFLICT in response.content.decode()
    seed.refresh_from_db()
    assert seed.title != "عنوانی بی‌نسخه"


def test_a_bulk_action_since_the_form_opened_is_a_conflict_too(client, other_client, editor, seed):
    """``categories.set()`` leaves ``updated`` alone; the version still sees it."""
    url = _change_url(seed)
    mine = form_data(client.get(url).content.decode())
    economy = Category.objects.create(name="اقتصاد", slug="economy")
    post = {"action": "add_category", "_selected_action": [str(seed.pk)], "apply": "1", "category": economy.pk}
    other_client.post("/admin/articles/article/", post)
    response = client.post(url, mine)
    assert response.status_code == 200 and CONFLICT in response.content.decode()
    assert list(seed.categories.all()) == [economy]


def test_entity_change_form_refuses_a_stale_save(client, other_client, editor):
    entity = Entity.objects.create(name="ولادیمیر پوتین", slug="putin", kind=Entity.Kind.PERSON)
    url = _change_url(entity)
    mine, hers = form_data(client.get(url).content.decode()), form_data(other_client.get(url).content.decode())
    hers["description"] = ["رئیس‌جمهور روسیه"]
    assert other_client.post(url, hers).status_code == 302
    mine["description"] = ["سیاستمدار"]
    html = client.post(url, mine).content.decode()
    assert CONFLICT in html and "مریم کاظمی" in html
    entity.refresh_from_db()
    assert entity.description == "رئیس‌جمهور روسیه"


@pytest.mark.parametrize("view", ["history", "change", "delete", "history/1"])
def test_an_id_that_is_no_id_is_404_for_every_registered_model(admin_client, view):
    from django.contrib import admin
    from simple_history.admin import SimpleHistoryAdmin

    for model, model_admin in admin.site._registry.items():
        if view == "history/1" and not isinstance(model_admin, SimpleHistoryAdmin):
            continue  # no revert page (django-simple-history's) for this model
        opts = model._meta
        for object_id in ("abc", "12abc", "1.5", "-", "ریابکوف"):
            url = f"/admin/{opts.app_label}/{opts.model_name}/{object_id}/{view}/"
            assert admin_client.get(url).status_code == 404, url
