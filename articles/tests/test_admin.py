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
