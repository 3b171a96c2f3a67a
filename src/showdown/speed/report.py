"""Speed rows as llama-bench-like tables (terminal, Markdown, CSV), JSON, and the best configuration.

Pure: rows in, text or plain data out. Rows of different configurations stay apart; a row whose
configuration failed shows its error instead of figures, never a zero.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from showdown.speed.plan import config_label
from showdown.speed.records import SpeedRow, Spread

__all__ = ["COLUMNS", "best_configs", "problems", "row_json", "table_cells", "to_csv", "to_markdown"]

COLUMNS = ("model", "configuration", "depth", "pp t/s", "tg t/s", "ttft s", "n")


def _spread_json(value: Spread | None) -> list[float] | None:
    return [round(value.min, 4), round(value.max, 4)] if value else None


def _median(value: Spread | None) -> float | None:
    return round(value.median, 4) if value else None


def row_json(row: SpeedRow) -> dict[str, Any]:
    """One (model, configuration, depth): medians, their [min, max], sources and how it ran."""
    return {"model": row.model, "spec": row.spec, "configuration": dict(row.config),
            "configuration_label": config_label(row.config), "depth": row.depth,
            "gen": row.gen, "repetitions": len(row.samples),
            "pp_tokens_per_s": _median(row.pp), "pp_spread": _spread_json(row.pp),
            "tg_tokens_per_s": _median(row.tg), "tg_spread": _spread_json(row.tg),
            "ttft_s": _median(row.ttft), "ttft_spread": _spread_json(row.ttft),
            "sources": row.sources, "server": row.server, "error": row.error,
            "run_id": row.run_id, "started_at": row.started_at,
            "samples": [asdict(s) for s in row.samples]}


def _cell(value: Spread | None, digits: int) -> str:
    if value is None:
        return "—"
    if value.min == value.max:
        return f"{value.median:.{digits}f}"
    return f"{value.median:.{digits}f} ({value.min:.{digits}f}–{value.max:.{digits}f})"


def table_cells(rows: Sequence[SpeedRow]) -> list[list[str]]:
    """One line per row: medians with their range (min–max) over the repetitions."""
    out = []
    for row in rows:
        head = [row.model, config_label(row.config), str(row.depth)]
        if row.error and not row.samples:
            out.append([*head, "failed", "—", "—", "0"])
            continue
        # An incomplete row keeps its figures but says so: "1!" of the repetitions asked.
        count = f"{len(row.samples)}{'!' if row.error else ''}"
        out.append([*head, _cell(row.pp, 1), _cell(row.tg, 1), _cell(row.ttft, 3), count])
    return out


def problems(rows: Sequence[SpeedRow]) -> list[str]:
    """One line per failed or incomplete row: what went wrong, for below the table."""
    return [f"{r.model} [{config_label(r.config)}] depth {r.depth}: {r.error}"
            for r in rows if r.error]


def to_markdown(rows: Sequence[SpeedRow]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for cells in table_cells(rows):
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def to_csv(rows: Sequence[SpeedRow]) -> str:
    """Numbers, not formatted text: one line per row, spreads as min and max columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["model", "configuration", "depth", "gen", "repetitions",
                     "pp_tokens_per_s", "pp_min", "pp_max", "tg_tokens_per_s", "tg_min", "tg_max",
                     "ttft_s", "ttft_min", "ttft_max", "error"])
    for row in rows:
        figures: list[object] = []
        for value in (row.pp, row.tg, row.ttft):
            figures += [value.median, value.min, value.max] if value else ["", "", ""]
        writer.writerow([row.model, config_label(row.config), row.depth, row.gen,
                         len(row.samples), *figures, row.error or ""])
    return buffer.getvalue()


def best_configs(rows: Sequence[SpeedRow]) -> dict[str, SpeedRow]:
    """Per model, the configuration that writes fastest at the deepest depth it measured.

    Only rows measured in full count; a model none of whose configurations ran has no best.
    """
    best: dict[str, SpeedRow] = {}
    for model in dict.fromkeys(r.model for r in rows):
        done = [r for r in rows if r.model == model and r.tg is not None and r.error is None]
        if not done:
            continue
        deepest = max(r.depth for r in done)
        at_depth = [r for r in done if r.depth == deepest]
        best[model] = max(at_depth, key=lambda r: r.tg.median if r.tg else 0.0)
    return best
