"""The report's sections as plain tables of text cells: columns decided once for every format.

Terminal, Markdown and HTML each render these ``Section``s; only JSON and CSV read the typed
rows directly. A cell keeps a sort value beside its text so the HTML can sort "1,140.94s"
after "9.97s", and a hover title for detail (a diagnosis's sentence).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from showdown.report import fmt
from showdown.report.context import FailedRow, group_anchor
from showdown.report.groups import PLACEMENTS
from showdown.report.leaderboard import LeaderRow
from showdown.report.rows import PerfRow, QualityRow, Report, TierRow
from showdown.report.spread import Spread
from showdown.report.style import StyleRow

__all__ = [
    "Cell",
    "Section",
    "TableSpec",
    "context_lines",
    "failed_tables",
    "leaderboard_tables",
    "performance_tables",
    "quality_tables",
    "sections",
    "style_tables",
    "tier_tables",
    "title",
]



class _Rounded(Protocol):
    @property
    def round(self) -> str: ...


R = TypeVar("R")
RR = TypeVar("RR", bound=_Rounded)


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, the value it sorts by, hover detail, and a second line.

    ``span`` is a figure's min–max over trials (or a count of failures): shown under the text
    where a format allows it, in brackets after it where not.
    """

    text: str
    sort: float | str | None = None
    title: str = ""
    span: str = ""
    tone: str = ""  # a style hint: "good"/"fair"/"poor" for scores, "tier-<placement>" for models
    link: str = ""  # an anchor in the same page (HTML): the detail of what the cell sums up

    @property
    def full(self) -> str:
        """The text with its range in brackets, for formats with one line per cell."""
        return f"{self.text} ({self.span})" if self.span else self.text


@dataclass(frozen=True)
class TableSpec:
    """A titled table: column names, which are numeric (right-aligned), and rows of cells."""

    title: str
    columns: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""


@dataclass(frozen=True)
class Section:
    """A report section: heading, a sentence on how to read it, tables and bullet lines."""

    key: str
    title: str
    intro: str
    tables: tuple[TableSpec, ...] = ()
    bullets: tuple[str, ...] = ()


def _num(value: Spread | None, show: Callable[[float], str], ranges: bool = True) -> Cell:
    if value is None:
        return Cell(fmt.DASH)
    return Cell(show(value.value), value.value, span=fmt.span_of(value, show) if ranges else "")


def _text(text: str) -> Cell:
    return Cell(text, text.lower())


def _score(value: Spread | None) -> Cell:
    """A score cell toned as the seed reads scores: 100 good, 80s–90s fair, below poor."""
    cell = _num(value, fmt.num)
    if value is None:
        return cell
    tone = "good" if value.value >= 100 else "fair" if value.value >= 80 else "poor"
    title = "" if value.ci_low is None or value.ci_high is None else (
        f"mean of {value.n} trials; 95% bootstrap interval {fmt.num(value.ci_low)}–"
        f"{fmt.num(value.ci_high)}")
    return dataclasses.replace(cell, tone=tone, title=title)


def _model(name: str, placement: str) -> Cell:
    return Cell(name, name.lower(), title=fmt.placement(placement), tone=f"tier-{placement}")


def _linked(cell: Cell, row: PerfRow | QualityRow | LeaderRow) -> Cell:
    """A model cell that links to its results' detail."""
    return dataclasses.replace(cell, link=group_anchor(row.round, row.model, row.task))


def _table(title: str, spec: Sequence[tuple[str, bool, Callable[[R], Cell]]],
           rows: Sequence[R], caption: str = "") -> TableSpec:
    """Columns as (name, numeric, cell-of-row); a column whose cells are all blank is dropped."""
    kept = [c for c in spec if any(c[2](r).text != fmt.DASH for r in rows) or c[0] == "Model"]
    return TableSpec(title, tuple(c[0] for c in kept), tuple(c[1] for c in kept),
                     tuple(tuple(c[2](r) for c in kept) for r in rows), caption)


def _per_round(rows: Sequence[RR], title: str, report: Report) -> list[tuple[str, list[RR]]]:
    """One table per round when several are selected (as the seed), task column if several."""
    if not rows:
        return []
    if len(report.rounds) <= 1:
        return [(title, list(rows))]
    return [(f"{title} — {label}", [r for r in rows if r.round == label])
            for label in report.rounds if any(r.round == label for r in rows)]


def _trials(row: PerfRow | QualityRow) -> Cell:
    failed = row.failed
    if row.samples == 1 and not failed:
        return Cell(fmt.DASH, 1)
    return Cell(str(row.samples), row.samples, span=f"{failed} failed" if failed else "")


def performance_tables(report: Report) -> list[TableSpec]:
    """The seed's Performance table (per round), plus load time, VRAM and energy when known."""
    task = len(report.tasks) > 1
    spec: list[tuple[str, bool, Callable[[PerfRow], Cell]]] = [
        ("Model", False, lambda r: _linked(_model(r.model, r.placement), r)),
        ("Task", False, lambda r: _text(r.task if task else fmt.DASH)),
        ("Samples", True, _trials),
        ("TTFT", True, lambda r: _num(r.ttft_s, fmt.seconds)),
        ("Total Time", True, lambda r: _num(r.total_s, fmt.seconds)),
        ("Output Tokens", True, lambda r: _num(r.output_tokens, fmt.count)),
        ("Tok/s", True, lambda r: _num(r.tokens_per_s, fmt.rate)),
        ("Prompt tok/s", True, lambda r: _num(r.prompt_tokens_per_s, fmt.rate)),
        ("Load", True, lambda r: _num(r.load_s, fmt.seconds)),
        ("Lines", True, lambda r: _num(r.lines, fmt.count)),
        ("Peak VRAM", True, lambda r: _num(r.peak_vram_bytes, fmt.size)),
        ("Peak RAM", True, lambda r: _num(r.peak_ram_bytes, fmt.size)),
        ("J/token", True, lambda r: _num(r.joules_per_token, fmt.rate)),
    ]
    return [_table(title, spec, rows)
            for title, rows in _per_round(report.performance, "Performance", report)]


def quality_tables(report: Report) -> list[TableSpec]:
    """The seed's Quality table (per round): syntax, features, functional tests, score."""
    task = len(report.tasks) > 1
    feats = {r.features.per_result for r in report.quality}
    funcs = {r.functional.per_result for r in report.quality}
    spec: list[tuple[str, bool, Callable[[QualityRow], Cell]]] = [
        ("Model", False, lambda r: _linked(_text(r.model), r)),
        ("Task", False, lambda r: _text(r.task if task else fmt.DASH)),
        ("Samples", True, _trials),
        ("Syntax", False, lambda r: _text(fmt.syntax(r.syntax_ok, r.judged))),
        (_out_of("Features", feats), True, lambda r: Cell(fmt.tally(r.features),
                                                          _ratio(r.features))),
        (_out_of("Functional", funcs), True, lambda r: Cell(fmt.tally(r.functional),
                                                            _ratio(r.functional))),
        ("Score", True, lambda r: _score(r.score)),
        ("Code", False, lambda r: Cell(r.code_change or fmt.DASH, r.code_change,
                                       _CODE_TITLE if r.code_change else "")),
        ("pass@k", False, lambda r: _text(", ".join(f"pass@{k} {v:.1%}" for k, v in r.pass_at)
                                          or fmt.DASH)),
        ("Diagnoses", False, lambda r: Cell(fmt.diagnoses(r.diagnoses, r.samples), None,
                                            "\n".join(f"{d.code}: {d.message}"
                                                      for d in r.diagnoses))),
    ]
    return [_table(title, spec, rows)
            for title, rows in _per_round(report.quality, "Quality", report)]


_CODE_TITLE = ("run --set: this configuration's extracted code against the default's (else the "
               "first configuration's), answer by answer (same case, trial and seed)")


def _out_of(name: str, totals: set[int | None]) -> str:
    if len(totals) != 1 or None in totals or 0 in totals:
        return name
    return f"{name} (X/{totals.pop()})"


def _ratio(tally: object) -> float | None:
    passed, total = getattr(tally, "passed", 0), getattr(tally, "total", 0)
    return passed / total if total else None


def style_tables(report: Report) -> list[TableSpec]:
    """How each model writes, from the AST of its extracted code."""
    task = len(report.tasks) > 1
    spec: list[tuple[str, bool, Callable[[StyleRow], Cell]]] = [
        ("Model", False, lambda r: _text(r.model)),
        ("Task", False, lambda r: _text(r.task if task else fmt.DASH)),
        ("Parsed", True, lambda r: Cell(f"{r.samples - r.unparsed}/{r.samples}" if r.unparsed
                                        else fmt.DASH, r.samples - r.unparsed)),
        ("Lines", True, lambda r: _num(r.lines, fmt.count)),
        ("Functions", True, lambda r: _num(r.functions, fmt.count)),
        ("Classes", True, lambda r: _num(r.classes, fmt.count)),
        ("Docstrings", True, lambda r: _num(r.docstring_share, fmt.share, False)),
        ("Type hints", True, lambda r: _num(r.type_hint_share, fmt.share, False)),
        ("try/except", True, lambda r: _num(r.try_blocks, fmt.count)),
        ("with", True, lambda r: _num(r.with_blocks, fmt.count)),
        ("Third-party imports", False, lambda r: _text(", ".join(r.third_party) or (
            "none" if r.unparsed < r.samples else fmt.DASH))),
        ("Comments/line", True, lambda r: _num(r.comment_density, "{:.2f}".format, False)),
    ]
    rows = sorted(report.style, key=lambda r: -(r.lines.value if r.lines else 0))
    return [_table(title, spec, rs) for title, rs in _per_round(rows, "Style comparison", report)]


def tier_tables(report: Report) -> list[TableSpec]:
    """The seed's speed tiers: one table per place a model ran, fastest first."""
    rounds, task = len(report.rounds) > 1, len(report.tasks) > 1
    spec: list[tuple[str, bool, Callable[[TierRow], Cell]]] = [
        ("Model", False, lambda r: _model(r.model, r.tier)),
        ("Round", False, lambda r: _text(r.round if rounds else fmt.DASH)),
        ("Task", False, lambda r: _text(r.task if task else fmt.DASH)),
        ("Size", True, lambda r: Cell(fmt.DASH if r.size_bytes is None else fmt.size(r.size_bytes),
                                      r.size_bytes)),
        ("Total Time", True, lambda r: _num(r.total_s, fmt.seconds)),
        ("Tok/s", True, lambda r: _num(r.tokens_per_s, fmt.rate)),
        ("Peak VRAM", True, lambda r: _num(r.peak_vram_bytes, fmt.size)),
    ]
    out = []
    for tier, words in PLACEMENTS.items():
        rows = [r for r in report.tiers if r.tier == tier]
        if rows:
            note = _TIER_NOTES.get(tier, "")
            out.append(_table(words, spec, rows, note))
    return out


_TIER_NOTES = {
    "unknown": "Their provider recorded no placement, so showdown does not guess a tier.",
    "partial": "Some layers on the GPU, the rest in system RAM or paged from disk.",
}


def leaderboard_tables(report: Report) -> list[TableSpec]:
    """Best result per model across the selected rounds, ranked; one table per task."""
    out = []
    for task in report.tasks:
        rows = [r for r in report.leaderboard if r.task == task]
        if not rows:  # nothing measured on this task: nothing to rank
            continue
        cells = tuple((
            Cell(str(r.rank), r.rank), _linked(_model(r.model, r.placement), r), _text(r.round),
            Cell(_size_text(r.size_bytes, r.placement), r.size_bytes),
            _num(r.tokens_per_s, fmt.rate), _score(r.score),
            _text(r.note or fmt.DASH),
        ) for r in rows)
        title = "Leaderboard" if len(report.tasks) == 1 else f"Leaderboard — {task}"
        out.append(TableSpec(title, ("#", "Model", "Round", "Size", "Tok/s", "Score", "Note"),
                             (True, False, False, True, True, True, False), cells))
    if report.changes:
        changed = tuple((
            _text(c.model if len(report.tasks) == 1 else f"{c.model} · {c.task}"),
            _text(f"{c.before} → {c.after}"),
            _change(c.score_before, c.score_after, fmt.num),
            _change(c.tokens_per_s_before, c.tokens_per_s_after, fmt.rate),
            _text("; ".join(c.changes) or "nothing recorded changed"),
        ) for c in report.changes)
        out.append(TableSpec("Between rounds", ("Model", "Rounds", "Score", "Tok/s",
                                                "What changed"),
                             (False, False, True, True, False), changed))
    return out


def _size_text(size: int | None, placement: str) -> str:
    if size is not None:
        return fmt.size(size)
    return "Cloud" if placement == "cloud" else fmt.DASH


def _change(before: float | None, after: float | None, show: Callable[[float], str]) -> Cell:
    text = f"{fmt.DASH if before is None else show(before)} → "
    text += fmt.DASH if after is None else show(after)
    delta = None if before is None or after is None else after - before
    return Cell(text, delta)


def _how_read(report: Report) -> str:
    trials = any(r.samples > 1 for r in report.performance)
    text = "Speed is the median over trials and score the mean, with min–max in brackets. " \
        if trials else ""
    return text + "Only generations that ran are measured; those that failed are listed " \
        "under \"Did not run\". A dash means not measured; Peak RAM is the model server's."


def failed_tables(report: Report) -> list[TableSpec]:
    """Every generation that did not run, with its reason and its result id."""
    if not report.failed:
        return []
    rounds = len(report.rounds) > 1
    spec: list[tuple[str, bool, Callable[[FailedRow], Cell]]] = [
        ("Model", False, lambda r: _text(r.model)),
        ("Round", False, lambda r: _text(r.round if rounds else fmt.DASH)),
        ("Task", False, lambda r: _text(r.task)),
        ("Case", False, lambda r: _text(r.case if r.case and r.case != r.task else fmt.DASH)),
        ("Trial", True, lambda r: Cell(str(r.trial), r.trial)),
        ("Id", False, lambda r: Cell(r.result_id, r.result_id, link=f"r-{r.result_id}")),
        ("Reason", False, lambda r: Cell(r.reason, r.reason)),
    ]
    return [_table("Did not run", spec, report.failed)]


def context_lines(report: Report) -> tuple[str, ...]:
    """One line per run: settings, versions, host and whether the machine was busy."""
    out = []
    for c in report.context:
        label = f"{c.round} ({c.run_id})" if c.round else c.run_id
        out.append(f"Run {label}, {c.status}, started {c.started_at}: {c.settings}; "
                   f"showdown {c.showdown}; servers: {c.servers}; host: {c.host}; "
                   f"machine: {c.busy}")
    return tuple(out)


def sections(report: Report) -> list[Section]:
    """Every section in the seed's order: performance, quality, style, tiers, leaderboard."""
    rounds = ", ".join(report.rounds)
    return [
        Section("performance", "Performance", _how_read(report), tuple(performance_tables(report))),
        Section("quality", "Quality", "Static feature checks and functional tests on the "
                "extracted code; the score weighs each check and test alike.",
                tuple(quality_tables(report))),
        Section("style", "Style comparison", "Counted from each model's code through Python's "
                "AST: shares are of functions and classes (docstrings) and of parameters and "
                "returns (type hints).", tuple(style_tables(report))),
        Section("tiers", "Speed tiers", "Grouped by where each model ran, as its provider "
                "recorded it.", tuple(tier_tables(report))),
        Section("leaderboard", "Leaderboard", f"Best result per model across {rounds}, ranked "
                "by score, then tok/s.", tuple(leaderboard_tables(report))),
        Section("failed", "Did not run", "Generations that failed (no answer, or a broken "
                "stream): never ranked nor scored. `showdown show ID` gives the detail; "
                "`showdown run --retry-failed RUN` runs them again.", tuple(failed_tables(report))),
        Section("numbers", "By the numbers", "Each figure computed from the selection above.",
                bullets=tuple(f.text for f in report.numbers)),
        Section("context", "Context", "What these figures were measured with and on.",
                bullets=context_lines(report)),
    ]


def title(report: Report) -> str:
    """The report's heading, naming the rounds it covers (as the seed's title did)."""
    if not report.rounds:
        return "Model showdown"
    if len(report.rounds) <= 3:
        return "Model showdown: " + " vs ".join(report.rounds)
    return f"Model showdown: {len(report.rounds)} rounds"
