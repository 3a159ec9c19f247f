"""Archive-scale benchmark: import, indexing, Persian analysis cost, search latency, pages under load.

    .venv/bin/python bench/run.py [--sizes 10000,50000,100000] [--engines whoosh,postgres] [--quick] [--json out.json]

Once, on a sample of ``--breakdown-docs`` articles (5,000) in a scratch archive: ``bench/phases.py
build`` imports them in one process with the index left alone (parse / save / links / entities
timed apart by wrapping those functions), indexes them the way an import does (analysis, commits,
database reads timed apart), and compares our analyzer with Whoosh's ``StemmingAnalyzer`` on bare
indexes of the same texts: where the time goes, and the analyzer's cost.

Then for each size and each engine of ``--engines`` (``whoosh``, the default; ``postgres``: the
archive and its index in a fresh PostgreSQL database ``na_bench_<size>_<engine>`` (``--database-prefix``); and
``whoosh-postgres``: the rows there, the index a Whoosh folder; see ``bench/engines.py``), in a
fresh temporary ``NEWSARCHIVE_VAR_DIR`` (``var/`` is never touched), side by side in one table:

1. ``bench/scale_corpus.py`` makes a corpus of that many articles from ``../shared/corpus``;
2. ``manage.py import_articles --index-alongside yes -v 2`` into a fresh archive, as a user runs
   it: timed end to end (saving and names in its process, indexing in a second one), with each
   process's CPU time; then ``manage.py check_index`` must find the index and database in step;
3. ``bench/phases.py search`` (a fresh process, as a worker is): the query mix through
   ``run_search``, each query's first run, then median and p95; then ``bench/peers.py search``
   (``--no-peers`` skips it): the same mix through SQLite FTS5 over our analyzer's terms and
   Whoosh with haystack's stock analyzer beside ours, each one's ratio to FTS5;
4. ``bench/load.py``: ``gunicorn newsarchive.wsgi --workers 2 --preload`` on 127.0.0.1, the query
   mix over HTTP (API and page, one client), then ``wrk -t2 -c8 --latency`` per page type (home,
   article, search, entity) and each worker's RSS and PSS afterwards;
5. ``bench/admin_pages.py``: the editors' pages (list, search, filter by source, change form,
   history, dashboard) over HTTP with an editor's session cookie, p50/p95 each.

``--reuse DIR …`` (folders an earlier ``--keep`` run left): their archives and import figures are
reused, and search, HTTP and load measured again with the code as it is now.

``--quick``: one size of 2,000 articles, a 1,000-article breakdown, fewer repetitions and 5 s of
load per page type (a smoke run of a few minutes on a quiet machine). The tables go to stdout,
the full results to ``--json``. Timings are wall clock unless marked CPU; the machine's load
average is recorded with each size, because a shared 2-core machine inflates wall times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import admin_pages  # noqa: E402
import engines  # noqa: E402
import scale_corpus  # noqa: E402
from phases import query_mix  # noqa: E402
from run_table import format_breakdown, format_table  # noqa: E402

PYTHON = sys.executable
TARGETS = {
    "search_api_p95_ms_in_process": 100,  # at 100k
    "search_page_p95_ms_under_load": 300,
    "analyzer_index_ratio": 1.5,
    "import_plus_index_100k_s": 10 * 60,
    "worker_rss_mb": 300,
    "admin_page_p95_ms": 300,  # at 100k: list, search, filter by source, change form, history
}


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _failure(exc: BaseException) -> str:
    """An error row's text: the exception and, for a command that failed, the last lines it wrote
    to stderr (its traceback's end), which ``CalledProcessError``'s message leaves out."""
    text = f"{type(exc).__name__}: {exc}"
    stderr = getattr(exc, "stderr", None)
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "replace")
    if stderr and stderr.strip():
        text += " — " + " | ".join(stderr.strip().splitlines()[-5:])
    return text


def _phase(args: list[str], env: dict, timeout: float) -> None:
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


def run_size(size: int, engine: str, records: list[dict], opts: argparse.Namespace) -> dict:
    from load import run_http

    reused = _reusable(size, engine, opts)
    work = reused or Path(tempfile.mkdtemp(prefix=f"newsarchive-bench-{size}-{engine}-", dir=opts.tmp))
    var_dir = work / "var"
    database = f"{opts.database_prefix}_{size}_{engine.replace('-', '_')}"
    url = engines.database_url(database) if engines.on_postgresql(engine) else ""
    env = engines.archive_env(var_dir, engine, url)
    # The code under test is read at each phase's start: record it (others may commit meanwhile).
    result: dict = {"size": size, "engine": engine, "work_dir": str(work), "loadavg_start": os.getloadavg(), "git": {}}
    try:
        if reused:
            result["reused"] = str(work)  # the archive and import figures of an earlier run
            earlier = work / "result.json"
            if earlier.exists():
                previous = json.loads(earlier.read_text(encoding="utf-8"))
                result["git"]["import"] = previous.get("git", {}).get("import", "")
                result.update({k: previous[k] for k in ("generate_s", "import") if k in previous})
            _log(f"{size} {engine}: reusing {work}")
        else:
            data = work / f"scaled-{size}.jsonl"
            started = time.perf_counter()
            scale_corpus.write(data, records, size, opts.seed)
            result["generate_s"] = round(time.perf_counter() - started, 1)
            _log(f"{size} {engine}: corpus in {data} ({data.stat().st_size / 2**20:.0f} MB); manage.py import_articles")
            if engines.on_postgresql(engine):
                engines.fresh_database(database)
            result["git"]["import"] = _git_head()
            result["import"] = import_archive(data, var_dir, env, url, timeout=opts.phase_timeout)
            data.unlink()  # the archive holds it now
            _log(f"{size} {engine}: imported {result['import']}")
        _log(f"{size} {engine}: searching in process")
        result["git"]["search"] = _git_head()
        search_json = work / "search.json"
        _phase(["search", "--out", str(search_json), "--repeat", str(opts.repeat)], env, timeout=opts.phase_timeout)
        result["search"] = json.loads(search_json.read_text(encoding="utf-8"))
        if opts.peers:
            result["peers"] = side_by_side(work, env, opts)
        _log(f"{size} {engine}: HTTP and load")
        result["git"]["http"] = _git_head()
        queries = query_mix(result["search"]["source_slug"])
        result["http"] = run_http(var_dir, result["search"], queries, opts.http_repeat, opts.wrk_seconds, env=env)
        _log(f"{size} {engine}: editors' pages")
        result["admin"] = admin_pages.measure(var_dir, opts.http_repeat * 2, env=env)
        result["loadavg_end"] = os.getloadavg()
    except Exception as exc:  # report what finished
        result["error"] = _failure(exc)
        _log(f"{size} {engine}: FAILED {result['error']}")
    finally:
        if opts.keep or reused:
            (work / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        else:
            shutil.rmtree(work, ignore_errors=True)
            if engines.on_postgresql(engine):
                engines.drop_database(database)
    return result


def side_by_side(work: Path, env: dict, opts: argparse.Namespace) -> dict:
    """``peers.py search``: the query mix through ours, SQLite FTS5 over our terms and Whoosh with
    haystack's stock analyzer, on this archive (their indexes in ``work/peers``)."""
    _log(f"{work.name}: the embedded peers side by side")
    out = work / "peers.json"
    args = ["search", "--out", str(out), "--repeat", str(opts.repeat), "--work", str(work / "peers")]
    try:
        subprocess.run(
            [PYTHON, str(HERE / "peers.py"), *args], cwd=REPO, env=env, check=True, timeout=opts.phase_timeout
        )
        return json.loads(out.read_text(encoding="utf-8"))
    except Exception as exc:  # the rest of the size still runs
        error = _failure(exc)
        _log(f"peers: FAILED {error}")
        return {"error": error}


def _reusable(size: int, engine: str, opts: argparse.Namespace) -> Path | None:
    """The ``--reuse`` folder kept (``--keep``) by an earlier run of this size and engine, if given
    (one on PostgreSQL with its database ``<prefix>_<size>_<engine>`` still there)."""
    for folder in opts.reuse:
        if folder.name.startswith(f"newsarchive-bench-{size}-{engine}-") and (folder / "var").is_dir():
            return folder
    return None


def _manage(args: list[str], env: dict, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env=env,
        check=True,
        timeout=timeout,
        capture_output=True,
        text=True,
    )


def import_archive(data: Path, var_dir: Path, env: dict, database: str, timeout: float) -> dict:
    """What a user runs: ``import_articles`` into a fresh archive (indexing alongside), timed from
    start to its summary line; then the archive's size and ``check_index``. ``database``: the
    PostgreSQL engine's database URL ("" for the embedded archive)."""
    _manage(["migrate", "-v0"], env, timeout)
    _manage(["load_gazetteer"], env, timeout)
    started = time.perf_counter()
    done = _manage(["import_articles", str(data), "--index-alongside", "yes", "-v", "2"], env, timeout)
    seconds = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    summary = next(line for line in lines if line.startswith("created "))
    cpu = re.search(r"CPU: import ([\d.]+) s(?:, indexing alongside ([\d.]+) s)?", done.stdout)
    lists = re.search(r"more like this: (\d+) here, (\d+) alongside", done.stdout)
    peak = re.search(r"peak memory (\d+) MB", done.stdout)
    started = time.perf_counter()
    check = _manage(["check_index"], env, timeout)
    whoosh = var_dir / "whoosh"
    if env.get("NEWSARCHIVE_SEARCH") == "postgres":
        sizes = {"segments": "–", **engines.postgres_sizes(database)}
    else:
        sizes = {
            "segments": len(list(whoosh.glob("*.seg"))),
            "index_mb": round(_dir_mb(whoosh), 1),
            "db_mb": engines.postgres_sizes(database)["db_mb"]
            if database
            else round(_dir_mb(var_dir) - _dir_mb(whoosh), 1),
        }
    return {
        "created": int(re.match(r"created (\d+)", summary).group(1)),
        "failed": int(re.search(r"failed (\d+)", summary).group(1)),
        "wall_s": round(seconds, 1),
        "import_cpu_s": float(cpu.group(1)) if cpu else None,
        "index_cpu_s": float(cpu.group(2)) if cpu and cpu.group(2) else None,
        # "More like this" lists computed by the import's process / by the indexing one.
        "lists_here": int(lists.group(1)) if lists else None,
        "lists_alongside": int(lists.group(2)) if lists else None,
        "peak_rss_mb": int(peak.group(1)) if peak else None,  # the larger process's
        "summary": summary,
        "check_index": check.stdout.strip().splitlines()[-1],
        "check_index_s": round(time.perf_counter() - started, 1),
        **sizes,
    }


def _dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20 if path.exists() else 0.0


def breakdown(records: list[dict], opts: argparse.Namespace) -> dict:
    """Where the time goes, on a sample: ``phases.py build`` in a scratch archive."""
    work = Path(tempfile.mkdtemp(prefix="newsarchive-bench-breakdown-", dir=opts.tmp))
    try:
        data = work / "sample.jsonl"
        scale_corpus.write(data, records, opts.breakdown_docs, opts.seed)
        out = work / "build.json"
        _log(f"breakdown: {opts.breakdown_docs:,} articles")
        _phase(
            ["build", "--data", str(data), "--out", str(out), "--analyzer-docs", str(opts.analyzer_docs)],
            engines.archive_env(work / "var"),
            timeout=opts.phase_timeout,
        )
        return {"git": _git_head(), **json.loads(out.read_text(encoding="utf-8"))}
    except Exception as exc:
        error = _failure(exc)
        _log(f"breakdown: FAILED {error}")
        return {"error": error}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000,100000", help="comma-separated article counts")
    parser.add_argument(
        "--engines",
        default="whoosh",
        type=lambda v: [e for e in (x.strip() for x in v.split(",")) if e],
        help=f"comma-separated search engines, each size on each ({', '.join(engines.ENGINES)})",
    )
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
    parser.add_argument(
        "--database-prefix",
        default="na_bench",
        help="PostgreSQL databases are named <prefix>_<size>_<engine>: two runs at once need two prefixes",
    )
    parser.add_argument("--keep", action="store_true", help="keep each size's scratch folder (database, index)")
    parser.add_argument(
        "--breakdown-docs", type=int, default=5000, help="articles in the sample that shows where the time goes"
    )
    parser.add_argument("--no-breakdown", dest="breakdown", action="store_false", help="skip that sample")
    parser.add_argument(
        "--no-peers", dest="peers", action="store_false", help="skip the embedded peers (FTS5, stock Whoosh)"
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        nargs="*",
        default=[],
        help="folders kept by an earlier --keep run: their archives and import figures are reused, and "
        "search, HTTP and load are measured again with the code as it is now",
    )
    opts = parser.parse_args(argv)
    if set(opts.engines) - set(engines.ENGINES):
        parser.error(f"--engines: choose from {', '.join(engines.ENGINES)}")
    if opts.quick:
        opts.sizes, opts.repeat, opts.http_repeat, opts.wrk_seconds = "2000", 5, 3, 5
        opts.analyzer_docs = opts.breakdown_docs = min(opts.breakdown_docs, 1000)
    opts.analyzer_docs = min(opts.analyzer_docs, opts.breakdown_docs)
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
    results: list[dict] = []
    sample = breakdown(records, opts) if opts.breakdown else {}

    def save() -> None:  # after every step: a long run that is stopped keeps what finished
        if opts.json:
            everything = {"meta": meta, "breakdown": sample, "results": results}
            opts.json.write_text(json.dumps(everything, ensure_ascii=False, indent=1))

    save()
    if sample:
        print(format_breakdown(sample), file=sys.stderr, flush=True)
    for size in sizes:
        for engine in opts.engines:
            _log(f"size {size:,}, engine {engine}")
            results.append(run_size(size, engine, records, opts))
            save()
            print(format_table(results), file=sys.stderr, flush=True)
    print(format_table(results), flush=True)
    if sample:
        print("\n" + format_breakdown(sample), flush=True)
    return 1 if "error" in sample or any("error" in r or "error" in r.get("peers", {}) for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
