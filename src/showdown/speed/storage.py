"""Speed rows in the store: saved the moment a configuration is measured, read back for reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from showdown.speed.plan import config_label
from showdown.speed.records import SpeedRow, row_from_dict
from showdown.store import Store, StoreError

__all__ = ["load_rows", "save_row"]


def save_row(store: Store, row: SpeedRow) -> None:
    store.save_speed(row.run_id, row.started_at, row.model, config_label(row.config), row.depth,
                     asdict(row))


def load_rows(store: Store, models: Sequence[str] = ()) -> list[SpeedRow]:
    """Every stored row (only these models when given); a malformed one is a StoreError."""
    try:
        return [row_from_dict(r) for r in store.speed_records(models)]
    except (TypeError, KeyError) as exc:
        raise StoreError(f"cannot read the speed results in {store.where}: {exc}") from exc
