"""The import command and the save path: idempotent, reporting, losing nothing."""

import pytest
from django.core.management import call_command

from articles.models import Article, RelatedLink, Source, Tag
from articles.tests.conftest import SEED, write_jsonl

pytestmark = pytest.mark.django_db


RECORD = {
    "id": "t-1",
    "title": "افزايش قيمت نان در تهران",
    "lead": "",
    "body": "به گزارش ایسنا، قيمت نان در تهران از هفته آينده افزايش مي يابد.\nاین تصمیم در جلسه شورای شهر گرفته شد.",
    "date": "2024-05-01T10:00:00",
    "source": "عصر ایران",
    "source_domain": "asriran.com",
    "url": "https://www.asriran.com/fa/news/1",
    "category": ["اقتصادی"],
    "tags": ["نان"],
}


def test_seed_page_imports_into_structured_records(search_index, capsys):
    call_command("import_articles", str(SEED))
    article = Article.objects.get()
    assert article.title == "واکنش روسیه به احتمال گفتوگو بین پوتین و ترامپ"
    assert article.source.name == "اقتصادنیوز"
    assert article.agency == "ایرنا"
    assert article.lead.startswith("سرگئی ریابکوف")
    assert "خبر مرتبط" not in article.body and "دنبال کنید" not in article.body
    link = RelatedLink.objects.get()
    assert link.kind == RelatedLink.Kind.RELATED and link.to_article is None
    assert "created 1, updated 0, unchanged 0, failed 0" in capsys.readouterr().out


def test_reimport_is_idempotent(tmp_path, search_index, capsys):
    path = write_jsonl(tmp_path / "a.jsonl", [RECORD, {**RECORD, "id": "t-2", "title": "خبر دوم"}])
    call_command("import_articles", str(path), str(SEED))
    call_command("import_articles", str(path), str(SEED))
    assert Article.objects.count() == 3
    assert Source.objects.count() == 2
    assert "created 0, updated 0, unchanged 3, failed 0" in capsys.readouterr().out.splitlines()[-1]

    write_jsonl(path, [{**RECORD, "title": "افزایش قیمت نان در تهران از شنبه"}])
    call_command("import_articles", str(path))
    assert Article.objects.get(external_id="t-1").title.endswith("از شنبه")
    assert "created 0, updated 1, unchanged 0" in capsys.readouterr().out


def test_malformed_file_is_reported_and_the_rest_imports(tmp_path, search_index, capsys):
    folder = tmp_path / "batch"
    folder.mkdir()
    write_jsonl(folder / "good.jsonl", [RECORD])
    (folder / "broken.jsonl").write_text('{"id": "x-1", "title": "نیمه\n', encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\xff\xfe\x00\x00\x9c\x80garbage\x00")
    call_command("import_articles", str(folder))
    captured = capsys.readouterr()
    assert Article.objects.filter(external_id="t-1").exists()
    assert "broken.jsonl:1" in captured.err
    assert "binary.txt" in captured.err
    assert "created 1" in captured.out and "failed 2" in captured.out


def test_article_without_title_is_kept_and_marked_for_review(tmp_path, search_index):
    path = write_jsonl(tmp_path / "a.jsonl", [{**RECORD, "title": None}])
    call_command("import_articles", str(path))
    article = Article.objects.get()
    assert article.title_derived
    assert article.title.startswith("قيمت نان در تهران")  # first sentence, attribution left out
    assert article.review_notes


def test_imported_articles_are_searchable(tmp_path, search_index):
    call_command("import_articles", str(SEED))
    assert search_index.doc_count() == 1


def test_same_slug_names_get_numbered_slugs_that_fit(tmp_path, search_index):
    # A name as long as the field allows, whose slug is as long as a slug may be; a second name
    # with the same slug (a hyphen where the first has a space) must be numbered within 200.
    long_name = "خبرگزاری " * 22 + "خب"
    same_slug = long_name.replace(" ", "-", 1)
    assert len(long_name) == len(same_slug) == 200
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {**RECORD, "tags": ["نان", "نان!", "نان؟"]},
            {**RECORD, "id": "t-2", "source": long_name, "tags": []},
            {**RECORD, "id": "t-3", "source": same_slug, "tags": []},
        ],
    )
    call_command("import_articles", str(path))
    assert sorted(Tag.objects.values_list("slug", flat=True)) == ["نان", "نان-2", "نان-3"]
    slugs = sorted(Source.objects.filter(name__startswith="خبرگزاری").values_list("slug", flat=True), key=len)
    assert len(slugs[0]) == 200 and len(slugs[1]) == 200 and slugs[1].endswith("-2")
    assert slugs[1][:-2] == slugs[0][:-2]


def test_sources_categories_and_tags_name_their_pages(client, tmp_path, search_index):
    call_command("import_articles", str(write_jsonl(tmp_path / "a.jsonl", [RECORD])))
    article = Article.objects.get()
    for subject in [article.source, article.categories.get(), article.tags.get()]:
        page = client.get(subject.get_absolute_url())
        assert page.status_code == 200 and str(subject) in page.content.decode()
        assert article.get_absolute_url() in page.content.decode()
