"""Speed rows as llama-bench-like tables (terminal, Markdown, CSV), JSON, and the best configuration.

Pure: rows in, text or plain data out. Rows of different configurations stay apart; a row whose
configuration failed shows its error instead of figures, never a zero.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from showdown.speed.plan import Config, config_label
from showdown.speed.quality import QualityCheck, Scored, check_quality, reference_of
from showdown.speed.records import SpeedRow, Spread
from showdown.speed.runsets import RUN_KEYS

__all__ = ["COLUMNS", "BestConfig", "best_configs", "problems", "row_json", "rows_json", "run_config",
           "table_cells", "to_csv", "to_markdown"]

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


def _quality_json(check: QualityCheck | None) -> dict[str, Any] | None:
    if check is None:
        return None
    return {"status": check.status, "score": check.score,
            "reference_score": check.reference_score, "reference": check.reference,
            "compared": check.n, "eligible": check.eligible, "text": check.text()}


def rows_json(rows: Sequence[SpeedRow], best: Mapping[str, BestConfig]) -> list[dict[str, Any]]:
    """``row_json`` of each row plus its configuration's quality check and whether it is the
    model's best configuration (``best``: true on that one row)."""
    out = []
    for row in rows:
        chosen = best.get(row.model)
        check = chosen.checks.get(config_label(row.config)) if chosen else None
        out.append(row_json(row) | {"quality": _quality_json(check),
                                    "best": chosen is not None and chosen.row is row})
    return out


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


def to_csv(rows: Sequence[SpeedRow], best: Mapping[str, BestConfig] | None = None) -> str:
    """Numbers, not formatted text: one line per row, spreads as min and max columns; the
    configuration's quality check and ``best`` (1 on the model's best configuration's row)."""
    best = best or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["model", "configuration", "depth", "gen", "repetitions",
                     "pp_tokens_per_s", "pp_min", "pp_max", "tg_tokens_per_s", "tg_min", "tg_max",
                     "ttft_s", "ttft_min", "ttft_max", "quality", "quality_score",
                     "reference_score", "best", "error"])
    for row in rows:
        figures: list[object] = []
        for value in (row.pp, row.tg, row.ttft):
            figures += [value.median, value.min, value.max] if value else ["", "", ""]
        chosen = best.get(row.model)
        check = chosen.checks.get(config_label(row.config)) if chosen else None
        quality = [check.text(), _blank(check.score), _blank(check.reference_score)] \
            if check else ["", "", ""]
        is_best = int(chosen is not None and chosen.row is row)
        writer.writerow([row.model, config_label(row.config), row.depth, row.gen,
                         len(row.samples), *figures, *quality, is_best, row.error or ""])
    return buffer.getvalue()


def _blank(value: float | None) -> float | str:
    return "" if value is None else round(value, 4)


@dataclass(frozen=True)
class BestConfig:
    """A model's best configuration: the fastest writer at the deepest depth measured whose
    score did not drop (``speed.quality``), the checks that chose it, and the faster ones
    passed over for their score. ``row`` is None when every measured one dropped it."""

    model: str
    row: SpeedRow | None
    quality: QualityCheck | None
    passed_over: tuple[tuple[SpeedRow, QualityCheck], ...] = ()
    checks: dict[str, QualityCheck] = field(default_factory=dict)  # by configuration label

    def lines(self) -> list[str]:
        """What the report says: the choice with its score, then each faster one and why not."""
        out = []
        if self.row is not None and self.quality is not None:
            out.append(f"{self.model}: {config_label(self.row.config)} writes fastest "
                       f"({_tg(self.row)} t/s at depth {self.row.depth}); {self.quality.text()}")
        else:
            out.append(f"{self.model}: no configuration keeps the score (each one measured "
                       "scored lower than the reference)")
        out += [f"{self.model}: {config_label(r.config)} is faster ({_tg(r)} t/s) but "
                f"{q.text()}: not eligible" for r, q in self.passed_over]
        return out


def _tg(row: SpeedRow) -> str:
    return f"{row.tg.median:.1f}" if row.tg else "—"


def run_config(row: SpeedRow) -> Config:
    """The part of a speed configuration ``run --set`` can vary for the row's provider (today
    all of it): the configuration its run results are stored under."""
    allowed = RUN_KEYS.get(row.spec.partition(":")[0], [])
    return {k: v for k, v in row.config.items() if k in allowed}


def best_configs(rows: Sequence[SpeedRow],
                 scores: Mapping[str, Sequence[Scored]] | None = None) -> dict[str, BestConfig]:
    """Per model, the fastest writer at the deepest depth it measured whose score did not drop.

    Only rows measured in full count; a model none of whose configurations ran has no best.
    ``scores``: judged run results by model name (``run --set`` names them by configuration);
    without them every configuration's quality is "not measured".
    """
    scores = scores or {}
    best: dict[str, BestConfig] = {}
    for model in dict.fromkeys(r.model for r in rows):
        mine = [r for r in rows if r.model == model]
        done = [r for r in mine if r.tg is not None and r.error is None]
        if not done:
            continue
        configs = list({config_label(run_config(r)): run_config(r) for r in mine}.values())
        reference = reference_of(model, configs, scores)
        checks = {config_label(r.config): check_quality(model, run_config(r), reference, scores)
                  for r in mine}
        deepest = max(r.depth for r in done)
        ranked = sorted((r for r in done if r.depth == deepest),
                        key=lambda r: -(r.tg.median if r.tg else 0.0))
        passed = []
        chosen = None
        for row in ranked:
            check = checks[config_label(row.config)]
            if check.eligible:
                chosen = row
                break
            passed.append((row, check))
        best[model] = BestConfig(model, chosen,
                                 checks[config_label(chosen.config)] if chosen else None,
                                 tuple(passed), checks)
    return best
