"""The editors' desk, driven through Django's test client as an editor would."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, User

from articles.models import Article
from articles.roles import EDITORS
from articles.search import SearchParams, run_search
from articles.tests.conftest import REPO, SEED

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """The values a browser would submit with the admin's change form (``<form id="…_form">``)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or not a.get("name"):
            if tag == "option" and self._select and "selected" in a:
                self.data.setdefault(self._select, []).append(a.get("value", ""))
            return
        if tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if a.get("type") in ("checkbox", "radio") else ""
            self.data.setdefault(a["name"], []).append(a.get("value", default))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "textarea":
            self._textarea = a["name"]
            self.data[a["name"]] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def form_data(html: str) -> dict[str, list[str]]:
    parser = _FormFields()
    parser.feed(html)
    return parser.data


@pytest.fixture
def editor(client):
    user = User.objects.create_user("sara", password="a-long-editor-pass-1403", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    return user


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
    from articles import indexing

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


def test_login_attempts_are_limited(client, settings):
    User.objects.create_user("reza", password="the-right-password-1403", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "reza", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "reza", "password": "the-right-password-1403"})
    assert response.status_code == 429 or "_auth_user_id" not in client.session
