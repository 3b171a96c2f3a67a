"""A real PostgreSQL server for tests: Debian's binaries (/usr/lib/postgresql/*/bin) run in a
temporary folder, listening on a UNIX socket there and on no TCP port at all.

Postgres refuses to run as root, and tests run as root here and in CI: then the server runs as
the ``postgres`` user (``runuser``), owning its folder. Clients connect as the ``postgres`` role
with trust authentication over the socket: ``postgresql://postgres@/DB?host=FOLDER``; any
other role needs its password.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PgServer", "pg_bin", "start_pg"]


def pg_bin() -> Path | None:
    """The newest installed server's bin folder, None when PostgreSQL is not installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return found[-1].parent if found else None


@dataclass
class PgServer:
    """A running server; ``url(db)`` reaches one of its databases."""

    root: Path
    bin: Path
    as_owner: list[str]
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@/{db}?host={self.root}"

    def new_database(self, prefix: str = "t") -> str:
        """A fresh empty database's URL."""
        import psycopg

        name = f"{prefix}{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}"')
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run([*self.as_owner, str(self.bin / "pg_ctl"), "-D", str(self.root / "data"),
                        "-m", "immediate", "stop"], capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def start_pg(durable: bool = False) -> PgServer:
    """Start a fresh server; ``durable``: fsync as shipped (benchmarks), else off (tests)."""
    binaries = pg_bin()
    if binaries is None:
        raise FileNotFoundError("no PostgreSQL server in /usr/lib/postgresql/*/bin "
                                "(apt install postgresql)")
    # Short: a socket's path must fit in 107 bytes.
    root = Path(tempfile.mkdtemp(prefix="sdpg-", dir="/tmp"))
    as_owner: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_owner = ["runuser", "-u", "postgres", "--"]
    root.chmod(0o755)
    data = root / "data"
    run = [*as_owner, str(binaries / "initdb"), "-D", str(data), "-U", "postgres",
           "--auth=trust", "-E", "UTF8", "--no-sync"]
    subprocess.run(run, capture_output=True, check=True)
    # The postgres role needs no password; any other role must give its own (a test of a
    # wrong password needs one that is checked).
    hba = data / "pg_hba.conf"
    hba.write_text("local all postgres trust\nlocal all all scram-sha-256\n")
    if as_owner:
        os.chown(hba, owner.pw_uid, owner.pw_gid)
    options = f"-k {root} -c listen_addresses='' -c max_connections=50"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run([*as_owner, str(binaries / "pg_ctl"), "-D", str(data), "-l",
                    str(root / "log"), "-o", options, "-w", "start"],
                   capture_output=True, check=True, timeout=60)
    return PgServer(root, binaries, as_owner)
