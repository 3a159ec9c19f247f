"""The embedded peers of ``bench/peers.py`` on a few real Persian articles: FTS5 keeps our terms
whole, the same query finds the same article through each peer (ours and FTS5 whatever the
spelling, Whoosh's stock analyzer not), and the bench's table has the ratio rows."""

from __future__ import annotations

import datetime as dt
import json
import sys

import pytest

from articles.models import Article, Source
from articles.tests.conftest import REPO

sys.path.insert(0, str(REPO / "bench"))

import peers
import run_table

DEMO = REPO / "demo" / "articles.jsonl"
ARTICLES = [
    (
        "نفتکش‌های ایرانی در آب‌های ونزوئلا",
        "نفتکش‌های ایرانی پس از چهل روز به بندرهای ونزوئلا رسیدند.",
        "وزارت امور خارجه می‌گوید محموله‌ها قانونی است و آمریکا نمی‌تواند جلوی آن‌ها را بگیرد.",
    ),
    (
        "قیمت دلار در بازار آزاد",
        "قیمت دلار امروز در بازار آزاد تهران بالا رفت.",
        "صرافی‌ها دلار را گران‌تر فروختند و خریداران کم بودند.",
    ),
    (
        "تیم ملی فوتبال برنده شد",
        "تیم ملی فوتبال در بازی دوستانه برنده شد.",
        "هواداران در ورزشگاه آزادی تا پایان بازی ماندند.",
    ),
]


def test_fts5_keeps_every_term_of_real_articles_whole(tmp_path):
    """FTS5's vocabulary is exactly our terms and compound parts (its tokenizer splits none)."""
    records = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()[:12]]
    docs = [(i, "\n".join((r["title"], r.get("lead", ""), r.get("body", ""))), "", None) for i, r in enumerate(records)]
    built = peers.fts5_build(tmp_path / "t.sqlite", docs)
    assert built["docs"] == 12 and built["terms"] > 300
    assert (built["terms_split"], built["terms_not_ours"]) == (0, 0)


def test_fts5_match_joins_clauses_by_or_and_keeps_phrases():
    from articles.search import query

    assert peers.fts5_match(query.parse('نفتکش‌ها "امور خارجه" -دلار')) == '("نفتکش" OR "امور خارجه") NOT ("دلار")'
    assert peers.fts5_match(query.parse("  ")) == ""


@pytest.fixture
def three_peers(search_index, tmp_path):
    source = Source.objects.create(name="خبرگزاری آزمون", slug="azmoon")
    for n, (title, lead, body) in enumerate(ARTICLES):
        Article.objects.create(
            external_id=f"peer-{n}",
            title=title,
            lead=lead,
            body=body,
            source=source,
            published=dt.datetime(2024, 3, 1 + n, tzinfo=dt.UTC),
        )
    built = peers.build_peers(tmp_path, peers.archive_docs())
    return built, peers.searchers(tmp_path)


@pytest.mark.django_db(transaction=True)  # the index follows commits
def test_the_same_query_finds_the_same_article_through_each_peer(three_peers):
    built, fns = three_peers
    assert built["fts5"]["docs"] == built["stock"]["docs"] == 3
    assert (built["fts5"]["terms_split"], built["fts5"]["terms_not_ours"]) == (0, 0)
    tanker = Article.objects.get(external_id="peer-0").pk

    def top(name: str, q: str, **params) -> list[int]:
        return [pk for pk, _ in fns[name]({"q": q, **params})[1]]

    for name in ("ours", "ours_page", "fts5", "stock"):
        assert top(name, "نفتکش‌های ایرانی") == [tanker], name  # as written
        assert top(name, "ونزوئلا", source="azmoon", sort="newest") == [tanker], name
        assert top(name, '"امور خارجه"')[:1] == [tanker], name
    for spelling in ("نفتکشهای ایرانی", "نفتکش های ایرانی", "نفتكشهاي ايراني"):  # ZWNJ lost; Arabic keyboard
        assert top("ours", spelling) == top("fts5", spelling) == [tanker], spelling
    for spelling in ("نفتکشهای", "نفتكش‌هاي"):  # glued, Arabic ي: the stock analyzer's token differs
        assert top("ours", spelling) == top("fts5", spelling) == [tanker], spelling
        assert top("stock", spelling) == [], spelling
    assert top("fts5", "دلار", source="none") == []


@pytest.mark.django_db(transaction=True)
def test_the_bench_table_has_each_peers_ratio_to_fts5(three_peers):
    built, fns = three_peers
    mix = [("one word", {"q": "دلار"}), ("two words", {"q": "تیم ملی"})]
    result = {"docs": 3, "build": built, "peers": peers.compare(fns, mix, repeat=2)}
    assert result["peers"]["fts5"]["queries"]["one word"]["count"] == 1
    assert result["peers"]["stock"]["queries"]["two words"]["shared_top10"] == 1
    fts5, ours = result["peers"]["fts5"]["overall"], result["peers"]["ours"]["overall"]
    assert peers.ratio(result, "ours") == round(ours["median_ms"] / fts5["median_ms"], 2)
    labels = dict(peers.rows(result))
    assert labels["(b) FTS5 + our terms: p50/p95 ms, CPU p50, ×FTS5 wall/CPU"].endswith("1.0×/1.0×")
    assert "  two words: p50 ms ours / fts5 / stock (hits), ours ×FTS5" in labels
    table = run_table.format_table([{"size": 3, "engine": "whoosh", "peers": result}])
    for peer in ("(a) ours: top 10 + count", "(a) ours: the page", "(b) FTS5", "(c) Whoosh stock"):
        assert peer in table
    assert "×FTS5" in table


def test_a_failed_bench_command_keeps_the_end_of_its_stderr_in_the_error_row():
    """A failed import used to leave only "returned non-zero exit status 1" in the bench's table."""
    import os
    import subprocess

    import run

    with pytest.raises(subprocess.CalledProcessError) as failed:
        run._manage(["no_such_command"], dict(os.environ), timeout=120)
    error = run._failure(failed.value)
    assert error.startswith("CalledProcessError: ") and "no_such_command" in error.split(" — ", 1)[1]
    assert run._failure(ValueError("خراب")) == "ValueError: خراب"
