"""Reports: typed results in, the seed's tables and charts out, in five formats.

``render(results, runs, fmt)`` is the one entry point: it builds the rows once (``rows.py``,
pure) and hands them to a format. Nothing here reads the store; callers select the results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from showdown.records import Result, RunInfo
from showdown.report.export import render_csv, render_json
from showdown.report.html import detail_cells, html_parts, render_html
from showdown.report.markdown import render_markdown
from showdown.report.rows import Report, Source, build_report, lean_result
from showdown.report.terminal import render_text

__all__ = ["FORMATS", "build_report", "render", "render_parts", "write_report"]

#: Format name -> renderer; ``terminal`` is plain text here (colour only on a live console).
FORMATS: dict[str, Callable[[Report], str]] = {
    "terminal": render_text,
    "md": render_markdown,
    "html": render_html,
    "json": render_json,
    "csv": render_csv,
}


def render(results: Iterable[Result] | Source, runs: Sequence[RunInfo], fmt: str) -> str:
    """The report of these results as ``fmt`` (terminal, md, html, json or csv)."""
    return "".join(render_parts(results, runs, fmt))


def render_parts(results: Iterable[Result] | Source, runs: Sequence[RunInfo],
                 fmt: str) -> Iterator[str]:
    """``render`` in pieces to write one after another (the HTML page of a large store is
    hundreds of megabytes: it is never joined into one string)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")
    if fmt == "html" and isinstance(results, Source):
        # One read of the store: each result's detail block is made as it is read, and the
        # tables are built from the same results less their long texts.
        lean: list[Result] = []
        labels = {run.run_id: run.round for run in runs if run.round}  # as round_labels
        details = detail_cells(_keeping_lean(results, lean), labels)
        yield from html_parts(build_report(lean, runs), details)
        return
    report = build_report(results, runs)
    if fmt == "html":
        yield from html_parts(report)
    else:
        yield FORMATS[fmt](report)


def _keeping_lean(results: Iterable[Result], lean: list[Result]) -> Iterator[Result]:
    """Each result, in full, while its lean copy is added to ``lean``."""
    for result in results:
        lean.append(lean_result(result))
        yield result


def write_report(results: Iterable[Result] | Source, runs: Sequence[RunInfo], fmt: str,
                 path: Path) -> Path:
    """Render and write a report (creating its folder); returns the path written."""
    parts = render_parts(results, runs, fmt)
    first = next(parts)  # the report is built before the file is opened
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write(first)
        for part in parts:
            out.write(part)
    return path
