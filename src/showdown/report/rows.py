"""Pure report rows: typed records in, the seed's tables out, before any formatting.

Every format (terminal, Markdown, HTML, JSON, CSV) renders the same ``Report``, so a figure
is computed once. With several trials per (model, task), speed is the median with min–max and
score the mean. A failed generation (``generation.error`` set) is never ranked, scored or
counted as measured: it is listed apart, with its reason, in ``Report.failed``.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from showdown.records import Result, RunInfo, TestRun, is_failed
from showdown.report.codechange import code_changes
from showdown.report.context import ContextRow, FailedRow, context_rows, failed_rows
from showdown.report.figures import DiagnosisCount, PerfRow, Tally
from showdown.report.groups import (
    PLACEMENTS,
    Group,
    group_results,
    group_score,
    group_speed,
    joules_per_token_of,
    most_common,
    peak_ram_of,
    peak_vram_of,
    placement_of,
    prompt_rate_of,
    round_labels,
    round_order,
    size_of,
)
from showdown.report.hosts import host_key, model_names
from showdown.report.leaderboard import LeaderRow, RoundChange, leaderboard, round_changes
from showdown.report.numbers import Figure, by_the_numbers
from showdown.report.spread import Spread, median_spread
from showdown.report.style import StyleRow, style_rows
from showdown.stats import mean_pass_at_k

__all__ = [
    "DiagnosisCount",
    "PerfRow",
    "QualityRow",
    "Report",
    "Source",
    "Tally",
    "TierRow",
    "TrialSeries",
    "build_report",
    "lean_result",
    "performance_rows",
    "quality_rows",
    "tier_rows",
    "trial_series",
]


@dataclass(frozen=True)
class QualityRow:
    """Quality of one model on one task in one round: the seed's second table."""

    round: str
    model: str
    task: str
    samples: int
    judged: int
    syntax_ok: int
    features: Tally
    functional: Tally
    score: Spread | None
    diagnoses: tuple[DiagnosisCount, ...]
    #: (k, pass@k) for tasks of several cases (HumanEval): k = 1, and the trial count if > 1.
    pass_at: tuple[tuple[int, float], ...] = ()
    failed: int = 0
    #: ``run --set``: whether this configuration's code matched the default's, answer by answer
    #: ("same as default", "changed in 1 of 3 vs default", "reference"); empty otherwise.
    code_change: str = ""


@dataclass(frozen=True)
class TierRow:
    """One model's speed within the tier where it ran (the seed's "Speed tiers")."""

    tier: str
    round: str
    model: str
    task: str
    samples: int
    size_bytes: int | None
    total_s: Spread | None
    tokens_per_s: Spread | None
    peak_vram_bytes: Spread | None


@dataclass(frozen=True)
class Report:
    """Every table of a report, computed from one selection of results."""

    rounds: tuple[str, ...]
    tasks: tuple[str, ...]
    models: tuple[str, ...]
    performance: tuple[PerfRow, ...]
    quality: tuple[QualityRow, ...]
    tiers: tuple[TierRow, ...]
    leaderboard: tuple[LeaderRow, ...]
    changes: tuple[RoundChange, ...]
    style: tuple[StyleRow, ...]
    numbers: tuple[Figure, ...]
    trials: tuple[TrialSeries, ...]
    failed: tuple[FailedRow, ...] = ()
    context: tuple[ContextRow, ...] = ()
    #: Every selected result (failed ones too), in full, for per-result detail in the HTML
    #: page: the results given, or a ``Source`` that reads them again when iterated.
    results: Iterable[Result] = ()
    #: round label of each run id, to place a result under its table row.
    labels: tuple[tuple[str, str], ...] = ()


def performance_rows(groups: Iterable[Group]) -> list[PerfRow]:
    """Performance rows, fastest first token first within each round and task (as the seed)."""
    groups = list(groups)
    index = _round_index(groups)
    rows = []
    for g in groups:
        gens = [r.generation for r in g.results]
        rows.append(PerfRow(
            round=g.round, model=g.model, task=g.task, samples=len(g.results), failed=g.failed,
            placement=g.placement, size_bytes=g.size_bytes,
            ttft_s=median_spread(x.ttft_s for x in gens),
            total_s=median_spread(x.total_s for x in gens),
            output_tokens=median_spread(x.output_tokens for x in gens),
            tokens_per_s=group_speed(g),
            server_tokens_per_s=median_spread(x.server_tokens_per_s for x in gens),
            load_s=median_spread(x.load_s for x in gens),
            lines=median_spread(r.verdict.code_lines for r in g.results if r.verdict is not None),
            peak_vram_bytes=median_spread(map(peak_vram_of, g.results)),
            joules_per_token=median_spread(map(joules_per_token_of, g.results)),
            prompt_tokens_per_s=median_spread(map(prompt_rate_of, g.results)),
            peak_ram_bytes=median_spread(map(peak_ram_of, g.results)),
        ))
    return sorted(rows, key=lambda r: (index[r.round], r.task, _nones_last(r.ttft_s),
                                       r.model.lower()))


def _nones_last(spread: Spread | None, sign: float = 1.0) -> tuple[bool, float]:
    return (spread is None, 0.0 if spread is None else sign * spread.value)


def _round_index(groups: list[Group]) -> dict[str, int]:
    """Round label -> position; groups arrive with their rounds in time order."""
    return {label: i for i, label in enumerate(dict.fromkeys(g.round for g in groups))}


def _tally(results: list[Result], attr: str) -> Tally:
    judged = [r.verdict for r in results if r.verdict is not None]
    lists = [getattr(v, attr) for v in judged]
    totals = {len(items) for items in lists}
    return Tally(
        passed=sum(sum(bool(x.passed) for x in items) for items in lists),
        total=sum(len(items) for items in lists),
        results=len(lists),
        per_result=totals.pop() if len(totals) == 1 else None,
    )


def _diagnoses(results: list[Result]) -> tuple[DiagnosisCount, ...]:
    counts: Counter[str] = Counter()
    messages: dict[str, str] = {}
    for result in results:
        if result.verdict is None:
            counts["empty_answer"] += 1
            messages.setdefault("empty_answer", "no answer text came back to judge")
            continue
        for diag in result.verdict.diagnoses:
            counts[diag.code] += 1
            messages.setdefault(diag.code, diag.message)
    return tuple(DiagnosisCount(code, messages[code], n) for code, n in counts.most_common())


def pass_at(results: list[Result]) -> tuple[tuple[int, float], ...]:
    """Unbiased pass@k over a task's cases, a sample passing when all its tests pass.

    Only for tasks of several cases; a failed generation is a sample that did not pass.
    """
    per_case: dict[str, list[bool]] = {}
    for r in results:
        v = r.verdict
        passed = v is not None and bool(v.functional) and v.functional_passed == len(v.functional)
        per_case.setdefault(r.case, []).append(passed)
    if len(per_case) < 2:
        return ()
    counts = [(len(p), sum(p)) for p in per_case.values()]
    n = min(c[0] for c in counts)
    return tuple((k, mean_pass_at_k(counts, k)) for k in sorted({1, n}))


def quality_rows(groups: Iterable[Group]) -> list[QualityRow]:
    """Quality rows, best score first within each round and task (as the seed)."""
    groups = list(groups)
    index = _round_index(groups)
    changes = code_changes(groups)
    rows = []
    for g in groups:
        results = list(g.results)
        judged = [r.verdict for r in results if r.verdict is not None]
        rows.append(QualityRow(
            round=g.round, model=g.model, task=g.task, samples=len(results), judged=len(judged),
            syntax_ok=sum(v.syntax_ok for v in judged),
            features=_tally(results, "features"), functional=_tally(results, "functional"),
            score=group_score(g), diagnoses=_diagnoses(results), pass_at=pass_at(results),
            failed=g.failed, code_change=changes.get((g.round, g.model, g.task), ""),
        ))
    return sorted(rows, key=lambda r: (index[r.round], r.task, _nones_last(r.score, -1.0),
                                       r.model.lower()))


def tier_rows(groups: Iterable[Group]) -> list[TierRow]:
    """Speed per tier: each group split by where each result ran, fastest total first."""
    rows = []
    for g in groups:
        by_tier: dict[str, list[Result]] = {}
        for result in g.results:
            by_tier.setdefault(placement_of(result), []).append(result)
        for tier, results in by_tier.items():
            rows.append(TierRow(
                tier=tier, round=g.round, model=g.model, task=g.task, samples=len(results),
                size_bytes=most_common(size_of(r) for r in results),
                total_s=median_spread(r.generation.total_s for r in results),
                tokens_per_s=median_spread(r.generation.tokens_per_s for r in results),
                peak_vram_bytes=median_spread(map(peak_vram_of, results)),
            ))
    tiers = list(PLACEMENTS)
    return sorted(rows, key=lambda r: (tiers.index(r.tier), _nones_last(r.total_s), r.model.lower()))


@dataclass(frozen=True)
class TrialSeries:
    """Every trial's tok/s and score of one model on one task in one round (for spread charts)."""

    round: str
    model: str
    task: str
    tokens_per_s: tuple[float, ...]
    scores: tuple[float, ...]


def trial_series(groups: Iterable[Group]) -> list[TrialSeries]:
    """The per-trial figures of every group that ran more than once."""
    return [
        TrialSeries(
            round=g.round, model=g.model, task=g.task,
            tokens_per_s=tuple(r.generation.tokens_per_s for r in g.results
                               if r.generation.tokens_per_s is not None),
            scores=tuple(float(0 if r.verdict is None else r.verdict.score) for r in g.results),
        )
        for g in groups if len(g.results) > 1
    ]


def lean_result(result: Result) -> Result:
    """The result less its long texts, as ``Source.lean`` gives it: no answer or reasoning, no
    test command output, and no code where its style counts are stored."""
    gen = dataclasses.replace(result.generation, text="", reasoning="")
    verdict = result.verdict
    if verdict is not None:
        verdict = dataclasses.replace(
            # Built anew, not dataclasses.replace: 3x faster, and a lean copy per result.
            verdict, functional=[TestRun(t.name, t.passed, t.detail) for t in verdict.functional],
            code="" if verdict.style is not None else verdict.code)
    return dataclasses.replace(result, generation=gen, verdict=verdict)


@runtime_checkable
class Source(Protocol):
    """Results that can be read more than once: in full, or lean (long texts left out)."""

    def __iter__(self) -> Iterator[Result]: ...
    def lean(self) -> Iterable[Result]: ...


def build_report(results: Iterable[Result] | Source, runs: Iterable[RunInfo]) -> Report:
    """Every table of the report from the selected results and the runs they came from.

    Tables hold the measured results only; failed generations go to ``failed`` (each group's
    count of them is still shown beside its row). From a ``Source`` the tables are built from
    its lean results, and the full ones are read again only where a format shows them.
    """
    details: Iterable[Result]
    if isinstance(results, Source):
        everything, details = list(results.lean()), results
    else:
        everything = list(results)
        details = tuple(everything)
    runs = list(runs)
    results = [r for r in everything if not is_failed(r)]
    labels = round_labels(everything, runs)
    names = model_names(everything)  # a model that ran on several hosts: one row per host

    def shown(r: Result) -> str:
        return names.get((r.model, host_key(r.host)), r.model)

    failures = failed_rows((r for r in everything if is_failed(r)), labels, shown)
    groups = group_results(results, runs, failures, shown)
    rounds = tuple(round_order(everything, labels))
    tasks = tuple(sorted({r.task for r in everything}))
    perf, quality = performance_rows(groups), quality_rows(groups)
    board = leaderboard(groups)
    changes = round_changes(groups, rounds)
    return Report(
        rounds=rounds, tasks=tasks,
        models=tuple(sorted({shown(r) for r in everything}, key=str.lower)),
        performance=tuple(perf), quality=tuple(quality), tiers=tuple(tier_rows(groups)),
        leaderboard=tuple(board), changes=tuple(changes),
        style=tuple(style_rows(groups)),
        numbers=tuple(by_the_numbers(groups, perf, board, changes, len(failures))),
        trials=tuple(trial_series(groups)),
        failed=tuple(failures), context=tuple(context_rows(everything, runs)),
        results=details, labels=tuple(labels.items()),
    )
