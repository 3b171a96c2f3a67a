"""A run from a request: check the whole plan, then stream, time, judge, store and report.

Every mistake is refused in ``prepare`` before anything is saved or loaded; what is left to fail
at run time (a model that crashes, a stream that stalls) is recorded as a failed generation and
can be run again with ``retry_failed``. Nothing here prints: progress goes to the events object.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from showdown.config import NODE_KEY, find_config, load_config, resolve
from showdown.errors import PlanError, SandboxUnavailable, StoreError
from showdown.fetch import ensure_bundled_model
from showdown.hardware.busy import busy_snapshot
from showdown.hardware.host import host_fingerprint
from showdown.preflight import check_options, check_settings
from showdown.providers import ModelSpec, parse_spec
from showdown.records import Result, RunInfo, is_failed
from showdown.run.continuation import Key, continuation
from showdown.run.request import RunRequest
from showdown.runner import Events, RunPlan, benchmark, check_plan, model_label, plan_from_run
from showdown.runner import execute as run_here
from showdown.sandbox import Sandbox, default_sandbox
from showdown.speed.plan import expand_sets
from showdown.speed.runsets import sweep_specs
from showdown.store import Location, Store, check_new_store, locate
from showdown.tasks import find_task
from showdown.tasks.loader import BUILTIN_DIR

if TYPE_CHECKING:
    from showdown.fleet import Fleet

__all__ = ["Prepared", "RunResult", "execute", "prepare", "split_nodes"]


@dataclass
class Prepared:
    """A run checked and ready: its plan, store (and where it is) and sandbox, and what it
    continues."""

    plan: RunPlan
    store: Store
    sandbox: Sandbox
    location: Location = field(default_factory=Location)
    resume: RunInfo | None = None
    redo: frozenset[Key] = frozenset()
    write_report: bool = True
    #: The cluster the plan runs on (``--cluster``), None for this machine.
    fleet: Fleet | None = None


@dataclass
class RunResult:
    """A finished run: its record, its results (all of them, for a resumed run), where it is
    stored (``store_path`` only for a SQLite file), and its own HTML report (or why that could
    not be written)."""

    run: RunInfo
    results: list[Result]
    store_where: str
    store_path: Path | None = None
    reports_dir: Path = Path("reports")
    report_path: Path | None = None
    report_problem: str | None = None

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if is_failed(r)]


def prepare(request: RunRequest) -> Prepared:
    """The checked plan for a request (or for the stored run it resumes); raises ShowdownError."""
    if request.take_over and not request.resume:
        raise PlanError("--take-over finishes a run another host left; add --resume RUN_ID")
    location = locate(request.db)
    db_path = location.path
    # A store that exists is opened first (a damaged one or an unreachable server is refused
    # before anything else); a new SQLite file is created only once the whole plan has passed,
    # so a refused command leaves no file behind.
    exists = db_path is None or db_path.exists()
    store = location.open() if exists or request.resume or request.retry_failed else None
    if store is None and db_path is not None:
        check_new_store(db_path)
    resume, redo = continuation(request, store) if store else (None, frozenset[Key]())
    plan = plan_from_run(resume) if resume else build_plan(request)
    if redo and resume and resume.status == "finished":
        # Only the models that failed run again: the others' servers need not be up.
        again = {key[0] for key in redo}
        plan.specs = [s for s in plan.specs if model_label(s) in again]
    placed = _place(request, plan)  # on a cluster, a placed model is checked on its node
    check_plan(plan, probe=request.probe, elsewhere=placed)  # every mistake now: nothing saved
    fleet = _fleet(request, plan, location)
    plan.judge_concurrency = request.judge_concurrency  # how to run, not what: resumes may differ
    plan.host = host_fingerprint() | {"busy": busy_snapshot()}
    # Hidden from the programs under test: the store, and the tasks' own files (hidden tests,
    # reference solutions).
    private = [*location.private_dirs(), BUILTIN_DIR,
               *(path for t in plan.tasks for path in t.private_paths())]
    # On a cluster the nodes judge (open_fleet checked that some can sandbox): the driver's
    # own sandbox is never used, so a driver without bubblewrap (a laptop, a Mac) may drive.
    sandbox = default_sandbox(allow_weak=request.allow_weak_isolation or fleet is not None,
                              hide=private)
    return Prepared(plan, store or location.open(), sandbox, location, resume, redo,
                    request.write_report, fleet)


def _place(request: RunRequest, plan: RunPlan) -> frozenset[str]:
    """Apply ``--node`` placements; the labels of the models placed on a cluster's nodes."""
    if request.nodes and not request.cluster:
        raise PlanError("--node places a model on a cluster node; add --cluster ADDRESS")
    if not request.cluster:
        return frozenset()
    from showdown.fleet import parse_node_flags

    plan.nodes |= parse_node_flags(request.nodes, [model_label(s) for s in plan.specs])
    return frozenset(plan.nodes)


def _fleet(request: RunRequest, plan: RunPlan, location: Location) -> Fleet | None:
    """The cluster the plan runs on, joined and checked (placed models on their nodes)."""
    if not request.cluster:
        return None
    from showdown.fleet import open_fleet

    fleet = open_fleet(request.cluster, plan, request.allow_weak_isolation, request.probe)
    fleet.db_hint = f" --db {location.where}"
    return fleet


def build_plan(request: RunRequest) -> RunPlan:
    """The run's plan: the request over the config file over the defaults."""
    # The flags' defaults are the providers' own (their Options); given flags are checked by
    # the same rules and typed ("12" -> 12) before anything else reads them.
    options = check_options(request.options())
    config = load_config(find_config(request.config, Path.cwd()))
    chosen = resolve(config, request.models, request.settings(), options)
    # Ranges first: a mistyped number must not wait for the bundled model to download.
    check_settings(chosen.settings, chosen.trials, request.case_limit)
    tasks = [find_task(t, request.task_dirs) for t in request.task_ids]
    specs = sweep_specs(chosen.specs or [_bundled_spec(options)], expand_sets(request.sets))
    only = list(request.only_cases) if request.only_cases else None
    specs, nodes = split_nodes(specs)
    return RunPlan(specs, tasks, chosen.settings, chosen.trials, request.round or "",
                   request.case_limit, only, task_dirs=list(request.task_dirs), nodes=nodes)


def split_nodes(specs: list[ModelSpec]) -> tuple[list[ModelSpec], dict[str, str]]:
    """The config's ``node`` keys taken out of the models' options: where a model runs on a
    cluster is the run's placement (``RunPlan.nodes``), not an option of its backend."""
    nodes = {model_label(s): str(s.options[NODE_KEY]) for s in specs if NODE_KEY in s.options}
    bare = [dataclasses.replace(s, options={k: v for k, v in s.options.items() if k != NODE_KEY})
            for s in specs]
    return bare, nodes


def _bundled_spec(options: dict[str, object]) -> ModelSpec:
    path = ensure_bundled_model()  # progress: to the reporter the caller installed, if any
    return parse_spec(f"SmolLM2-135M (bundled)=llamacpp:{path}", dict(options))


def execute(prepared: Prepared, events: Events | None = None) -> RunResult:
    """Run what ``prepare`` checked; a store or sandbox that breaks mid-run is exit code 1
    (the results so far are kept). ``Interrupted`` passes through with the run's id set."""
    store = prepared.store
    try:
        info, results = benchmark(prepared.plan, store, prepared.sandbox, events,
                                  prepared.resume, prepared.redo, prepared.fleet or run_here)
        if prepared.resume:  # the results and report cover the whole run, not only this part
            results = store.results(run_ids=[info.run_id])
    except StoreError as exc:
        raise StoreError(str(exc), exit_code=1) from exc
    except SandboxUnavailable as exc:
        raise SandboxUnavailable(f"{exc}; the results so far are saved in {store.where}: finish "
                                 "the run with showdown run --resume", exit_code=1) from exc
    outcome = RunResult(info, results, store.where, prepared.location.path,
                        prepared.location.reports_dir)
    if prepared.write_report:
        _write_run_report(outcome)
    return outcome


def _write_run_report(outcome: RunResult) -> None:
    """The run's own HTML report beside the store; a failure to write it is only noted."""
    from showdown.report import write_report

    path = outcome.reports_dir / f"{outcome.run.run_id}.html"
    try:
        outcome.report_path = write_report(outcome.results, [outcome.run], "html", path)
    except OSError as exc:
        outcome.report_problem = f"could not write the HTML report {path}: {exc}"
