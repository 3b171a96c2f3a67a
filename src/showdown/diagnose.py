"""Pure diagnoses: why a result is what it is, from the answer, the code and what ran.

Codes are stable and machine-readable; messages are for people. Run-time diagnoses come from
exit codes, signals, the sandbox's accounting and tracebacks, never from the source alone.
"""

from __future__ import annotations

import ast
import re
import shlex
import zlib
from collections import Counter
from collections.abc import Iterable

from showdown.extract import Extraction
from showdown.pyparse import ParseFailure, parse
from showdown.records import Diagnosis, ExecResult
from showdown.sandbox.python import script_args
from showdown.tampering import Evidence, tampering_message

__all__ = [
    "diagnose_answer",
    "diagnose_runs",
    "diagnose_tampering",
    "is_repetitive",
    "merge",
    "syntax_problem",
]

_MISSING = re.compile(r"ModuleNotFoundError: No module named '([\w.]+)'")
_EOF_INPUT = "EOFError: EOF when reading a line"
# What each sandbox limit (ExecResult.limit_hit) means, in words for the table.
_LIMITS = {
    "timeout": "used up its CPU-time limit",
    "memory_limit": "ran out of its memory budget",
    "file_size_limit": "wrote a file past the size limit",
    "disk_limit": "filled its work folder (total size or file count limit)",
    "process_limit": "could not start more processes (process limit)",
    "network_blocked": "tried to use the network, which the sandbox blocks",
    "fs_write_blocked": "tried to write outside its folder",
    "interactive": "waited for keyboard input (read stdin, where nobody types)",
}
_EOF_MARKERS = (
    "was never closed", "unexpected EOF", "unterminated triple-quoted", "expected an indented block",
)


def syntax_problem(code: str) -> tuple[str, bool] | None:
    """(message, ends_early) for code that does not compile; None when it compiles.

    ``ends_early`` is true when the error sits at the very end of the code: the mark of an
    answer cut off mid-statement rather than one written wrong. Code nested too deeply for
    Python's parser, or too long to parse, does not compile either (the message says so).
    """
    tree = parse(code)
    return None if isinstance(tree, ast.Module) else _problem(code, tree)


def _problem(code: str, failure: ParseFailure) -> tuple[str, bool]:
    if failure.kind != "syntax":
        return failure.message, False
    last_line = len(code.rstrip().splitlines())
    at_end = failure.lineno is not None and failure.lineno >= last_line - 1
    early = any(m in failure.msg for m in _EOF_MARKERS) or (at_end and _open_brackets(code))
    return failure.message, bool(early)


def _input_call_line(code: str, tree: ast.Module) -> int | None:
    if code.isascii() and "input" not in code:
        return None  # the common case, without walking the tree (NFKC names are not ASCII)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "input":
            return node.lineno
    return None


def _open_brackets(code: str) -> bool:
    """Whether more brackets open than close (counted, not matched: cut-off code is unmatched)."""
    return sum(map(code.count, "([{")) > sum(map(code.count, ")]}"))


def is_repetitive(text: str) -> bool:
    """Degenerate looping text: one line over and over, or a tail that repeats a short period."""
    lines = [ln for ln in (raw.strip() for raw in text.splitlines()) if len(ln) >= 8]
    if len(lines) >= 12:
        top = max(Counter(lines).values())
        if top >= 10 and top * 3 >= len(lines):
            return True
    # Source code compresses about 2.5-3.3x with zlib; a tail that compresses over 8x is
    # the same block written again and again (seen: SmolLM2 looping until its context filled).
    # (surrogatepass: a lone surrogate, which JSON can carry, must not stop the count.)
    tail = text[-6000:].encode("utf-8", "surrogatepass")
    return len(tail) >= 2000 and len(tail) / max(len(zlib.compress(tail, 9)), 1) > 8


def diagnose_answer(
    answer: str, extraction: Extraction, finish_reason: str | None
) -> list[Diagnosis]:
    """Diagnoses that the answer text alone supports (before anything runs)."""
    found: list[Diagnosis] = []
    if finish_reason == "length":
        found.append(Diagnosis("truncated", "the server stopped at the max-tokens limit"))
    if extraction.unterminated_fence:
        found.append(Diagnosis("truncated", "the answer ends inside an unterminated code fence"))
    if not extraction.code.strip():
        found.append(Diagnosis("no_code", "no Python code found in the answer"))
    elif isinstance(tree := parse(extraction.code), ParseFailure):
        message, early = _problem(extraction.code, tree)
        found.append(Diagnosis("syntax_error", message))
        if early:
            found.append(Diagnosis("truncated", f"the code stops mid-statement ({message})"))
    elif line := _input_call_line(extraction.code, tree):
        found.append(Diagnosis("interactive", f"calls input() on line {line}"))
    if is_repetitive(answer):
        found.append(Diagnosis("repetition", "the answer repeats itself (degenerate looping)"))
    return found


def diagnose_tampering(evidence: list[Evidence], consequence: str = "") -> list[Diagnosis]:
    """One ``tampering`` diagnosis listing the evidence (line numbers), or none without any."""
    if not evidence:
        return []
    return [Diagnosis("tampering", f"the answer games its judge: {tampering_message(evidence)}"
                      f"{consequence}")]


def diagnose_runs(runs: Iterable[ExecResult]) -> list[Diagnosis]:
    """Diagnoses from processes that ran: signals, limits hit and tracebacks."""
    found: list[Diagnosis] = []
    for run in runs:
        found += _diagnose_run(run)
    return found


def _diagnose_run(run: ExecResult) -> list[Diagnosis]:
    cmd = _shown_command(run.argv)
    if run.limit_hit and not run.timed_out:
        what = _LIMITS.get(run.limit_hit, f"hit the sandbox's {run.limit_hit}")
        return [Diagnosis(run.limit_hit, f"`{cmd}` {what}")]
    if run.timed_out:
        return [Diagnosis("timeout", f"`{cmd}` did not finish in time and was killed")]
    if _EOF_INPUT in run.stderr:
        return [Diagnosis("interactive", f"`{cmd}` waited for keyboard input (stdin was at its end)")]
    if missing := _MISSING.search(run.stderr):
        return [Diagnosis("missing_dependency", f"needs module '{missing.group(1)}'")]
    if "Traceback (most recent call last)" in run.stderr:
        last = [ln for ln in run.stderr.strip().splitlines() if ln.strip()][-1]
        return [Diagnosis("crashed", f"`{cmd}`: {last.strip()[:200]}")]
    return []


def _shown_command(argv: list[str]) -> str:
    """The command as a user would type it: the interpreter and its launcher left out."""
    return shlex.join(script_args(argv))


def merge(*groups: Iterable[Diagnosis]) -> list[Diagnosis]:
    """One diagnosis per code, first message kept, in order of first appearance."""
    seen: dict[str, Diagnosis] = {}
    for group in groups:
        for diagnosis in group:
            seen.setdefault(diagnosis.code, diagnosis)
    return list(seen.values())
