"""Known-item recall@10 and MRR@10 of the app's own search, "all the words" against the default
relevance ranking, on search_quality.py's 160 queries (each copied from one corpus article, in four
spellings), through ``run_search`` on a scratch archive of the shared corpus.

    .venv/bin/python bench/known_item.py [--app-var DIR]

``search_quality.py`` measures the analyzer on bare Whoosh indexes; this measures what a reader
gets from the archive, so a ranking change that loses the copied article shows here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import relevance  # noqa: E402

QUERIES = HERE / "queries" / "search_quality_queries.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = relevance.archive_parser(__doc__)
    opts = parser.parse_args(argv)

    search = relevance.open_archive(opts, "any")
    from django.conf import settings

    queries = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    spellings = sorted({name for q in queries for name in q["spellings"]})
    print(f"{len(queries)} known-item queries; recall@10 / MRR@10 of the article each was copied from")
    for match in ("all", "any"):
        settings.SEARCH_MATCH = match
        for spelling in spellings:
            found, reciprocal = 0, 0.0
            for q in queries:
                ids = [docid for docid, _ in search(q["spellings"][spelling], 10)]
                if q["target"] in ids:
                    found += 1
                    reciprocal += 1 / (ids.index(q["target"]) + 1)
            recall, mrr = found / len(queries), reciprocal / len(queries)
            print(f"  match={match:<3} {spelling:<8} recall@10 {recall:.3f}  MRR@10 {mrr:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
