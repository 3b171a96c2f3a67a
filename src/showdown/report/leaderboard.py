"""Pure leaderboard across rounds: each model's best result, ranked by score then speed.

The seed's combined leaderboard put Round 1 and Round 2 side by side by hand. Here every
(model, task) keeps its best round, ties are said out loud rather than ordered silently, and a
model measured in two rounds gets a line on what changed between them (settings, spec, where
it ran) next to how its score and speed moved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from showdown.report.groups import Group, group_score, group_speed
from showdown.report.spread import Spread, centre

__all__ = ["LeaderRow", "RoundChange", "leaderboard", "round_changes"]


@dataclass(frozen=True)
class LeaderRow:
    """A model's best result on a task across the selected rounds, and its rank there."""

    rank: int
    model: str
    task: str
    round: str
    rounds: tuple[str, ...]
    placement: str
    size_bytes: int | None
    tokens_per_s: Spread | None
    score: Spread | None
    samples: int
    note: str


@dataclass(frozen=True)
class RoundChange:
    """How one model's result on a task moved from its first selected round to its last."""

    model: str
    task: str
    before: str
    after: str
    score_before: float | None
    score_after: float | None
    tokens_per_s_before: float | None
    tokens_per_s_after: float | None
    changes: tuple[str, ...]


def _key(group: Group) -> tuple[float, float]:
    """Better is larger: score first, then tok/s; a missing figure ranks below any measured."""
    score, speed = centre(group_score(group)), centre(group_speed(group))
    return (-1.0 if score is None else round(score, 6), -1.0 if speed is None else speed)


def _by_model_task(groups: Iterable[Group]) -> dict[tuple[str, str], list[Group]]:
    cells: dict[tuple[str, str], list[Group]] = {}
    for group in groups:  # groups arrive in round (time) order, so each list is too
        cells.setdefault((group.task, group.model), []).append(group)
    return cells


def leaderboard(groups: Iterable[Group]) -> list[LeaderRow]:
    """Best group per (model, task), ranked within each task by score, then tok/s."""
    cells = _by_model_task(groups)
    # Each group's key once: a score is a bootstrap, too dear to redo on every comparison.
    keys = {id(g): _key(g) for gs in cells.values() for g in gs}
    best = {k: max(gs, key=lambda g: keys[id(g)]) for k, gs in cells.items()}  # earliest on a tie
    rows: list[LeaderRow] = []
    for task in sorted({k[0] for k in best}):
        ranked = sorted((g for k, g in best.items() if k[0] == task),
                        key=lambda g: (tuple(-x for x in keys[id(g)]), g.model.lower()))
        ranked_keys = [keys[id(g)] for g in ranked]
        for group in ranked:
            key = keys[id(group)]
            rows.append(LeaderRow(
                rank=1 + sum(other > key for other in ranked_keys),
                model=group.model, task=task, round=group.round,
                rounds=tuple(g.round for g in cells[(task, group.model)]),
                placement=group.placement, size_bytes=group.size_bytes,
                tokens_per_s=group_speed(group), score=group_score(group),
                samples=len(group.results), note=_note(group, ranked, keys),
            ))
    return rows


def _note(group: Group, ranked: Sequence[Group], keys: Mapping[int, tuple[float, float]]) -> str:
    failed = (f"{group.failed} failed generation{'s' if group.failed > 1 else ''} not counted"
              if group.failed else "")
    return "; ".join(p for p in (_tie_note(group, ranked, keys), failed) if p)


def _tie_note(group: Group, ranked: Sequence[Group],
              keys: Mapping[int, tuple[float, float]]) -> str:
    """Why this row sits where it does among the rows with the same score."""
    score, speed = keys[id(group)]
    peers = [g for g in ranked if g is not group and keys[id(g)][0] == score]
    if not peers:
        return ""
    if speed < 0:
        names = ", ".join(g.model for g in peers)
        return f"tied on score with {names}; no tok/s recorded, so ranked below those with one"
    same = [g.model for g in peers if keys[id(g)][1] == speed]
    other = [g.model for g in peers if keys[id(g)][1] != speed]
    parts = [f"same score and tok/s as {', '.join(same)}: same rank"] if same else []
    if len(other) == 1:
        parts.append(f"tied on score with {other[0]}; ordered by tok/s")
    elif other:
        parts.append(f"one of {len(peers) + 1} tied on score; ordered by tok/s")
    return "; ".join(parts)


def round_changes(groups: Iterable[Group], rounds: Sequence[str]) -> list[RoundChange]:
    """For each (model, task) seen in two or more rounds: first round against last."""
    order = {label: i for i, label in enumerate(rounds)}
    out = []
    for (task, model), gs in sorted(_by_model_task(groups).items()):
        if len(gs) < 2:
            continue
        first, last = min(gs, key=lambda g: order[g.round]), max(gs, key=lambda g: order[g.round])
        out.append(RoundChange(
            model=model, task=task, before=first.round, after=last.round,
            score_before=centre(group_score(first)), score_after=centre(group_score(last)),
            tokens_per_s_before=centre(group_speed(first)),
            tokens_per_s_after=centre(group_speed(last)),
            changes=tuple(_differences(first, last)),
        ))
    return out


def _show(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _differences(first: Group, last: Group) -> list[str]:
    """What was recorded differently: every generation setting, the spec and the placement."""
    diffs = []
    a, b = first.settings, last.settings
    if a is not None and b is not None:
        for f in dataclasses.fields(a):
            va, vb = getattr(a, f.name), getattr(b, f.name)
            if va != vb:
                diffs.append(f"{f.name} {_show(va)} → {_show(vb)}")
    if first.spec != last.spec:
        diffs.append(f"spec {first.spec} → {last.spec}")
    if first.placement != last.placement:
        diffs.append(f"placement {first.placement} → {last.placement}")
    return diffs
