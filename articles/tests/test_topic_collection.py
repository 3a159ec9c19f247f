"""The judged topic collection (bench/topics/) and its scripts: topics, rankers, judging files, measures.

No database: the rankers are built on a few real Persian articles in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import sys

import pytest

from articles.tests.conftest import REPO

sys.path.insert(0, str(REPO / "bench"))

import judging
import relevance
import topic_eval

ARTICLES = [
    ("a1", "قیمت دلار در بازار آزاد", "قیمت دلار امروز در بازار آزاد تهران بالا رفت و صرافی‌ها دلار را گران‌تر فروختند."),
    ("a2", "بازار سکه", "قیمت سکه در بازار امروز ثابت ماند و خریداران کم بودند."),
    ("a3", "تیم ملی فوتبال", "تیم ملی فوتبال در بازی دوستانه برنده شد و هواداران در ورزشگاه بودند."),
    ("a4", "گزارش بازار", "دلار و سکه هر دو در بازار گران شدند."),
]


def test_committed_topics_are_well_formed():
    topics = relevance.read_topics()
    assert len(topics) >= 66
    assert [t.qid for t in topics] == [str(i) for i in range(1, len(topics) + 1)]
    assert all(3 <= len(t.query.split()) <= 8 and t.description for t in topics)
    assert all(t.split == ("heldout" if int(t.qid) % 3 == 0 else "tuning") for t in topics)
    assert len({t.query for t in topics}) == len(topics)


def test_spellings_change_only_what_they_name():
    spelled = {name: fn("نفتکش‌های ایرانی") for name, fn in relevance.SPELLINGS.items()}
    assert spelled == {
        "as_written": "نفتکش‌های ایرانی",
        "zwnj_removed": "نفتکشهای ایرانی",
        "zwnj_space": "نفتکش های ایرانی",
        "arabic": "نفتكش‌هاي ايراني",
    }


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    with (folder / "news.jsonl").open("w", encoding="utf-8") as out:
        for docid, title, body in ARTICLES:
            record = {"id": docid, "title": title, "body": body, "source": "تست"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder


def _search(name: str, text: str, corpus, work) -> list[str]:
    ranker = relevance.WHOOSH_RANKERS[name]
    ix = relevance.open_index(ranker.index_name, ranker.analyzer, corpus, work)
    with ix.searcher(weighting=ranker.weighting) as searcher:
        return [docid for docid, _ in ranker.search(searcher, text, 10)]


def test_allwords_requires_every_word_and_bm25or_takes_any(small_corpus, tmp_path):
    assert sorted(_search("allwords", "دلار سکه", small_corpus, tmp_path)) == ["a4"]
    assert sorted(_search("bm25or", "دلار سکه", small_corpus, tmp_path)) == ["a1", "a2", "a4"]
    # no article holds every word: all-words falls back to most words, as the app did
    assert sorted(_search("allwords", "دلار فوتبال", small_corpus, tmp_path)) == ["a1", "a3", "a4"]


def test_lucene_idf_is_near_zero_for_a_word_in_every_article(small_corpus, tmp_path):
    ranker = relevance.WHOOSH_RANKERS["bm25or"]
    ix = relevance.open_index(ranker.index_name, ranker.analyzer, small_corpus, tmp_path)
    with ix.searcher(weighting=ranker.weighting) as searcher:
        [everywhere] = relevance._our_terms("در")[0]
        [rare] = relevance._our_terms("فوتبال")[0]
        assert searcher.idf("text", everywhere) < 0.2 < 1 < searcher.idf("text", rare)


def test_runs_pool_and_judging_files_round_trip(small_corpus, tmp_path):
    topics = [relevance.Topic("1", "tuning", "قیمت دلار", "مرتبط: قیمت دلار.")]
    runs_dir = tmp_path / "runs"
    paths = relevance.make_runs(["allwords", "bm25or"], ["as_written"], topics, runs_dir, small_corpus, tmp_path)
    runs = {name: relevance.read_run(path) for name, path in paths.items()}
    pooled = judging.pool(runs, depth=2)
    assert set(pooled["1"]) <= {"a1", "a4"} and "a1" in pooled["1"]
    articles = {a.id: a for a in relevance.read_corpus(small_corpus)}
    page = judging.judging_file(topics[0], pooled["1"], articles, kept={"a1": "2"}, judge="")
    assert "قیمت دلار امروز در بازار آزاد" in page and "allwords" not in page
    folder = tmp_path / "judging"
    folder.mkdir()
    (folder / "1.md").write_text(page.replace("judge: ", "judge: سارا").replace("grade: \n", "grade: ۰\n"))
    assert judging.read_grades(folder / "1.md")["a1"] == "2"
    qrels = tmp_path / "qrels.txt"
    done = judging.collect(argparse.Namespace(judging=folder, qrels=qrels, allow_missing=False))
    assert done == 0
    lines = sorted(qrels.read_text().splitlines())
    assert lines[0] == "1 0 a1 2" and all(line.endswith((" 0", " 2")) for line in lines)


def test_measures_score_a_topic_a_run_misses_as_zero(tmp_path):
    (tmp_path / "qrels.txt").write_text("1 0 a 2\n1 0 b 1\n1 0 c 0\n2 0 d 2\n3 0 e 0\n")
    (tmp_path / "x.run").write_text("1 Q0 a 1 3.0 x\n1 Q0 c 2 2.0 x\n1 Q0 b 3 1.0 x\n")
    topics = [relevance.Topic(q, s, "", "") for q, s in (("1", "tuning"), ("2", "tuning"), ("3", "heldout"))]
    result = topic_eval.evaluate(topic_eval.read_qrels(tmp_path / "qrels.txt"), {"x": tmp_path / "x.run"}, topics)
    assert result["topics"] == {"tuning": 2, "heldout": 0, "all": 2}  # topic 3 has nothing relevant
    tuning = result["runs"]["x"]["tuning"]
    assert tuning["per_topic"]["MAP@100"] == pytest.approx({"1": (1 + 2 / 3) / 2, "2": 0.0})
    assert tuning["mean"]["P@10"] == pytest.approx((0.2 + 0.0) / 2)
