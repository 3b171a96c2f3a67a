"""Model text and program output on a terminal (issue #12 item 5): never markup, never raw.

A hostile model names itself, answers and fails with rich markup (``[/]`` once crashed the
table with MarkupError) and escape sequences (clear screen, window title, bidi override). Every
table, panel and progress line shows them escaped; ``--json`` keeps the exact text.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from reportdata import RUNS, result, verdict
from rich.console import Console

from showdown.records import CheckResult, ExecResult, Generation, TestRun
from showdown.report import build_report, render
from showdown.report.detail import detail_json, print_detail
from showdown.report.terminal import print_report, print_run_tables
from showdown.report.verdict import print_verdict
from showdown.safetext import visible
from showdown.store import Store
from showdown.ui import PlainProgress, RunDisplay

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "[/][bold red]x[/bold red] \x1b[2J\x1b]0;pwned\x07 \x9b31m \u202egnp.exe \r\x00end"
RAW = ("\x1b[2J", "\x1b]0;", "\x07", "\x9b", "\u202e", "\r", "\x00")


def terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=80, force_terminal=True, color_system="truecolor"), buffer


def assert_safe(out: str, raw_ok: tuple[str, ...] = ()) -> None:
    for raw in RAW:
        assert raw in raw_ok or raw not in out, repr(raw)
    assert "[/]" in out and "\\x1b" in out  # shown, as text


def hostile_results() -> list:
    run = RUNS[1]
    judged = verdict(50, diagnoses=(("weird", HOSTILE),))
    judged.features[0] = CheckResult(HOSTILE, False, HOSTILE)
    judged.functional[0] = TestRun(HOSTILE, False, HOSTILE, [ExecResult(
        ["python", "todo.py", HOSTILE], 1, HOSTILE, HOSTILE, 0.1)])
    good = result(run, HOSTILE, judged=judged)
    good.generation = Generation(text=HOSTILE, reasoning=HOSTILE, ttft_s=1.0, total_s=2.0,
                                 output_tokens=10, tokens_per_s=9.0)
    failed = result(run, f"other {HOSTILE}", trial=2, error=HOSTILE)
    return [good, failed]


def test_visible_escapes_controls_and_keeps_text() -> None:
    shown = visible(HOSTILE)
    assert shown.startswith("[/][bold red]x[/bold red] \\x1b[2J\\x1b]0;pwned\\x07")
    assert "\\u202e" in shown and "\\x00end" in shown
    assert visible("a\nb", one_line=True) == "a\\nb" and visible("a\nb") == "a\nb"


def test_report_tables_show_hostile_text_escaped() -> None:
    console, buffer = terminal()
    report = build_report(hostile_results(), RUNS)
    print_report(console, report)  # once: rich.errors.MarkupError
    print_run_tables(console, hostile_results(), RUNS)
    assert_safe(buffer.getvalue())


def test_panels_and_progress_lines_show_hostile_text_escaped() -> None:
    console, buffer = terminal()
    good, failed = hostile_results()
    assert good.verdict is not None
    print_verdict(console, HOSTILE, good.verdict)
    print_detail(console, good, prompt=HOSTILE)
    print_detail(console, failed)
    PlainProgress(console).phase(HOSTILE, HOSTILE)
    PlainProgress(console).result(failed)
    assert_safe(buffer.getvalue())
    live, out = terminal()
    with RunDisplay(live) as display:
        display.phase(HOSTILE, HOSTILE)
        display.result(good)
        display.result(failed)
    assert_safe(out.getvalue(), raw_ok=("\r",))  # the live line's own carriage returns


def test_json_and_the_store_keep_the_exact_text(tmp_path: Path) -> None:
    good, _ = hostile_results()
    assert detail_json(good)["answer"] == HOSTILE
    assert json.loads(json.dumps(detail_json(good)))["functional"]["tests"][0]["commands"][0][
        "stdout"] == HOSTILE


@pytest.mark.parametrize("fmt", ["md", "html", "terminal"])
def test_file_formats_never_carry_raw_escapes(fmt: str) -> None:
    text = render(hostile_results(), RUNS, fmt)
    for raw in ("\x1b[2J", "\x1b]0;", "\x07"):
        assert raw not in text


def test_tables_fit_80_columns_and_say_what_they_left_out(tmp_path: Path) -> None:
    from reportdata import two_rounds
    db = tmp_path / "s.db"
    store = Store(db)
    for run in RUNS:
        store.save_run(run)
    for r in two_rounds():
        store.save_result(r)
    store.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "80"}
    proc = subprocess.run([sys.executable, "-m", "showdown", "report", "--db", str(db)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    widths = [len(line) for line in proc.stdout.splitlines()]
    assert max(widths) <= 80, max(widths)
    assert "Left out at 80 columns:" in proc.stdout and "Gemma 4 27B" in proc.stdout
