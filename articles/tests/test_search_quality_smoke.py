"""bench/search_quality.py keeps working: the whole script on ~200 corpus articles (no database).

Skipped when ../shared/corpus is absent. The full evaluation is the script itself; see bench/README.md.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from itertools import islice

import pytest

from articles.tests.conftest import REPO

pytestmark = pytest.mark.corpus

PER_FILE = 100  # the first articles of each corpus file: ~200 in all


@pytest.fixture(scope="module")
def sq():
    spec = importlib.util.spec_from_file_location("search_quality", REPO / "bench" / "search_quality.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_committed_query_set_is_well_formed(sq, corpus_dir):
    queries = sq.read_queries(sq.DEFAULT_QUERIES)
    ids = {doc.id for doc in sq.load_docs(corpus_dir)}
    assert len(queries) >= 100
    assert len({q["id"] for q in queries}) == len(queries)
    assert all(q["target"] in ids for q in queries)
    assert all(set(q["spellings"]) == set(sq.SPELLINGS) and q["lost"] in ("glued", "spaced") for q in queries)
    assert sq.spelling_stats(queries)["some_spellings_differ"] >= len(queries) // 2


def test_the_four_spellings(sq):
    spellings = sq.spell("امكان پذير مي شود 2", "glued")
    assert spellings["keyboard"] == "امکان پذیر می شود ۲"
    assert spellings["zwnj"] == "امکان\u200cپذیر می\u200cشود ۲"
    assert spellings["lost"] == "امکانپذیر میشود ۲"
    assert sq.spell("تماس\u200cهای تلفنی", "spaced")["lost"] == "تماس های تلفنی"


def test_script_on_a_sample(sq, corpus_dir, tmp_path, capsys):
    sample = tmp_path / "corpus"
    sample.mkdir()
    for path in sorted(corpus_dir.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            (sample / path.name).write_text("".join(islice(lines, PER_FILE)), encoding="utf-8")
    docs = sq.load_docs(sample)
    queries = sq.make_queries(docs, n_title=24, n_tag=6)
    assert len(queries) >= 20
    sq.write_queries(queries, tmp_path / "queries.jsonl")

    out = tmp_path / "figures.json"
    argv = ["--corpus", str(sample), "--queries", str(tmp_path / "queries.jsonl"), "--json", str(out)]
    assert sq.main([*argv, "--no-timing-builds"]) == 0
    printed = capsys.readouterr().out
    assert "spelling invariance" in printed and "recall@10 mean" in printed

    report = json.loads(out.read_text(encoding="utf-8"))
    ours, stock = (report["analyzers"][name]["summary"] for name in ("ours", "stock"))
    assert report["articles"] == len(docs) == 2 * PER_FILE
    assert ours["queries"] == stock["queries"] == len(queries)
    assert report["spelling_stats"]["some_spellings_differ"] > 0
    assert ours["invariance"] == 1.0, sq.describe_failures(report)
    assert ours["mean_recall@10"] >= stock["mean_recall@10"]
    for summary in (ours, stock):
        for spelling in sq.SPELLINGS:
            assert 0 <= summary[spelling]["mrr@10"] <= summary[spelling]["recall@10"] <= 1
    cost = report["cost"]
    assert cost["ours_build_cpu_s"] > 0 and cost["stock_analysis_cpu_s"] > 0 and cost["build_ratio"] > 0
