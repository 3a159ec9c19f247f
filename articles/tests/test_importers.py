"""Parsing raw files into ParsedArticle / ParseError: pure, no database."""

# ruff: noqa: E501  (the embedded page keeps the one-paragraph-a-line form of a real scrape)

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from articles.ingest.parsed import ParsedArticle, ParseError
from articles.ingest.readers import NOTE_NO_TITLE, count_items, iter_path, parse_json_record
from articles.ingest.scraped import parse_text_page
from articles.tests.conftest import SEED, SHARED

# A page of our own, written like the scrapes: a different story, a خبر مرتبط block whose lead
# follows after a space, Arabic ي/ك, lost half-spaces (ایستگاههای, میشود), a share-link line and
# footers in their Arabic-letter forms.
AIR_POLLUTION_PAGE = """\
مدارس ابتدایی تهران فردا تعطیل شد
همشهری آنلاین: استانداری تهران با اعلام وضعیت قرمز کیفیت هوا، مدارس مقطع ابتدایی را برای روز شنبه تعطیل کرد.
به گزارش همشهری آنلاین به نقل از ایسنا، معاون استاندار تهران پس از جلسه کارگروه اضطرار آلودگی هوا گفت: شاخص کیفیت هوا در بیشتر ایستگاههای پایش از مرز ۱۵۰ گذشته است.
وی افزود: فعالیت مدارس ابتدایی و پیش دبستانی روز شنبه به صورت مجازی انجام میشود و کلاسها از طریق شبکه شاد برگزار خواهد شد.
خبر مرتبط آلودگی هوا چه بلایی سر ریه‌های ما می‌آورد؟ همشهری آنلاین: پزشكان مي‌گويند تنفس طولاني مدت در هواي آلوده خطر ابتلا به بيماري‌هاي تنفسي و قلبي را افزايش مي‌دهد.
بر اساس اعلام شركت كنترل كيفيت هواي تهران، ذرات معلق كمتر از ۲.۵ ميكرون آلاينده اصلي امروز بوده است.
بیشتر بخوانید:
طرح زوج و فرد از فردا اجرا میشود
ستاد اجرایی شهرداری نیز از شهروندان خواست تا حد امکان از وسایل حمل و نقل عمومی استفاده کنند.
https://t.me/share/url?url=https://www.hamshahrionline.ir/news/123456
همچنين بخوانيد
ما را در شبكه هاي اجتماعي دنبال كنيد
کپی شد
"""


def page(*lines: str) -> ParsedArticle:
    return parse_text_page("\n".join(lines), "test.txt:1")


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def record(**fields: object) -> dict:
    return {"id": "a1", "title": "عنوان خبر", "body": "متن خبر.", **fields}


def split(items) -> tuple[list[ParsedArticle], list[ParseError]]:
    items = list(items)
    return [i for i in items if isinstance(i, ParsedArticle)], [i for i in items if isinstance(i, ParseError)]


# --- the seed page -------------------------------------------------------------------------------


@pytest.fixture
def seed() -> ParsedArticle:
    (item,) = iter_path(SEED)
    assert isinstance(item, ParsedArticle), item
    return item


def test_seed_page_fields(seed):
    assert seed.title == "واکنش روسیه به احتمال گفتوگو بین پوتین و ترامپ"
    assert seed.source_name == "اقتصادنیوز"
    assert seed.agency == "ایرنا"
    assert seed.lead.startswith("سرگئی ریابکوف روز سه شنبه گفت")
    assert seed.published is None
    assert seed.origin == f"{SEED}:1"
    assert seed.external_id.startswith("txt-") and len(seed.external_id) == 20


def test_seed_related_block_becomes_a_link_and_leaves_the_body(seed):
    (link,) = seed.links
    assert (link.kind, link.position) == ("related", 0)
    assert link.title == "معنای سال 2025 برای روسیه و اوکراین؛ رویارویی که برندهای ندارد / ترامپ کییف را تسلیم میکند؟"
    assert link.lead.startswith("همزمان با بازگشت ترامپ")
    for gone in ("خبر مرتبط", "همچنین بخوانید", "دنبال کنید", "همزمان با بازگشت ترامپ", "اقتصادنیوز:"):
        assert gone not in seed.body


def test_seed_body_paragraphs(seed):
    paragraphs = seed.body.split("\n\n")
    assert len(paragraphs) == 10  # 12 body lines less the related block and the footer
    assert paragraphs[0].startswith("به گزارش اقتصادنیوز به نقل از ایرنا،")  # the attribution stays
    assert "مایک والتز" in seed.body
    assert seed.body.endswith("به جنگ در اوکراین پایان خواهد داد.")


def test_txt_key_survives_renaming_and_whitespace():
    a = parse_text_page(AIR_POLLUTION_PAGE, "a.txt:1")
    b = parse_text_page(AIR_POLLUTION_PAGE.replace("مدارس ابتدایی", "مدارس  ابتدایی", 1), "b.txt:1")
    assert a.external_id == b.external_id


# --- our own page --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "url", "day"),
    [
        (["https://www.hamshahrionline.ir/news/1"], "https://www.hamshahrionline.ir/news/1", None),
        (["۱۴۰۳/۰۲/۱۲ ۱۰:۳۰"], "", "2024-05-01"),
        (["تاریخ انتشار: 2024-05-02T09:00:00", "لینک خبر: https://a.ir/n/2"], "https://a.ir/n/2", "2024-05-02"),
        (["https://t.me/share/url?url=x"], "", None),  # a share link is not the page's address
    ],
)
def test_page_url_and_date_lines_identify_the_story(header, url, day):
    article = page("قیمت طلا و ارز امروز", *header, "قیمت سکه امروز اعلام شد.")
    assert article.url == url
    assert (article.published.date().isoformat() if article.published else None) == day
    assert ("تاریخ انتشار ندارد" in article.review_notes) == (day is None)
    plain = page("قیمت طلا و ارز امروز", "قیمت سکه امروز اعلام شد.")
    assert (article.external_id != plain.external_id) == bool(url or day)
    assert article.legacy_id == plain.legacy_id  # the title's hash: what older versions stored


def test_own_page_fields_and_text_kept_as_written():
    article = parse_text_page(AIR_POLLUTION_PAGE, "air.txt:1")
    assert article.title == "مدارس ابتدایی تهران فردا تعطیل شد"
    assert article.source_name == "همشهری آنلاین"
    assert article.agency == "ایسنا"
    assert article.lead.startswith("استانداری تهران با اعلام وضعیت قرمز")
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == 4
    assert "ایستگاههای" in article.body and "كيفيت هواي" in article.body  # not normalized
    assert paragraphs[-1].startswith("ستاد اجرایی شهرداری")


def test_own_page_links_in_document_order():
    article = parse_text_page(AIR_POLLUTION_PAGE, "air.txt:1")
    related, also = article.links
    assert (related.kind, related.position, related.title) == (
        "related",
        0,
        "آلودگی هوا چه بلایی سر ریه‌های ما می‌آورد؟",
    )
    assert related.lead.startswith("پزشكان مي‌گويند")
    assert (also.kind, also.position, also.title) == ("also_read", 1, "طرح زوج و فرد از فردا اجرا میشود")


def test_own_page_boilerplate_and_share_links_dropped():
    body = parse_text_page(AIR_POLLUTION_PAGE, "air.txt:1").body
    for gone in ("t.me", "بخوان", "دنبال كنيد", "کپی شد", "خبر مرتبط", "پزشكان", "زوج و فرد"):
        assert gone not in body


def test_related_lead_on_the_next_line():
    article = page(
        "عنوان",
        "اقتصادنیوز: لید خبر.",
        "بند اول.",
        "خبر مرتبط بازار ارز در هفته پیش رو",
        "اقتصادنیوز: تحلیلگران بازار پیش بینی می کنند نرخ دلار در هفته آینده در کانال فعلی بماند.",
        "بند دوم.",
    )
    (link,) = article.links
    assert link.title == "بازار ارز در هفته پیش رو"
    assert link.lead.startswith("تحلیلگران بازار")
    assert article.body == "بند اول.\n\nبند دوم."


def test_related_block_without_lead_keeps_a_colon_title():
    article = page("عنوان", "بند اول.", "خبر مرتبط ترامپ: پوتین را می‌بینم", "وی ادامه داد: همه چیز ممکن است.")
    (link,) = article.links
    assert (link.title, link.lead) == ("ترامپ: پوتین را می‌بینم", "")
    assert article.body == "بند اول.\n\nوی ادامه داد: همه چیز ممکن است."


def test_related_block_glued_to_another_source():
    lead = "تسنیم: همزمان با آغاز سال تحصیلی، وزارت آموزش و پرورش از برنامه تازه خود برای مدارس خبر داد."
    article = page("عنوان", "بند اول.خبر مرتبط مدارس حضوری می‌شوند؟" + lead)
    (link,) = article.links
    assert link.title == "مدارس حضوری می‌شوند؟"
    assert link.lead.startswith("همزمان با آغاز سال تحصیلی")
    assert article.body == "بند اول."


def test_prose_that_merely_contains_the_markers_is_kept():
    text = "این خبر مرتبط با بازار است و او در انتهای پیام خود گفت که همه چیز ممکن است."
    prose = "جلسه تمام شد. خبر مرتبط با این جلسه نیز منتشر شد."
    article = page("عنوان", text, prose, "وی گفت: ما آماده‌ایم.")
    assert article.links == []
    assert article.body == f"{text}\n\n{prose}\n\nوی گفت: ما آماده‌ایم."
    assert article.lead == ""  # "وی گفت:" is speech, not a source


def test_end_of_message_cuts_the_wire_trailer():
    article = page("عنوان", "بند اول.", "انتهای پیام/م", "عضویت در کانال تلگرامی فارس")
    assert article.body == "بند اول."
    assert any("عضویت در کانال تلگرامی" in note for note in article.review_notes)


def test_also_read_title_on_the_same_line():
    article = page("عنوان", "بند اول.", "بیشتر بخوانید: قیمت طلا امروز کاهش یافت", "بند دوم.")
    (link,) = article.links
    assert (link.kind, link.title) == ("also_read", "قیمت طلا امروز کاهش یافت")
    assert article.body == "بند اول.\n\nبند دوم."


def test_glued_and_named_attributions():
    mehr = page("عنوان", "به گزارشمهر، وزیر نیرو امروز گفت که ذخایر سدها کاهش یافته است.")
    assert (mehr.source_name, mehr.agency) == ("مهر", "")
    fars = page("عنوان", "به گزارش خبرگزاری فارس، جلسه امروز برگزار شد.")
    assert (fars.source_name, fars.agency) == ("خبرگزاری فارس", "")
    irna = page("عنوان", "اقتصادنیوز: لید.", "به گزارش ایرنا، جلسه امروز برگزار شد.")
    assert (irna.source_name, irna.agency) == ("اقتصادنیوز", "ایرنا")


def test_lead_source_may_carry_digits_but_a_url_is_no_lead():
    article = page("عنوان", "رویداد۲۴: لید خبر.", "متن.")
    assert (article.source_name, article.lead) == ("رویداد۲۴", "لید خبر.")
    article = page("عنوان", "https://example.org/a", "متن.")
    assert (article.source_name, article.lead) == ("", "")
    assert (article.url, article.body) == ("https://example.org/a", "متن.")  # the page's own address
    article = page("عنوان", "متن.", "https://example.org/a")
    assert article.body == "متن.\n\nhttps://example.org/a"


def test_a_ten_megabyte_line_is_just_a_long_paragraph():
    article = page("عنوان", "ب " * 5_000_000)
    assert len(article.body) == 9_999_999


def test_inline_urls_become_links():
    article = page("عنوان", "متن کامل گزارش در https://example.org/report.pdf آمده است.")
    (link,) = article.links
    assert (link.kind, link.url) == ("inline", "https://example.org/report.pdf")


@pytest.mark.parametrize("text", ["", "   \n\n", "\ufeff"])
def test_empty_page_is_unusable(text):
    with pytest.raises(ValueError):
        parse_text_page(text, "x.txt:1")


def test_title_only_page_is_kept_for_review():
    article = page("فقط عنوان")
    assert article.body == ""
    assert "متن خبر خالی است" in article.review_notes


# --- JSON records --------------------------------------------------------------------------------


def test_json_record_fields():
    article = parse_json_record(
        {
            "id": "fars-1",
            "title": "عنوان",
            "lead": "خبرگزاري فارس :\nرئيس اداره گفت: خدمات بر خط ارائه مي شود.",
            "body": "به گزارش فارس به نقل از وزارت ارتباطات، بند اول.\nبند دوم.",
            "date": "2008-09-27",
            "source": "خبرگزاری فارس",
            "source_domain": "farsnews.ir",
            "url": "https://www.farsnews.ir/news/1",
            "category": ["politics", "politics", ""],
            "tags": [],
            "summary": "ignored",
        },
        "f.jsonl:3",
    )
    assert article.lead == "رئيس اداره گفت: خدمات بر خط ارائه مي شود."
    assert article.body == "به گزارش فارس به نقل از وزارت ارتباطات، بند اول.\n\nبند دوم."
    assert article.agency == "وزارت ارتباطات"
    assert (article.source_name, article.source_domain) == ("خبرگزاری فارس", "farsnews.ir")
    assert article.categories == ["politics"]
    assert article.published == datetime(2008, 9, 27, 8, 30, tzinfo=UTC)  # noon in Tehran
    assert article.review_notes == []


@pytest.mark.parametrize(
    "lead",
    [
        "خبرگزاري فارس :\nمتن لید.",
        "خبرگزاري فارس:\n\nخبرگزاري فارس: متن لید.",
        "خبرگزاری فارس، متن لید.",
        "فارس - متن لید.",
    ],
)
def test_json_lead_loses_the_publishers_prefix_only(lead):
    assert parse_json_record(record(lead=lead, source="خبرگزاری فارس"), "x:1").lead == "متن لید."
    kept = "امام جمعه بوشهر گفت: متن لید."
    assert parse_json_record(record(lead=kept, source="خبرگزاری فارس"), "x:1").lead == kept


def test_agency_field_wins_over_the_body():
    article = parse_json_record(record(agency="ایسنا", body="به گزارش ما به نقل از ایرنا، متن."), "x:1")
    assert article.agency == "ایسنا"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"date": "2020-01-07T15:32:00"}, datetime(2020, 1, 7, 12, 2, tzinfo=UTC)),  # +03:30 in winter
        ({"date": "2020-06-01T12:00:00"}, datetime(2020, 6, 1, 7, 30, tzinfo=UTC)),  # +04:30 in 2020's summer
        ({"date": "2020-01-07T15:32:00+03:30"}, datetime(2020, 1, 7, 12, 2, tzinfo=UTC)),
        ({"date": "2020-01-07T12:02:00Z"}, datetime(2020, 1, 7, 12, 2, tzinfo=UTC)),
        ({"date": None, "date_jalali": "1398-10-17"}, datetime(2020, 1, 7, 8, 30, tzinfo=UTC)),
        ({"date_jalali": "۱۳۹۸/۱۰/۱۷"}, datetime(2020, 1, 7, 8, 30, tzinfo=UTC)),
        ({"date": "2020-01-08", "date_jalali": "1398-10-17"}, datetime(2020, 1, 8, 8, 30, tzinfo=UTC)),
    ],
)
def test_dates_become_aware_utc(fields, expected):
    article = parse_json_record(record(**fields), "x:1")
    assert article.published == expected
    assert article.published.tzinfo is UTC


@pytest.mark.parametrize(
    ("fields", "note"),
    [
        ({"date": "1850-03-01"}, "تاریخ خارج از بازه"),
        ({"date": "2999-01-01T00:00:00"}, "تاریخ خارج از بازه"),
        ({"date": "not a date"}, "تاریخ نامعتبر: not a date"),
        ({"date_jalali": "1398-13-40"}, "تاریخ نامعتبر"),
        ({"date": None, "date_jalali": None}, "تاریخ انتشار ندارد"),
    ],
)
def test_unusable_dates_are_none_with_a_note(fields, note):
    article = parse_json_record(record(**fields), "x:1")
    assert article.published is None
    assert any(n.startswith(note) for n in article.review_notes)


def test_bad_gregorian_date_falls_back_to_jalali():
    article = parse_json_record(record(date="07/01/2020", date_jalali="1398-10-17"), "x:1")
    assert article.published == datetime(2020, 1, 7, 8, 30, tzinfo=UTC)
    assert article.review_notes == ["تاریخ نامعتبر: 07/01/2020"]


def test_missing_title_is_derived_from_the_body():
    body = (
        "به گزارش ایرنا، مدیر کل مدیریت بحران استانداری البرز گفت: با کاهش سطح کیفی هوای استان ستاد "
        "مدیریت بحران در شهرستان‌ها در حالت آماده باش قرار گرفت. جمله دوم."
    )
    article = parse_json_record({"id": 7, "title": None, "body": body}, "x:1")
    assert article.title_derived
    assert article.external_id == "7"
    assert article.review_notes[0] == NOTE_NO_TITLE
    assert article.title.startswith("مدیر کل مدیریت بحران") and article.title.endswith("…")
    assert len(article.title) <= 90
    assert article.title[:-1] == article.title[:-1].rstrip() and article.title[:-1].split()[-1] in body.split()


def test_missing_title_prefers_the_lead_and_short_sentences_stay_whole():
    article = parse_json_record({"id": "x", "title": "  ", "lead": "تهران: هوا پاک شد.", "body": "متن"}, "x:1")
    assert (article.title, article.title_derived) == ("هوا پاک شد", True)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"title": "t"}, "missing field: id"),
        ({"id": "", "title": "t"}, "missing field: id"),
        ({"id": "x", "title": None, "body": ""}, "missing title and body"),
        ({"id": ["x"], "title": "t"}, "field id"),
        ({"id": "x", "title": ["t"]}, "field title: expected text, got list"),
        ({"id": "x", "title": "t", "category": {"a": 1}}, "field category: expected a list, got object"),
        ({"id": "x", "title": "t", "tags": [["a"]]}, "field tags"),
        ({"id": "x", "title": "t", "date": 20200101}, "field date"),
        (["not", "an", "object"], "expected a JSON object, got list"),
    ],
)
def test_bad_records_raise_with_a_reason(value, reason):
    with pytest.raises(ValueError, match=reason.replace("(", r"\(")):
        parse_json_record(value, "x:1")


def test_boilerplate_only_body_without_title_is_an_error():
    with pytest.raises(ValueError, match="missing title and body"):
        parse_json_record({"id": "x", "title": None, "body": "."}, "x:1")
    photo = parse_json_record({"id": "y", "title": "فیلم/ گزارش تصویری", "body": "."}, "x:1")
    assert (photo.body, photo.review_notes[-1]) == ("", "متن خبر خالی است")


def test_also_read_glued_inside_a_one_line_body_is_kept_and_flagged():
    body = "جمله اول. بیشتر بخوانید:عنوان دیگری چسبیده به جمله بعدیجمله بعد. جمله آخر. بیشتر بخوانید:"
    article = parse_json_record(record(body=body), "x:1")
    assert article.body == body.removesuffix(" بیشتر بخوانید:")
    assert article.links == []
    assert article.review_notes == [
        "«بیشتر بخوانید» در میان متن مانده است؛ عنوان پیوند از متن جدا نشد",
        "تاریخ انتشار ندارد",
    ]


def test_numbers_make_ids_and_terms_but_never_text():
    article = parse_json_record(
        {"id": 12, "title": "عنوان", "body": "متن", "category": "ورزشی", "tags": [1403, None]}, "x"
    )
    assert (article.external_id, article.title) == ("12", "عنوان")
    assert (article.categories, article.tags) == (["ورزشی"], ["1403"])
    for value, shown in [(2024, "number"), (float("nan"), "number NaN"), (float("-inf"), "number -Infinity")]:
        with pytest.raises(ValueError, match=f"field title: expected text, got {shown}$"):
            parse_json_record({"id": 1, "title": value, "body": "متن"}, "x")
    with pytest.raises(ValueError, match="field tags: expected a list of text, found number NaN"):
        parse_json_record({"id": 1, "title": "عنوان", "tags": ["a", float("nan")]}, "x")


# --- files ---------------------------------------------------------------------------------------


def test_jsonl_bad_lines_are_reported_and_good_lines_still_come_out(tmp_path):
    path = write(
        tmp_path,
        "mixed.jsonl",
        jsonl(
            record(id="a"),
            '{"id": "b", "title": "x" "body": "y"}',
            {"title": "no id"},
            "",
            record(id="a", title="again"),
            record(id="c", title=None, body="متن بدون عنوان. جمله دوم."),
            record(id="d", category="a", title=5),
            record(id="e", category=3.5, tags={"x": 1}),
        )
        + '{"id": "f", "title": "truncated',
    )
    items = list(iter_path(path))
    assert [(type(i).__name__, i.origin.rsplit(":", 1)[1]) for i in items] == [
        ("ParsedArticle", "1"),
        ("ParseError", "2"),
        ("ParseError", "3"),
        ("ParsedArticle", "5"),  # a second "a": the import reports it (test_import_values)
        ("ParsedArticle", "6"),
        ("ParseError", "7"),
        ("ParseError", "8"),
        ("ParseError", "9"),
    ]
    reasons = [i.reason for i in items if isinstance(i, ParseError)]
    assert reasons[0] == "invalid JSON: Expecting ',' delimiter at column 26"
    assert reasons[1] == "missing field: id"
    assert reasons[2] == "field title: expected text, got number"
    assert reasons[3] == "field category: expected a list of text, found number"
    assert reasons[4].startswith("invalid JSON: Unterminated string")
    assert items[4].title == "متن بدون عنوان" and items[4].title_derived


def test_jsonl_survives_a_huge_line_deep_nesting_and_a_bad_byte(tmp_path):
    huge = json.dumps(record(id="big", body="ب" * (6 * 2**20)))  # 12 MB, one line
    data = (
        jsonl(record(id="1"), huge, "[" * 100_000).encode()
        + b'{"id": "bad", "title": "\xff"}\n'
        + jsonl(record(id="2")).encode()
    )
    items = list(iter_path(write(tmp_path, "hard.jsonl", data)))
    articles, errors = split(items)
    assert [a.external_id for a in articles] == ["1", "2"]
    assert [e.origin.rsplit(":", 1)[1] for e in errors] == ["2", "3", "4"]
    assert errors[0].reason.startswith("line too long")
    assert errors[1].reason.startswith("invalid JSON")
    assert errors[2].reason.startswith("not UTF-8 text")
    assert articles[1].origin.endswith(":5")


def test_encodings(tmp_path):
    line = jsonl(record(id="u16", title="سلام"))
    articles, errors = split(iter_path(write(tmp_path, "u16.jsonl", line.encode("utf-16"))))
    assert ([a.title for a in articles], errors) == (["سلام"], [])
    articles, errors = split(iter_path(write(tmp_path, "bom.jsonl", b"\xef\xbb\xbf" + line.encode())))
    assert ([a.external_id for a in articles], errors) == (["u16"], [])
    for name, data in {
        "u16.txt": AIR_POLLUTION_PAGE.encode("utf-16"),
        "bom.txt": b"\xef\xbb\xbf" + AIR_POLLUTION_PAGE.encode(),
    }.items():
        (article,) = iter_path(write(tmp_path, name, data))
        assert article.title == "مدارس ابتدایی تهران فردا تعطیل شد", name


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("cp1256.txt", "عنوان خبر\nمتن".encode("cp1256"), "not UTF-8 text"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("image.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("empty.txt", b"", "empty page"),
        ("empty.jsonl", b"", "empty file"),
        ("blank.jsonl", b"\n\n  \n", "empty file"),
        ("empty.json", b"", "empty file"),
        ("notes.pdf", b"%PDF-1.4", "unsupported file type: .pdf"),
    ],
)
def test_unreadable_files_are_one_error(tmp_path, name, data, reason):
    (error,) = iter_path(write(tmp_path, name, data))
    assert isinstance(error, ParseError)
    assert error.origin == f"{tmp_path / name}:1"
    assert error.reason.startswith(reason)


def test_missing_path_is_one_error(tmp_path):
    (error,) = iter_path(tmp_path / "nope")
    assert isinstance(error, ParseError) and "no such file" in error.reason


def test_json_list_with_line_numbers(tmp_path):
    text = "[\n" + json.dumps(record(id="x")) + ",\n  " + json.dumps(record(id="x")) + ",\n" + '{"title": 1}\n]'
    items = list(iter_path(write(tmp_path, "list.json", text)))
    assert [(type(i).__name__, i.origin.rsplit(":", 1)[1]) for i in items] == [
        ("ParsedArticle", "2 (element 1)"),
        ("ParsedArticle", "3 (element 2)"),  # the same id: the import reports it
        ("ParseError", "4 (element 3)"),
    ]
    (single,) = iter_path(write(tmp_path, "one.json", json.dumps(record(id="solo"))))
    assert single.external_id == "solo"
    broken = list(iter_path(write(tmp_path, "broken.json", '[{"id": "a", "title": "t"}, {"id": ')))
    assert isinstance(broken[0], ParsedArticle) and isinstance(broken[1], ParseError)


def test_folder_walk_is_sorted_skips_hidden_and_reports_bad_files(tmp_path):
    write(tmp_path, "b.jsonl", jsonl(record(id="b1"), record(id="b2")))
    write(tmp_path, "a/page.txt", AIR_POLLUTION_PAGE)
    write(tmp_path, "c.jsonl", '{"id": "c1", "title": "t", "body": "x"}\n{broken\n')
    write(tmp_path, "d.csv", "id,title")
    write(tmp_path, ".hidden.jsonl", jsonl(record(id="hidden")))
    write(tmp_path, ".git/x.jsonl", jsonl(record(id="hidden2")))
    items = list(iter_path(tmp_path))
    summary = [(Path(i.origin.rsplit(":", 1)[0]).name, getattr(i, "external_id", "ERROR")) for i in items]
    assert summary[0][0] == "page.txt"
    assert summary[1:] == [
        ("b.jsonl", "b1"),
        ("b.jsonl", "b2"),
        ("c.jsonl", "c1"),
        ("c.jsonl", "ERROR"),
        ("d.csv", "ERROR"),
    ]
    assert count_items(tmp_path) == len(items)


def test_count_items_is_a_cheap_estimate(tmp_path):
    assert count_items(write(tmp_path, "x.jsonl", jsonl(record(id="1"), record(id="2")) + '{"id": "3"}')) == 3
    assert count_items(write(tmp_path, "x.json", json.dumps([record(id="1"), record(id="2")]))) == 2
    assert count_items(tmp_path / "missing") == 1


# --- the real corpus -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> tuple[list[ParsedArticle | ParseError], float]:
    folder = SHARED / "corpus"
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        pytest.skip("shared/corpus is not present")
    start = time.perf_counter()
    items = [item for path in files for item in iter_path(path)]
    return items, time.perf_counter() - start


@pytest.mark.corpus
def test_every_corpus_line_becomes_an_article(corpus):
    items, seconds = corpus
    articles, errors = split(items)
    print(f"\nparsed {len(articles)} corpus articles in {seconds:.2f} s")
    assert errors == []
    assert len(articles) == 6456
    assert len({a.external_id for a in articles}) == 6456
    assert sum(a.title_derived for a in articles) == 157
    assert all(a.title for a in articles)


@pytest.mark.corpus
def test_corpus_dates_and_footers(corpus):
    articles, _ = split(corpus[0])
    assert sum(a.published is None for a in articles) == 3  # the three undated Fars stories
    assert all(a.published.tzinfo is UTC for a in articles if a.published)
    assert not any(a.body.rstrip(" .:").endswith(("بخوانید", "دنبال کنید")) for a in articles)
