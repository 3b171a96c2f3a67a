"""What runs on a cluster node: a model's turn, one answer's judging, and the node's facts.

Plain functions (``driver`` wraps them as Ray tasks), built from the single-machine loop's own
pieces: ``runner.turn_steps`` opens, warms up, measures and closes the model exactly as a local
run does, and ``runner.verdict_of`` judges exactly as a local run does. Tasks and the sandbox
are found on the node itself (its own showdown install, the same task folders), and the node
never touches the store: what it measured or judged goes back to the driver.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from showdown.hardware.busy import busy_snapshot, own_cores
from showdown.hardware.host import host_fingerprint
from showdown.preflight import check_spec, probe_servers
from showdown.providers import ModelSpec, Provider
from showdown.records import Generation, GenerationSettings, ModelInfo, Verdict
from showdown.runner import Quiet, RunPlan, Turn, turn_steps, verdict_of
from showdown.sandbox import Sandbox, bwrap_problem, default_sandbox
from showdown.tasks import Task, find_task
from showdown.tasks.base import Case
from showdown.tasks.loader import BUILTIN_DIR

__all__ = ["Measured", "check_model", "judge", "model_turn", "node_facts", "this_node"]

#: (task id, case id, trial): one measurement a turn is asked for.
Wanted = tuple[str, str, int]


@dataclass
class Measured:
    """One generation measured on a node, not yet judged: what a turn streams back."""

    task: str
    case: str
    trial: int
    settings: GenerationSettings
    generation: Generation
    info: dict[str, Any]
    telemetry: dict[str, Any]
    #: The node's fingerprint, what was busy on it, and its Ray node id (``node_id``).
    host: dict[str, Any]


def this_node() -> str:
    """The Ray id of the node this code runs on ("" outside Ray: asking would start a local
    Ray instance)."""
    import ray

    return str(ray.get_runtime_context().get_node_id()) if ray.is_initialized() else ""


@dataclass
class _NodeTurn(Turn):
    """A turn on a node: each measurement is kept for the driver instead of judged here."""

    host: dict[str, Any] = field(default_factory=dict)
    outbox: list[Measured] = field(default_factory=list)

    def save(self, task: Task, case: Case, trial: int, settings: GenerationSettings,
             generation: Generation, provider: Provider | None,
             telemetry: dict[str, Any] | None = None) -> None:
        telemetry = telemetry or {}
        info = ModelInfo.decode(provider.info).encode() if provider else {}
        host = {**self.host, "busy": busy_snapshot(own_cores(telemetry))}
        self.outbox.append(Measured(task.id, case.id, trial, settings, generation, info,
                                    telemetry, host))


def model_turn(plan: RunPlan, index: int, label: str, wanted: list[Wanted]) -> Iterator[Measured]:
    """Model ``index`` of ``plan`` measured on this node, one ``Measured`` at a time; its
    managed server starts and stops here (also when the driver cancels the turn)."""
    tasks = {t: _task(t, tuple(plan.task_dirs)) for t in {w[0] for w in wanted}}
    cases = {(t.id, c.id): c for t in tasks.values()
             for c in t.cases(plan.case_limit, plan.only_cases)}
    todo = [(tasks[t], cases[(t, c)], n) for t, c, n in wanted]
    host = {**host_fingerprint(), "node_id": this_node()}
    turn = _NodeTurn(plan.specs[index], label, plan, Quiet(), host=host)
    for _ in turn_steps(turn, todo):
        sent, turn.outbox = turn.outbox, []
        # Not ``yield from``: Ray's stream calls send() on the generator, which a list's
        # iterator does not have (AttributeError seen on a real cluster).
        for measured in sent:  # noqa: UP028
            yield measured


def judge(task_id: str, task_dirs: list[str], case_id: str, generation: Generation,
          allow_weak: bool) -> tuple[Verdict | None, str]:
    """The verdict on one generation, judged in this node's sandbox, and the node's id."""
    task = _task(task_id, tuple(Path(d) for d in task_dirs))
    return verdict_of(task, case_id, generation, _sandbox(task, allow_weak)), this_node()


def check_model(spec: ModelSpec, probe: bool) -> None:
    """``preflight`` for one model on the node it will run on: its file, binary and key are
    this machine's, its server is reached from here. Raises PlanError."""
    url = check_spec(spec)
    if probe and url is not None:
        probe_servers([(spec.spec, url)])


def node_facts() -> dict[str, Any]:
    """This node's id, fingerprint and why it cannot sandbox code (None: it can)."""
    return {"id": this_node(), "host": host_fingerprint(), "sandbox_problem": bwrap_problem()}


@functools.cache
def _task(task_id: str, task_dirs: tuple[Path, ...]) -> Task:
    return find_task(task_id, list(task_dirs))


@functools.cache
def _sandbox(task: Task, allow_weak: bool) -> Sandbox:
    # Hidden from the programs under test, as on a single machine: the tasks' own files.
    return default_sandbox(allow_weak=allow_weak, hide=[BUILTIN_DIR, *task.private_paths()])


def plan_for_nodes(plan: RunPlan) -> RunPlan:
    """The plan as sent to nodes: tasks travel by id (each node loads its own), not as objects
    holding this machine's paths."""
    return dataclasses.replace(plan, tasks=[], host={})
