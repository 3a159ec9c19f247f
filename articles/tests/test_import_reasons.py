"""The importer's reasons reach an editor in Persian: every kind of broken input is imported for
real, and each reason it gives must be one ``articles.import_reasons`` words in Persian; an
upload's report shows them so."""

from __future__ import annotations

import json
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from articles.import_reasons import in_persian, known
from articles.tests.conftest import REPO, import_files
from articles.tests.test_editors_desk import _editor

pytestmark = pytest.mark.django_db

DEMO = REPO / "demo" / "articles.jsonl"
GOOD = json.loads(DEMO.read_text(encoding="utf-8").splitlines()[0])

BROKEN_RECORDS = [
    {"title": "بی‌شناسه"},  # no id
    {"id": "x-1", "title": "", "body": "\u200c\u200f"},  # nothing visible
    {"id": "x-2", "title": 12},  # a number for text
    {"id": "x-3", "title": "قیمت طلا", "tags": {"a": 1}},  # an object for a list
    {"id": "x-4", "title": "قیمت طلا", "tags": [True]},  # not text in the list
    {"id": "x-5", "title": "قیمت طلا", "date": 1403},  # a number for a date
    {"id": ["x-6"], "title": "قیمت طلا"},  # a list for the id
    {"id": "x" * 1000, "title": "شناسه‌ی بسیار بلند"},  # over the column's limit
    {"id": "x-8", "title": "نشانی بلند", "url": "https://example.ir/" + "a" * 3000},
    {**GOOD, "id": "dup-1"},
    {**GOOD, "id": "dup-1"},  # the same id twice in one file
    [1, 2],  # not an object
]


def _every_kind_of_broken_input(folder):
    lines = [json.dumps(record, ensure_ascii=False) for record in BROKEN_RECORDS]
    lines += ['{"id": "x-9", "title": ', "{'id': 'single quotes'}", '{"id": "x-10", "title": NaN}']
    (folder / "خبرها.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "باز.json").write_text('[{"id": "y-1", "title": "قیمت دلار"},', encoding="utf-8")
    (folder / "خالی.jsonl").write_text("", encoding="utf-8")
    (folder / "خالی.txt").write_text("\n\n", encoding="utf-8")
    (folder / "بد.jsonl").write_bytes(b'{"id": "z-1", "title": "' + b"\xff\xfe" + b'"}\n')
    (folder / "بد.txt").write_bytes("عنوان\n".encode() + b"\xff\xfe\xfa\n")
    (folder / "جدول.csv").write_text("id,title\n1,قیمت\n", encoding="utf-8")
    (folder / "حلقه.jsonl").symlink_to(folder / "حلقه.jsonl")
    os.mkfifo(folder / "لوله.txt")
    return [folder / name for name in sorted(os.listdir(folder))] + [folder / "نیست.jsonl"]


def test_every_reason_the_importer_gives_is_worded_in_persian(tmp_path, search_index):
    report = import_files(*_every_kind_of_broken_input(tmp_path))
    reasons = [str(error.reason) for error in report.errors]
    assert len(reasons) >= 20 and report.created == 2  # dup-1 once, and y-1 before the list broke off
    untranslated = [r for r in reasons if not known(r)]
    assert not untranslated
    for reason in reasons:
        persian = in_persian(reason)
        assert re.search("[\u0600-\u06ff]", persian), reason
        # What stays Latin is a name from the file, a field's own name, JSON's or the system's words.
        assert not re.search(r"\b(missing|expected|invalid|duplicate|cannot|not imported)\b", persian), persian


def test_a_reason_already_in_persian_or_unknown_is_kept():
    assert in_persian("درون‌ریزی نشد: کار پیش از رسیدن به این خبر ایستاد.").startswith("درون‌ریزی نشد")
    assert in_persian("something new") == "something new" and not known("something new")
    assert in_persian("field title: 1,200 characters, the limit is 1,000") == (
        "عنوان (title) ۱٬۲۰۰ نویسه است؛ بیشینه ۱٬۰۰۰ نویسه"
    )


def test_an_uploads_report_gives_the_reasons_in_persian_the_originals_on_hover(client, search_index):
    _editor(client)
    lines = [json.dumps(GOOD, ensure_ascii=False), json.dumps({"title": "بی‌شناسه"}, ensure_ascii=False), "{"]
    page = client.post(
        "/admin/articles/importrun/upload/",
        {"file": SimpleUploadedFile("خبرها.jsonl", ("\n".join(lines) + "\n").encode())},
        follow=True,
    )
    html = page.content.decode()
    assert "شناسه (id) ندارد" in html and "JSON نادرست" in html
    assert 'title="missing field: id"' in html  # the importer's own words, for a developer
    assert ">missing field: id<" not in html
