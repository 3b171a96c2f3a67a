"""The report in the terminal with rich: the seed's tables, as ``showdown run`` and ``report`` print.

``print_performance`` and ``print_quality`` are what ``showdown run`` ends with (its own
results, no round labels needed); ``print_report`` prints every section of a selection.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from showdown.records import Result, RunInfo
from showdown.report.rows import Report, build_report
from showdown.report.tables import (
    Cell,
    Section,
    TableSpec,
    failed_tables,
    performance_tables,
    quality_tables,
    sections,
)
from showdown.safetext import safe_text, visible

__all__ = ["fit_table", "print_performance", "print_quality", "print_report", "print_run_tables",
           "print_sections", "render_text"]


_TONES = {"good": "green", "fair": "yellow", "poor": "red"}


def _rich_table(spec: TableSpec) -> Table:
    table = Table(title=safe_text(spec.title, one_line=True), title_justify="left",
                  title_style="bold", box=box.SIMPLE_HEAD,
                  caption=safe_text(spec.caption) if spec.caption else None,
                  caption_justify="left", header_style="bold cyan", collapse_padding=True,
                  pad_edge=False)
    for i, (name, numeric) in enumerate(zip(spec.columns, spec.numeric, strict=True)):
        # Figures never wrap (min_width holds the widest), but a long header may.
        widest = max((len(part) for row in spec.rows for part in (row[i].text, row[i].span)),
                     default=0)
        table.add_column(safe_text(name, one_line=True), justify="right" if numeric else "left",
                         overflow="fold", min_width=widest if numeric or name in _NO_WRAP else None)
    for row in spec.rows:
        table.add_row(*(_rich_cell(cell) for cell in row))
    return table


_NO_WRAP = {"Model", "Round", "Syntax", "Size", "Rounds"}


def _rich_cell(cell: Cell) -> Text:
    """The cell's text, its min–max range dimmed on a second line (keeps columns narrow)."""
    text = safe_text(cell.text, style=_TONES.get(cell.tone, ""))
    if cell.span:
        text.append(f"\n{visible(cell.span)}", style="dim")
    return text


#: Columns dropped, first to last, when a table is wider than the terminal; what a reader
#: needs to compare models (model, speed, score, failures) stays.
DROP_ORDER = ("J/token", "Peak RAM", "Prompt tok/s", "Load", "Lines", "Peak VRAM", "Round",
              "pass@k", "Comments/line", "with", "try/except", "Third-party imports", "Classes",
              "Size", "Samples", "TTFT", "Syntax", "Docstrings", "Type hints", "Case", "Trial",
              "Output Tokens", "Code", "Note", "Diagnoses", "Rounds", "Tok/s")


def _without(spec: TableSpec, name: str) -> TableSpec:
    keep = [i for i, c in enumerate(spec.columns) if c != name and not c.startswith(name + " (")]
    return TableSpec(spec.title, tuple(spec.columns[i] for i in keep),
                     tuple(spec.numeric[i] for i in keep),
                     tuple(tuple(row[i] for i in keep) for row in spec.rows), spec.caption)


def _rendered_width(console: Console, table: Table) -> int:
    """How wide the table really prints at this console's width (columns that may not wrap
    push it past the width: that is what has to be measured)."""
    lines = Segment.split_lines(console.render(table, console.options))  # uncropped
    return max((sum(cell_len(seg.text) for seg in line) for line in lines), default=0)


def fit_table(console: Console, spec: TableSpec) -> Table:
    """The table, less its lowest-priority columns until it fits the console's width (a note
    under it names what was left out)."""
    dropped: list[str] = []
    table = _rich_table(spec)
    for name in DROP_ORDER:
        if _rendered_width(console, table) <= console.width:
            break
        if not any(c == name or c.startswith(name + " (") for c in spec.columns):
            continue
        spec = _without(spec, name)
        dropped.append(name)
        table = _rich_table(spec)
    if dropped:
        note = f"Left out at {console.width} columns: {', '.join(dropped)} (see --format md or html)."
        table.caption = Text(f"{spec.caption}\n{note}" if spec.caption else note)
    return table


def _print_tables(console: Console, tables: Iterable[TableSpec]) -> None:
    for spec in tables:
        console.print(fit_table(console, spec), crop=False)


def print_performance(console: Console, results: Sequence[Result],
                      runs: Sequence[RunInfo] = ()) -> None:
    """The Performance table (one per round) of these results."""
    _print_tables(console, performance_tables(build_report(results, runs)))


def print_quality(console: Console, results: Sequence[Result],
                  runs: Sequence[RunInfo] = ()) -> None:
    """The Quality table (one per round) of these results."""
    _print_tables(console, quality_tables(build_report(results, runs)))


def print_run_tables(console: Console, results: Sequence[Result],
                     runs: Sequence[RunInfo] = ()) -> None:
    """What ``showdown run`` ends with: Performance, Quality, what did not run, and a warning
    if the machine was busy while it measured."""
    report = build_report(results, runs)
    _print_tables(console, [*performance_tables(report), *quality_tables(report),
                            *failed_tables(report)])
    for row in report.context:
        console.print(safe_text(f"{row.settings}; showdown {row.showdown}; servers: "
                                f"{row.servers}; host: {row.host}", style="dim"), highlight=False)
        if row.busy.startswith("the machine was busy"):
            console.print(Text("warning: ", style="yellow") + safe_text(row.busy), highlight=False)


def print_sections(console: Console, parts: Iterable[Section]) -> None:
    """Each section: a rule with its title, how to read it, its tables and bullet lines."""
    for section in parts:
        if not section.tables and not section.bullets:
            continue
        console.rule(Text(section.title, style="bold"))
        console.print(Text(section.intro, style="dim"))
        _print_tables(console, section.tables)
        for line in section.bullets:
            console.print(Text("  • ") + safe_text(line), highlight=False)
        console.print()


def print_report(console: Console, report: Report) -> None:
    """Every section of a report, in the seed's order."""
    print_sections(console, sections(report))


def render_text(report: Report, width: int = 120) -> str:
    """The terminal report as plain text (no colour codes), for a file or a pipe."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False,
                      highlight=False)
    print_report(console, report)
    return buffer.getvalue()
