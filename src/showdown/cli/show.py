"""``showdown show``: a run's results with their ids, or one result in full."""

from __future__ import annotations

import json

import click

from showdown.cli.runs import DB_OPTION

__all__ = ["command"]


@click.command("show")
@click.argument("target", required=False, default="", metavar="[RESULT|RUN]")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON (exact text) instead.")
def command(target: str, db: str | None, as_json: bool) -> None:
    """Show a run's results with their ids, or one result in full: prompt, answer, reasoning,
    extracted code, each check and test with its commands and output, settings and host."""
    from showdown.cli.output import console
    from showdown.records import is_failed, result_id, to_dict
    from showdown.report.detail import detail_json, print_detail, print_run_results
    from showdown.run.stored import case_prompt, find_results, open_store

    store = open_store(db)
    run, results = find_results(store, target)
    owner = run or store.run(results[0].run_id)
    if run is not None and (len(results) != 1 or not target):
        if as_json:
            click.echo(json.dumps({"run": to_dict(run), "results": [
                {"id": result_id(r), "model": r.model, "task": r.task, "case": r.case,
                 "trial": r.trial, "failed": is_failed(r), "error": r.generation.error,
                 "score": r.verdict.score if r.verdict else None} for r in results]}, indent=2))
            return
        print_run_results(console, run, results)
        return
    (result,) = results
    prompt = case_prompt(result, owner)
    if as_json:
        click.echo(json.dumps(detail_json(result, prompt), indent=2, ensure_ascii=False))
        return
    print_detail(console, result, prompt)
