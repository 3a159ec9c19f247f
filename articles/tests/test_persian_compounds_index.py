"""A compound in a real Whoosh index: found as a whole in every spelling, and by each of its parts."""

from __future__ import annotations

import pytest
from whoosh.fields import TEXT, Schema
from whoosh.highlight import HtmlFormatter
from whoosh.index import create_in, open_dir
from whoosh.qparser import QueryParser

import persian
from articles.search.highlight import snippet
from articles.search.whoosh.analyzer import PersianAnalyzer

ARTICLES = [
    "محدودیت رفت و آمد خودروها در مرکز شهر از شنبه اجرا می‌شود",
    "برنامه ملی جنگل‌زدایی در شمال کشور متوقف شد",
    "کم‌آبی کشاورزان خوزستان را نگران کرده است",
    "سرمربی تیم ملی فوتبال فهرست بازیکنان را اعلام کرد",
    "شرکت کنندگان در همایش به تهران آمدند",
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compounds")
    writer = create_in(str(folder), Schema(body=TEXT(analyzer=PersianAnalyzer(), stored=True))).writer()
    for body in ARTICLES:
        writer.add_document(body=body)
    writer.commit()
    with open_dir(str(folder)).searcher() as searcher:  # the analyzer comes back from the schema
        yield searcher


def _found(searcher, query: str) -> list[str]:
    return [hit["body"] for hit in searcher.search(QueryParser("body", searcher.schema).parse(query))]


@pytest.mark.parametrize(
    ("query", "article"),
    [
        ("آمد", 0),  # a part of رفت و آمد (and the verb of the last article)
        ("رفت‌وآمد", 0),
        ('"رفت و آمد خودروها"', 0),  # a phrase across the compound keeps its positions
        ("جنگل", 1),
        ('"جنگل زدایی"', 1),
        ("جنگلزدایی", 1),
        ("کم آبی", 2),
        ("آبی", 2),
        ("مربی", 3),
        ("سر مربی", 3),
        ('"سرمربی تیم ملی"', 3),
        ("شرکت‌کنندگان", 4),
        ("کننده", 4),
    ],
)
def test_a_compound_is_found_whole_and_by_its_parts(searcher, query, article):
    assert ARTICLES[article] in _found(searcher, query), query


def test_a_part_query_highlights_the_compound(searcher):
    hits = searcher.search(QueryParser("body", searcher.schema).parse("جنگل"))
    hits.formatter = HtmlFormatter(tagname="b")
    assert "<b" in hits[0].highlights("body") and "جنگل" in hits[0].highlights("body")


def test_the_query_side_of_the_analyzer_gives_whole_terms_only():
    analyzer = PersianAnalyzer()
    assert [t.text for t in analyzer("رفت و آمد", mode="query")] == ["رفتوامد"]
    indexed = [(t.text, t.pos) for t in analyzer("رفت و آمد زیاد", mode="index", positions=True)]
    assert indexed == [("رفتوامد", 0), ("رفت", 0), ("امد", 0), ("زیاد", 1)]


def test_the_apps_snippet_marks_a_compound_found_by_its_part():
    shown = snippet(ARTICLES[0], {persian.term("آمد")})
    assert "<mark>رفت و آمد</mark>" in shown
