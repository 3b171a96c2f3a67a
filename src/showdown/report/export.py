"""The report's rows as JSON (every table) and CSV (one row per round, model and task).

JSON keeps each table as typed rows with figures as ``{value, lo, hi, n}``; CSV flattens the
per-cell tables (performance, quality, style, placement, leaderboard rank) into one sheet a
spreadsheet can sort, each figure as value, min and max columns.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from typing import Any

from showdown.report.rows import PerfRow, QualityRow, Report
from showdown.report.spread import Spread
from showdown.report.style import StyleRow

__all__ = ["CSV_COLUMNS", "csv_rows", "render_csv", "render_json", "report_dict"]


def report_dict(report: Report) -> dict[str, Any]:
    """Every table of the report as JSON-ready data (each figure with its whole sentence)."""
    # Whole answers belong to `showdown show --json`, not to every table's JSON.
    data = dataclasses.asdict(dataclasses.replace(report, results=(), labels=()))
    del data["results"], data["labels"]
    for figure, row in zip(report.numbers, data["numbers"], strict=True):
        row["text"] = figure.text
    return data


def render_json(report: Report) -> str:
    """The report as indented JSON."""
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"


_SPREADS_PERF = ("ttft_s", "total_s", "output_tokens", "tokens_per_s", "server_tokens_per_s",
                 "load_s", "lines", "peak_vram_bytes", "joules_per_token")
_SPREADS_STYLE = ("functions", "classes", "docstring_share", "type_hint_share", "try_blocks",
                  "with_blocks", "comment_density")

CSV_COLUMNS: tuple[str, ...] = (
    "round", "model", "task", "samples", "failed", "placement", "size_bytes",
    *(f"{name}{suffix}" for name in _SPREADS_PERF for suffix in ("", "_min", "_max")),
    "judged", "syntax_ok", "features_passed", "features_total", "functional_passed",
    "functional_total", "score", "score_min", "score_max", "score_ci_low", "score_ci_high",
    "diagnoses", "code_change",
    *(f"style_{name}" for name in _SPREADS_STYLE), "third_party_imports", "leaderboard_rank",
    "settings", "showdown", "servers", "host", "machine",
)


def _flat(prefix: str, value: Spread | None) -> dict[str, float | None]:
    if value is None:
        return {prefix: None, f"{prefix}_min": None, f"{prefix}_max": None}
    return {prefix: value.value, f"{prefix}_min": value.lo, f"{prefix}_max": value.hi}


def _row(perf: PerfRow, quality: QualityRow | None, style: StyleRow | None,
         rank: int | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "round": perf.round, "model": perf.model, "task": perf.task, "samples": perf.samples,
        "failed": perf.failed, "placement": perf.placement, "size_bytes": perf.size_bytes,
        "leaderboard_rank": rank,
    }
    for name in _SPREADS_PERF:
        row |= _flat(name, getattr(perf, name))
    if quality is not None:
        row |= {"judged": quality.judged, "syntax_ok": quality.syntax_ok,
                "features_passed": quality.features.passed, "features_total": quality.features.total,
                "functional_passed": quality.functional.passed,
                "functional_total": quality.functional.total,
                "diagnoses": ";".join(f"{d.code}:{d.count}" for d in quality.diagnoses),
                "code_change": quality.code_change}
        row |= _flat("score", quality.score)
        row |= {"score_ci_low": quality.score.ci_low if quality.score else None,
                "score_ci_high": quality.score.ci_high if quality.score else None}
    if style is not None:
        row |= {f"style_{n}": (s.value if (s := getattr(style, n)) else None)
                for n in _SPREADS_STYLE}
        row["third_party_imports"] = ";".join(style.third_party)
    return row


def csv_rows(report: Report) -> list[dict[str, Any]]:
    """One flat row per (round, model, task), in the Performance table's order."""
    def key(row: PerfRow | QualityRow | StyleRow) -> tuple[str, str, str]:
        return (row.round, row.model, row.task)

    quality = {key(q): q for q in report.quality}
    style = {key(s): s for s in report.style}
    ranks = {(b.round, b.model, b.task): b.rank for b in report.leaderboard}
    return [_row(p, quality.get(key(p)), style.get(key(p)), ranks.get(key(p)))
            | _context(report, p.round) for p in report.performance]


def _context(report: Report, round_: str) -> dict[str, str]:
    """The settings, versions, host and load of the runs of a round (distinct values joined)."""
    runs = [c for c in report.context if (c.round or c.run_id) == round_]
    return {name: " | ".join(dict.fromkeys(getattr(c, name) for c in runs))
            for name in ("settings", "showdown", "servers", "host")} | {
        "machine": " | ".join(dict.fromkeys(c.busy for c in runs))}


def render_csv(report: Report) -> str:
    """The per-cell rows as CSV with a header line (empty cells where nothing was measured)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_rows(report))
    return buffer.getvalue()
