"""Terminal rendering of the task list (``showdown tasks``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from showdown.safetext import safe_text
from showdown.tasks.loader import TaskSummary

__all__ = ["print_tasks"]


def print_tasks(console: Console, rows: list[TaskSummary]) -> None:
    """One row per task: id, kind, number of cases and its one-line description."""
    table = Table(title="Tasks", title_justify="left")
    table.add_column("id", no_wrap=True, style="bold")
    table.add_column("kind", no_wrap=True)
    table.add_column("cases", justify="right", no_wrap=True)
    table.add_column("description")
    for row in rows:
        cases = str(row.cases) if row.cases is not None else "?"
        text = row.description or row.title
        shown = safe_text(text)
        if row.problem:
            shown.append(f" ({safe_text(row.problem).plain})", style="red")
        table.add_row(safe_text(row.id), row.kind, cases, shown)
    console.print(table)
