"""``showdown run``: check the whole plan, then stream, time, judge, store and print.

Every mistake is refused before anything is saved or loaded (``runner.check_plan``); what is
left to fail at run time (a model that crashes, a stream that stalls) is recorded as a failed
generation, listed apart, and can be run again with ``--retry-failed``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from showdown.cliout import console, err, fail, note
from showdown.config import ConfigError, find_config, load_config, resolve
from showdown.fetch import FetchError, ensure_bundled_model
from showdown.hardware.busy import busy_snapshot
from showdown.hardware.host import host_fingerprint
from showdown.preflight import PlanError, check_options, check_settings
from showdown.providers import ModelSpec, ProviderError, parse_spec
from showdown.records import Result, RunInfo, is_failed, result_id
from showdown.report import write_report
from showdown.report.jsonout import result_json
from showdown.report.terminal import print_run_tables
from showdown.runner import RunPlan, benchmark, check_plan, model_label, plan_from_run
from showdown.sandbox import SandboxUnavailable, default_sandbox
from showdown.signals import Interrupted, graceful_signals
from showdown.store import Store, StoreError, default_db_path
from showdown.tasks import TaskError, find_task
from showdown.tasks.loader import BUILTIN_DIR
from showdown.ui import progress_display

__all__ = ["alive", "find_run", "run"]

Key = tuple[str, str, str, int]


class _Done(Exception):
    """Nothing to do (a finished run to resume, no failed results to retry): one line, exit 0."""


@click.command()
@click.option("--model", "-m", "models", multiple=True, metavar="SPEC",
              help="[NAME=]ollama:NAME[:TAG], llamacpp:PATH.gguf, openai-compat:URL#MODEL, "
                   "openai:MODEL or anthropic:MODEL, or a configured model's name (repeatable). "
                   "Default: the config's models, else the bundled SmolLM2-135M.")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Config file of models and settings (default: ./showdown.toml if present); "
                   "the command line overrides it.")
@click.option("--task", "-t", "task_ids", multiple=True, default=["todo-cli"], show_default=True)
@click.option("--task-dir", multiple=True, type=click.Path(path_type=Path))
@click.option("--max-tokens", default=16384, show_default=True, help="Output token limit (1+).")
@click.option("--ctx", "ctx_size", default=16384, show_default=True,
              help="Context window (capped to the model's trained context).")
@click.option("--temperature", default=0.0, show_default=True, help="0 to 2.")
@click.option("--seed", default=42, show_default=True)
@click.option("--trials", default=1, show_default=True, help="Repeats of each (model, task).")
@click.option("--limit", "case_limit", type=int, help="Only the first N cases of each task "
              "(e.g. 20 HumanEval problems).")
@click.option("--problems", "only_cases", help="Only these cases, comma-separated (e.g. 0,5,HumanEval/7).")
@click.option("--round", "round_", default="", help="A label for this run, e.g. 'Round 2'.")
@click.option("--db", type=click.Path(path_type=Path), help="The SQLite store.")
@click.option("--resume", is_flag=False, flag_value="last", default=None, metavar="[RUN_ID]",
              help="Finish an interrupted run (default: the last unfinished one).")
@click.option("--retry-failed", "retry", is_flag=False, flag_value="last", default=None,
              metavar="[RUN_ID]", help="Run again only the generations of a run that did not "
              "run (default: the last run with any), e.g. after starting Ollama; the new "
              "results replace them.")
@click.option("--llama-server", type=click.Path(path_type=Path), help="Use this llama-server.")
@click.option("--n-gpu-layers", default="auto", show_default=True,
              help="Layers on the GPU for llamacpp models: a number, or auto (predicted from the "
                   "GGUF and the GPU's free memory; 0 without a GPU). Ollama: num_gpu, when given.")
@click.option("--health-timeout", default=600.0, show_default=True, help="Seconds to load.")
@click.option("--idle-timeout", default=120.0, show_default=True, help="Seconds of silence "
              "before a stream counts as stalled.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON (progress goes to "
              "stderr).")
@click.option("--allow-weak-isolation", "allow_weak", is_flag=True,
              help="Run the code with process isolation only where bubblewrap cannot run.")
@click.option("--judge-concurrency", type=click.IntRange(min=0), default=None, metavar="N",
              help="Answers judged while the next one streams. Default: 1 where the model runs "
                   "off this machine's CPU (remote, or wholly in VRAM), else 0 (each answer "
                   "judged before the next, so judging never slows a CPU model's figures).")
@click.pass_context
def run(ctx: click.Context, /, **_: Any) -> None:
    """Benchmark models on tasks: stream, time, judge, store and print the tables."""
    p = ctx.params
    try:
        db_path = p["db"] or default_db_path()
        store = Store(db_path)
        resume, redo = _continuation(ctx, store)
        plan = plan_from_run(resume) if resume else _plan(ctx)
        plan.judge_concurrency = p["judge_concurrency"]  # how to run, not what: resumes may differ
        if redo and resume and resume.status == "finished":
            # Only the models that failed run again: the others' servers need not be up.
            again = {key[0] for key in redo}
            plan.specs = [s for s in plan.specs if model_label(s) in again]
        check_plan(plan, probe=True)  # every mistake now: nothing saved, no model loaded
        plan.host = host_fingerprint() | {"busy": busy_snapshot()}
        # Hidden from the programs under test: the store, and the tasks' own files (hidden
        # tests, reference solutions).
        private = [db_path.resolve().parent, BUILTIN_DIR,
                   *(path for t in plan.tasks for path in t.private_paths())]
        sandbox = default_sandbox(allow_weak=p["allow_weak"], hide=private)
    except _Done as done:
        err.print(str(done), highlight=False, soft_wrap=True, markup=False)
        sys.exit(0)
    except (ConfigError, ProviderError, TaskError, SandboxUnavailable, StoreError,
            FetchError, PlanError) as exc:
        fail(str(exc))
    _execute(plan, store, sandbox, resume, redo, p["as_json"])


def _execute(plan: RunPlan, store: Store, sandbox: Any, resume: RunInfo | None,
             redo: frozenset[Key], as_json: bool) -> None:
    try:
        live = sys.stdout.isatty() and not as_json
        with graceful_signals(), progress_display(err, live) as display:
            info, results = benchmark(plan, store, sandbox, display, resume, redo)
        if resume:  # the tables and report cover the whole run, not only the part just run
            results = store.results(run_ids=[info.run_id])
    except StoreError as exc:
        fail(str(exc), 1)
    except SandboxUnavailable as exc:  # the sandbox broke mid-run: results so far are kept
        fail(f"{exc}; the results so far are saved in {store.path}: finish the run with "
             "showdown run --resume", 1)
    except Interrupted as exc:
        run_id = exc.run_id or ""
        try:
            saved = len(store.results(run_ids=[run_id])) if run_id else 0
        except StoreError:
            saved = 0
        err.print(f"interrupted ({exc}): {saved} results saved in {store.path}; finish with: "
                  f"showdown run --resume {run_id} --db {store.path}",
                  highlight=False, soft_wrap=True, markup=False)
        sys.exit(exc.exit_code)
    _print_run(info, results, store, as_json)
    if any(is_failed(r) for r in results):
        sys.exit(1)


def _plan(ctx: click.Context) -> RunPlan:
    """The run's plan: the command line over the config file over the defaults."""
    p = ctx.params
    options = _given(ctx, {"n_gpu_layers": "n_gpu_layers", "llama_server": "llama_server",
                           "health_timeout_s": "health_timeout", "idle_timeout_s": "idle_timeout"})
    settings = _given(ctx, {"max_tokens": "max_tokens", "ctx": "ctx_size",
                            "temperature": "temperature", "seed": "seed", "trials": "trials"})
    config = load_config(find_config(p["config_path"], Path.cwd()))
    chosen = resolve(config, p["models"], settings, options)
    # Ranges first: a mistyped number must not wait for the bundled model to download.
    check_settings(chosen.settings, chosen.trials, p["case_limit"])
    check_options(options)
    tasks = [find_task(t, p["task_dir"]) for t in p["task_ids"]]
    specs = chosen.specs or [_bundled_spec(options)]
    only = [c.strip() for c in p["only_cases"].split(",")] if p["only_cases"] else None
    return RunPlan(specs, tasks, chosen.settings, chosen.trials, p["round_"], p["case_limit"],
                   only, task_dirs=list(p["task_dir"]))


def _bundled_spec(options: dict[str, Any]) -> ModelSpec:
    path = ensure_bundled_model(say=lambda m: note(m, "setup", "cyan"))
    return parse_spec(f"SmolLM2-135M (bundled)=llamacpp:{path}", dict(options))


def _given(ctx: click.Context, names: dict[str, str]) -> dict[str, Any]:
    """{key: value} of the options (key → parameter name) the user actually typed."""
    return {key: ctx.params[name] for key, name in names.items()
            if ctx.get_parameter_source(name)
            not in (None, ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)}


_PLAN_OPTIONS = ("models", "config_path", "task_ids", "task_dir", "max_tokens", "ctx_size",
                 "temperature", "seed", "trials", "round_", "n_gpu_layers", "llama_server",
                 "case_limit", "only_cases")


def find_run(store: Store, wanted: str) -> RunInfo:
    """The run with this id, or the one run whose id starts with it."""
    exact = store.run(wanted)
    if exact is not None:
        return exact
    matches = [r for r in store.runs() if r.run_id.startswith(wanted)] if wanted else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise StoreError(f"{wanted!r} matches {len(matches)} runs; give more of the id "
                         "(`showdown runs` lists them)")
    raise StoreError(f"no run {wanted!r} in {store.path} (`showdown runs` lists them)")


def _continuation(ctx: click.Context, store: Store) -> tuple[RunInfo | None, frozenset[Key]]:
    """The run to go on with (``--resume`` or ``--retry-failed``) and the keys to redo."""
    p = ctx.params
    if p["resume"] and p["retry"]:
        raise PlanError("give --resume or --retry-failed, not both")
    if not p["resume"] and not p["retry"]:
        return None, frozenset()
    run = _resumable(ctx, store, p["resume"]) if p["resume"] else _retryable(store, p["retry"])
    given = [n for n in _PLAN_OPTIONS if ctx.get_parameter_source(n) == ParameterSource.COMMANDLINE]
    if given:
        flag = next(o.opts[0] for o in ctx.command.params if o.name == given[0])
        what = "--resume" if p["resume"] else "--retry-failed"
        raise PlanError(f"{what} finishes run {run.run_id} with its own settings; drop {flag} "
                        "(start a new run to change settings)")
    if run.status == "running" and run.pid and run.pid != os.getpid() and alive(run.pid):
        raise StoreError(f"run {run.run_id} is still running in process {run.pid}")
    return run, frozenset(store.failed_keys(run.run_id)) if p["retry"] else frozenset()


def _resumable(ctx: click.Context, store: Store, wanted: str) -> RunInfo:
    if wanted == "last":
        run = store.last_unfinished()
        if run is None:
            raise StoreError(f"no unfinished run in {store.path} (`showdown runs` lists them)")
        return run
    run = find_run(store, wanted)
    if run.status == "finished":
        failed = len(store.failed_keys(run.run_id))
        retry = (f"; {failed} did not run: try them again with showdown run --retry-failed "
                 f"{run.run_id}") if failed else ""
        raise _Done(f"run {run.run_id} has already finished{retry}; see it with: "
                    f"showdown show {run.run_id}")
    return run


def _retryable(store: Store, wanted: str) -> RunInfo:
    if wanted != "last":
        run = find_run(store, wanted)
        if not store.failed_keys(run.run_id):
            raise _Done(f"run {run.run_id} has no failed results: nothing to retry")
        return run
    for run in reversed(store.runs()):
        if store.failed_keys(run.run_id):
            return run
    raise _Done(f"no run in {store.path} has failed results: nothing to retry")


def alive(pid: int) -> bool:
    """Whether a process with this id exists (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _print_run(info: RunInfo, results: list[Result], store: Store, as_json: bool) -> None:
    if as_json:
        rows = [{"id": result_id(r)} | result_json(r) for r in results]
        click.echo(json.dumps({"run_id": info.run_id, "results": rows}, indent=2))
    else:
        print_run_tables(console, results, [info])
    err.print(f"run {info.run_id} saved to {store.path}; details: showdown show {info.run_id}",
              highlight=False, soft_wrap=True, markup=False)
    _write_run_report(results, info, store.path)


def _write_run_report(results: list[Result], info: RunInfo, db: Path) -> None:
    """The run's own HTML report beside the store; a failure to write it is only a warning."""
    path = db.parent / "reports" / f"{info.run_id}.html"
    try:
        write_report(results, [info], "html", path)
    except OSError as exc:
        note(f"could not write the HTML report {path}: {exc}", "warning")
        return
    err.print(f"report: {path}", highlight=False, soft_wrap=True, markup=False)
