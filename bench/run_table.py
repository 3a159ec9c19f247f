"""The tables ``bench/run.py`` prints: one column per size and engine, and the breakdown sample's.

Run alone, it prints the tables of earlier runs' JSON files side by side, and how each figure
grows with the archive (``--growth``)::

    .venv/bin/python bench/run_table.py --growth m10k.json w100k.json w300k.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import admin_pages
import peers

PAGE_KINDS = ("home", "article", "search", "entity", "archive-month", "source", "feed", "api")


def _get(d: dict, *path, default="–"):
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return default
        d = d[key]
    return d


def _mem(result: dict, key: str) -> str:
    return "/".join(str(m.get(key)) for m in result["http"]["memory_after_load"])


def _line(results: list[dict], label: str, fn) -> tuple[str, list[str]]:
    values = []
    for r in results:
        try:
            v = fn(r)
        except (KeyError, TypeError, ZeroDivisionError, AttributeError):
            v = "–"
        values.append("–" if v is None else str(v))
    return label, values


def breakdown_rows(b: dict) -> list[tuple[str, list[str]]]:
    """One column: the sample's import and indexing in one process each, and the analyzers."""

    def line(label, fn):
        return _line([b], label, fn)

    return [
        line("articles", lambda b: b["import"]["articles"]),
        line("import wall s (articles/s)", lambda b: f"{b['import']['total_s']} ({b['import']['rate_per_s']}/s)"),
        line("import CPU s (articles/s)", lambda b: f"{b['import']['cpu_s']} ({b['import']['cpu_rate_per_s']}/s)"),
        line("  parse s", lambda b: b["import"]["parse_s"]),
        line("  save to DB s", lambda b: b["import"]["save_db_s"]),
        line("  link resolution s", lambda b: b["import"]["links_s"]),
        line(
            "  entity extraction s (articles/s)",
            lambda b: f"{b['import']['entities_s']} ({b['import']['entities_rate']}/s)",
        ),
        line("index wall s (articles/s)", lambda b: f"{b['index']['total_s']} ({b['index']['rate_per_s']}/s)"),
        line("index CPU s (articles/s)", lambda b: f"{b['index']['cpu_s']} ({b['index']['cpu_rate_per_s']}/s)"),
        line("  add_document (analysis) s", lambda b: b["index"]["add_document_s"]),
        line("  commit (segments) s", lambda b: b["index"]["commit_s"]),
        line("  prepare + DB fetch s", lambda b: round(b["index"]["prepare_s"] + b["index"]["fetch_other_s"], 2)),
        line(
            "analyzer ratio, index [≤1.5]",
            lambda b: f"{b['analyzer']['index_ratio']} ({b['analyzer']['docs']} docs)",
        ),
        line("analyzer ratio, analysis only", lambda b: b["analyzer"]["analysis_ratio"]),
        line("error", lambda b: b.get("error", "")),
    ]


def rows(results: list[dict]) -> list[tuple[str, list[str]]]:
    def line(label, fn):
        return _line(results, label, fn)

    def per_s(r, seconds):
        return round(r["import"]["created"] / seconds, 1)

    out = [
        line("articles imported (failed)", lambda r: f"{r['import']['created']} ({r['import']['failed']})"),
        line(
            "import_articles end to end wall s (articles/s) [≤600 @100k]",
            lambda r: f"{r['import']['wall_s']} ({per_s(r, r['import']['wall_s'])}/s)",
        ),
        line("  CPU s: import process", lambda r: r["import"]["import_cpu_s"]),
        line("  CPU s: indexing alongside", lambda r: r["import"]["index_cpu_s"]),
        line(
            "  more like this lists: import / alongside",
            lambda r: (
                None
                if r["import"]["lists_here"] is None
                else f"{r['import']['lists_here']} / {r['import']['lists_alongside']}"
            ),
        ),
        line("  peak RSS MB (larger process)", lambda r: r["import"]["peak_rss_mb"]),
        line(
            "  segments / index MB / DB MB",
            lambda r: "{segments} / {index_mb} / {db_mb}".format(**r["import"]),
        ),
        line("  check_index", lambda r: r["import"]["check_index"]),
        line("search in-process median ms", lambda r: r["search"]["overall"]["median_ms"]),
        line("search in-process p95 ms [≤100 @100k]", lambda r: r["search"]["overall"]["p95_ms"]),
    ]
    names = list(_get(results[0], "search", "queries", default={}) or {}) if results else []
    for name in names:
        out.append(
            _line(
                results,
                f"  {name} first, p50/p95 ms (hits)",
                lambda r, n=name: "{first_ms}, {median_ms}/{p95_ms} ({count})".format(
                    **{"first_ms": "–", **r["search"]["queries"][n]}
                ),
            )
        )
    measured = next((r["peers"] for r in results if "build" in r.get("peers", {})), None)
    for i, (label, _) in enumerate(peers.rows(measured) if measured else []):
        out.append(line(label, lambda r, i=i: peers.rows(r["peers"])[i][1]))
    out += [
        line(
            "API search over HTTP p50/p95 ms",
            lambda r: "{median_ms}/{p95_ms}".format(**r["http"]["api_search"]["overall"]),
        ),
        line(
            "search page over HTTP p50/p95 ms",
            lambda r: "{median_ms}/{p95_ms}".format(**r["http"]["page_search"]["overall"]),
        ),
    ]
    for kind in PAGE_KINDS:
        out.append(
            line(
                f"load {kind}: req/s, p50/p95 ms, errors, CPU ms/req"
                + (" [p95≤300, 0 err]" if kind != "article" else ""),
                lambda r, k=kind: "{rps}, {median_ms}/{p95_ms}, {non_2xx_3xx}+{socket_errors}, {cpu}".format(
                    cpu=r["http"]["load"][k].get("cpu_ms_per_request", "–"), **r["http"]["load"][k]
                ),
            )
        )
    for name in admin_pages.pages({"article": 0, "source": 0}):
        out.append(
            line(
                f"admin {name} over HTTP p50/p95 ms [p95≤300 @100k]",
                lambda r, n=name: "{median_ms}/{p95_ms}".format(**r["admin"]["pages"][n]),
            )
        )
    out += [
        line(
            "worker RSS MB after load [<300]",
            lambda r: _mem(r, "vmrss_mb"),
        ),
        line("worker PSS MB after load", lambda r: _mem(r, "pss_mb")),
        line("load average at start", lambda r: " ".join(f"{x:.1f}" for x in r["loadavg_start"])),
        line("error", lambda r: r.get("error", "")),
    ]
    return out


def format_table(results: list[dict]) -> str:
    return _format(("", [f"{r['size']:,} {r.get('engine', 'whoosh')}" for r in results]), rows(results))


def format_breakdown(b: dict) -> str:
    return _format((f"where the time goes (one process each, {b.get('git', '')})", ["sample"]), breakdown_rows(b))


def _format(header: tuple[str, list[str]], table: list[tuple[str, list[str]]]) -> str:
    width = max(len(label) for label, _ in [header, *table])
    n = len(header[1])
    cols = [max(len(header[1][i]), *(len(values[i]) for _, values in table)) for i in range(n)]
    lines = []
    for label, values in [header, *table]:
        lines.append(label.ljust(width) + "  " + "  ".join(v.rjust(cols[i]) for i, v in enumerate(values)))
    return "\n".join(lines)


# Figures of the growth table: (label, how to read it from one result). Each is a number.
GROWTH = [
    ("import + index wall s", lambda r: r["import"]["wall_s"]),
    ("import + index CPU s (both processes)", lambda r: r["import"]["import_cpu_s"] + r["import"]["index_cpu_s"]),
    ("index MB", lambda r: r["import"]["index_mb"]),
    ("database MB", lambda r: r["import"]["db_mb"]),
    ("check_index s", lambda r: r["import"]["check_index_s"]),
    ("search in process p95 ms", lambda r: r["search"]["overall"]["p95_ms"]),
    (
        "first run, slowest of the mix, ms",
        lambda r: max(q["page_first_ms"] for q in r["search"]["queries"].values() if "page_first_ms" in q),
    ),
    ("pages under load: slowest kind's p95 ms", lambda r: max(r["http"]["load"][k]["p95_ms"] for k in PAGE_KINDS)),
    ("article page under load p95 ms", lambda r: r["http"]["load"]["article"]["p95_ms"]),
    ("search page under load p95 ms", lambda r: r["http"]["load"]["search"]["p95_ms"]),
    ("worker peak RSS (VmHWM) MB", lambda r: max(m["vmhwm_mb"] for m in r["http"]["memory_after_load"])),
    ("worker PSS after load MB", lambda r: max(m["pss_mb"] for m in r["http"]["memory_after_load"])),
]


def _number(value: float) -> str:
    return f"{value:,.1f}".removesuffix(".0")


def growth_rows(results: list[dict]) -> list[tuple[str, list[str]]]:
    """Each figure at each size, and its ratio to the smallest size's (the first column): the
    results of one engine."""
    results = sorted(results, key=lambda r: r["size"])
    out = []
    for label, fn in GROWTH:
        values = []
        for r in results:
            try:
                values.append(float(fn(r)))
            except (KeyError, TypeError, ValueError):
                values.append(None)
        base = values[0] if values else None
        cells = [
            "–" if v is None else _number(v) + (f" (×{v / base:.1f})" if base and i else "")
            for i, v in enumerate(values)
        ]
        out.append((label, cells))
    return out


def format_growth(results: list[dict]) -> str:
    """One growth table per engine, each against that engine's smallest archive."""
    tables = []
    for engine in sorted({r.get("engine", "whoosh") for r in results}):
        mine = sorted((r for r in results if r.get("engine", "whoosh") == engine), key=lambda r: r["size"])
        header = (f"growth, {engine} (×: to the smallest archive)", [f"{r['size']:,}" for r in mine])
        tables.append(_format(header, growth_rows(mine)))
    return "\n\n".join(tables)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Print earlier bench/run.py results side by side (and how each figure grows)."
    )
    parser.add_argument("json", nargs="+", help="files written by run.py --json")
    parser.add_argument("--growth", action="store_true", help="also how each figure grows with the archive")
    opts = parser.parse_args(argv)
    results = [r for path in opts.json for r in json.loads(Path(path).read_text(encoding="utf-8"))["results"]]
    if not results:
        parser.error("no results in those files")
    results.sort(key=lambda r: (r["size"], r.get("engine", "whoosh")))
    print(format_table(results))
    if opts.growth:
        print()
        print(format_growth(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
