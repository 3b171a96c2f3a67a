"""Shared fixtures: the bundled model and llama-server (built by `showdown setup`), and a
PostgreSQL server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/httpfake.py and friends

from pg import PgServer, pg_bin, start_pg

from showdown.fetch import bundled_model_path, find_llama_server

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def bundled_model() -> Path:
    path = bundled_model_path()
    if not path.is_file():
        pytest.skip(f"bundled model missing at {path}: run `showdown setup` (make test does)")
    return path


@pytest.fixture(scope="session")
def llama_server_bin() -> Path:
    binary = find_llama_server()
    if binary is None:
        pytest.skip("llama-server not found: run `showdown setup` (make test does)")
    return binary


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL server for the session (see tests/pg.py); skipped only where none is
    installed."""
    pytest.importorskip("psycopg", reason="psycopg missing: pip install -e '.[dev]'")
    if pg_bin() is None:
        pytest.skip("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin "
                    "(apt install postgresql; scripts/system-deps.sh does)")
    server = start_pg()
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A fresh, empty PostgreSQL database's URL (a UNIX socket URL)."""
    return pg_server.new_database()


@pytest.fixture(params=["sqlite", "postgres"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a fresh store is, for each backend in turn: a SQLite path, a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "s.db")
    url: str = request.getfixturevalue("pg_url")
    return url
