"""Issue 16, items 8 and 10: files that are not files, and values no column can hold — each
refused with its path and reason, the rest imported, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import socket
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command

from articles.ingest import values
from articles.ingest.readers import count_items
from articles.models import Article, Category, RelatedLink, Source, Tag
from articles.tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db

PAGE = """\
آلودگی هوا؛ مدارس تهران فردا تعطیل است
همشهری آنلاین: استانداری تهران با اعلام وضعیت قرمز کیفیت هوا، مدارس را تعطیل کرد.
به گزارش همشهری آنلاین، معاون استاندار تهران گفت: شاخص کیفیت هوا از مرز ۱۵۰ گذشته است.
"""
CONTROLS = "".join(map(chr, [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F]))


def record(n: int, **fields) -> dict:
    return {"id": f"v-{n}", "title": f"خبر شماره {n} از بازار ارز", "body": f"متن خبر شماره {n}.", **fields}


@pytest.fixture
def no_hang():
    """Fail instead of hanging forever (a FIFO opened for reading waits for a writer)."""

    def fail(*_):
        pytest.fail("the import hung")  # not an OSError (TimeoutError is one): nothing catches it

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def run(capsys, *paths) -> tuple[str, str]:
    call_command("import_articles", *map(str, paths))
    captured = capsys.readouterr()
    return captured.out.strip().splitlines()[-1], captured.err


# --- item 8: special files -----------------------------------------------------------------------


def test_special_files_are_reported_and_skipped_and_the_rest_imported(tmp_path, search_index, capsys, no_hang):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.txt").write_text(PAGE, encoding="utf-8")
    os.mkfifo(folder / "fifo.txt")
    os.mkfifo(folder / "fifo.jsonl")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "null.jsonl").symlink_to("/dev/null")
    (folder / "loop1.txt").symlink_to(folder / "loop2.txt")
    (folder / "loop2.txt").symlink_to(folder / "loop1.txt")
    (folder / "dangling.json").symlink_to(folder / "missing.json")
    (folder / "mem.txt").symlink_to("/proc/self/mem")  # a regular file that cannot be read (EIO)
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sock.txt"))
        (folder / "x.txt").mkdir()  # a folder named like a page is walked: its pages import
        (folder / "x.txt" / "inner.jsonl").write_text(json.dumps(record(1), ensure_ascii=False) + "\n")
        locked = folder / "locked.txt"
        locked.write_text(PAGE.replace("فردا", "پس‌فردا"), encoding="utf-8")
        locked.chmod(0)
        assert count_items(folder) == 12
        summary, err = run(capsys, folder)
    root = os.geteuid() == 0  # chmod 000 does not stop root from reading
    assert summary.startswith(f"created {3 if root else 2}, updated 0, unchanged 0, failed {9 if root else 10},")
    for name, reason in [
        ("fifo.txt", "a FIFO (named pipe), not a regular file"),
        ("fifo.jsonl", "a FIFO (named pipe), not a regular file"),
        ("zero.txt", "a character device, not a regular file"),
        ("null.jsonl", "a character device, not a regular file"),
        ("loop1.txt", "a symlink loop"),
        ("loop2.txt", "a symlink loop"),
        ("dangling.json", "cannot read file: No such file or directory"),
        ("mem.txt", "cannot read file: Input/output error"),
        ("sock.txt", "a socket, not a regular file"),
        *([] if root else [("locked.txt", "cannot read file: Permission denied")]),
    ]:
        assert f"skipped {folder / name}:1: {reason}\n" in err, name
    assert Article.objects.filter(external_id="v-1").exists()


def test_a_fifo_given_by_name_is_refused_at_once(tmp_path, search_index, capsys, no_hang):
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(Exception, match="nothing imported"):
        call_command("import_articles", str(tmp_path / "pipe.txt"))
    assert "a FIFO (named pipe), not a regular file" in capsys.readouterr().err


# --- item 10: values ---------------------------------------------------------------------------


def test_limits_are_the_columns_max_length():
    field = lambda model, name: model._meta.get_field(name).max_length  # noqa: E731
    assert field(Article, "external_id") == values.ID_LIMIT
    assert values.TITLE_LIMIT == field(Article, "title") == field(RelatedLink, "title")
    assert values.URL_LIMIT == field(Article, "url") == field(RelatedLink, "url")
    names = [field(Source, "name"), field(Source, "domain"), field(Article, "agency"), field(Category, "name")]
    assert {values.NAME_LIMIT} == {*names, field(Tag, "name")}


def test_over_long_values_refuse_their_article_with_a_reason(tmp_path, search_index, capsys):
    path = write_jsonl(
        tmp_path / "long.jsonl",
        [
            record(1, id="ش" * 1000),
            record(2, url="https://example.org/" + "a" * 2980),
            record(3, source="خبرگزاری " * 50),
            record(4, tags=["ب" * 201]),
            record(5, agency="ایرنا" * 50),
            record(6, source_domain="a" * 300 + ".ir"),
            record(7, title="عنوان بسیار بلند " * 60, url="https://example.org/" + "a" * 980),
            record(8),
        ],
    )
    summary, err = run(capsys, path)
    assert summary.startswith("created 2, updated 0, unchanged 0, failed 6,")
    for line, reason in [
        (1, "field id: 1,000 characters, the limit is 200"),
        (2, "field url: 3,000 characters, the limit is 1,000"),
        (3, "field source: 449 characters, the limit is 200"),
        (4, "field tags: 201 characters, the limit is 200"),
        (5, "field agency: 250 characters, the limit is 200"),
        (6, "field source_domain: 303 characters, the limit is 200"),
    ]:
        assert f"skipped {path}:{line}: {reason}\n" in err
    long_title = Article.objects.get(external_id="v-7")  # a title is shortened, and the editor told
    assert len(long_title.title) <= 500 and long_title.title.endswith("…")
    assert values.NOTE_TITLE_SHORTENED in long_title.review_notes
    assert len(long_title.url) == 1000
    assert Source.objects.count() == 0 and Tag.objects.count() == 0


def test_a_title_of_invisible_marks_is_no_title(tmp_path, search_index, capsys):
    marks = "\u200c\u200f\u200e\u202b\u2067\u061c\ufeff\u00a0"
    path = write_jsonl(
        tmp_path / "marks.jsonl",
        [record(1, title=marks), record(2, title=" \u200c ", body="\u200f"), record(3, tags=[marks, "ارز"])],
    )
    page = tmp_path / "marks.txt"
    page.write_text(f"{marks}\n\u200c\n{PAGE}", encoding="utf-8")
    summary, err = run(capsys, path, page)
    assert summary.startswith("created 3, updated 0, unchanged 0, failed 1,")
    assert f"skipped {path}:2: missing title and body" in err
    derived = Article.objects.get(external_id="v-1")  # held for an editor, as any title-less record
    assert derived.title_derived and derived.title == "متن خبر شماره 1"
    assert list(Article.objects.get(external_id="v-3").tags.values_list("name", flat=True)) == ["ارز"]
    assert Article.objects.get(title__startswith="آلودگی هوا").source.name == "همشهری آنلاین"


def test_nan_infinity_and_numbers_are_no_text(tmp_path, search_index, capsys):
    path = tmp_path / "nan.jsonl"
    path.write_text(
        '{"id": "n1", "title": NaN, "body": "متن"}\n'
        '{"id": "n2", "title": "عنوان", "body": Infinity}\n'
        '{"id": "n3", "title": "عنوان", "body": "متن", "source": 12}\n'
        '{"id": "n4", "title": "عنوان خبر", "body": "متن", "tags": [1403]}\n',
        encoding="utf-8",
    )
    summary, err = run(capsys, path)
    assert summary.startswith("created 1, updated 0, unchanged 0, failed 3,")
    assert f"skipped {path}:1: field title: expected text, got number NaN" in err
    assert f"skipped {path}:2: field body: expected text, got number Infinity" in err
    assert f"skipped {path}:3: field source: expected text, got number" in err
    assert not Article.objects.filter(title__iexact="nan").exists()


def test_control_characters_are_never_stored(client, tmp_path, search_index, capsys):
    """Every C0 control but tab and newline, DEL and lone surrogates, in every field of a record
    and as raw bytes in a page: gone from what is stored, so feeds can always be written."""
    dirty = lambda text: CONTROLS[:16] + text + "\ud800" + CONTROLS[16:]  # noqa: E731
    path = tmp_path / "dirty.jsonl"
    fields = {
        "id": dirty("c-1"),
        "title": dirty("افزایش قیمت نان در تهران"),
        "lead": dirty("لید خبر نان"),
        "body": dirty("به گزارش ایسنا، قیمت نان افزایش یافت.") + "\nبند دوم " + dirty("https://example.org/x"),
        "source": dirty("عصر ایران"),
        "source_domain": dirty("asriran.com"),
        "agency": dirty("ایسنا"),
        "url": dirty("https://www.asriran.com/fa/news/1"),
        "category": [dirty("اقتصادی")],
        "tags": [dirty("نان")],
    }
    path.write_text(json.dumps(fields) + "\n", encoding="utf-8")  # ASCII, "\u0001" escapes: as exported
    page = tmp_path / "dirty.txt"
    page.write_bytes(PAGE.replace("تعطیل است", "تعطیل\x01 است\x7f\x1b").encode())
    summary, _ = run(capsys, path, page)
    assert summary.startswith("created 2, updated 0, unchanged 0, failed 0,")
    article = Article.objects.get(external_id="c-1")
    assert (article.title, article.url, article.source.name) == (
        "افزایش قیمت نان در تهران",
        "https://www.asriran.com/fa/news/1",
        "عصر ایران",
    )
    stored = [
        *Article.objects.values_list("external_id", "title", "lead", "body", "agency", "url", "review_notes"),
        *Source.objects.values_list("name", "domain"),
        *Category.objects.values_list("name"),
        *Tag.objects.values_list("name"),
        *RelatedLink.objects.values_list("title", "url", "lead"),
    ]
    assert not [text for row in stored for text in row if values.clean(text) != text]
    assert Article.objects.get(title__contains="تعطیل است").title == "آلودگی هوا؛ مدارس تهران فردا تعطیل است"
    for feed in ["/search/feed/", "/search/rss/"]:
        response = client.get(feed, {"q": "تهران"})
        assert response.status_code == 200
        ET.fromstring(response.content)
