"""Upgrade results written by an older showdown to ``records.SCHEMA_VERSION``.

The steps rewrite a stored result's JSON; every backend (SQLite's ``user_version``,
PostgreSQL's ``schema_version`` table) and every import of an export file goes through the
same ones, so a record reads the same whichever way it arrived. A version newer than this
showdown's is refused rather than misread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from showdown.errors import StoreError
from showdown.records import SCHEMA_VERSION, ModelInfo

__all__ = ["STEPS", "check_version", "upgrade_record"]


def _v1_to_v2(result: dict[str, Any]) -> dict[str, Any]:
    """model_info gains ``size_bytes`` (Ollama wrote only ``size``, llama-server ``file_size``)."""
    info = result.get("model_info")
    if isinstance(info, dict):
        result["model_info"] = ModelInfo.decode(info).encode()
    return result


#: version -> how a stored result's JSON becomes the next version's.
STEPS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def upgrade_record(data: dict[str, Any], version: int) -> dict[str, Any]:
    """A result's dict written at ``version``, brought to ``SCHEMA_VERSION``."""
    for step in range(max(1, version), SCHEMA_VERSION):
        data = STEPS[step](data)
    return data


def check_version(version: int, where: str) -> None:
    """Refuse a store or file from a newer showdown (its records could be misread)."""
    if version > SCHEMA_VERSION:
        raise StoreError(f"{where} was written by a newer showdown (schema {version}, this one "
                         f"reads {SCHEMA_VERSION}); upgrade showdown or use another --db")
