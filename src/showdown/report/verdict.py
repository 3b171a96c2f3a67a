"""Terminal rendering of one judged answer (``showdown score``)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from showdown.records import Verdict
from showdown.safetext import safe_text
from showdown.sandbox.python import script_args

__all__ = ["print_verdict"]

_OK, _NO = Text("pass", style="green"), Text("FAIL", style="bold red")


def print_verdict(console: Console, label: str, verdict: Verdict) -> None:
    """Syntax, each feature check, each functional test, the score and the diagnoses."""
    features = Table(title=f"Features {verdict.features_passed}/{len(verdict.features)}",
                     show_header=False, box=None, title_justify="left")
    for check in verdict.features:
        features.add_row(_OK if check.passed else _NO, safe_text(check.detail))
    functional = Table(title=f"Functional {verdict.functional_passed}/{len(verdict.functional)}",
                       show_header=False, box=None, title_justify="left")
    for test in verdict.functional:
        cmd = " ".join(script_args(test.commands[-1].argv)) if test.commands else ""
        functional.add_row(_OK if test.passed else _NO, safe_text(test.name), safe_text(cmd),
                           safe_text(test.detail))
    syntax = Text("Syntax: ") + (_OK if verdict.syntax_ok else _NO)
    diagnoses = Text("Diagnoses: ") + safe_text(
        "; ".join(f"{d.code} ({d.message})" for d in verdict.diagnoses) or "none",
        style="yellow" if verdict.diagnoses else "dim",
    )
    seed = f" — seed {verdict.seed}" if verdict.seed is not None else ""
    title = safe_text(f"{label} — score {verdict.score}/100 — {verdict.code_lines} lines",
                      one_line=True)
    console.print(Panel(Group(syntax, features, functional, diagnoses), title=title,
                        subtitle=safe_text(f"isolation: {verdict.isolation}{seed}", one_line=True)))
