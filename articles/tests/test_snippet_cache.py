"""A hit's snippet is kept per text and query words (``service._snippets``): the same text gives
the very same snippet without analyzing it again; an edited text, however it was saved (even by
``QuerySet.update``, which leaves ``updated`` alone), gets its own."""

from __future__ import annotations

from articles.models import Article
from articles.search import query
from articles.search.service import Hit


def hit(body: str, q: str = "نفت") -> Hit:
    return Hit(Article(pk=7, title="خبر", lead="", body=body), 1.0, query.parse(q).highlight_terms())


def test_the_same_text_and_words_reuse_the_snippet_and_an_edit_does_not():
    first = hit("قیمت نفت خام در بازار جهانی بالا رفت.")
    assert "<mark>نفت</mark>" in first.snippet and "<mark>نفت</mark>" in first.raw_snippet
    assert hit("قیمت نفت خام در بازار جهانی بالا رفت.").snippet is first.snippet
    edited = hit("قیمت گاز در بازار بالا رفت و نفت ارزان شد.").snippet
    assert edited is not first.snippet and edited.startswith("قیمت گاز")
    assert "<mark>" not in hit("قیمت نفت خام در بازار جهانی بالا رفت.", q="گاز").snippet
