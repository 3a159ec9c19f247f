"""A search index folder deleted or emptied under a running site: every reader page still renders
(search says the index is being rebuilt), an editor's save succeeds and says the index will catch
up, and ``check_index --fix`` brings it back."""

import os
import shutil
import sys

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from articles.models import Article, Entity, EntityAlias
from articles.roles import EDITORS
from articles.search.service import SearchParams, run_search
from articles.tests.conftest import REPO, SEED

sys.path.insert(0, str(REPO / "bench"))
from write_load import form_fields

# Saves commit as in production: their indexing runs inside the admin's request.
pytestmark = pytest.mark.django_db(transaction=True)
REBUILDING = "نمایه در حال بازسازی است"
CATCH_UP = "check_index --fix"


@pytest.fixture
def archive(search_index) -> Article:
    from articles.tests.conftest import import_files

    entity = Entity.objects.create(name="سرگئی ریابکوف", slug="ryabkov")
    EntityAlias.objects.create(entity=entity, name="ریابکوف")
    import_files(SEED)
    article = Article.objects.get()
    assert article.mentions.filter(entity=entity).exists()
    return article


def _damage(settings, how: str) -> None:
    """What an operator's ``rm -r var/whoosh`` does to a site that keeps running."""
    path = settings.HAYSTACK_CONNECTIONS["default"]["PATH"]
    shutil.rmtree(path)
    if how == "empty":
        os.makedirs(path)


@pytest.mark.parametrize("how", ["deleted", "empty"])
def test_every_reader_page_renders_without_an_index(client, archive, settings, how):
    client.get("/entities/ryabkov/")  # the page has been read (and cached) before the damage
    _damage(settings, how)
    a = archive.pk
    pages = ["/", f"/articles/{a}/", f"/articles/{a}/graph/", "/entities/ryabkov/", "/archive/", "/sitemap.xml"]
    pages += [archive.source.get_absolute_url(), "/search/feed/?q=ریابکوف", "/search/rss/", "/api/suggest/?q=ریا"]
    pages += [f"/api/articles/{a}/", f"/api/articles/{a}/graph/", "/search/attention.csv?q=ریابکوف"]
    for url in pages:
        assert client.get(url, follow=True, REMOTE_ADDR="127.0.0.1").status_code == 200, url
    assert "ریابکوف" in client.get("/entities/ryabkov/").content.decode()
    search = client.get("/search/", {"q": "ریابکوف"})
    assert search.status_code == 200 and REBUILDING in search.content.decode()
    assert client.get("/api/search/", {"q": "ریابکوف"}, REMOTE_ADDR="127.0.0.1").status_code == 503


@pytest.mark.parametrize("how", ["deleted", "empty"])
def test_a_save_without_an_index_succeeds_says_so_and_check_index_catches_up(client, archive, settings, how):
    user = User.objects.create_user("sara", password="a-long-editor-pass-1403", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    url = f"/admin/articles/article/{archive.pk}/change/"
    data = form_fields(client.get(url).content.decode())
    _damage(settings, how)
    data["title"] = ["واکنش روسیه به گفت‌وگوی پوتین و ترامپ پس از تحلیف در کاخ کرملین"]
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert CATCH_UP in response.content.decode()  # the editor is told the search is behind
    archive.refresh_from_db()
    assert archive.title.endswith("کاخ کرملین")

    with pytest.raises(CommandError):
        call_command("check_index")
    call_command("check_index", "--fix")
    call_command("check_index")  # matches the database now
    assert [hit.article.pk for hit in run_search(SearchParams(q="کرملین")).hits] == [archive.pk]
