"""What bubblewrap isolation costs: scoring a known-good answer under BwrapSandbox vs bare.

Scores examples/answers/clean.md against the todo-cli task (11 test commands, each a fresh
Python process) under ProcessSandbox (a plain subprocess) and BwrapSandbox, alternating
the two so drift hits both alike, and prints medians, the overhead per test run and the
ratio. A second figure times a bare ``python -S -c pass`` per sandbox, the floor of a run.

Run: PYTHONPATH=src python benchmarks/bench_sandbox.py [--runs 7]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from showdown.sandbox import BwrapSandbox, ProcessSandbox, Sandbox, bwrap_problem
from showdown.sandbox.base import scratch_dir
from showdown.tasks import Answer, find_task

__all__ = ["main"]

ANSWER = Path(__file__).resolve().parent.parent / "examples" / "answers" / "clean.md"


def _time(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _score_once(sandbox: Sandbox, answer: Answer) -> tuple[int, int]:
    verdict = find_task("todo-cli").judge(answer, sandbox)
    return verdict.score, sum(len(t.commands) for t in verdict.functional)


def _bare_python(sandbox: Sandbox, workdir: Path) -> None:
    sandbox.exec([sys.executable, "-S", "-c", "pass"], workdir=workdir)


def main() -> None:
    """Print per-judge and per-test-run medians for both sandboxes, the overhead and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per sandbox")
    args = parser.parse_args()
    if (problem := bwrap_problem()) is not None:
        sys.exit(f"bubblewrap unavailable: {problem}")
    answer = Answer(ANSWER.read_text(encoding="utf-8"))
    sandboxes: dict[str, Sandbox] = {"process": ProcessSandbox(), "bwrap": BwrapSandbox()}
    execs = 0
    for name, sandbox in sandboxes.items():  # warm-up, and the honest answer must score 100
        score, execs = _score_once(sandbox, answer)
        if score != 100:
            sys.exit(f"clean.md scored {score} under {name}; the benchmark needs a passing answer")
    judge: dict[str, list[float]] = {name: [] for name in sandboxes}
    bare: dict[str, list[float]] = {name: [] for name in sandboxes}
    with scratch_dir() as workdir:
        for _ in range(args.runs):
            for name, sandbox in sandboxes.items():
                judge[name].append(_time(functools.partial(_score_once, sandbox, answer)))
                for _ in range(3):
                    bare[name].append(_time(functools.partial(_bare_python, sandbox, workdir)))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} (1/5/15 min): a busy machine inflates both")
    _report("score clean.md (todo-cli)", judge, execs, args.runs)
    _report("python -S -c pass", bare, 1, args.runs * 3)


def _report(label: str, times: dict[str, list[float]], execs: int, runs: int) -> None:
    plain = statistics.median(times["process"])
    boxed = statistics.median(times["bwrap"])
    overhead_ms = (boxed - plain) / execs * 1000
    print(f"{label}: {runs} runs each, {execs} test run(s) per measurement")
    print(f"  process (plain subprocess): median {plain * 1000:8.1f} ms "
          f"({plain / execs * 1000:.1f} ms per test run)")
    print(f"  bwrap:                      median {boxed * 1000:8.1f} ms "
          f"({boxed / execs * 1000:.1f} ms per test run)")
    print(f"  isolation overhead: {overhead_ms:.1f} ms per test run; "
          f"ratio bwrap/process {boxed / plain:.2f}x (target: under 50 ms per test run)")


if __name__ == "__main__":
    main()
