"""The driver: model turns on their nodes at once, judging wherever the sandbox is, and every
result stored here as it arrives (the store is touched by the driver only).

One loop in the main thread waits on every turn's stream and every judging together
(``ray.wait``), so a Ctrl-C lands here: the turns are cancelled (their servers stop on their
nodes), the judgings already under way are stored, and the run ends with the resume line. A
node lost mid-run loses only its in-flight generation; the run ends not finished, with one
line saying so, and ``--resume`` measures what is missing.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from showdown.errors import PlanError, SandboxUnavailable, ShowdownError
from showdown.fleet import work
from showdown.fleet.connect import ClusterError, Node, connect, live_nodes
from showdown.fleet.placement import check_placement, judge_options, turn_options
from showdown.records import Result, RunInfo, Verdict
from showdown.runner import Events, Quiet, RunPlan, model_label, now, pending, verdict_would_run
from showdown.sandbox import Sandbox
from showdown.signals import Interrupted, deferred
from showdown.store import Store

__all__ = ["Fleet", "NodeLost", "open_fleet"]

#: Seconds between looks at the cluster while nothing arrives (a Ctrl-C waits at most this).
_POLL_S = 0.5
#: Seconds to wait, after a Ctrl-C, for judgings under way and for turns to stop their servers.
_DRAIN_S = 30.0
#: Seconds for every node to report its facts when the fleet opens.
_FACTS_S = 120.0


class NodeLost(ShowdownError):
    """A node (or a worker on it) was lost mid-run: the run is kept, not finished."""

    exit_code = 1


@dataclass
class Fleet:
    """A joined cluster, ready to run a plan: its live nodes and those that can judge."""

    address: str
    ray: ModuleType
    nodes: dict[str, Node]
    judges: list[str]
    allow_weak: bool = False
    db_hint: str = ""

    def __call__(self, plan: RunPlan, run: RunInfo, store: Store, sandbox: Sandbox,
                 events: Events | None, redo: frozenset[tuple[str, str, str, int]]
                 ) -> list[Result]:
        """Execute the plan on the cluster (``runner.Loop``); ``sandbox`` is the driver's own,
        unused: answers are judged on the nodes."""
        done = store.done_keys(run.run_id) - redo
        store.save_run(run)
        drive = _Drive(self, plan, run, store, events or Quiet())
        drive.start(done)
        drive.loop()
        if drive.lost:
            raise NodeLost(
                f"the run did not finish: {'; '.join(drive.lost)}; only what was in flight "
                f"there is lost ({len(drive.results)} results saved); finish with: showdown "
                f"run --resume {run.run_id} --cluster {self.address}{self.db_hint}")
        return drive.results


def open_fleet(address: str, plan: RunPlan, allow_weak: bool = False, probe: bool = True
               ) -> Fleet:
    """Join the cluster and check it can run ``plan``: every placed model has a live node
    and passes its checks there, and some node can sandbox the answers. Raises ClusterError
    or PlanError; runs no model."""
    ray = connect(address)
    live = live_nodes(ray)
    check_placement(plan.nodes, live)
    _check_on_nodes(ray, plan, probe)
    facts_task = _remotes(ray)[2]
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    refs = [facts_task.options(scheduling_strategy=NodeAffinitySchedulingStrategy(n.id, soft=False)
                               ).remote() for n in live]
    try:
        facts: list[dict[str, Any]] = ray.get(refs, timeout=_FACTS_S)
    except Exception as exc:  # GetTimeoutError, a node lost while asked: Ray's own types
        raise ClusterError(f"--cluster {address}: the nodes did not report back ({exc})") from exc
    judges = [f["id"] for f in facts if f["sandbox_problem"] is None]
    if not judges and allow_weak:
        judges = [f["id"] for f in facts]
    # Judging takes CPU: where other nodes can judge, it stays off the nodes models are placed
    # on, so it never slows a model being timed (as a local run judges a CPU model's answers
    # between generations, not beside them).
    placed = set(plan.nodes.values())
    nodes = {n.id: n for n in live}
    judges = [j for j in judges if not placed & set(nodes[j].resources)] or judges
    if not judges:
        problem = facts[0]["sandbox_problem"] if facts else "the cluster has no live node"
        raise ClusterError(f"--cluster {address}: no node can sandbox the answers ({problem}); "
                           "install bubblewrap on one, or pass --allow-weak-isolation")
    return Fleet(address, ray, nodes, judges, allow_weak)


def _check_on_nodes(ray: ModuleType, plan: RunPlan, probe: bool) -> None:
    """Each placed model's spec checked on a node of its placement (``work.check_model``)."""
    check = _remotes(ray)[3]
    refs = {model_label(s): check.options(num_cpus=0, resources={plan.nodes[model_label(s)]: 1}
                                          ).remote(s, probe)
            for s in plan.specs if model_label(s) in plan.nodes}
    for label, ref in refs.items():
        try:
            ray.get(ref, timeout=_FACTS_S)
        except ray.exceptions.RayTaskError as exc:
            cause = getattr(exc, "cause", None)
            if isinstance(cause, ShowdownError):
                raise PlanError(f"on node {plan.nodes[label]}: {cause}") from exc
            raise ClusterError(f"model {label}: its check on node {plan.nodes[label]} "
                               f"failed ({_first(exc)})") from exc
        except Exception as exc:  # GetTimeoutError, a lost node: Ray's own types
            raise ClusterError(f"model {label}: node {plan.nodes[label]} did not answer its "
                               f"check ({_first(exc)})") from exc


@functools.cache
def _remotes(ray: ModuleType) -> tuple[Any, Any, Any, Any]:
    """The node-side functions as Ray tasks (made once per process)."""
    return (ray.remote(num_returns="streaming")(work.model_turn), ray.remote(work.judge),
            ray.remote(num_cpus=0)(work.node_facts), ray.remote(max_retries=0)(work.check_model))


@dataclass
class _Drive:
    """One run's cluster work in flight: turn streams and judgings, by Ray reference."""

    fleet: Fleet
    plan: RunPlan
    run: RunInfo
    store: Store
    ev: Events
    turns: dict[Any, str] = field(default_factory=dict)
    judging: dict[Any, tuple[str, work.Measured]] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    _next_judge: int = 0

    @property
    def ray(self) -> ModuleType:
        return self.fleet.ray

    def start(self, done: set[tuple[str, str, str, int]]) -> None:
        """Every model with something left to measure, started on its node."""
        turn_task = _remotes(self.ray)[0]
        sent = work.plan_for_nodes(self.plan)
        for index, spec in enumerate(self.plan.specs):
            label = model_label(spec)
            todo = pending(self.plan, label, done)
            if not todo:
                continue
            node = self.plan.nodes.get(label)
            wanted = [(t.id, c.id, n) for t, c, n in todo]
            stream = turn_task.options(**turn_options(node)).remote(sent, index, label, wanted)
            self.turns[stream] = label
            self.ev.phase(label, f"running on node {node}" if node else "running on any node")

    def loop(self) -> None:
        """Store whatever arrives until every turn and judging is over; on any exit by
        exception (Ctrl-C included) cancel the turns and keep what was judged."""
        try:
            while self.turns or self.judging:
                with _signals_through():
                    ready, _ = self.ray.wait([*self.turns, *self.judging], num_returns=1,
                                             timeout=_POLL_S)
                for ref in ready:
                    if ref in self.turns:
                        self._advance(ref)
                    else:
                        self._judged(ref)
        except BaseException:
            self._cancel()
            raise

    def _advance(self, stream: Any) -> None:
        """The next generation of a turn that has one: judged, or stored as it is."""
        label = self.turns[stream]
        try:
            with _signals_through():
                measured: work.Measured = self.ray.get(next(stream))
        except StopIteration:
            del self.turns[stream]
            return
        except self.ray.exceptions.RayError as exc:
            del self.turns[stream]
            node = self.plan.nodes.get(label) or "any node"
            what = ("failed" if isinstance(exc, self.ray.exceptions.RayTaskError)
                    else "lost its node")
            self.lost.append(f"model {label}'s turn on {node} {what} ({_first(exc)})")
            return
        if not verdict_would_run(measured.generation):
            self._store(label, measured, None)
            return
        judge_task = _remotes(self.ray)[1]
        node_id = self.fleet.judges[self._next_judge % len(self.fleet.judges)]
        self._next_judge += 1
        ref = judge_task.options(**judge_options(node_id)).remote(
            measured.task, [str(d) for d in self.plan.task_dirs], measured.case,
            measured.generation, self.fleet.allow_weak)
        self.judging[ref] = (label, measured)

    def _judged(self, ref: Any) -> None:
        label, measured = self.judging.pop(ref)
        try:
            with _signals_through():
                verdict, _node = self.ray.get(ref)
        except self.ray.exceptions.RayTaskError as exc:
            cause = getattr(exc, "cause", None)
            if isinstance(cause, SandboxUnavailable):
                raise SandboxUnavailable(str(cause)) from exc
            # The judge's own safety net turns any answer into a verdict, so this is the
            # node's trouble (its tasks or sandbox), not the answer's: one line, and the
            # answer is measured again by --resume.
            raise ClusterError(f"judging {label}'s {measured.case} failed on its node "
                               f"({_first(exc)}); finish with: showdown run --resume "
                               f"{self.run.run_id} --cluster {self.fleet.address}"
                               f"{self.fleet.db_hint}") from exc
        except self.ray.exceptions.RayError as exc:
            self.lost.append(f"judging {label}'s {measured.case} was lost ({_first(exc)})")
            return
        self._store(label, measured, verdict)

    def _store(self, label: str, m: work.Measured, verdict: Verdict | None) -> None:
        node = self.fleet.nodes.get(str(m.host.get("node_id", "")))
        host = {**m.host, "node": node.name if node else str(m.host.get("node_id", "?"))[:8],
                "ray_resources": list(node.resources) if node else []}
        spec = next(s for s in self.plan.specs if model_label(s) == label)
        result = Result(self.run.run_id, label, spec.spec, m.task, m.trial, m.settings,
                        m.generation, verdict, now(), m.info, host, m.case, m.telemetry)
        with deferred():  # a Ctrl-C now must not roll back a measured result
            self.store.save_result(result)
        self.results.append(result)
        self.ev.result(result)

    def _cancel(self) -> None:
        """Cancel the turns, then store the judgings under way (waiting ``_DRAIN_S`` at most).
        Errors while cleaning up are dropped: the one already on its way is the one to report."""
        for stream in self.turns:
            with contextlib.suppress(Exception):
                self.ray.cancel(stream)
        with contextlib.suppress(Exception):
            if self.judging:
                ready, _ = self.ray.wait(list(self.judging), num_returns=len(self.judging),
                                         timeout=_DRAIN_S)
                for ref in ready:
                    with contextlib.suppress(Exception):
                        self._judged(ref)
            ends = [s.completed() for s in self.turns]
            if ends:  # give each turn the time to stop its server on its node
                self.ray.wait(ends, num_returns=len(ends), timeout=_DRAIN_S)


@contextlib.contextmanager
def _signals_through() -> Iterator[None]:
    """A Ctrl-C raised (``signals.Interrupted``) while Ray's C++ waits comes back from Ray as a
    SystemError around it; it is the Ctrl-C that must go on."""
    try:
        yield
    except SystemError as exc:
        if isinstance(exc.__context__, Interrupted):
            raise exc.__context__ from None
        raise


def _first(exc: BaseException) -> str:
    """One line for a Ray error: the cause raised on the node, where there is one."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException):
        exc = cause
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200]}" if lines else type(exc).__name__
