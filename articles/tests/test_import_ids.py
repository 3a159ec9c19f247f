"""Issue 16, item 2: duplicates are reported, never saved over each other; a page's id comes from
what identifies its story; running the same files again changes nothing."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from django.core.management import call_command

from articles.ingest import readers
from articles.ingest.save import content_hash
from articles.ingest.scraped import legacy_page_id
from articles.models import Article
from articles.tests.conftest import REPO, write_jsonl

pytestmark = pytest.mark.django_db

GOLD_TITLE = "قیمت طلا و ارز امروز"


def gold_page(price: str, *header: str) -> str:
    return "\n".join(
        [
            GOLD_TITLE,
            *header,
            "اقتصادنیوز: قیمت طلا و سکه در بازار تهران امروز اعلام شد.",
            f"به گزارش اقتصادنیوز، قیمت هر سکه تمام بهار آزادی امروز {price} میلیون تومان معامله شد.",
            "قیمت دلار در بازار آزاد نیز نسبت به روز گذشته تغییر چندانی نداشت.",
        ]
    )


def record(n: int, **fields) -> dict:
    return {"id": f"r-{n}", "title": f"خبر شماره {n} درباره بازار مسکن تهران", "body": f"متن خبر شماره {n}.", **fields}


def run(capsys, *paths) -> tuple[str, str]:
    call_command("import_articles", *map(str, paths))
    captured = capsys.readouterr()
    return captured.out.strip().splitlines()[-1], captured.err


def test_same_id_twice_in_a_one_line_json_list_is_reported_by_element(tmp_path, search_index, capsys):
    path = tmp_path / "list.json"
    first, second = record(1), record(1, title="نسخه دوم همان خبر که نباید جای اولی را بگیرد")
    path.write_text(json.dumps([first, record(2), second], ensure_ascii=False), encoding="utf-8")
    summary, err = run(capsys, path)
    assert summary.startswith("created 2, updated 0, unchanged 0, failed 0, duplicates 1;")
    assert f"skipped {path}:1 (element 3): duplicate id r-1: {path}:1 (element 1) has it (kept)" in err
    assert Article.objects.get(external_id="r-1").title == first["title"]  # the first wins


def test_same_id_in_two_files_and_twice_in_a_jsonl_first_wins(tmp_path, search_index, capsys):
    a = write_jsonl(tmp_path / "a.jsonl", [record(1), record(2), record(2, title="دومی در همان پرونده")])
    b = write_jsonl(tmp_path / "b.jsonl", [record(1, title="همان شناسه در پرونده دیگر"), record(3)])
    summary, err = run(capsys, a, b)
    assert summary.startswith("created 3, updated 0, unchanged 0, failed 0, duplicates 2;")
    assert f"skipped {a}:3: duplicate id r-2: {a}:2 has it (kept)" in err
    assert f"skipped {b}:1: duplicate id r-1: {a}:1 has it (kept)" in err
    assert Article.objects.get(external_id="r-1").title == record(1)["title"]
    assert Article.objects.get(external_id="r-2").title == record(2)["title"]


def test_daily_pages_with_one_title_are_one_article_a_day(tmp_path, search_index, capsys):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "day1.txt").write_text(gold_page("۴۲"), encoding="utf-8")
    (pages / "day2.txt").write_text(gold_page("۴۳"), encoding="utf-8")
    (pages / "dated1.txt").write_text(gold_page("۴۴", "۱۴۰۳/۰۲/۱۲"), encoding="utf-8")
    (pages / "dated2.txt").write_text(gold_page("۴۴", "تاریخ: 2024-05-02"), encoding="utf-8")
    (pages / "url1.txt").write_text(gold_page("۴۵", "https://www.eghtesadnews.com/fa/news/1"), encoding="utf-8")
    (pages / "url2.txt").write_text(gold_page("۴۶", "https://www.eghtesadnews.com/fa/news/1"), encoding="utf-8")
    summary, err = run(capsys, pages)
    assert summary.startswith("created 5, updated 0, unchanged 0, failed 0, duplicates 1;")
    assert f"skipped {pages / 'url2.txt'}:1: duplicate id" in err  # one URL, one story
    assert Article.objects.filter(title=GOLD_TITLE).count() == 5
    dated = Article.objects.exclude(published=None).order_by("published")
    assert [a.published.date().isoformat() for a in dated] == ["2024-05-01", "2024-05-02"]
    assert Article.objects.get(url="https://www.eghtesadnews.com/fa/news/1").body.count("۴۵") == 1


def test_running_the_same_files_again_changes_nothing(tmp_path, search_index, capsys):
    folder = tmp_path / "batch"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [record(1, category=["اقتصادی"], tags=["مسکن"]), record(2), record(1)])
    write_jsonl(folder / "b.jsonl", [record(2, title="تکراری در پرونده دوم"), record(3)])
    (folder / "day1.txt").write_text(gold_page("۴۲"), encoding="utf-8")
    (folder / "day2.txt").write_text(gold_page("۴۳"), encoding="utf-8")
    paths = (folder, REPO / "demo" / "articles.jsonl", REPO / "demo" / "raw")
    first, _ = run(capsys, *paths)
    history = Article.history.count()
    stamps = dict(Article.objects.values_list("external_id", "updated"))
    again, err = run(capsys, *paths)
    created = int(first.split()[1].rstrip(","))
    assert again.startswith(f"created 0, updated 0, unchanged {created}, failed 0, duplicates 2;")
    assert err.count("duplicate id") == 2
    assert Article.history.count() == history  # no new versions
    assert dict(Article.objects.values_list("external_id", "updated")) == stamps


def _as_stored_by_an_older_version(path) -> Article:
    """Import ``path`` and leave its row as the old importer did: keyed by its title's hash."""
    (parsed,) = readers.iter_path(path)
    call_command("import_articles", str(path))
    legacy = legacy_page_id(parsed.title)
    old_hash = content_hash(replace(parsed, external_id=legacy))
    Article.objects.filter(external_id=parsed.external_id).update(external_id=legacy, content_hash=old_hash)
    return Article.objects.get(external_id=legacy)


def test_pages_stored_under_their_title_key_keep_their_article(tmp_path, search_index, capsys):
    """An archive imported before ids came from the page's story: a re-import finds each old
    article under its old key (its title's hash), gives it the new key without a new version,
    and a page of the same title that is not the stored one becomes an article of its own."""
    day2 = tmp_path / "day2.txt"
    day2.write_text(gold_page("۴۳"), encoding="utf-8")
    old = _as_stored_by_an_older_version(day2)  # the old importer kept the last day only
    history = Article.history.count()
    (tmp_path / "day1.txt").write_text(gold_page("۴۲"), encoding="utf-8")
    capsys.readouterr()
    summary, _ = run(capsys, tmp_path)
    assert summary.startswith("created 1, updated 0, unchanged 1, failed 0, duplicates 0;")
    assert (
        Article.objects.get(pk=old.pk).external_id.startswith("txt-")
        and not Article.objects.filter(external_id=old.external_id).exists()
    )
    assert Article.history.count() == history + 1  # the new day's article only
    assert run(capsys, tmp_path)[0].startswith("created 0, updated 0, unchanged 2,")


def test_a_page_with_url_and_date_lines_stored_under_its_title_key_keeps_its_article(tmp_path, search_index, capsys):
    """Older versions kept the lines after the title in the text, and the lead as a paragraph."""
    page = tmp_path / "page.txt"
    page.write_text(gold_page("۴۳", "https://www.eghtesadnews.com/fa/news/9", "۱۴۰۳/۰۲/۱۲"), encoding="utf-8")
    old = _as_stored_by_an_older_version(page)
    text = "https://www.eghtesadnews.com/fa/news/9\n\n۱۴۰۳/۰۲/۱۲\n\n" + "\n\n".join(gold_page("۴۳").splitlines()[1:])
    Article.objects.filter(pk=old.pk).update(lead="", body=text, url="", published=None, content_hash="older")
    other_day = tmp_path / "other.txt"
    other_day.write_text(gold_page("۴۴", "https://www.eghtesadnews.com/fa/news/10"), encoding="utf-8")
    capsys.readouterr()
    summary, _ = run(capsys, page, other_day)
    assert summary.startswith("created 1, updated 1, unchanged 0,")
    article = Article.objects.get(pk=old.pk)
    assert (article.url, article.lead.startswith("قیمت طلا و سکه")) == ("https://www.eghtesadnews.com/fa/news/9", True)
    assert article.published.date().isoformat() == "2024-05-01"


def test_an_edited_page_stored_under_its_title_key_is_updated_in_place(tmp_path, search_index, capsys):
    page = tmp_path / "page.txt"
    page.write_text(gold_page("۴۳"), encoding="utf-8")
    old = _as_stored_by_an_older_version(page)
    Article.objects.filter(pk=old.pk).update(content_hash="an older parser's output")
    capsys.readouterr()
    summary, _ = run(capsys, page)
    assert summary.startswith("created 0, updated 1, unchanged 0,")  # same title and text: the same page
    assert Article.objects.get().pk == old.pk
