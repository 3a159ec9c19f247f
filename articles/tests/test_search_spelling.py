"""A query typed any common way finds the seed page, which was scraped without half-spaces."""

import pytest

from articles.search.service import SearchParams, run_search
from articles.tests.conftest import SEED, write_jsonl

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_archive(import_paths):
    import_paths(SEED)


def _titles(q: str, **filters) -> list[str]:
    return [hit.article.title for hit in run_search(SearchParams(q=q, **filters)).hits]


@pytest.mark.parametrize(
    "query",
    [
        "گفتوگو",  # as scraped
        "گفت‌وگو",  # with ZWNJ
        "گفت وگو",  # with a space
        "گفتگو",  # the common alternative spelling
        "تماس‌های تلفنی",
        "تماس های تلفنی",
        "تماسهای تلفنی",
        "هفته‌های آینده",
        "هفتههای آینده",
        "امکان‌پذیر",
        "امکان پذیر",
        "پوتين",  # Arabic yeh
        "ريابكوف",  # Arabic yeh and kaf
        "۲۰۲۲",  # Persian digits for the Latin 2022 in the text
        "می‌کند",
        "رئیس‌جمهور منتخب",
    ],
)
def test_spelling_variants_find_the_seed(seed_archive, query):
    assert _titles(query) == ["واکنش روسیه به احتمال گفتوگو بین پوتین و ترامپ"]


def test_unrelated_word_finds_nothing(seed_archive):
    assert _titles("فوتبال") == []


def test_text_of_the_related_block_is_not_indexed_as_the_article(seed_archive):
    # "نخبگان کرملین" only appears in the glued related-news lead, which leaves the body.
    assert _titles("نخبگان کرملین") == []


def test_snippet_marks_words_as_written_in_the_text(seed_archive):
    hit = run_search(SearchParams(q="تماس‌ها")).hits[0]
    assert "<mark>تماس های</mark>" in hit.raw_snippet  # the API: the text as stored
    assert "<mark>تماس‌های</mark>" in hit.snippet  # pages: the same words, half-space restored


def test_strange_queries_return_a_page(seed_archive):
    for q in ['"', "((", "OR", "-", "title:", 'source:"', "*", "?", "\u200f\u200e", "a" * 5000, "AND OR NOT"]:
        page = run_search(SearchParams(q=q))
        assert not page.unavailable


def test_did_you_mean_suggests_words_the_archive_has_as_written(seed_archive):
    page = run_search(SearchParams(q="ریابکوب روسیه"))  # a typo in the surname
    assert page.suggestion == "ریابکوف روسیه"
    assert run_search(SearchParams(q=page.suggestion)).count == 1


def test_did_you_mean_is_silent_when_the_words_exist(seed_archive):
    assert run_search(SearchParams(q="ریابکوف")).suggestion == ""


# Articles written the careful way (half-spaces, joined names); readers type them otherwise.
EDGE_ARTICLES = [
    ("پیش‌بینی بازار نفت", "کارشناسان قیمت نفت را در سال‌های آتی بالاتر از امروز می‌دانند."),
    ("دیدار با رضایی‌نژاد", "علی رضایی‌نژاد در چهل‌ودومین نشست انجمن سخنرانی کرد."),
    ("محدودیت تردد", "طرح محدودیت رفت‌وآمد خودروها در مرکز شهر از شنبه اجرا می‌شود."),
    ("فوتبال", "سرمربی تیم ملی فهرست بازیکنان دعوت‌شده را اعلام کرد."),
]


@pytest.fixture
def edge_archive(import_paths, tmp_path):
    records = [
        {"id": f"edge-{i}", "title": title, "body": body, "date": f"2024-05-0{i + 1}T10:00:00",
         "source": "خبرگزاری نمونه", "url": f"https://example.ir/edge/{i}"}
        for i, (title, body) in enumerate(EDGE_ARTICLES)
    ]  # fmt: skip
    import_paths(write_jsonl(tmp_path / "edge.jsonl", records))


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("سال‌های آتی", "پیش‌بینی بازار نفت"),  # its terms re-split when the query was re-read
        ('"سال‌های آتی"', "پیش‌بینی بازار نفت"),
        ("سالهای آتی", "پیش‌بینی بازار نفت"),
        ("رضایی نژاد", "دیدار با رضایی‌نژاد"),  # a surname spaced
        ("چهل و دومین", "دیدار با رضایی‌نژاد"),  # an ordinal spaced
        ("رفت و آمد", "محدودیت تردد"),
        ("آمد", "محدودیت تردد"),  # a part of the compound
        ("سر مربی", "فوتبال"),
        ("مربی", "فوتبال"),
    ],
)
def test_a_query_finds_the_article_however_its_words_are_joined(edge_archive, query, title):
    assert title in _titles(query), query


def test_a_compound_found_by_its_part_is_marked_in_the_snippet(edge_archive):
    hit = next(hit for hit in run_search(SearchParams(q="آمد")).hits if hit.article.title == "محدودیت تردد")
    assert "<mark>رفت‌وآمد</mark>" in hit.raw_snippet
