"""Pseudo-relevance feedback, tried on the judged topics: does adding the top articles' most
telling terms to the query help the archive's ranking?

    .venv/bin/python bench/feedback_experiment.py [--app-var DIR]

For each topic: the app's ranking (``match="any"``) finds its top ``docs`` articles; their text
(from the database, as "more like this" reads it) gives ``terms`` expansion terms by Whoosh's
``key_terms_from_text`` (Bo1); the query is searched again as an OR of its own clauses and the
expansion terms, each boosted by ``weight`` × its normalized key-term score. MAP@100, nDCG@10
and P@10 per setting, tuning and held-out topics apart (``topic_eval.evaluate``). An experiment,
not the app: the app ranks without feedback unless this shows a gain worth its cost.
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import relevance  # noqa: E402
import topic_eval  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = relevance.archive_parser(__doc__)
    opts = parser.parse_args(argv)

    relevance.open_archive(opts, "any")  # sets Django up on that archive
    from whoosh import query as wq

    from articles.models import Article
    from articles.search import query
    from articles.search.engine import get_engine
    from articles.search.service import SearchParams, _request
    from articles.search.whoosh.compile import compile_any
    from articles.search.whoosh.engine import _lucene, _pk, excluded_docs

    engine = get_engine()
    topics = relevance.read_topics(relevance.TOPICS)
    qrels = topic_eval.read_qrels(topic_eval.QRELS)
    external = dict(Article.objects.values_list("pk", "external_id"))

    def run(q: str, docs: int, terms: int, weight: float) -> list[tuple[str, float]]:
        parsed = query.parse(q)
        request = _request(SearchParams(q=q), parsed, offset=0, limit=100, match="any")
        first = engine.search(request).hits
        with engine._searcher() as plain:
            searcher = _lucene(plain)
            compiled = compile_any(parsed, request.filters)
            mask = excluded_docs(searcher, compiled.excluded)
            q_obj = compiled.query
            if weight and docs and terms:
                top = Article.objects.filter(pk__in=[pk for pk, _ in first[:docs]])
                text = "\n".join(f"{a.title}\n{a.title}\n{a.lead}\n{a.body}" for a in top)
                found = searcher.key_terms_from_text("text", text, numterms=terms + 10, normalize=True)
                own = parsed.highlight_terms()
                extra = [(t, w) for t, w in found if t not in own][:terms]
                if extra:
                    q_obj = wq.Or([q_obj, *[wq.Term("text", t, boost=weight * w) for t, w in extra]])
            results = searcher.search(q_obj, limit=100, mask=mask or None)
            return [(external[_pk(searcher, d)], float(s)) for s, d in results.top_n]

    settings_ = [(0, 0, 0.0), *itertools.product((5, 10), (10, 20), (0.1, 0.2, 0.3, 0.5))]
    with tempfile.TemporaryDirectory() as scratch:
        for docs, terms, weight in settings_:
            results = {t.qid: run(t.query, docs, terms, weight) for t in topics}
            path = Path(scratch) / "fb.run"
            relevance.write_run(path, "fb", results)
            report = topic_eval.evaluate(qrels, {"fb.as_written": path}, topics)["runs"]["fb.as_written"]
            cells = "  ".join(
                f"{split} MAP {report[split]['mean']['MAP@100']:.4f} nDCG {report[split]['mean']['nDCG@10']:.4f}"
                f" P@10 {report[split]['mean']['P@10']:.4f}"
                for split in ("tuning", "heldout")
            )
            print(f"docs={docs:<2} terms={terms:<2} weight={weight:<4} {cells}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
