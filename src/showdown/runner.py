"""The run loop: every model, every task case, every trial — measured, judged, stored at once.

It never branches on a backend's or a task's kind: providers and tasks carry that. Each result
is saved the moment it is judged, so an interrupted run loses nothing already measured.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from showdown.codestyle import style_metrics
from showdown.fetch import reporting
from showdown.hardware.busy import busy_snapshot, own_cores
from showdown.hardware.telemetry import Sampler, Telemetry, joules_per_token
from showdown.judge import judge_answer
from showdown.judging import JudgePool, judge_workers
from showdown.preflight import check_settings, check_spec, probe_servers
from showdown.providers import (
    ChatRequest,
    ModelSpec,
    Provider,
    ProviderError,
    make_provider,
    model_label,
    parse_spec,
)
from showdown.providers.registry import applicable
from showdown.records import (
    Diagnosis,
    Generation,
    GenerationSettings,
    ModelInfo,
    Result,
    RunInfo,
    RunOptions,
    Verdict,
    to_dict,
)
from showdown.sandbox import Sandbox
from showdown.signals import Interrupted, deferred
from showdown.store import Store, StoreError
from showdown.tasks import Answer, Task, find_task
from showdown.tasks.base import Case

__all__ = ["Events", "Loop", "Quiet", "RunPlan", "Turn", "benchmark", "check_plan", "execute",
           "model_label", "new_run", "now", "pending", "plan_from_run", "telemetry_record", "turn_steps",
           "verdict_of", "verdict_would_run"]

WARMUP = ChatRequest("Reply with the single word: ready.", GenerationSettings(max_tokens=8))


class Events(Protocol):
    """What the run loop reports as it goes (a progress display, or nothing)."""

    def phase(self, model: str, text: str) -> None: ...
    def progress(self, chunks: int, elapsed_s: float) -> None: ...
    def result(self, result: Result) -> None: ...


class Quiet:
    """Events that go nowhere (JSON output, tests)."""

    def phase(self, model: str, text: str) -> None: ...
    def progress(self, chunks: int, elapsed_s: float) -> None: ...
    def result(self, result: Result) -> None: ...


@dataclass
class RunPlan:
    """What to run: models, tasks (with their selected cases), settings and trials."""

    specs: list[ModelSpec]
    tasks: list[Task]
    settings: GenerationSettings
    trials: int = 1
    round: str = ""
    case_limit: int | None = None
    only_cases: list[str] | None = None
    host: dict[str, Any] = field(default_factory=dict)
    warmup: bool = True
    task_dirs: list[Path] = field(default_factory=list)
    #: Answers judged beside generation (``judging.judge_workers``); None: by where it runs.
    judge_concurrency: int | None = None
    #: On a cluster (``showdown.fleet``): the Ray node resource each model's turn needs, by
    #: model label; a model not named here runs on any node.
    nodes: dict[str, str] = field(default_factory=dict)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_run(plan: RunPlan) -> RunInfo:
    """A fresh run record for a plan."""
    return RunInfo(
        run_id=dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6],
        started_at=now(), settings=plan.settings, round=plan.round,
        models=[_spec_text(s) for s in plan.specs], tasks=[t.id for t in plan.tasks],
        trials=plan.trials, host=plan.host,
        options=RunOptions([_jsonable(s.options) for s in plan.specs],
                           [plan.nodes.get(model_label(s), "") for s in plan.specs]),
        task_dirs=[str(d) for d in plan.task_dirs], case_limit=plan.case_limit,
        only_cases=plan.only_cases, pid=os.getpid(),
    )


def _spec_text(spec: ModelSpec) -> str:
    return f"{spec.name}={spec.spec}" if spec.name else spec.spec


def _jsonable(options: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in options.items()}


def check_plan(plan: RunPlan, probe: bool = False, elsewhere: frozenset[str] = frozenset()
               ) -> None:
    """Refuse, before anything runs, what would spoil results or fail for sure: settings out
    of range, a broken spec, file, binary or key (``preflight``), two models under one name
    (the second would overwrite the first's results), cases a task does not have, and (with
    ``probe``) a server that does not answer. Raises PlanError, ProviderError or TaskError.
    The specs of the models labelled in ``elsewhere`` are left to the cluster node they run
    on (their files, keys and servers are that machine's)."""
    check_settings(plan.settings, plan.trials, plan.case_limit)
    seen: dict[str, str] = {}
    for spec in plan.specs:
        label = model_label(spec)
        if label in seen:
            raise ProviderError(f"two models are named {label!r} ({seen[label]} and {spec.spec}); "
                                "give one a display name, e.g. 'Other=" + spec.spec + "'")
        seen[label] = spec.spec
    for task in plan.tasks:
        task.cases(plan.case_limit, plan.only_cases)  # raises TaskError naming unknown cases
    servers = [(s.spec, url) for s in plan.specs
               if model_label(s) not in elsewhere and (url := check_spec(s)) is not None]
    if probe:
        probe_servers(servers)


def plan_from_run(run: RunInfo) -> RunPlan:
    """The plan a stored run was started with, to finish it with the same settings."""
    task_dirs = [Path(d) for d in run.task_dirs]
    options = run.options.model_options or [{} for _ in run.models]
    specs = [_stored_spec(text, opts) for text, opts in zip(run.models, options, strict=True)]
    nodes = {model_label(s): n for s, n in zip(specs, run.options.nodes, strict=False) if n}
    return RunPlan(
        specs=specs, tasks=[find_task(t, task_dirs) for t in run.tasks], settings=run.settings,
        trials=run.trials, round=run.round, case_limit=run.case_limit,
        only_cases=run.only_cases, host=run.host, task_dirs=task_dirs, nodes=nodes,
    )


def _stored_spec(text: str, options: dict[str, Any]) -> ModelSpec:
    # Runs stored before options were checked per provider kept every command-line option
    # with every model: only those its provider takes still apply.
    spec = parse_spec(text)
    return dataclasses.replace(spec, options=applicable(spec.provider, options))


def execute(plan: RunPlan, run: RunInfo, store: Store, sandbox: Sandbox,
            events: Events | None = None,
            redo: frozenset[tuple[str, str, str, int]] = frozenset()) -> list[Result]:
    """Run every (model, task, case, trial) not already in the store, and those in ``redo``
    (failed ones to measure again: the new result replaces the old); return the new results."""
    ev = events or Quiet()
    done = store.done_keys(run.run_id) - redo
    store.save_run(run)
    results: list[Result] = []
    for spec in plan.specs:
        label = model_label(spec)
        todo = pending(plan, label, done)
        if todo:
            results += _run_model(spec, label, todo, plan, run, store, sandbox, ev)
    return results


def pending(plan: RunPlan, label: str,
            done: frozenset[tuple[str, str, str, int]] | set[tuple[str, str, str, int]]
            ) -> list[tuple[Task, Case, int]]:
    """A model's (task, case, trial) still to measure: those not in ``done``, in plan order."""
    return [(t, c, n) for t in plan.tasks for c in t.cases(plan.case_limit, plan.only_cases)
            for n in range(1, plan.trials + 1) if (label, t.id, c.id, n) not in done]


def telemetry_record(telemetry: Telemetry, output_tokens: int | None) -> dict[str, Any]:
    """The sampler's figures plus the two the tables show: peak VRAM and joules per token."""
    return {**to_dict(telemetry), "peak_vram_bytes": telemetry.gpu_mem_used_peak_bytes,
            "joules_per_token": joules_per_token(telemetry, output_tokens)}


def _run_model(spec: ModelSpec, label: str, todo: list[tuple[Task, Case, int]], plan: RunPlan,
               run: RunInfo, store: Store, sandbox: Sandbox, ev: Events) -> list[Result]:
    turn = _ModelTurn(spec, label, plan, ev, run=run, store=store, sandbox=sandbox)
    for _ in turn_steps(turn, todo):
        pass
    return turn.results


def turn_steps(turn: Turn, todo: list[tuple[Task, Case, int]]) -> Iterator[None]:
    """One model's turn: open it, warm it up, measure each (task, case, trial) and hand it to
    ``turn.save``, yielding after each; the provider is closed however the turn ends (also
    when the consumer stops early). A cluster node runs the same steps (``showdown.fleet``)."""
    plan, label = turn.plan, turn.label
    try:
        provider = make_provider(turn.spec)
    except ProviderError as exc:
        for key in todo:
            turn.save(*key, plan.settings, Generation(error=str(exc)), None)
            yield
        return
    try:
        try:
            settings, failure = turn.open(provider)
            turn.start_judging(provider)
            if failure is None and plan.warmup:
                turn.ev.phase(label, "warming up")
                provider.stream(WARMUP)
            for task, case, trial in todo:
                if failure is not None:
                    turn.save(task, case, trial, plan.settings, Generation(error=failure), provider)
                    yield
                    continue
                turn.measure(provider, task, case, trial, settings)
                yield
                if not provider.healthy():
                    # A crashed server is never reused: start a fresh one for what is left.
                    provider.close()
                    settings, failure = turn.open(provider, "restarting after a crash")
        finally:
            provider.close()
    except BaseException:
        turn.finish_judging(ok=False)  # what was measured is still judged and stored
        raise
    turn.finish_judging(ok=True)


@dataclass
class Turn:
    """One model's share of a run: open it and measure each case; ``save`` says what becomes
    of each measurement (judged and stored here, or sent back from a cluster node)."""

    spec: ModelSpec
    label: str
    plan: RunPlan
    ev: Events
    load_reported: bool = field(default=False, kw_only=True)

    def start_judging(self, provider: Provider) -> None:
        """Set up judging beside generation, where it applies."""

    def finish_judging(self, ok: bool) -> None:
        """Judge and store what is still queued."""

    def save(self, task: Task, case: Case, trial: int, settings: GenerationSettings,
             generation: Generation, provider: Provider | None,
             telemetry: dict[str, Any] | None = None) -> None:
        raise NotImplementedError

    def open(self, provider: Provider, why: str = "loading") -> tuple[GenerationSettings, str | None]:
        """The settings in effect, or the error that keeps this model from running."""
        self.ev.phase(self.label, why)
        self.load_reported = False
        try:
            # A llama-server built on first use says so through the events, not on stdout.
            with reporting(lambda message: self.ev.phase(self.label, message)):
                return provider.open(self.plan.settings), None
        except ProviderError as exc:
            return self.plan.settings, str(exc)

    def measure(self, provider: Provider, task: Task, case: Case, trial: int,
                settings: GenerationSettings) -> None:
        self.ev.phase(self.label, f"generating {case.id} (trial {trial}/{self.plan.trials})")
        # Each trial its own seed (seed, seed+1, …): repeated trials sample the model's code
        # rather than replay one answer, and stay reproducible; the seed used is recorded.
        settings = dataclasses.replace(settings, seed=settings.seed + trial - 1)
        request = ChatRequest(case.prompt, settings)
        with Sampler(provider.server_pid, remote=provider.remote) as sampler:
            generation = provider.stream(request, self.ev.progress)
        # One load, one figure: it goes with the first result after it, not with every trial
        # (which would make one measurement look like several).
        if self.load_reported:
            generation.load_s = None
        self.load_reported = self.load_reported or generation.load_s is not None
        telemetry = telemetry_record(sampler.telemetry, generation.output_tokens)
        self.save(task, case, trial, settings, generation, provider, telemetry)


def verdict_of(task: Task, case_id: str, generation: Generation,
               sandbox: Sandbox) -> Verdict | None:
    """The verdict on what came back, or None for a failed generation or an empty one.

    A failed generation (``error`` set: the server or the connection failed, not the model)
    gets no verdict: its partial text is kept for inspection, never scored as the model's
    code. An answer that ended properly is judged even when it holds no text (cut off while
    reasoning, or a refusal): that is the model's result.
    """
    if not verdict_would_run(generation):
        return None
    answer = Answer(generation.text, generation.finish_reason)
    # judge_answer, not task.judge: an answer that breaks the judge is a verdict too.
    verdict = judge_answer(task, answer, sandbox, case_id)
    if generation.refusal:
        verdict.diagnoses.insert(0, Diagnosis(
            "refused", f"the model refused: {' '.join(generation.refusal.split())[:200]}"))
    # Style counts once, here, not on every report of this result.
    verdict.style = style_metrics(verdict.code) if verdict.code else None
    return verdict


@dataclass
class _ModelTurn(Turn):
    """A turn on this machine: each result judged and stored here (or on the judging pool)."""

    run: RunInfo
    store: Store
    sandbox: Sandbox
    results: list[Result] = field(default_factory=list)
    pool: JudgePool | None = None

    def start_judging(self, provider: Provider) -> None:
        """Judge beside generation where the model runs off the cores judging uses."""
        workers = judge_workers(self.plan.judge_concurrency, provider.remote,
                                provider.info.get("placement"))
        if workers:
            self.pool = JudgePool(workers, self.store.reopen)

    def finish_judging(self, ok: bool) -> None:
        """Judge and store what is still queued (raising a worker's failure only when ``ok``:
        otherwise the error already on its way is the one to report)."""
        if self.pool is not None:
            self.pool.close(raise_failure=ok)
            self.pool = None

    def save(self, task: Task, case: Case, trial: int, settings: GenerationSettings,
             generation: Generation, provider: Provider | None,
             telemetry: dict[str, Any] | None = None) -> None:
        """Judge what came back and store the result: here, or on the judging pool while the
        next answer streams."""
        job = functools.partial(self._judge_and_store, task, case, trial, settings, generation,
                                ModelInfo.decode(provider.info).encode() if provider else {},
                                telemetry or {})
        if self.pool is None:
            job(self.store)
        else:
            self.pool.submit(job)

    def _judge_and_store(self, task: Task, case: Case, trial: int, settings: GenerationSettings,
                         generation: Generation, info: dict[str, Any], telemetry: dict[str, Any],
                         store: Store) -> None:
        """Judge what came back (``verdict_of``) and store the result at once."""
        main = threading.current_thread() is threading.main_thread()
        if main and verdict_would_run(generation):
            # a judging worker leaves the live line to the answer streaming meanwhile
            self.ev.phase(self.label, f"judging {case.id} (trial {trial})")
        verdict = verdict_of(task, case.id, generation, self.sandbox)
        result = Result(self.run.run_id, self.label, self.spec.spec, task.id, trial, settings,
                        generation, verdict, now(), info,
                        {**self.plan.host, "busy": busy_snapshot(own_cores(telemetry))}, case.id,
                        telemetry)
        # A Ctrl-C now must not roll back a measured result; signals reach only the main
        # thread, so a worker's write needs no deferring.
        with deferred() if main else contextlib.nullcontext():
            store.save_result(result)
        self.results.append(result)
        self.ev.result(result)


def verdict_would_run(generation: Generation) -> bool:
    """Whether ``verdict_of`` judges this generation (it did not fail and something came back)."""
    return generation.error is None and bool(generation.text or generation.reasoning
                                             or generation.refusal or generation.finish_reason)


class Loop(Protocol):
    """What executes a plan: ``execute`` here, or a cluster's driver (``showdown.fleet``)."""

    def __call__(self, plan: RunPlan, run: RunInfo, store: Store, sandbox: Sandbox,
                 events: Events | None,
                 redo: frozenset[tuple[str, str, str, int]]) -> list[Result]: ...


def benchmark(plan: RunPlan, store: Store, sandbox: Sandbox, events: Events | None = None,
              resume: RunInfo | None = None,
              redo: frozenset[tuple[str, str, str, int]] = frozenset(),
              loop: Loop = execute) -> tuple[RunInfo, list[Result]]:
    """A whole run, or the rest of ``resume`` (plus its ``redo`` keys): record it, execute it
    (with ``loop``), mark how it ended."""
    store.check_writable()
    run = resume or new_run(plan)
    run.status, run.pid, run.finished_at = "running", os.getpid(), None
    try:
        results = loop(plan, run, store, sandbox, events, redo)
    except BaseException as exc:
        run.status = "interrupted"
        if isinstance(exc, Interrupted):
            exc.run_id = run.run_id
        raise
    else:
        run.status = "finished"
    finally:
        run.finished_at = now()
        # When the store itself failed, the error that stopped the run is the one to report.
        with contextlib.suppress(StoreError):
            store.save_run(run)
    return run, results
