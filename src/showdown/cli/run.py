"""``showdown run``: parse the options into a ``RunRequest``, run it, print the tables.

The policy (config merging, resume rules, retry-failed, hidden folders, the run's own report)
lives in ``showdown.run``; this module only parses, shows progress and prints.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from showdown.cli.runs import DB_OPTION
from showdown.records import GenerationSettings
from showdown.run.request import DEFAULT_TASK, RunRequest

if TYPE_CHECKING:
    from showdown.run.session import Prepared, RunResult

__all__ = ["command"]

_FAIR = GenerationSettings()  # the defaults, shown in --help; the library applies them


@click.command("run")
@click.option("--model", "-m", "models", multiple=True, metavar="SPEC",
              help="[NAME=]ollama:NAME[:TAG], llamacpp:PATH.gguf, openai-compat:URL#MODEL, "
                   "openai:MODEL or anthropic:MODEL, or a configured model's name (repeatable). "
                   "Default: the config's models, else the bundled SmolLM2-135M.")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Config file of models and settings (default: ./showdown.toml if present); "
                   "the command line overrides it.")
@click.option("--task", "-t", "task_ids", multiple=True,
              help=f"A task id (repeatable).  [default: {DEFAULT_TASK}]")
@click.option("--task-dir", multiple=True, type=click.Path(path_type=Path))
@click.option("--max-tokens", type=int,
              help=f"Output token limit (1+).  [default: {_FAIR.max_tokens}]")
@click.option("--ctx", "ctx_size", type=int, help="Context window (capped to the model's "
              f"trained context).  [default: {_FAIR.ctx}]")
@click.option("--temperature", type=float, help=f"0 to 2.  [default: {_FAIR.temperature}]")
@click.option("--seed", type=int, help=f"[default: {_FAIR.seed}]")
@click.option("--trials", type=int, help="Repeats of each (model, task).  [default: 1]")
@click.option("--limit", "case_limit", type=int, help="Only the first N cases of each task "
              "(e.g. 20 HumanEval problems).")
@click.option("--problems", "only_cases", help="Only these cases, comma-separated (e.g. 0,5,HumanEval/7).")
@click.option("--round", "round_", help="A label for this run, e.g. 'Round 2'.")
@DB_OPTION
@click.option("--resume", is_flag=False, flag_value="last", default=None, metavar="[RUN_ID]",
              help="Finish an interrupted run (default: the last unfinished one).")
@click.option("--retry-failed", "retry", is_flag=False, flag_value="last", default=None,
              metavar="[RUN_ID]", help="Run again only the generations of a run that did not "
              "run (default: the last run with any), e.g. after starting Ollama; the new "
              "results replace them.")
@click.option("--llama-server", type=click.Path(path_type=Path), help="Use this llama-server.")
@click.option("--n-gpu-layers",
              help="Layers on the GPU for llamacpp models: a number, or auto (predicted from the "
                   "GGUF and the GPU's free memory; 0 without a GPU). Ollama: num_gpu, when given."
                   "  [default: auto]")
@click.option("--health-timeout", type=float, help="Seconds to load (default: the provider's).")
@click.option("--idle-timeout", type=float, help="Seconds of silence before a stream counts as "
              "stalled (default: the provider's).")
@click.option("--set", "sets", multiple=True, metavar="KEY=V1,V2",
              help="Run every model once per configuration (repeatable; the product of all), "
                   "named by it: llama-server flags as in `showdown speed --set` (ctx: in place of "
                   "--ctx); for ollama: models num_ctx, num_gpu, num_thread.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON (progress goes to "
              "stderr).")
@click.option("--take-over", is_flag=True,
              help="With --resume: finish a run a shared store marks running on another host "
                   "(whose showdown died).")
@click.option("--allow-weak-isolation", "allow_weak", is_flag=True,
              help="Run the code with process isolation only where bubblewrap cannot run.")
@click.option("--judge-concurrency", type=click.IntRange(min=0), default=None, metavar="N",
              help="Answers judged while the next one streams. Default: 1 where the model runs "
                   "off this machine's CPU (remote, or wholly in VRAM), else 0 (each answer "
                   "judged before the next, so judging never slows a CPU model's figures).")
@click.option("--cluster", metavar="ADDRESS",
              help="Run on a Ray cluster: auto, HOST:PORT (the head's port) or ray://HOST:10001 "
                   "(pip install 'showdown[cluster]'). Results are stored here, by this process.")
@click.option("--node", "nodes", multiple=True, metavar="MODEL=NODE",
              help="With --cluster: run MODEL's turn on the node started with the Ray resource "
                   "NODE (repeatable; over the config's node = \"...\").")
def command(models: tuple[str, ...], config_path: Path | None, task_ids: tuple[str, ...],
            task_dir: tuple[Path, ...], max_tokens: int | None, ctx_size: int | None,
            temperature: float | None, seed: int | None, trials: int | None,
            case_limit: int | None, only_cases: str | None, round_: str | None, db: str | None,
            resume: str | None, retry: str | None, llama_server: Path | None,
            n_gpu_layers: str | None, health_timeout: float | None, idle_timeout: float | None,
            sets: tuple[str, ...], as_json: bool, take_over: bool, allow_weak: bool,
            judge_concurrency: int | None, cluster: str | None, nodes: tuple[str, ...]) -> None:
    """Benchmark models on tasks: stream, time, judge, store and print the tables."""
    from showdown.cli.output import note
    from showdown.fetch import reporting
    from showdown.run.session import prepare

    request = RunRequest(
        models=models, tasks=task_ids, task_dirs=task_dir, config=config_path,
        max_tokens=max_tokens, ctx=ctx_size, temperature=temperature, seed=seed, trials=trials,
        case_limit=case_limit, round=round_, n_gpu_layers=n_gpu_layers, llama_server=llama_server,
        only_cases=tuple(c.strip() for c in only_cases.split(",")) if only_cases else None,
        health_timeout_s=health_timeout, idle_timeout_s=idle_timeout, db=db, resume=resume,
        retry_failed=retry, take_over=take_over, allow_weak_isolation=allow_weak, sets=sets,
        judge_concurrency=judge_concurrency, cluster=cluster, nodes=nodes)
    with reporting(lambda message: note(message, "setup", "cyan")):
        prepared = prepare(request)  # every mistake now, as one line: nothing saved or loaded
    outcome = _execute(prepared, as_json)
    _print_run(outcome, as_json)
    if outcome.failed:
        sys.exit(1)


def _execute(prepared: Prepared, as_json: bool) -> RunResult:
    from showdown.cli.output import err, say
    from showdown.errors import StoreError
    from showdown.run.session import execute
    from showdown.signals import Interrupted, graceful_signals
    from showdown.ui import progress_display

    live = sys.stdout.isatty() and not as_json
    try:
        with graceful_signals(), progress_display(err, live) as display:
            return execute(prepared, display)
    except Interrupted as exc:
        run_id, store = exc.run_id or "", prepared.store
        try:
            saved = len(store.results(run_ids=[run_id])) if run_id else 0
        except StoreError:
            saved = 0
        on = f" --cluster {prepared.fleet.address}" if prepared.fleet else ""
        say(f"interrupted ({exc}): {saved} results saved in {store.where}; finish with: "
            f"showdown run --resume {run_id}{on} --db {store.where}")
        sys.exit(exc.exit_code)


def _print_run(outcome: RunResult, as_json: bool) -> None:
    from showdown.cli.output import console, note, say
    from showdown.records import result_id
    from showdown.report.jsonout import result_json
    from showdown.report.terminal import print_run_tables

    info = outcome.run
    if as_json:
        rows = [{"id": result_id(r)} | result_json(r) for r in outcome.results]
        click.echo(json.dumps({"run_id": info.run_id, "results": rows}, indent=2))
    else:
        print_run_tables(console, outcome.results, [info])
    say(f"run {info.run_id} saved to {outcome.store_where}; details: showdown show {info.run_id}")
    if outcome.report_problem:
        note(outcome.report_problem, "warning")
    elif outcome.report_path:
        say(f"report: {outcome.report_path}")
