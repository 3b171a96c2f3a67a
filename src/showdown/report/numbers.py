"""Pure "By the numbers": the headline figures of a selection, each computed from its rows.

The seed closed with a list of figures written by hand; here every line is derived from the
same rows as the tables, and a figure that cannot be computed (no sizes recorded, one model
only) is left out rather than filled in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from showdown.report import fmt
from showdown.report.figures import PerfRow
from showdown.report.groups import Group, placement_of
from showdown.report.leaderboard import LeaderRow, RoundChange
from showdown.report.spread import Spread

__all__ = ["Figure", "by_the_numbers"]


@dataclass(frozen=True)
class Figure:
    """One headline figure: a stable key, the number, its lead text and the words after it."""

    key: str
    value: float
    lead: str
    words: str

    @property
    def text(self) -> str:
        """The whole sentence: "167.1 tok/s from Gemma 4 — fastest perfect-scoring model"."""
        return f"{self.lead} {self.words}"


def _minutes(secs: float) -> str:
    return f"({secs / 60:.0f} minutes) " if secs >= 120 else ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def by_the_numbers(groups: Sequence[Group], perf: Sequence[PerfRow],
                   board: Sequence[LeaderRow], changes: Sequence[RoundChange],
                   failed: int = 0) -> list[Figure]:
    """The headline figures of the selection, in the seed's order: scope, quality, speed, fit."""
    rounds = list(dict.fromkeys(g.round for g in groups))

    def who(row: PerfRow | LeaderRow) -> str:
        return f"{row.model} in {row.round}" if len(rounds) > 1 else row.model

    figures = _scope(groups, rounds, failed)
    figures += _quality(board, who)
    figures += _speed(perf, who)
    figures += _placement(groups, board, who)
    improved = [c for c in changes if None not in (c.score_before, c.score_after)
                and (c.score_after or 0) > (c.score_before or 0)]
    if changes:
        figures.append(Figure("improved_between_rounds", len(improved),
                              f"{len(improved)} of {len(changes)}",
                              f"{'model' if len(changes) == 1 else 'models'} measured in more "
                              "than one round scored higher in the later one"))
    return figures


def _scope(groups: Sequence[Group], rounds: list[str], failed: int) -> list[Figure]:
    """How much was measured; failed generations are counted apart, never as measured."""
    models = {g.model for g in groups}
    tasks = {g.task for g in groups}
    results = sum(len(g.results) for g in groups)
    judged = sum(r.verdict is not None for g in groups for r in g.results)
    text = "benchmarked"
    if len(rounds) > 1:
        text += f" across {len(rounds)} rounds"
    if len(tasks) > 1:
        text += f" on {len(tasks)} tasks"
    out = [Figure("models", len(models), _plural(len(models), "model"), text),
           Figure("results", results, _plural(results, "generation"),
                  f"measured, {judged} judged")]
    if failed:
        out.append(Figure("failed_generations", failed, _plural(failed, "generation"),
                          "did not run (listed under \"Did not run\", with the reason)"))
    return out


def _quality(board: Sequence[LeaderRow], who: Callable[[LeaderRow], str]) -> list[Figure]:
    scored = [r for r in board if r.score is not None]
    perfect = [r for r in scored if r.score is not None and r.score.value == 100]
    out = [Figure("perfect_scores", len(perfect), str(len(perfect)),
                  "perfect score" if len(perfect) == 1 else "perfect scores")]
    fast = [r for r in perfect if r.tokens_per_s is not None]
    if fast:
        best = max(fast, key=lambda r: _v(r.tokens_per_s))
        out.append(Figure("fastest_perfect_tokens_per_s", _v(best.tokens_per_s),
                          f"{fmt.rate(_v(best.tokens_per_s))} tok/s",
                          f"from {who(best)} — fastest perfect-scoring model"))
    return out


def _v(value: Spread | None) -> float:
    return 0.0 if value is None else value.value


def _speed(perf: Sequence[PerfRow], who: Callable[[PerfRow], str]) -> list[Figure]:
    out: list[Figure] = []
    timed = [r for r in perf if r.tokens_per_s is not None]
    if len(timed) > 1:
        fast = max(timed, key=lambda r: _v(r.tokens_per_s))
        slow = min(timed, key=lambda r: _v(r.tokens_per_s))
        out.append(Figure("fastest_tokens_per_s", _v(fast.tokens_per_s),
                          f"{fmt.rate(_v(fast.tokens_per_s))} tok/s", f"from {who(fast)} — fastest"))
        out.append(Figure("slowest_tokens_per_s", _v(slow.tokens_per_s),
                          f"{fmt.rate(_v(slow.tokens_per_s))} tok/s", f"from {who(slow)} — slowest"))
        if _v(slow.tokens_per_s) > 0:
            ratio = _v(fast.tokens_per_s) / _v(slow.tokens_per_s)
            out.append(Figure("speed_gap", ratio, f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.1f}×",
                              "between the fastest and the slowest generation speed"))
    for key, attr, words in (("slowest_ttft_s", "ttft_s", "for the first token of {} — the slowest"),
                             ("longest_total_s", "total_s", "in total for {} — the longest"),
                             ("longest_load_s", "load_s", "to load {} — the longest load")):
        rows = [r for r in perf if getattr(r, attr) is not None]
        if len(rows) > 1:  # "the slowest" of one is no headline
            top = max(rows, key=lambda r: _v(getattr(r, attr)))
            secs = _v(getattr(top, attr))
            out.append(Figure(key, secs, fmt.seconds(secs),
                              f"{_minutes(secs)}{words.format(who(top))}".lstrip()))
    return out


def _placement(groups: Sequence[Group], board: Sequence[LeaderRow],
               who: Callable[[LeaderRow], str]) -> list[Figure]:
    out = []
    for tier, words in (("vram", "ran wholly in VRAM"), ("partial", "ran partly offloaded"),
                        ("cpu", "ran on the CPU only"), ("cloud", "ran in the cloud"),
                        ("unknown", "with no placement recorded")):
        models = {g.model for g in groups for r in g.results if placement_of(r) == tier}
        if models:
            out.append(Figure(f"models_{tier}", len(models), _plural(len(models), "model"), words))
    top = max((_v(r.score) for r in board), default=None)
    sized = [r for r in board if r.size_bytes is not None and _v(r.score) == top]
    if sized and top is not None and len(board) > 1:
        small = min(sized, key=lambda r: r.size_bytes or 0)
        out.append(Figure("smallest_top_scorer_bytes", float(small.size_bytes or 0),
                          fmt.size(small.size_bytes or 0), f"for {who(small)} — the smallest "
                          f"model with the top score ({fmt.num(top)})"))
    return out
