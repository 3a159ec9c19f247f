"""Archive-scale benchmark: import, indexing, Persian analysis cost, search latency, pages under load.

    .venv/bin/python bench/run.py [--sizes 10000,50000,100000] [--quick] [--json out.json]

For each size, in a fresh temporary ``NEWSARCHIVE_VAR_DIR`` (``var/`` is never touched):

1. ``bench/scale_corpus.py`` makes a corpus of that many articles from ``../shared/corpus``;
2. ``bench/phases.py build`` (own process): migrate, ``load_gazetteer``, import through
   ``ingest.import_items(index=False)`` (parse / save / links / entities timed apart), index the
   way an import does, and our analyzer against Whoosh's ``StemmingAnalyzer`` on bare indexes;
3. ``bench/phases.py search`` (a fresh process, as a worker is): the query mix through
   ``run_search``, median and p95;
4. ``bench/load.py``: ``gunicorn newsarchive.wsgi --workers 2 --preload`` on 127.0.0.1, the query
   mix over HTTP (API and page, one client), then ``wrk -t2 -c8 --latency`` per page type (home,
   article, search, entity) and each worker's RSS afterwards;
5. ``manage.py import_articles --index-alongside yes`` into a second, fresh archive: the import as
   a user runs it, indexing in a second process alongside, timed end to end (``--no-end-to-end``
   skips it).

``--reuse DIR …`` (folders an earlier ``--keep`` run left): their archives, build figures and
end-to-end times are reused, and search, HTTP and load measured again with the code as it is now.

``--quick``: one size of 2,000 articles, fewer repetitions and 5 s of load per page type (a smoke
run of about 3 minutes on a quiet machine). The table goes to stdout, the full results to
``--json``. Timings are wall clock unless marked CPU; the machine's load average is recorded with
each size, because a shared 2-core machine inflates wall times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import scale_corpus  # noqa: E402
from phases import query_mix  # noqa: E402

PYTHON = sys.executable
TARGETS = {
    "search_api_p95_ms_in_process": 100,  # at 100k
    "search_page_p95_ms_under_load": 300,
    "analyzer_index_ratio": 1.5,
    "import_plus_index_100k_s": 15 * 60,
    "worker_rss_mb": 300,
}


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _phase(args: list[str], var_dir: Path, timeout: float) -> None:
    env = {**os.environ, "NEWSARCHIVE_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "newsarchive.settings"}
    subprocess.run([PYTHON, str(HERE / "phases.py"), *args], cwd=REPO, env=env, check=True, timeout=timeout)


def _git_head() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True, text=True
        )
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except OSError:
        return ""


def run_size(size: int, records: list[dict], opts: argparse.Namespace) -> dict:
    from load import run_http

    reused = _reusable(size, opts)
    work = reused or Path(tempfile.mkdtemp(prefix=f"newsarchive-bench-{size}-", dir=opts.tmp))
    var_dir = work / "var"
    # The code under test is read at each phase's start: record it (others may commit meanwhile).
    result: dict = {
        "size": size,
        "work_dir": str(work),
        "loadavg_start": os.getloadavg(),
        "git": {"build": _git_head()},
    }
    try:
        data = work / f"scaled-{size}.jsonl"
        build_json = work / "build.json"
        if reused:
            result["reused"] = str(work)  # the archive and build figures of an earlier run
            earlier = work / "result.json"  # what that run measured besides the build
            if earlier.exists():
                previous = json.loads(earlier.read_text(encoding="utf-8"))
                result["git"]["build"] = previous.get("git", {}).get("build", "")
                result.update({k: previous[k] for k in ("generate_s", "end_to_end") if k in previous})
            _log(f"{size}: reusing {work}")
        else:
            started = time.perf_counter()
            scale_corpus.write(data, records, size, opts.seed)
            result["generate_s"] = round(time.perf_counter() - started, 1)
            _log(f"{size}: corpus in {data} ({data.stat().st_size / 2**20:.0f} MB); building")
            _phase(
                ["build", "--data", str(data), "--out", str(build_json), "--analyzer-docs", str(opts.analyzer_docs)],
                var_dir,
                timeout=opts.phase_timeout,
            )
        result["build"] = json.loads(build_json.read_text(encoding="utf-8"))
        _log(f"{size}: searching in process")
        result["git"]["search"] = _git_head()
        search_json = work / "search.json"
        _phase(["search", "--out", str(search_json), "--repeat", str(opts.repeat)], var_dir, timeout=opts.phase_timeout)
        result["search"] = json.loads(search_json.read_text(encoding="utf-8"))
        _log(f"{size}: HTTP and load")
        result["git"]["http"] = _git_head()
        queries = query_mix(result["search"]["source_slug"])
        result["http"] = run_http(var_dir, result["search"], queries, opts.http_repeat, opts.wrk_seconds)
        if opts.end_to_end and not reused:
            _log(f"{size}: manage.py import_articles, end to end")
            result["end_to_end"] = end_to_end(data, work / "e2e", timeout=opts.phase_timeout)
        result["loadavg_end"] = os.getloadavg()
    except Exception as exc:  # report what finished
        result["error"] = f"{type(exc).__name__}: {exc}"
        _log(f"{size}: FAILED {result['error']}")
    finally:
        if opts.keep or reused:
            (work / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return result


def _reusable(size: int, opts: argparse.Namespace) -> Path | None:
    """The ``--reuse`` folder kept (``--keep``) by an earlier run of this size, if given."""
    for folder in opts.reuse:
        if folder.name.startswith(f"newsarchive-bench-{size}-") and (folder / "build.json").exists():
            return folder
    return None


def end_to_end(data: Path, var_dir: Path, timeout: float) -> dict:
    """What a user runs: ``import_articles`` into a fresh archive (indexing alongside, then the
    merge into one segment), timed from start to the summary line."""
    env = {**os.environ, "NEWSARCHIVE_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "newsarchive.settings"}
    manage = [PYTHON, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], cwd=REPO, env=env, check=True, timeout=timeout)
    subprocess.run([*manage, "load_gazetteer"], cwd=REPO, env=env, check=True, timeout=timeout, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run(
        [*manage, "import_articles", str(data), "--index-alongside", "yes"],
        cwd=REPO,
        env=env,
        check=True,
        timeout=timeout,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    shutil.rmtree(var_dir, ignore_errors=True)
    return {"wall_s": round(seconds, 1), "summary": done.stdout.strip().splitlines()[-1]}


# ---------------------------------------------------------------------------------------------
# the table


def _get(d: dict, *path, default="–"):
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return default
        d = d[key]
    return d


def _mem(result: dict, key: str) -> str:
    return "/".join(str(m.get(key)) for m in result["http"]["memory_after_load"])


def rows(results: list[dict]) -> list[tuple[str, list[str]]]:
    def line(label, fn):
        values = []
        for r in results:
            try:
                v = fn(r)
            except (KeyError, TypeError, ZeroDivisionError):
                v = "–"
            values.append("–" if v is None else str(v))
        return label, values

    out = [
        line("articles imported", lambda r: r["build"]["import"]["articles"]),
        line(
            "import wall s (articles/s)",
            lambda r: f"{r['build']['import']['total_s']} ({r['build']['import']['rate_per_s']}/s)",
        ),
        line(
            "import CPU s (articles/s)",
            lambda r: f"{r['build']['import']['cpu_s']} ({r['build']['import']['cpu_rate_per_s']}/s)",
        ),
        line("  parse s", lambda r: r["build"]["import"]["parse_s"]),
        line("  save to DB s", lambda r: r["build"]["import"]["save_db_s"]),
        line("  link resolution s", lambda r: r["build"]["import"]["links_s"]),
        line(
            "  entity extraction s (articles/s)",
            lambda r: f"{r['build']['import']['entities_s']} ({r['build']['import']['entities_rate']}/s)",
        ),
        line(
            "index wall s (articles/s)",
            lambda r: f"{r['build']['index']['total_s']} ({r['build']['index']['rate_per_s']}/s)",
        ),
        line(
            "index CPU s (articles/s)",
            lambda r: f"{r['build']['index']['cpu_s']} ({r['build']['index']['cpu_rate_per_s']}/s)",
        ),
        line("  add_document (analysis) s", lambda r: r["build"]["index"]["add_document_s"]),
        line("  commit (segments, merges) s", lambda r: r["build"]["index"]["commit_s"]),
        line(
            "  prepare + DB fetch s",
            lambda r: round(r["build"]["index"]["prepare_s"] + r["build"]["index"]["fetch_other_s"], 2),
        ),
        line(
            "  segments / index MB / DB MB",
            lambda r: "{segments_after} / {index_mb} / {db_mb}".format(**r["build"]["index"]),
        ),
        line("import + index wall s, one after the other", lambda r: r["build"]["import_plus_index_s"]),
        line("import + index CPU s", lambda r: r["build"]["import_plus_index_cpu_s"]),
        line(
            "import_articles end to end wall s (articles/s) [≤900 @100k]",
            lambda r: f"{r['end_to_end']['wall_s']} ({round(r['size'] / r['end_to_end']['wall_s'], 1)}/s)",
        ),
        line(
            "analyzer ratio, index [≤1.5]",
            lambda r: f"{r['build']['analyzer']['index_ratio']} ({r['build']['analyzer']['docs']} docs)",
        ),
        line("analyzer ratio, analysis only", lambda r: r["build"]["analyzer"]["analysis_ratio"]),
        line("search in-process median ms", lambda r: r["search"]["overall"]["median_ms"]),
        line("search in-process p95 ms [≤100 @100k]", lambda r: r["search"]["overall"]["p95_ms"]),
    ]
    names = list(_get(results[0], "search", "queries", default={}) or {}) if results else []
    for name in names:
        out.append(
            line(
                f"  {name} first, p50/p95 ms (hits)",
                lambda r, n=name: "{first_ms}, {median_ms}/{p95_ms} ({count})".format(
                    **{"first_ms": "–", **r["search"]["queries"][n]}
                ),
            )
        )
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
    for kind in ("home", "article", "search", "entity"):
        out.append(
            line(
                f"load {kind}: req/s, p50/p95 ms, errors" + (" [p95≤300, 0 err]" if kind == "search" else ""),
                lambda r, k=kind: "{rps}, {median_ms}/{p95_ms}, {non_2xx_3xx}+{socket_errors}".format(
                    **r["http"]["load"][k]
                ),
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
    table = rows(results)
    header = ("", [f"{r['size']:,}" for r in results])
    width = max(len(label) for label, _ in [header, *table])
    cols = [max(len(header[1][i]), *(len(values[i]) for _, values in table)) for i in range(len(results))]
    lines = []
    for label, values in [header, *table]:
        lines.append(label.ljust(width) + "  " + "  ".join(v.rjust(cols[i]) for i, v in enumerate(values)))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000,100000", help="comma-separated article counts")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000 articles, short load")
    parser.add_argument("--json", type=Path, help="write all results here")
    parser.add_argument("--corpus", type=Path, default=scale_corpus.DEFAULT_CORPUS)
    parser.add_argument("--seed", type=int, default=scale_corpus.SEED)
    parser.add_argument("--repeat", type=int, default=20, help="in-process runs of each query")
    parser.add_argument("--http-repeat", type=int, default=10, help="HTTP requests of each query")
    parser.add_argument("--wrk-seconds", type=int, default=20, help="load per page type")
    parser.add_argument("--analyzer-docs", type=int, default=5000, help="documents for the analyzer comparison")
    parser.add_argument("--phase-timeout", type=float, default=4 * 3600, help="seconds before a phase is abandoned")
    parser.add_argument("--tmp", help="parent folder for the scratch folders (default: the system's)")
    parser.add_argument("--keep", action="store_true", help="keep each size's scratch folder (database, index)")
    parser.add_argument(
        "--no-end-to-end",
        dest="end_to_end",
        action="store_false",
        help="skip timing manage.py import_articles (indexing alongside) into a second, fresh archive",
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        nargs="*",
        default=[],
        help="folders kept by an earlier --keep run: their archives and build figures are reused, and "
        "search, HTTP and load are measured again with the code as it is now",
    )
    opts = parser.parse_args(argv)
    if opts.quick:
        opts.sizes, opts.repeat, opts.http_repeat, opts.wrk_seconds = "2000", 5, 3, 5
        opts.analyzer_docs = min(opts.analyzer_docs, 1000)
    sizes = [int(s.replace("_", "")) for s in opts.sizes.split(",") if s.strip()]
    records = scale_corpus.read_corpus(opts.corpus)
    meta = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "corpus_articles": len(records),
        "targets": TARGETS,
        "argv": sys.argv[1:],
    }
    results = []
    for size in sizes:
        _log(f"size {size:,}")
        results.append(run_size(size, records, opts))
        if opts.json:  # after every size: a long run that is stopped keeps what finished
            opts.json.write_text(json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=1))
        if size != sizes[-1]:
            print(format_table(results), file=sys.stderr, flush=True)
    print(format_table(results), flush=True)
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
