"""The seed's two tables in the terminal: Performance and Quality."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from showdown.records import Result

__all__ = ["print_performance", "print_quality"]


def _f(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def print_performance(console: Console, results: list[Result]) -> None:
    table = Table(title="Performance")
    for col in ("Model", "Task", "TTFT", "Total Time", "Output Tokens", "Tok/s", "Lines", "Load"):
        table.add_column(col, justify="left" if col in ("Model", "Task") else "right")
    for r in results:
        g = r.generation
        table.add_row(r.model, r.case or r.task, _f(g.ttft_s, ".2f") + "s",
                      _f(g.total_s, ".2f") + "s", _f(g.output_tokens, ","),
                      _f(g.tokens_per_s, ".1f"), str(r.verdict.code_lines if r.verdict else "—"),
                      _f(g.load_s, ".2f") + "s")
    console.print(table)


def print_quality(console: Console, results: list[Result]) -> None:
    table = Table(title="Quality")
    for col in ("Model", "Task", "Syntax", "Features", "Functional", "Score", "Diagnoses"):
        table.add_column(col)
    for r in results:
        v = r.verdict
        if v is None:
            table.add_row(r.model, r.case or r.task, "—", "—", "—", "—", r.generation.error or "")
            continue
        table.add_row(r.model, r.case or r.task, "Yes" if v.syntax_ok else "No",
                      f"{v.features_passed}/{len(v.features)}",
                      f"{v.functional_passed}/{len(v.functional)}", str(v.score),
                      ", ".join(d.code for d in v.diagnoses) or "—")
    console.print(table)
