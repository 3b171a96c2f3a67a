"""The report as one self-contained HTML file: sortable tables and Chart.js charts, offline.

Everything the page needs is inlined (Chart.js's UMD build, the page's script and style, the
data as JSON), so the file can be mailed, archived or opened with no network. Tables are
rendered here; charts are drawn by ``assets/report.js`` from the embedded data.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from typing import Any

from showdown import __version__
from showdown.records import Result
from showdown.report import fmt
from showdown.report.context import group_anchor
from showdown.report.detail import detail_html
from showdown.report.groups import MIXED, PLACEMENTS
from showdown.report.rows import Report
from showdown.report.tables import Section, TableSpec, sections, title
from showdown.safetext import visible

__all__ = ["TIER_COLOURS", "Details", "chart_data", "detail_cells", "html_parts", "render_html"]

#: One colour per place a model ran, shared by the charts and the table chips.
TIER_COLOURS = {"vram": "#16a34a", "partial": "#d97706", "cpu": "#dc2626", "cloud": "#2563eb",
                "unknown": "#6b7280", MIXED: "#9333ea"}


def _esc(text: str) -> str:
    """HTML-escaped, with control characters written out: a page may be read with `cat`, and a
    bidi override would reorder what a browser shows."""
    return html.escape(visible(text))


def _asset(name: str) -> str:
    return resources.files("showdown.report").joinpath("assets", name).read_text("utf-8")


def _chartjs() -> str:
    """Chart.js as shipped, less its source-map comment (the map is not shipped)."""
    lines = _asset("chart.umd.min.js").splitlines()
    return "\n".join(ln for ln in lines if not ln.startswith("//# sourceMappingURL="))


def _inline_script(code: str) -> str:
    # A literal "</script" would end the element early; "<\/" means the same to JavaScript.
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)


def _label(model: str, round_: str, task: str, report: Report) -> str:
    parts = [model]
    if len(report.tasks) > 1:
        parts.append(task)
    if len(report.rounds) > 1:
        parts.append(round_)
    return " · ".join(parts)


def chart_data(report: Report) -> dict[str, Any]:
    """What the charts plot: scatter points, time bars and per-trial spreads, plus colours."""
    quality = {(q.round, q.model, q.task): q for q in report.quality}
    scatter = [
        {"label": r.model if len(report.tasks) == 1 else f"{r.model} · {r.task}",
         "x": r.tokens_per_s.value, "y": r.score.value, "tier": r.placement, "round": r.round}
        for r in report.leaderboard if r.tokens_per_s is not None and r.score is not None
    ]
    times = [
        {"label": _label(p.model, p.round, p.task, report), "tier": p.placement,
         "ttft": None if p.ttft_s is None else p.ttft_s.value,
         "total": None if p.total_s is None else p.total_s.value,
         "score": (q.score.value if (q := quality.get((p.round, p.model, p.task))) and q.score
                   else None)}
        for p in report.performance if p.total_s is not None or p.ttft_s is not None
    ]
    times.sort(key=lambda t: t["total"] if t["total"] is not None else float("inf"))
    trials = [{"label": _label(t.model, t.round, t.task, report),
               "speeds": list(t.tokens_per_s), "scores": list(t.scores)} for t in report.trials]
    return {"scatter": scatter, "times": times, "trials": trials, "colours": TIER_COLOURS,
            "tierNames": {k: fmt.placement(k) for k in (*PLACEMENTS, MIXED)}}


def _cell(tag: str, cell_text: str, attrs: dict[str, str]) -> str:
    rendered = "".join(f' {k}="{_esc(v)}"' for k, v in attrs.items() if v)
    return f"<{tag}{rendered}>{cell_text}</{tag}>"


def _table(spec: TableSpec, caption: bool = True) -> str:
    head = "".join(
        _cell("th", f'<button type="button">{_esc(name)}</button>',
              {"class": "num" if numeric else "", "data-type": "num" if numeric else "text",
               "aria-sort": "none", "scope": "col"})
        for name, numeric in zip(spec.columns, spec.numeric, strict=True))
    body = []
    for row in spec.rows:
        cells = []
        for cell, numeric in zip(row, spec.numeric, strict=True):
            inner = _esc(cell.text)
            if cell.link:
                inner = f'<a href="#{_esc(cell.link)}">{inner}</a>'
            if cell.tone.startswith("tier-"):
                inner = f'<i class="chip {_esc(cell.tone)}"></i>{inner}'
            if cell.span:
                inner += f'<span class="span">{_esc(cell.span)}</span>'
            sort = "" if cell.sort is None or cell.text == fmt.DASH else str(cell.sort)
            classes = " ".join(c for c in ("num" if numeric else "",
                                           "" if cell.tone.startswith("tier-") else cell.tone) if c)
            cells.append(_cell("td", inner, {"data-sort": sort, "title": cell.title,
                                             "class": classes}))
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = f'<p class="note">{_esc(spec.caption)}</p>' if spec.caption else ""
    title = f"<caption>{_esc(spec.title)}</caption>" if caption else ""
    return (f'<div class="table-wrap"><table class="sortable">{title}<thead><tr>{head}</tr>'
            f'</thead><tbody>{"".join(body)}</tbody></table>{note}</div>')


def _section(section: Section) -> str:
    tables = "".join(_table(t, t.title != section.title) for t in section.tables)
    bullets = "".join(f"<li>{_esc(line)}</li>" for line in section.bullets)
    items = f"<ul>{bullets}</ul>" if bullets else ""
    return (f'<section id="{section.key}"><h2>{_esc(section.title)}</h2>'
            f'<p class="intro">{_esc(section.intro)}</p>{tables}{items}</section>')


#: Each result's detail block under its (round, model, task), in the order first seen.
Details = dict[tuple[str, str, str], list[str]]


def detail_cells(results: Iterable[Result], labels: Mapping[str, str]) -> Details:
    """The detail block of each result, grouped under its (round, model, task)."""
    cells: Details = {}
    for result in results:
        key = (labels.get(result.run_id, result.run_id), result.model, result.task)
        cells.setdefault(key, []).append(detail_html(result))
    return cells


def _details(report: Report, cells: Details | None = None) -> Iterator[str]:
    """Every result's detail, under one heading per (round, model, task) the tables link to
    (in pieces: a report of 100k results need not be one string twice over)."""
    if cells is None:
        cells = detail_cells(report.results, dict(report.labels))
    if not cells:
        return
    yield ('<section id="results"><h2>Results</h2><p class="intro">Each answer, its '
           "extracted code, checks and test commands; the same as <code>showdown show ID"
           "</code>.</p>")
    for key, items in cells.items():
        yield f'<div class="cell" id="{group_anchor(*key)}"><h3>{_esc(" · ".join(key))}</h3>'
        yield from items
        yield "</div>"
    yield "</section>"


def _numbers(report: Report) -> str:
    cards = "".join(f'<div class="figure" data-key="{_esc(f.key)}"><b>{_esc(f.lead)}'
                    f"</b><span>{_esc(f.words)}</span></div>" for f in report.numbers)
    return (f'<section id="numbers"><h2>By the numbers</h2><div class="figures">{cards}</div>'
            "</section>")


def _charts(data: dict[str, Any]) -> str:
    charts = [("scatter", "Speed against score", "Each model's best result; colour: where it ran.",
               bool(data["scatter"])),
              ("times", "Time to first token and total time", "Seconds, shortest total first.",
               bool(data["times"])),
              ("spread-speed", "Trial spread: tok/s", "Each dot a trial; bar: min–max; dash: "
               "median.", bool(data["trials"])),
              ("spread-score", "Trial spread: score", "Each dot a trial; dash: mean.",
               bool(data["trials"]))]
    figures = "".join(
        f'<figure class="chart chart-{key}"><figcaption>{_esc(name)}<small>'
        f'{_esc(hint)}</small></figcaption><div class="canvas-box">'
        f'<canvas data-chart="{key}" role="img" aria-label="{_esc(name)}"></canvas>'
        "</div></figure>"
        for key, name, hint, shown in charts if shown)
    if not figures:
        return ""
    return f'<section id="charts"><h2>Charts</h2><div class="charts">{figures}</div></section>'


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def render_html(report: Report) -> str:
    """The whole page: heading, figures, charts, then every table, as one HTML document."""
    return "".join(html_parts(report))


def html_parts(report: Report, details: Details | None = None) -> Iterator[str]:
    """``render_html``'s page in order, piece by piece, to write without joining it first
    (``details``: the detail blocks, when already made as the results were read)."""
    data = chart_data(report)
    parts = {s.key: s for s in sections(report) if s.tables or (s.key == "context" and s.bullets)}
    order = ("leaderboard", "performance", "quality", "failed", "tiers", "style", "context")
    heading = _esc(title(report))
    sub = " · ".join([_count(len(report.models), "model"), _count(len(report.rounds), "round"),
                      ", ".join(report.tasks)])
    json_text = json.dumps(data, ensure_ascii=True).replace("</", "<\\/")
    yield f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="showdown {_esc(__version__)}">
<title>{heading}</title>
<style>{_asset("report.css")}</style>
</head>
<body>
<header><div class="wrap"><h1>{heading}</h1><p>{_esc(sub)}</p></div></header>
<main class="wrap">
{_numbers(report)}
{_charts(data)}
"""
    yield "".join(_section(parts[k]) for k in order if k in parts)
    yield from _details(report, details)
    yield f"""
</main>
<footer class="wrap">Made by showdown {_esc(__version__)}. Charts drawn with Chart.js
(MIT licence), inlined so this page works offline.</footer>
<script type="application/json" id="showdown-data">{json_text}</script>
<script>{_inline_script(_chartjs())}</script>
<script>{_inline_script(_asset("report.js"))}</script>
</body>
</html>
"""
