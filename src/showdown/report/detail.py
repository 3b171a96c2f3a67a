"""One result in full (``showdown show`` and the HTML report's detail blocks).

The prompt, the answer with its reasoning apart, the extracted code, each check and each test
with the commands it ran and what they printed, the settings, host and server. Everything a
model or a judged program wrote is untrusted: escaped on a terminal, HTML-escaped in a page,
exact in JSON.
"""

from __future__ import annotations

import functools
import html
import shlex
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from showdown.records import (
    ExecResult,
    GenerationSettings,
    Result,
    RunInfo,
    is_failed,
    result_id,
    to_dict,
)
from showdown.report.context import host_text
from showdown.report.jsonout import result_json
from showdown.safetext import safe_text, visible
from showdown.sandbox.python import script_args

__all__ = ["detail_html", "detail_json", "print_detail", "print_run_results", "status_of"]

#: Characters of each long text shown in an HTML page (the rest: ``showdown show ID``).
HTML_TEXT_LIMIT = 8_000


def status_of(result: Result) -> str:
    """``did not run`` (failed generation), ``not judged`` or ``score N``."""
    if is_failed(result):
        return "did not run"
    return "not judged" if result.verdict is None else f"score {result.verdict.score}"


def detail_json(result: Result, prompt: str | None = None) -> dict[str, Any]:
    """The whole result, exact text included, plus its id, case and (if known) prompt."""
    return {"id": result_id(result), "case": result.case, "status": status_of(result),
            "prompt": prompt, **result_json(result)}


def _task(result: Result) -> str:
    """The task, and the case when the task has several."""
    return result.task if result.case in ("", result.task) else f"{result.task} {result.case}"


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f}"


def _command(run: ExecResult) -> str:
    """The command as a user would type it (the sandbox's interpreter launcher left out)."""
    args = script_args(run.argv)
    shown = " ".join(shlex.quote(a) for a in args)
    return f"python {shown}" if args != run.argv else shown


def _outcome(run: ExecResult) -> str:
    parts = [f"exit {run.exit_code}" if run.exit_code is not None else "no exit code",
             f"{run.duration_s:.2f} s"]
    if run.timed_out:
        parts.append("timed out")
    if run.signal:
        parts.append(f"signal {run.signal}")
    if run.limit_hit:
        parts.append(f"limit hit: {run.limit_hit}")
    return ", ".join(parts)


def _panel(title: str, body: str, empty: str = "(empty)") -> Panel:
    return Panel(safe_text(body) if body else Text(empty, style="dim"),
                 title=safe_text(title, one_line=True), title_align="left")


def _header(result: Result) -> Table:
    table = Table(show_header=False, box=None, pad_edge=False)
    gen, s = result.generation, result.settings
    rows = [("Result", result_id(result)), ("Run", result.run_id), ("Model", result.model),
            ("Spec", result.spec), ("Task", _task(result)),
            ("Trial", str(result.trial)), ("Started", result.started_at),
            ("Status", status_of(result)),
            ("Settings", f"max tokens {s.max_tokens}, ctx {s.ctx}, temperature {s.temperature:g}, "
                         f"seed {s.seed}"),
            ("Timing", f"TTFT {gen.ttft_s} s, total {gen.total_s} s, {gen.output_tokens} tokens, "
                       f"{_rate(gen.tokens_per_s)} tok/s, finish {gen.finish_reason}"),
            ("Server", ", ".join(f"{k} {v}" for k, v in result.model_info.items()
                                 if k in ("server", "server_version", "placement", "ctx"))),
            ("Host", f"{host_text(result.host)}; showdown {result.host.get('showdown', '?')}")]
    if gen.error:
        rows.append(("Error", gen.error))
    for key, value in rows:
        table.add_row(Text(key, style="bold"), safe_text(value))
    return table


def print_detail(console: Console, result: Result, prompt: str | None = None) -> None:
    """Every part of one result, one panel each."""
    console.print(_header(result))
    if prompt is not None:
        console.print(_panel("Prompt", prompt))
    gen, verdict = result.generation, result.verdict
    if gen.reasoning:
        console.print(_panel("Reasoning", gen.reasoning))
    console.print(_panel("Answer", gen.text))
    if verdict is None:
        return
    console.print(_panel(f"Extracted code ({verdict.code_lines} lines)", verdict.code))
    for check in verdict.features:
        mark = "pass" if check.passed else "FAIL"
        console.print(safe_text(f"check {mark}: {check.name} {check.detail}".rstrip()))
    for test in verdict.functional:
        mark = "pass" if test.passed else "FAIL"
        console.print(safe_text(f"test {mark}: {test.name} {test.detail}".rstrip(),
                                style="green" if test.passed else "red"))
        for run in test.commands:
            body = f"$ {_command(run)}\n[{_outcome(run)}]\n--- stdout\n{run.stdout}\n--- stderr\n{run.stderr}"
            console.print(_panel(f"{test.name}: command", body))
    for diag in verdict.diagnoses:
        console.print(safe_text(f"diagnosis {diag.code}: {diag.message}", style="yellow"))


def print_run_results(console: Console, run: RunInfo, results: Sequence[Result]) -> None:
    """A run's header and one line per result with its id (to pass to ``showdown show``)."""
    console.print(safe_text(f"run {run.run_id} {run.round} ({run.status}), started "
                            f"{run.started_at}: {len(results)} results", one_line=True))
    table = Table(box=None, header_style="bold cyan", pad_edge=False)
    for name in ("Id", "Model", "Task", "Trial", "Status"):
        table.add_column(name, overflow="fold")
    for r in results:
        status = status_of(r) + (f": {r.generation.error}" if is_failed(r) else "")
        table.add_row(result_id(r), safe_text(r.model, one_line=True),
                      safe_text(_task(r), one_line=True), str(r.trial),
                      safe_text(status, one_line=True))
    console.print(table)


def _pre(title: str, text: str) -> str:
    if not text:
        return ""
    cut = len(text) > HTML_TEXT_LIMIT
    shown = html.escape(visible(text[:HTML_TEXT_LIMIT]))
    more = (f"\n… {len(text) - HTML_TEXT_LIMIT:,} more characters (showdown show for all)"
            if cut else "")
    return f"<h4>{html.escape(visible(title, True))}</h4><pre>{shown}{html.escape(more)}</pre>"


@functools.lru_cache(maxsize=256)
def _settings_html(settings: GenerationSettings) -> str:
    """The settings as the detail block shows them (a run's results share a handful)."""
    return html.escape(str(to_dict(settings)))


def detail_html(result: Result) -> str:
    """A collapsible block with the result's answer, code, checks and tests."""
    rid = result_id(result)
    gen, verdict = result.generation, result.verdict
    head = (f"{result.model} · {_task(result)} · trial {result.trial} · "
            f"{status_of(result)}")
    parts = [_pre("Error", gen.error or ""), _pre("Reasoning", gen.reasoning),
             _pre("Answer", gen.text)]
    if verdict is not None:
        parts.append(_pre("Extracted code", verdict.code))
        checks = "".join(f"<li>{'pass' if c.passed else 'FAIL'}: {html.escape(visible(c.name))} "
                         f"{html.escape(visible(c.detail))}</li>" for c in verdict.features)
        parts.append(f"<h4>Checks</h4><ul>{checks}</ul>" if checks else "")
        for test in verdict.functional:
            runs = "\n".join(f"$ {_command(r)}\n[{_outcome(r)}]\n{r.stdout}{r.stderr}"
                             for r in test.commands)
            parts.append(_pre(f"Test {'pass' if test.passed else 'FAIL'}: {test.name} "
                              f"{test.detail}", runs or "(no command)"))
    settings = _settings_html(result.settings)
    return (f'<details class="result" id="r-{rid}"><summary><code>{rid}</code> '
            f"{html.escape(visible(head, True))}</summary><p>settings {settings}</p>"
            f'{"".join(parts)}</details>')
