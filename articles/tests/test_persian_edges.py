"""The analyzer's edges: terms are fixed points, and words are neither glued nor split wrongly.

A query is analysed again whenever it is re-read (a saved search, a quoted phrase, the
highlighter), so every term the analyzer emits must analyse to itself; and a word a writer joins
must match the same word spaced, without its parts turning into other words.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import persian

DEMO = Path(__file__).resolve().parents[2] / "demo"


def _demo_texts() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(DEMO.glob("*/*.txt"))]
    for line in (DEMO / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        texts.append("\n".join(str(item.get(key) or "") for key in ("title", "lead", "body")))
    return texts


def _not_fixed_points(texts) -> dict[str, int]:
    """Terms (with their counts) that analyse to something other than themselves."""
    counts = Counter(term for text in texts for term in persian.terms(text))
    return {term: n for term, n in counts.items() if persian.terms(term) != [term]}


def test_every_term_of_the_demo_articles_analyses_to_itself():
    texts = _demo_texts()
    assert len(texts) >= 10
    assert _not_fixed_points(texts) == {}


@pytest.mark.corpus
def test_every_term_of_the_corpus_analyses_to_itself(corpus_dir):
    """All 6,456 articles (49,000 distinct terms): 239 terms were not fixed points before."""
    texts = []
    for path in sorted(corpus_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            texts.append("\n".join(str(item.get(key) or "") for key in ("title", "lead", "body")))
    assert len(texts) > 6000
    assert _not_fixed_points(texts) == {}


@pytest.mark.parametrize(
    "text",
    [
        "سال‌های آتی",  # آتی was taken for the suffix ات + ی and glued on
        "روزهای آتی",
        "دیگر ایشان",  # ایشان: ای + شان
        "شرکت دارای مجوز",  # دارای: دار + ای
        "حسین زاده",  # zاده joins; the glued form split elsewhere (حسی + زاد)
        "سلطانی فر",
        "دست‌به‌دست",
        "به صرفه جویی",
        "سخن به‌میان آمده",
        "نگریست",  # a past stem that reads as ن + گریست
        "سنجید",
        "پایید",
        "سیدضیاء",
    ],
)
def test_terms_analyse_to_themselves(text):
    for term in persian.terms(text):
        assert persian.terms(term) == [term], (text, term)


def test_words_of_their_own_are_not_glued_on_as_suffixes():
    assert persian.terms("سال‌های آتی") == persian.terms("سال ها آتی")[:1] + persian.terms("آتی")
    assert len(persian.terms("دیگر ایشان")) == 2
    assert len(persian.terms("شرکت دارای مجوز")) == 3


@pytest.mark.parametrize(
    "spellings",
    [
        ("رضایی نژاد", "رضایی‌نژاد", "رضایینژاد", "رضايي نژاد"),  # a surname spaced or joined
        ("حسینی منش", "حسینی‌منش", "حسینیمنش"),
        ("چهل و دومین", "چهل‌ودومین", "چهلودومین"),  # an ordinal
        ("بیست و یکمین", "بیست‌ویکمین"),
    ],
)
def test_a_spaced_surname_or_ordinal_is_the_joined_word(spellings):
    expected = persian.terms(spellings[0])
    assert len(expected) == 1, expected
    for spelling in spellings[1:]:
        assert persian.terms(spelling) == expected, spelling


@pytest.mark.parametrize(
    ("word", "not_"),
    [
        ("حسینی‌منش", "یمن"),  # Yemen
        ("فیلتر", "فیل"),  # an elephant
        ("فیلترها", "فیل"),
        ("چهل‌ودومین", "مین"),  # a mine
    ],
)
def test_a_word_does_not_turn_into_another(word, not_):
    assert not_ not in persian.terms(word), persian.terms(word)


@pytest.mark.parametrize("word", ["ابولفضل", "حسینیمنش", "فیلتر"])
def test_an_unknown_or_misspelt_name_is_not_split_into_fragments(word):
    assert persian.terms(word) == [persian.term(word)] and " " not in persian.term(word)


def test_filter_keeps_its_plural():
    assert persian.terms("فیلترها") == persian.terms("فیلتر") == ["فیلتر"]


# --- compounds: one term for the whole, and its parts at the same position in the index --------


@pytest.mark.parametrize(
    ("spellings", "parts"),
    [
        (("رفت و آمد", "رفت‌وآمد", "رفتوامد"), ["رفت", "آمد"]),
        (("جنگل زدایی", "جنگل‌زدایی", "جنگلزدایی"), ["جنگل", "زدایی"]),
        (("کم آبی", "کم‌آبی", "کمآبی"), ["کم", "آبی"]),
        (("سر مربی", "سر‌مربی", "سرمربی"), ["سر", "مربی"]),
        (("تولید کنندگان", "تولیدکنندگان", "تولید کننده"), ["تولید", "کننده"]),
        (("شرکت کنندگان", "شرکت‌کنندگان", "شرکت کننده"), ["شرکت", "کننده"]),
    ],
)
def test_a_compound_is_one_term_in_every_spelling_and_knows_its_parts(spellings, parts):
    whole = persian.terms(spellings[0])
    assert len(whole) == 1, whole
    for spelling in spellings[1:]:
        assert persian.terms(spelling) == whole, spelling
    found = persian.parts(whole[0], spellings[0])
    assert list(found) == [persian.term(part) for part in parts]
    assert persian.index_spans(spellings[0]) == [(whole[0], 0, len(spellings[0]), found)]


def test_a_word_that_is_no_compound_has_no_parts():
    for word in ["دیگر", "ایران", "می‌کند", "پوتین", "مردم"]:
        assert persian.parts(persian.term(word), word) == (), word


@pytest.mark.parametrize(
    "word",
    # glued, these are words of their own, not their first letters: fans are no air, a mayor no
    # city, a news agency no news, a governor no province; a surname is no first name
    ["هواداران", "هوادار", "شهردار", "خبرگزاری", "استاندار", "جلوگیری", "علیزاده", "حسین‌زاده", "نجف پور"],
)
def test_a_derived_word_written_glued_or_a_surname_has_no_parts(word):
    assert persian.index_spans(word)[0][3] == (), word


def test_a_lexicon_compound_has_its_parts_however_it_is_written():
    for spelling in ("رفت و آمد", "رفت‌وآمد", "رفتوامد"):
        assert persian.index_spans(spelling)[0][3] == (persian.term("رفت"), persian.term("آمد")), spelling


def test_queries_read_whole_terms_only():
    assert persian.terms("رفت و آمد") == [persian.term("رفت‌وآمد")]


def test_the_pipeline_imports_no_django_haystack_or_whoosh():
    """persian/ reads alone: importing and using it loads none of the web or search stack."""
    code = (
        "import sys, persian; persian.terms('گفت‌وگوهای کم آبی'); persian.display('میکند');"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'haystack', 'whoosh'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=DEMO.parent, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == "[]"
