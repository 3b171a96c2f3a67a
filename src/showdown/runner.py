"""The run loop: every model, every task case, every trial — measured, judged, stored at once.

It never branches on a backend's or a task's kind: providers and tasks carry that. Each result
is saved the moment it is judged, so an interrupted run loses nothing already measured.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from showdown.providers import ChatRequest, ModelSpec, Provider, ProviderError, make_provider
from showdown.records import Generation, GenerationSettings, Result, RunInfo
from showdown.sandbox import Sandbox
from showdown.store import Store
from showdown.tasks import Answer, Task
from showdown.tasks.base import Case

__all__ = ["Events", "Quiet", "RunPlan", "benchmark", "execute", "model_label", "new_run"]

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


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_run(plan: RunPlan) -> RunInfo:
    """A fresh run record for a plan."""
    return RunInfo(
        run_id=dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6],
        started_at=now(), settings=plan.settings, round=plan.round,
        models=[s.spec for s in plan.specs], tasks=[t.id for t in plan.tasks],
        trials=plan.trials, host=plan.host,
    )


def execute(plan: RunPlan, run: RunInfo, store: Store, sandbox: Sandbox,
            events: Events | None = None) -> list[Result]:
    """Run every (model, task, case, trial) not already in the store; return the new results."""
    ev = events or Quiet()
    done = store.done_keys(run.run_id)
    store.save_run(run)
    results: list[Result] = []
    for spec in plan.specs:
        label = model_label(spec)
        todo = [(t, c, n) for t in plan.tasks for c in t.cases(plan.case_limit, plan.only_cases)
                for n in range(1, plan.trials + 1) if (label, t.id, c.id, n) not in done]
        if todo:
            results += _run_model(spec, label, todo, plan, run, store, sandbox, ev)
    return results


def model_label(spec: ModelSpec) -> str:
    """The name a model's results are stored under: its display name, or its backend's default."""
    try:
        return make_provider(spec).name
    except ProviderError:
        return spec.name or spec.spec


def _run_model(spec: ModelSpec, label: str, todo: list[tuple[Task, Case, int]], plan: RunPlan,
               run: RunInfo, store: Store, sandbox: Sandbox, ev: Events) -> list[Result]:
    results: list[Result] = []

    def save(task: Task, case: Case, trial: int, settings: GenerationSettings,
             generation: Generation, provider: Provider | None) -> None:
        verdict = None
        if generation.text:
            ev.phase(label, f"judging {case.id} (trial {trial})")
            answer = Answer(generation.text, generation.finish_reason)
            verdict = task.judge(answer, sandbox, case.id)
        result = Result(run.run_id, label, spec.spec, task.id, trial, settings, generation,
                        verdict, now(), dict(provider.info) if provider else {}, plan.host,
                        case.id)
        store.save_result(result)
        results.append(result)
        ev.result(result)

    try:
        provider = make_provider(spec)
        ev.phase(label, "loading")
        settings = provider.open(plan.settings)
    except ProviderError as exc:
        for task, case, trial in todo:
            save(task, case, trial, plan.settings, Generation(error=str(exc)), None)
        return results
    try:
        if plan.warmup:
            ev.phase(label, "warming up")
            provider.stream(WARMUP)
        for task, case, trial in todo:
            ev.phase(label, f"generating {case.id} (trial {trial}/{plan.trials})")
            request = ChatRequest(case.prompt, settings)
            save(task, case, trial, settings, provider.stream(request, ev.progress), provider)
    finally:
        provider.close()
    return results



def benchmark(plan: RunPlan, store: Store, sandbox: Sandbox,
              events: Events | None = None) -> tuple[RunInfo, list[Result]]:
    """A whole run: record it, execute it, mark how it ended (even when interrupted)."""
    store.check_writable()
    run = new_run(plan)
    try:
        results = execute(plan, run, store, sandbox, events)
    except BaseException:
        run.status = "interrupted"
        raise
    else:
        run.status = "finished"
    finally:
        run.finished_at = now()
        store.save_run(run)
    return run, results
