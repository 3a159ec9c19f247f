"""The search engine a scratch archive runs on, for the benchmark and evaluation scripts.

``whoosh`` is the embedded default: SQLite and the Whoosh index in the archive's own
``NEWSARCHIVE_VAR_DIR``. ``postgres`` is the server engine (``NEWSARCHIVE_SEARCH=postgres``): the
archive and its index live in a PostgreSQL database of their own, created here on the server of
``NEWSARCHIVE_BENCH_POSTGRES`` (default: ``DATABASE_URL`` when it is PostgreSQL, else the local
server the tests use), so a benchmark never touches another archive's rows.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# "whoosh-postgres": the Whoosh index in the scratch folder, the archive's rows in PostgreSQL (what
# a deployment runs before the switch): set beside "postgres", it tells the engine's cost from the
# database's.
ENGINES = ("whoosh", "postgres", "whoosh-postgres")


def on_postgresql(engine: str) -> bool:
    return engine != "whoosh"


LOCAL_SERVER = "postgres://newsarchive:newsarchive@127.0.0.1:5432/newsarchive"


def server_url() -> str:
    """A URL of the PostgreSQL server scratch databases are made on (any database of it)."""
    configured = os.environ.get("NEWSARCHIVE_BENCH_POSTGRES") or os.environ.get("DATABASE_URL", "")
    return configured if configured.startswith(("postgres://", "postgresql://")) else LOCAL_SERVER


def database_url(name: str) -> str:
    return server_url().rsplit("/", 1)[0] + "/" + name


def _check_name(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"not a plain database name: {name!r}")
    return name


def fresh_database(name: str) -> str:
    """Drop ``name`` if it exists and create it empty; returns its URL."""
    import psycopg

    with psycopg.connect(server_url(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{_check_name(name)}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def ensure_database(name: str) -> str:
    """Create ``name`` unless it exists; returns its URL."""
    import psycopg

    with psycopg.connect(server_url(), autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (_check_name(name),)).fetchone()
        if not found:
            connection.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(server_url(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{_check_name(name)}" WITH (FORCE)')


def archive_env(var_dir: Path, engine: str = "whoosh", database: str = "") -> dict[str, str]:
    """The environment of a process working on the scratch archive in ``var_dir`` with ``engine``
    (``database``: the PostgreSQL database's URL, required for ``postgres``)."""
    env = {**os.environ, "NEWSARCHIVE_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "newsarchive.settings"}
    if on_postgresql(engine):
        if not database:
            raise ValueError(f"{engine} needs a database URL")
        env.update(NEWSARCHIVE_SEARCH=engine.split("-")[0], DATABASE_URL=database)
    else:
        env.pop("NEWSARCHIVE_SEARCH", None)
        env.pop("DATABASE_URL", None)  # SQLite under var_dir: the embedded archive
    return env


def postgres_sizes(url: str) -> dict[str, float]:
    """MB of the search tables (with their indexes) and of the rest of the database."""
    import psycopg

    with psycopg.connect(url) as connection:
        total = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        search = connection.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.relname LIKE 'search\\_%'"
        ).fetchone()[0]
    return {"index_mb": round(float(search) / 2**20, 1), "db_mb": round(float(total - search) / 2**20, 1)}
