"""Analysis done once (``persian.prepared``): the lines an import reads for the name finder are the
index's lines, read again from what was kept, and the index is the same as analysing them."""

import pytest

import persian
from articles.entities.matcher import segments
from articles.ingest.parsed import ParsedArticle
from articles.ingest.save import save_parsed
from articles.models import Article
from articles.search import indexing
from persian import prepared

TITLE = "رئيس‌جمهور: مذاکرات وين «به زودی» از سر گرفته مي‌شود"
LEAD = "سخنگوی دولت گفت؛ رفت و آمد هیئت‌ها ادامه دارد (طبق برنامه)."
BODY = (
    "به گزارش ایسنا، وزیر امور خارجه در نشست خبری گفت: دور هفتم مذاکرات ۱۴۰۲/۰۳/۱۵ آغاز می شود.\n"
    "او افزود — کره‌جنوبی و کره جنوبی نیز در جریان قرار گرفته‌اند؛ جنگل‌زدایی در دستور کار نیست!\n"
    "\n"
    "سازمان ملل متحد، روسیه و چین از این تصمیم استقبال کردند… «پیشرفت‌ها قابل توجه است»"
)


def _kept(*texts: str) -> dict:
    lines = prepared.Lines()
    segments(*texts, lines=lines)
    return lines.take()


def test_lines_read_back_give_the_whole_texts_analysis():
    value = f"{TITLE}\n{TITLE}\n{LEAD}\n{BODY}\nایرنا"
    kept = _kept(TITLE, LEAD, BODY)
    with prepared.using(kept) as use:
        assert prepared.index_spans(value) == persian.index_spans(value)
    assert use.read == 2 + 1 + len(BODY.split("\n"))  # every line but the agency's was kept
    assert use.analysed == 1
    # Parts of compounds travel too (رفت و آمد → رفت, آمد at its position).
    assert any(parts for *_, parts in prepared.decode(kept[LEAD]))


def test_a_changed_line_is_analysed_again_not_read():
    kept = _kept(TITLE)
    edited = TITLE.replace("وين", "ژنو")
    with prepared.using(kept) as use:
        assert prepared.index_spans(edited) == persian.index_spans(edited)
    assert (use.read, use.analysed) == (0, 1)


def test_clauses_are_the_same_read_line_by_line():
    link = "خبر مرتبط: پوتین، ترامپ و مذاکرات"
    assert segments(TITLE, LEAD, BODY, link, lines=prepared.Lines()) == segments(TITLE, LEAD, BODY, link)
    assert segments("", "\n", lines=prepared.Lines()) == segments("", "\n") == []


def test_encoding_round_trips_including_an_empty_line():
    for line in ["", "…؛", *BODY.split("\n")]:
        spans = persian.index_spans(line)
        assert prepared.decode(prepared.encode(spans)) == spans


@pytest.mark.django_db
def test_an_imported_article_is_indexed_from_its_kept_lines(search_index):
    lines = prepared.Lines()
    parsed = ParsedArticle(
        external_id="prepared-1", title=TITLE, lead=LEAD, body=BODY, origin="t:1", source_name="ایسنا", agency="ایرنا"
    )
    article, _ = save_parsed(parsed, lines=lines)
    with prepared.using(lines.take()) as use:
        indexing.index_articles([article.pk])
    assert use.read >= 2 + 1 + len(BODY.split("\n"))  # the title field's line and the text's
    assert use.analysed <= 1  # the agency
    assert indexing.compare().ok
    from articles.search.service import SearchParams, run_search

    for query in ("جنگل", "کره جنوبی", "آمد"):
        assert [hit.article.pk for hit in run_search(SearchParams(q=query)).hits] == [article.pk], query
    assert Article.objects.count() == 1
