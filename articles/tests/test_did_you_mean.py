"""Did-you-mean on the demo archive: typos in any letter, from published articles only, as written."""

import pytest

from articles.models import Article
from articles.search import query
from articles.search.service import SearchParams, did_you_mean, run_search
from articles.tests.conftest import REPO, write_jsonl

pytestmark = pytest.mark.django_db

DEMO = REPO / "demo" / "articles.jsonl"


def _article(key: str, body: str) -> dict:
    return {
        "id": key,
        "title": "گزارشی تازه از نمایشگاه",
        "lead": "خبرنامه آرشیو: نمایشگاهی در تهران برپا شد.",
        "body": body,
        "date": "2025-01-05T10:00:00",
        "source": "خبرنامه آرشیو",
        "source_domain": "example.ir",
        "url": f"https://example.ir/news/{key}",
        "category": ["فرهنگی"],
        "tags": [],
    }


@pytest.fixture
def demo(import_paths, tmp_path):
    extra = [
        _article("dym-1", "بازدیدکنندگان از تصویر گورخرهای باغ وحش دیدن کردند."),
        _article("dym-2", "اینن نمایشگاه تا پایان هفته باز است."),  # a typo that made it into print
    ]
    import_paths(DEMO, write_jsonl(tmp_path / "extra.jsonl", extra))


def _suggest(q: str) -> str:
    return did_you_mean(query.parse(q))


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("برسپولیس", "پرسپولیس"),  # a look-alike first letter
        ("ستقلال", "استقلال"),  # the first letter lost
        ("تهارن", "تهران"),  # two letters swapped
    ],
)
def test_typo_in_any_letter_is_corrected(demo, typo, word):
    assert _suggest(typo) == word


def test_suggestion_finds_articles(demo):
    page = run_search(SearchParams(q="برسپولیس استقلال"))
    assert page.suggestion == "پرسپولیس استقلال"
    assert run_search(SearchParams(q=page.suggestion)).count > 0


@pytest.mark.django_db(transaction=True)  # the index follows commits
def test_word_only_drafts_contain_is_never_offered(demo):
    article = Article.objects.get(external_id="dym-1")
    article.status = Article.Status.DRAFT
    article.save()
    assert _suggest("گورخد") == ""
    article.status = Article.Status.PUBLISHED
    article.save()
    assert _suggest("گورخد") == "گورخرهای"


def test_rare_word_next_to_a_very_common_one_is_offered_the_common_one(demo):
    assert run_search(SearchParams(q="اینن")).count == 1  # in the archive, once
    assert _suggest("اینن") == "این"


def test_suggestion_is_a_word_as_written_not_a_stem(demo):
    assert _suggest("شهروندن") == "شهروندان"  # the term is شهروند
    assert _suggest("مذاکرت") == "مذاکرات"  # the term is مذاکره


def test_typed_space_inside_a_word_is_joined(demo):
    assert _suggest("آلود گی هوا") == "آلودگی هوا"


def test_query_with_nothing_to_correct_suggests_nothing(demo):
    assert _suggest("آلودگی هوای تهران") == ""
    assert _suggest("هفته های گذشته") == ""  # two typed words the analyzer reads as one
    assert _suggest("۱۴۰۳") == ""


def test_a_typo_is_looked_up_whole_not_as_fragments():
    import persian

    # A query of it may search for ابول + فضل (an unknown glued word splits into known ones);
    # did-you-mean looks up the word whole, and each of its neighbours too.
    assert persian.word_term("ابولفضل") == "ابولفضل"
    assert persian.word_term("ابوالفضل") == persian.term("ابوالفضل")
