"""Upgrade a store written by an older showdown to ``records.SCHEMA_VERSION``, once, in place.

SQLite's ``user_version`` holds the version (0: a store from before versions were kept, which
is version 1's shape). Each step rewrites stored JSON in one transaction, so a store is never
half upgraded; a store from a newer showdown is refused rather than misread.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from showdown.errors import StoreError
from showdown.records import SCHEMA_VERSION, ModelInfo

__all__ = ["STEPS", "upgrade"]


def _v1_to_v2(result: dict[str, Any]) -> dict[str, Any]:
    """model_info gains ``size_bytes`` (Ollama wrote only ``size``, llama-server ``file_size``)."""
    info = result.get("model_info")
    if isinstance(info, dict):
        result["model_info"] = ModelInfo.decode(info).encode()
    return result


#: version -> how a stored result's JSON becomes the next version's.
STEPS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def upgrade(db: sqlite3.Connection, path: Path) -> None:
    """Bring the store's results up to ``SCHEMA_VERSION`` (nothing to do: one PRAGMA read)."""
    version = max(1, db.execute("PRAGMA user_version").fetchone()[0])
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise StoreError(f"the store {path} was written by a newer showdown (schema {version}, "
                         f"this one reads {SCHEMA_VERSION}); upgrade showdown or use another --db")
    try:
        _upgrade(db)
    except sqlite3.OperationalError:
        # Read-only or busy: records decode from any older shape, so reading still works and
        # the next open that can write upgrades it.
        return


def _upgrade(db: sqlite3.Connection) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have upgraded it while this one waited for the lock.
        version = max(1, db.execute("PRAGMA user_version").fetchone()[0])
        rows = db.execute("SELECT id, record FROM results").fetchall() if version < SCHEMA_VERSION else []
        for row_id, record in rows:
            try:
                data = json.loads(record)
            except ValueError:  # a damaged row: left for reading to report, not fixed here
                continue
            for step in range(version, SCHEMA_VERSION):
                data = STEPS[step](data)
            db.execute("UPDATE results SET record = ? WHERE id = ?", (json.dumps(data), row_id))
        db.execute(f"PRAGMA user_version = {max(version, SCHEMA_VERSION)}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
