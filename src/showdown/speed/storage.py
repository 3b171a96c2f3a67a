"""Speed rows in the store: saved the moment a configuration is measured, read back for reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from showdown.records import is_failed
from showdown.speed.plan import config_label
from showdown.speed.quality import Scored, quality_name
from showdown.speed.records import SpeedRow, row_from_dict
from showdown.speed.report import run_config
from showdown.store import Store, StoreError

__all__ = ["load_rows", "load_scores", "save_row"]


def save_row(store: Store, row: SpeedRow) -> None:
    store.save_speed(row.run_id, row.started_at, row.model, config_label(row.config), row.depth,
                     asdict(row))


def load_rows(store: Store, models: Sequence[str] = ()) -> list[SpeedRow]:
    """Every stored row (only these models when given); a malformed one is a StoreError."""
    try:
        return [row_from_dict(r) for r in store.speed_records(models)]
    except (TypeError, KeyError) as exc:
        raise StoreError(f"cannot read the speed results in {store.where}: {exc}") from exc


def load_scores(store: Store, rows: Sequence[SpeedRow]) -> dict[str, list[Scored]]:
    """The judged run results of these rows' models, default and ``run --set`` configurations,
    by stored model name; failed generations and unjudged results are no score."""
    names = {n for r in rows for n in (r.model, quality_name(r.model, run_config(r)))}
    scores: dict[str, list[Scored]] = {}
    for result in store.iter_results(models=sorted(names), lean=True):
        if is_failed(result) or result.verdict is None:
            continue
        scores.setdefault(result.model, []).append(Scored(
            result.task, result.case, result.settings.max_tokens, result.settings.temperature,
            result.verdict.score))
    return scores
