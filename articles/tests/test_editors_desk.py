"""The editors' desk, round 2: Jalali dates that round-trip, Persian labels, the readers' counts,
the dashboard and imports from the admin; driven through Django's test client as an editor would."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
import time
import zipfile

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from articles import jalali, uploads
from articles.admin import articles as article_admin
from articles.admin.dates import format_datetime, parse_datetime
from articles.import_runs import ImportRun
from articles.models import Article, EntityCandidate, RelatedLink
from articles.roles import EDITORS
from articles.search.service import SearchParams, matching_ids, run_search
from articles.tests.conftest import REPO, SEED, write_jsonl

sys.path.insert(0, str(REPO / "bench"))
from write_load import form_fields as form_data

DEMO = REPO / "demo" / "articles.jsonl"
UTC = dt.UTC


def _editor(client, username="sara", group=True, perms=()) -> User:
    user = User.objects.create_user(username, password="a-long-editor-pass-1403", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=EDITORS))
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    return user


@pytest.fixture
def editor(client, db):
    return _editor(client)


def _text(response) -> str:
    return response.content.decode()


# -- 1. Jalali dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (dt.datetime(2025, 1, 20, 6, 0, tzinfo=UTC), "۱۴۰۳/۱۱/۰۱ ۰۹:۳۰"),
        (dt.datetime(2025, 1, 20, 6, 0, 7, tzinfo=UTC), "۱۴۰۳/۱۱/۰۱ ۰۹:۳۰:۰۷"),
        (dt.datetime(2025, 1, 20, 6, 0, 7, 120, tzinfo=UTC), "۱۴۰۳/۱۱/۰۱ ۰۹:۳۰:۰۷.۰۰۰۱۲۰"),
        # 30 Shahrivar 1400: Tehran's clocks went back from 24:00 to 23:00; 23:30 happened twice.
        (dt.datetime(2021, 9, 21, 19, 0, tzinfo=UTC), "۱۴۰۰/۰۶/۳۰ ۲۳:۳۰ +۰۴:۳۰"),
        (dt.datetime(2021, 9, 21, 20, 0, tzinfo=UTC), "۱۴۰۰/۰۶/۳۰ ۲۳:۳۰ +۰۳:۳۰"),
    ],
)
def test_jalali_datetime_is_shown_in_tehran_time_and_read_back_exactly(stored, shown):
    assert format_datetime(stored) == shown
    assert parse_datetime(shown) == stored
    assert parse_datetime(jalali.latin_digits(shown)) == stored  # Latin digits typed work too


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2035, 1, 1)))
def test_any_stored_time_round_trips_through_the_form_text(naive):
    stored = naive.replace(tzinfo=UTC)
    assert parse_datetime(format_datetime(stored)) == stored


@pytest.mark.parametrize(
    "typed", ["۱۴۰۳/۱۳/۰۱", "1403/12/31 10:00", "۱۴۰۳-۱۱-۰۱ ۲۵:۰۰", "دیروز", "2025-01-20", "1400/01/02 00:30"]
)
def test_a_date_that_is_not_in_the_calendar_or_the_clock_is_refused_in_persian(typed):
    from django.core.exceptions import ValidationError

    # 1403 is not a leap year in jdatetime's reckoning of Esfand; 1400/01/02 00:30 Tehran was skipped (DST).
    with pytest.raises(ValidationError) as refused:
        parse_datetime(typed)
    assert refused.value.messages


@pytest.fixture
def seed(import_paths):
    from articles.tests.conftest import import_files

    import_files(SEED)
    return Article.objects.get()


def test_change_form_shows_jalali_and_an_untouched_save_keeps_the_date(client, editor, seed):
    url = f"/admin/articles/article/{seed.pk}/change/"
    html = _text(client.get(url))
    shown = format_datetime(seed.published)
    assert f'value="{shown}"' in html and "jalali-datetime" in html
    assert "Edit version" not in html and "Content hash" not in html and "اثر انگشت محتوا" in html
    assert re.search(r"\d{4}-\d{2}-\d{2}", re.sub(r"<[^>]+>", "", html).split("درون‌ریزی")[0]) is None
    before = Article.objects.values_list("published", flat=True).get(pk=seed.pk)
    data = form_data(html)
    data["title"] = [seed.title + " (ویرایش)"]
    assert client.post(url, data).status_code == 302
    assert Article.objects.values_list("published", flat=True).get(pk=seed.pk) == before


def test_editor_types_a_jalali_time_and_it_is_saved_in_tehran_time(client, editor, seed):
    url = f"/admin/articles/article/{seed.pk}/change/"
    data = form_data(_text(client.get(url)))
    data["published"] = ["۱۴۰۳/۱۱/۰۱ ۰۹:۳۰"]
    assert client.post(url, data).status_code == 302
    seed.refresh_from_db()
    assert seed.published == dt.datetime(2025, 1, 20, 6, 0, tzinfo=UTC)
    assert 'value="۱۴۰۳/۱۱/۰۱ ۰۹:۳۰"' in _text(client.get(url))
    history = _text(client.get(url.replace("/change/", "/history/")))
    assert "۱ بهمن ۱۴۰۳، ساعت ۰۹:۳۰" in history  # what changed, in Jalali too

    data = form_data(_text(client.get(url)))
    data["published"] = ["۱۴۰۳/۱۲/۳۱ ۰۹:۳۰"]
    refused = client.post(url, data)
    assert refused.status_code == 200 and "در تقویم نیست" in _text(refused)


def test_history_and_list_show_jalali_with_persian_digits(client, editor, import_paths):
    import_paths(DEMO)
    html = _text(client.get("/admin/articles/article/", {"p": "2"}))
    assert "۱۴۰۴" in html or "۱۴۰۳" in html
    paginator = html.split('class="paginator"')[1].split("</p>")[0]
    assert "۲" in paginator and not re.search(r"[0-9]", re.sub(r"<[^>]+>", "", paginator)), paginator
    assert "date_hierarchy" not in html and "?published__year=" not in html
    article = Article.objects.first()
    history = _text(client.get(f"/admin/articles/article/{article.pk}/history/"))
    created = article.history.order_by("history_date").first().history_date
    assert jalali.format_datetime(created) in history
    assert "December" not in history and "دسامبر" not in history


def test_jalali_year_and_month_filter_narrows_the_list(client, editor, import_paths):
    import_paths(DEMO)
    dated = Article.objects.exclude(published=None).order_by("published")
    first = jalali.to_jalali(dated.first().published)
    html = _text(client.get("/admin/articles/article/"))
    assert f"published_jalali={first.year}" in html and jalali.persian_digits(first.year) in html
    start, end = jalali.jalali_month_range(first.year, first.month)
    expected = Article.objects.filter(published__gte=start, published__lt=end).count()
    month = _text(client.get("/admin/articles/article/", {"published_jalali": f"{first.year}-{first.month:02d}"}))
    assert f"{jalali.month_name(first.month)} {jalali.persian_digits(first.year)}" in month
    rows = month.count('class="action-select"')
    assert rows == min(expected, 50) and expected > 0


# -- 3. Counts that agree ---------------------------------------------------------------------------


def _result_count(html: str) -> int:
    shown = re.search(r'class="small quiet result-count">([۰-۹٬]+) نتیجه', html)
    assert shown, html[:2000]
    return int(jalali.latin_digits(shown[1]).replace("٬", ""))


@pytest.mark.django_db(transaction=True)
def test_a_bulk_action_writes_the_index_once_and_at_once(client, synthetic_archive):
    """Unpublishing several articles in one action: the index holds their new state when the
    page comes back, written in one commit (a transaction per ``CHUNK`` saves). In autocommit
    each article's save wrote the index, and its names' change wrote it again."""
    from articles.search import indexing
    from articles.search.engine import get_engine

    _editor(client)
    index = get_engine().backend.index
    found = [hit.article.pk for hit in run_search(SearchParams(q="گفتوگو", page_size=500)).hits]
    chosen = found[:5]
    generation = index.refresh()._index.latest_generation()
    post = {"action": "unpublish", "_selected_action": [str(pk) for pk in chosen], "apply": "1"}
    assert client.post("/admin/articles/article/", post, follow=True).status_code == 200
    assert Article.objects.filter(pk__in=chosen, status=Article.Status.DRAFT).count() == 5
    assert index.refresh()._index.latest_generation() == generation + 1
    report = indexing.compare()
    assert report.ok, (report.missing, report.stale)
    still = [hit.article.pk for hit in run_search(SearchParams(q="گفتوگو", page_size=500)).hits]
    assert still == [pk for pk in found if pk not in chosen] and len(chosen) == 5


@pytest.mark.django_db(transaction=True)
def test_adding_a_category_to_many_articles_writes_the_index_once_a_chunk(client, synthetic_archive, monkeypatch):
    """The other bulk actions on articles (add a category, re-extract names, resolve links)
    work in transactions of ``CHUNK`` too: 7 articles in chunks of 3 are three index commits, not
    one an article, and the index holds the new category at once."""
    from articles.admin import actions
    from articles.models import Category
    from articles.search import indexing
    from articles.search.engine import get_engine

    monkeypatch.setattr(actions, "CHUNK", 3)
    _editor(client)
    index = get_engine().backend.index
    chosen = list(Article.objects.published().order_by("pk").values_list("pk", flat=True)[:7])
    category = Category.objects.create(name="انرژی‌های تجدیدپذیر", slug="renewables")
    generation = index.refresh()._index.latest_generation()
    post = {"action": "add_category", "_selected_action": [str(pk) for pk in chosen], "apply": "1"}
    assert client.post("/admin/articles/article/", {**post, "category": category.pk}, follow=True).status_code == 200
    assert index.refresh()._index.latest_generation() == generation + 3
    assert indexing.compare().ok
    found = run_search(SearchParams(category=(category.slug,), page_size=50)).hits
    assert sorted(hit.article.pk for hit in found) == chosen


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("inline_ids", [500, 1])  # ids inline, and as one JSON parameter
def test_admin_search_counts_what_readers_count_plus_drafts(client, synthetic_archive, monkeypatch, inline_ids):
    monkeypatch.setattr(article_admin, "INLINE_IDS", inline_ids)
    _editor(client)
    counts = set()
    for q in ["گفتوگو", "گفت‌وگو", "گفت وگو"]:
        readers = run_search(SearchParams(q=q)).count
        everything = run_search(SearchParams(q=q, include_drafts=True)).count
        drafts = Article.objects.filter(status=Article.Status.DRAFT, pk__in=matching_ids(q, limit=None)).count()
        # A plain search (the index cuts the page), and one with a filter that keeps every
        # article (every match's id read, the database cuts the page): the same count.
        plain = _result_count(_text(client.get("/admin/articles/article/", {"q": q})))
        full = _result_count(_text(client.get("/admin/articles/article/", {"q": q, "published_jalali": ""})))
        assert plain == full == everything == readers + drafts > 0, (plain, full, everything, readers, drafts)
        source = Article.objects.filter(pk__in=matching_ids(q, limit=None)).exclude(source=None).first().source
        in_source = {"q": q, "source__id__exact": source.pk}
        by_index = _result_count(_text(client.get("/admin/articles/article/", in_source)))
        by_database = _result_count(
            _text(client.get("/admin/articles/article/", {**in_source, "published_jalali": ""}))
        )
        assert by_index == by_database == run_search(SearchParams(q=q, source=source.slug, include_drafts=True)).count
        counts.add(plain)
    assert len(counts) == 1, counts  # the three spellings of one word find the same articles


@pytest.mark.django_db(transaction=True)
def test_a_plain_admin_search_pages_through_every_match_newest_first(client, synthetic_archive):
    _editor(client)
    q = "تهران"
    expected = set(matching_ids(q, limit=None))
    assert len(expected) > 50
    seen, page = [], 1
    while len(seen) < len(expected) and page < 20:
        html = _text(client.get("/admin/articles/article/", {"q": q, "p": page}))
        seen += [int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', html)]
        page += 1
    assert len(seen) == len(set(seen)) and set(seen) == expected


# (The admin pages' query counts are pinned with the readers' pages, in test_queries.py.)


def test_the_list_query_uses_an_index_not_a_sort_of_every_article(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan")
    qs = Article.objects.order_by("-published", "-id")[:50]
    with connection.cursor() as cursor:
        sql, params = qs.query.sql_with_params()
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "article_published" in plan and "TEMP B-TREE" not in plan, plan
    with CaptureQueriesContext(connection) as counted:
        Article.objects.filter(article_admin.HELD_FOR_REVIEW).count()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {counted[0]['sql']}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "article_held_for_review" in plan, plan


# -- 5. Dashboard ---------------------------------------------------------------------------------


def test_dashboard_counts_what_waits_and_links_to_the_lists_that_fix_it(client, editor, import_paths):
    import_paths(DEMO, REPO / "demo" / "raw")
    Article.objects.filter(pk=Article.objects.first().pk).update(review_notes="تاریخ خوانده نشد")
    EntityCandidate.objects.create(name="دیمیتری پسکوف", key="peskov", pattern="سخنگوی X")
    ImportRun.objects.create(name="نمونه.jsonl", created=3, failed=1, errors=[["x.jsonl:2", "بی‌عنوان"]])
    html = _text(client.get("/admin/"))
    assert 'href="/admin/dashboard/"' in html
    page = client.get("/admin/dashboard/")
    html = _text(page)
    held = Article.objects.filter(article_admin.HELD_FOR_REVIEW).count()
    unresolved = RelatedLink.objects.filter(to_article=None).count()
    assert held >= 1 and unresolved >= 1
    for url, count in [
        ("/admin/articles/article/?review=held", held),
        ("/admin/articles/entitycandidate/?status__exact=proposed", 1),
        ("/admin/articles/relatedlink/?resolved=no", unresolved),
    ]:
        assert f'href="{url}"' in html
        assert f'<strong class="count">{jalali.persian_digits(f"{count:,}".replace(",", "٬"))}</strong>' in html, url
        listed = _text(client.get(url))
        assert listed.count('class="action-select"') == min(count, 50), url
    assert "نمایه با پایگاه داده یکی است" in html  # the import indexed everything
    assert "نمونه.jsonl" in html and "۳" in html
    assert not re.search(r"[0-9]", re.sub(r"<[^>]+>|\{[^}]*\}", "", html.split('id="content-main"')[1])), "Latin digits"


@pytest.mark.django_db(transaction=True)
def test_dashboard_offers_to_repair_an_index_that_differs(client, synthetic_archive):
    from articles.search import indexing

    _editor(client)
    gone = Article.objects.first().pk
    indexing.remove_articles([gone])
    html = _text(client.get("/admin/dashboard/"))
    assert "نمایه با پایگاه داده فرق دارد" in html and "repair_index" in html
    client.post("/admin/dashboard/", {"action": "repair_index"})
    assert indexing.compare().ok
    assert "نمایه با پایگاه داده یکی است" in _text(client.get("/admin/dashboard/"))


def test_dashboard_shows_each_block_only_to_those_allowed(client, db):
    _editor(client, "reader-only", group=False, perms=["view_article"])
    html = _text(client.get("/admin/dashboard/"))
    assert 'id="block-review"' in html and 'id="block-index"' in html
    assert 'id="block-candidates"' not in html and 'id="block-imports"' not in html and "repair_index" not in html
    assert client.post("/admin/dashboard/", {"action": "repair_index"}).status_code == 403
    assert client.get("/admin/articles/importrun/upload/").status_code == 403


# -- 6. Import from the admin -----------------------------------------------------------------------


def _upload(client, name: str, content: bytes):
    return client.post("/admin/articles/importrun/upload/", {"file": SimpleUploadedFile(name, content)}, follow=True)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _summary(html: str) -> dict[str, int]:
    cells = dict(re.findall(r'<td class="(created|updated|unchanged|failed)">([^<]+)</td>', html))
    return {k: int(jalali.latin_digits(v).replace("٬", "")) for k, v in cells.items()}


def test_uploading_jsonl_shows_the_importers_summary_and_again_unchanged(client, editor, search_index, tmp_path):
    lines = DEMO.read_bytes().splitlines(keepends=True)[:5]
    broken = b'{"id": "bad-1", "title": ""}\n'
    page = _upload(client, "خبرها.jsonl", b"".join(lines) + broken)
    html = _text(page)
    assert _summary(html) == {"created": 5, "updated": 0, "unchanged": 0, "failed": 1}, html
    assert "bad-1" in html or "خبرها.jsonl:6" in html or ".jsonl:6" in html
    run = ImportRun.objects.get()
    assert (run.kind, run.user.username, run.status) == ("upload", "sara", "done")
    assert run_search(SearchParams(q=json.loads(lines[0])["title"])).count >= 1  # indexed as the command does
    again = _text(_upload(client, "خبرها.jsonl", b"".join(lines)))
    assert _summary(again) == {"created": 0, "updated": 0, "unchanged": 5, "failed": 0}
    assert not list((uploads.upload_folder(run)).parent.glob(f"{run.pk}/*"))  # the upload is not kept


def test_zip_upload_takes_only_article_files_inside_the_archive(client, editor, search_index):
    page_text = SEED.read_bytes()
    members = {
        "pages/seed.txt": page_text,
        "../../escape.txt": b"x",
        "/etc/absolute.jsonl": b"{}",
        "notes/readme.md": b"# hi",
        "run.sh": b"rm -rf /",
        "big.jsonl": b"\n" * (5 * 2**20),  # compresses > 200x: a bomb by its ratio
    }
    html = _text(_upload(client, "بسته.zip", _zip(members)))
    assert _summary(html)["created"] == 1
    for name in ["../../escape.txt", "/etc/absolute.jsonl", "notes/readme.md", "run.sh", "big.jsonl"]:
        assert name in html, name
    assert "مسیر بیرون" in html and "نوع پرونده شناخته نیست" in html and "بمب" in html
    assert not (REPO.parent / "escape.txt").exists()


def test_upload_refuses_unknown_types_and_broken_zips(client, editor):
    for name, content, message in [
        ("script.py", b"print(1)", "فقط پرونده‌های"),
        ("broken.zip", b"not a zip at all", "خراب است"),
    ]:
        html = _text(_upload(client, name, content))
        assert message in html, name
    assert not ImportRun.objects.exists()


def test_a_zip_that_lies_about_its_size_is_stopped_by_the_bytes_written(tmp_path, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNPACKED_BYTES", 1000)
    archive = tmp_path / "a.zip"
    archive.write_bytes(_zip({"a.jsonl": b"{}\n" * 200, "b.jsonl": b"{}\n" * 300}))
    (tmp_path / "out").mkdir()
    with pytest.raises(uploads.UploadRefused):
        uploads.unpack_zip(archive, tmp_path / "out")


def test_a_failing_article_is_listed_and_leaves_nothing_half_saved(client, editor, search_index):
    if connection.vendor != "sqlite":
        pytest.skip("the refusing trigger is SQLite's")
    records = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()[:4]]
    refused = records[1]["id"]
    with connection.cursor() as cursor:  # the database refuses one article, as a full disk or a constraint would
        cursor.execute(
            "CREATE TEMP TRIGGER refuse_one BEFORE INSERT ON articles_article_categories "
            f"WHEN (SELECT external_id FROM articles_article WHERE id = NEW.article_id) = '{refused}' "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    assert records[1]["category"]  # saved after the article's row, in the same transaction
    payload = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    html = _text(_upload(client, "چهار.jsonl", payload))
    summary = _summary(html)
    assert summary["failed"] == 1 and summary["created"] == 3, html
    assert "disk full" in html
    assert not Article.objects.filter(external_id=refused).exists()  # its row went with its categories
    assert Article.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_large_upload_runs_in_the_background_with_progress(client, search_index, settings, tmp_path):
    settings.NEWSARCHIVE_UPLOAD_BACKGROUND_FROM = 10
    _editor(client)
    response = client.post(
        "/admin/articles/importrun/upload/", {"file": SimpleUploadedFile("demo.jsonl", DEMO.read_bytes())}
    )
    assert response.status_code == 302
    report_url = response["Location"]
    first = _text(client.get(report_url))
    run = ImportRun.objects.get()
    assert run.total == 60
    if run.status == ImportRun.Status.RUNNING:
        assert '<meta http-equiv="refresh"' in first and "در حال درون‌ریزی" in first
    deadline = time.monotonic() + 120
    while ImportRun.objects.get().status == ImportRun.Status.RUNNING and time.monotonic() < deadline:
        time.sleep(0.5)
    done = _text(client.get(report_url))
    assert '<meta http-equiv="refresh"' not in done
    run = ImportRun.objects.get()
    assert _summary(done)["created"] == 60 and Article.objects.count() == 60, (run.status, run.message, run.errors[:3])


def test_a_progress_write_the_database_refuses_does_not_stop_the_import(db, search_index, tmp_path):
    """Progress is for the editor watching: a write of it that fails (a locked table) is logged and retried."""
    if connection.vendor != "sqlite":
        pytest.skip("the refusing trigger is SQLite's")
    records = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()[:5]]
    data = write_jsonl(tmp_path / "پنج.jsonl", records)
    run = ImportRun.objects.create(kind=ImportRun.Kind.UPLOAD, name="پنج.jsonl", total=5)
    with connection.cursor() as cursor:  # every progress write is refused; the final one (status done) is not
        cursor.execute(
            "CREATE TEMP TRIGGER refuse_progress BEFORE UPDATE ON articles_importrun "
            "WHEN NEW.status = 'running' BEGIN SELECT RAISE(ABORT, 'database table is locked'); END"
        )
    uploads.run_import(run.pk, [data], tmp_path / "upload")
    run.refresh_from_db()
    assert (run.status, run.created, run.processed, run.message) == ("done", 5, 5, "")
    assert Article.objects.count() == 5


def test_the_import_command_records_its_run(db, search_index, tmp_path):
    from django.core.management import call_command

    data = write_jsonl(
        tmp_path / "two.jsonl", [json.loads(x) for x in DEMO.read_text(encoding="utf-8").splitlines()[:2]]
    )
    call_command("import_articles", str(data), verbosity=0)
    run = ImportRun.objects.get()
    assert (run.kind, run.created, run.status, run.user) == ("command", 2, "done", None)


def test_a_run_stopped_midway_lists_the_article_being_saved_and_those_after():
    from articles.ingest.parsed import ParseError

    tracked = uploads._Tracked(iter([ParseError(f"خبرها.jsonl:{n}", "") for n in range(1, 6)]))
    taken = iter(tracked)
    next(taken), next(taken), next(taken)  # the third was being saved when the import stopped
    rest = tracked.rest(finished=2)
    assert [origin for origin, _ in rest] == ["خبرها.jsonl:3", "خبرها.jsonl:4", "خبرها.jsonl:5"]
    assert all(reason == uploads.NOT_REACHED for _, reason in rest)
