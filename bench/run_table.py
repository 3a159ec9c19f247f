"""The tables ``bench/run.py`` prints: one column per size and engine, and the breakdown sample's."""

from __future__ import annotations

import admin_pages
import peers


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
    for kind in ("home", "article", "search", "entity", "archive-month", "source", "feed", "api"):
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
