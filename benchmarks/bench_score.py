"""How long ``showdown score`` takes to judge one todo program, and where the time goes.

Judges an answer (default: examples/answers/clean.md with the todo-cli task) several times in
one process and prints the median total and each phase's median: extraction, answer
diagnoses, static checks, functional tests (each command a separate process), and the rest.
Process cost is compared with a bare interpreter spawn through the same sandbox, measured in
the same run, so the figures read as ratios on any machine.

    python benchmarks/bench_score.py [--runs 7] [--answer PATH] [--task todo-cli] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from showdown import diagnose as diagnose_module
from showdown.records import ExecResult
from showdown.sandbox import Limits, Sandbox, default_sandbox
from showdown.sandbox.base import scratch_dir
from showdown.tasks import Answer, Task, find_task
from showdown.tasks import program as program_module
from showdown.tasks.program import ProgramTask

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ANSWER = ROOT / "examples" / "answers" / "clean.md"
PHASES = ["extraction", "answer diagnoses", "static checks", "functional", "run diagnoses",
          "other"]


class TimedSandbox(Sandbox):
    """Wraps a sandbox to time each ``exec`` from the caller's side (spawn, wait, reap)."""

    def __init__(self, inner: Sandbox) -> None:
        self.inner = inner
        self.isolation = inner.isolation
        self.calls: list[tuple[float, ExecResult]] = []

    def exec(
        self,
        argv: Sequence[str],
        *,
        workdir: Path,
        limits: Limits = Limits(),  # noqa: B008 - same default as the contract
        stdin: bytes | None = None,
    ) -> ExecResult:
        started = time.perf_counter()
        result = self.inner.exec(argv, workdir=workdir, limits=limits, stdin=stdin)
        self.calls.append((time.perf_counter() - started, result))
        return result


class PhaseTimer:
    """Accumulates wall time per phase by wrapping the functions the judge calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, phase: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - started

        return timed


def instrument(timer: PhaseTimer) -> Callable[[], None]:
    """Patch the program task's phases with timers; returns the undo."""
    # The names the judge looks up at call time: the program module's globals, the diagnose
    # module's functions and the task's method.
    targets = [(program_module, "extract_code"), (program_module, "static_checks"),
               (diagnose_module, "diagnose_answer"), (diagnose_module, "diagnose_runs"),
               (ProgramTask, "_run_tests")]
    saved: list[tuple[Any, str, Any]] = [(o, n, getattr(o, n)) for o, n in targets]
    phases = ["extraction", "static checks", "answer diagnoses", "run diagnoses", "functional"]
    for (owner, name, func), phase in zip(saved, phases, strict=True):
        setattr(owner, name, timer.wrap(phase, func))

    def undo() -> None:
        for owner, name, func in saved:
            setattr(owner, name, func)

    return undo


def bare_spawn_s(sandbox: Sandbox, runs: int) -> list[float]:
    """Caller-side seconds for ``python -S -c pass`` through the sandbox: the floor per command."""
    times = []
    with scratch_dir() as workdir:
        for _ in range(runs):
            started = time.perf_counter()
            sandbox.exec([sys.executable, "-S", "-c", "pass"], workdir=workdir)
            times.append(time.perf_counter() - started)
    return times


def direct_spawn_s(runs: int) -> list[float]:
    """The same bare spawn with a blocking ``subprocess.run``: what the sandbox itself adds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-S", "-c", "pass"], check=True)
        times.append(time.perf_counter() - started)
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


@dataclass
class Figures:
    """What the timed judgings measured."""

    totals: list[float] = field(default_factory=list)
    phases: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    per_process: list[float] = field(default_factory=list)
    per_command: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    inside: list[float] = field(default_factory=list)
    scores: set[int] = field(default_factory=set)
    processes: int = 0


def judge_timed(task: Task, answer: Answer, sandbox: TimedSandbox, runs: int) -> Figures:
    """Judge ``runs`` times with every phase timed (after one uncounted warm-up)."""
    task.judge(answer, sandbox)  # warm-up: imports, page cache; not counted
    figures = Figures()
    for _ in range(runs):
        timer = PhaseTimer()
        undo = instrument(timer)
        sandbox.calls.clear()
        started = time.perf_counter()
        try:
            verdict = task.judge(answer, sandbox)
        finally:
            undo()
        total = time.perf_counter() - started
        figures.totals.append(total)
        figures.scores.add(verdict.score)
        named = dict(timer.seconds)
        named["other"] = total - sum(named.values())
        for phase, seconds in named.items():
            figures.phases[phase].append(seconds)
        figures.per_process += [wall for wall, _ in sandbox.calls]
        for wall, result in sandbox.calls:
            figures.per_command[_command_word(result.argv)].append(wall)
        figures.inside += [result.duration_s for _, result in sandbox.calls]
        figures.processes = len(sandbox.calls)
    return figures


def _command_word(argv: list[str]) -> str:
    """The subcommand a functional test ran: the argument after the program file."""
    for i, arg in enumerate(argv[:-1]):
        if arg.endswith(".py"):
            return argv[i + 1]
    return argv[-1]


def report(figures: Figures, bare: list[float], direct: list[float]) -> None:
    """Print the median total, each phase's share and process cost against a bare spawn."""
    median_total = statistics.median(figures.totals)
    print(f"score {sorted(figures.scores)}; {figures.processes} processes per judging")
    print(f"total per answer: median {ms(median_total)} "
          f"(min {ms(min(figures.totals))}, max {ms(max(figures.totals))})")
    print(f"\n{'phase':<20}{'median':>12}{'share':>9}")
    for phase in PHASES:
        median = statistics.median(figures.phases[phase])
        print(f"{phase:<20}{ms(median):>12}{100 * median / median_total:8.1f}%")
    proc, bare_median = statistics.median(figures.per_process), statistics.median(bare)
    print(f"\nper functional process (caller side): median {ms(proc)}, "
          f"min {ms(min(figures.per_process))}, max {ms(max(figures.per_process))}; "
          f"the sandbox's own clock: median {ms(statistics.median(figures.inside))}")
    print("  by command: " + ", ".join(
        f"{word} {ms(statistics.median(walls))} (x{len(walls) // len(figures.totals)})"
        for word, walls in sorted(figures.per_command.items())))
    print(f"bare `python -S -c pass` through the same sandbox: median {ms(bare_median)}; "
          f"with a plain blocking subprocess.run: median {ms(statistics.median(direct))}")
    print(f"ratio program process / bare spawn: {proc / bare_median:.2f}x; "
          f"{figures.processes} bare spawns would be "
          f"{100 * figures.processes * bare_median / median_total:.0f}% of the median total")


def profile(task: Task, answer: Answer, sandbox: Sandbox) -> None:
    """cProfile one judging and print its top entries by cumulative time."""
    profiler = cProfile.Profile()
    profiler.runcall(task.judge, answer, sandbox)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(15)
    print("\ncProfile, one judging, top entries by cumulative time:")
    print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description="Time showdown score on one answer.")
    parser.add_argument("--runs", type=int, default=7, help="judgings to take the median of")
    parser.add_argument("--answer", type=Path, default=DEFAULT_ANSWER)
    parser.add_argument("--task", default="todo-cli")
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top entries")
    args = parser.parse_args(argv)

    task = find_task(args.task)
    answer_path: Path = args.answer
    text = answer_path.read_text(encoding="utf-8")
    answer = Answer(text, is_code_file=answer_path.suffix == ".py")
    sandbox = TimedSandbox(default_sandbox())
    print(f"showdown score benchmark: {answer_path.name}, task {task.id}, {args.runs} runs, "
          f"isolation {sandbox.isolation}, Python {sys.version.split()[0]}")
    figures = judge_timed(task, answer, sandbox, args.runs)
    spawns = max(args.runs, 7) * 3
    report(figures, bare_spawn_s(sandbox, spawns), direct_spawn_s(spawns))
    if args.profile:
        profile(task, answer, sandbox)
    return 0


if __name__ == "__main__":
    sys.exit(main())
