"""How long ``showdown report`` takes on stores of 1k, 10k and 100k results, and its peak memory.

Builds synthetic stores of realistic results (answers with a code block, extracted code that
differs per result, ten checks, seven tests with their commands and output, telemetry, two
rounds of six models on five tasks, HumanEval-style cases) through the real ``Store`` API in
one transaction, then runs ``showdown report --format F`` in a child process per format and
size: wall seconds (the child's whole life, interpreter start included, as a user sees it),
its CPU seconds (what it takes on an idle core; on a shared machine the wall time is longer)
and its peak resident memory (``ru_maxrss`` from ``wait4``). It prints the growth ratio per
10x: ~10 is linear, ~100 quadratic.

    python benchmarks/bench_report.py [--sizes 1000,10000,100000] [--formats terminal,md,...]
                                      [--dir /tmp/showdown-bench-report] [--timeout 600]
                                      [--code OTHER_CHECKOUT/src]

Stores are kept in ``--dir`` and reused when they already hold the asked size.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from showdown.codestyle import style_metrics
from showdown.records import (
    CheckResult,
    Diagnosis,
    ExecResult,
    Generation,
    GenerationSettings,
    Result,
    RunInfo,
    StyleMetrics,
    TestRun,
    Verdict,
)
from showdown.store import Store

__all__ = ["main"]

FORMATS = ("terminal", "md", "html", "json", "csv")
MODELS = ("Qwen 3.5 MoE 35B", "Codestral 22B", "Devstral 24B", "Gemma 4 27B", "DeepSeek R1 14B",
          "Kimi K2 1T")
TASKS = ("todo-cli", "humaneval", "repo-fix", "lru-cache", "csv-report")
PLACES = ("vram", "partial", "cpu", "cloud")
SETTINGS = GenerationSettings()

CODE = '''"""A small program, variant {n}."""
import argparse
import itertools
import sqlite3
{extra}

class Store{n}:
    """Keeps rows."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path)

    def add(self, title: str) -> int:
        # insert and return the id
        with self.db:
            cur = self.db.execute("INSERT INTO t (title) VALUES (?)", (title,))
        return int(cur.lastrowid or 0)


def helper_{n}(values, k={k}):
    total = 0
    for v in values[:k]:
        try:
            total += int(v)
        except ValueError:
            pass
    return total


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default={k})
    print(helper_{n}(range(parser.parse_args().n)))
'''


EXTRAS = ("", "import json", "import requests", "from typing import Any")


def _code(rng: random.Random, n: int) -> tuple[str, StyleMetrics | None]:
    """A variant of CODE and its style counts (the same for every variant of one ``extra``,
    so worked out once per ``extra``: the builder stays fast)."""
    extra = rng.choice(EXTRAS)
    code = CODE.format(n=n, k=rng.randint(1, 99), extra=extra)
    if extra not in _STYLES:
        _STYLES[extra] = style_metrics(code)
    return code, _STYLES[extra]


_STYLES: dict[str, StyleMetrics | None] = {}


def _exec(rng: random.Random, name: str) -> ExecResult:
    ok = rng.random() < 0.8
    return ExecResult(argv=["python3", "-I", "main.py", name], exit_code=0 if ok else 1,
                      stdout=f"ran {name}: " + "ok\n" * rng.randint(1, 20),
                      stderr="" if ok else "Traceback (most recent call last):\n  ...\nValueError\n",
                      duration_s=rng.uniform(0.02, 0.4), isolation="bubblewrap",
                      limits={"memory_mb": 512, "cgroup": "v2", "seccomp": "on"})


def _verdict(rng: random.Random, task: str, n: int) -> Verdict:
    code, style = _code(rng, n)
    tests = [TestRun(f"t{i}", (ok := rng.random() < 0.8), "" if ok else "wrong output",
                     [_exec(rng, f"t{i}")]) for i in range(7)]
    checks = [CheckResult(f"check {i}", rng.random() < 0.85, "found" if i % 2 else "") for i in range(10)]
    passed = sum(t.passed for t in tests) + sum(c.passed for c in checks)
    diags = [Diagnosis("truncated", "output hit the token limit")] if rng.random() < 0.05 else []
    return Verdict(task=task, syntax_ok=rng.random() < 0.97, features=checks, functional=tests,
                   score=round(100 * passed / 17), diagnoses=diags, code=code,
                   code_lines=sum(1 for ln in code.splitlines() if ln.strip()),
                   isolation="bubblewrap", style=style)  # as the runner stores them


def _result(rng: random.Random, i: int, run: RunInfo, model: str, task: str, case: str,
            trial: int) -> Result:
    failed = rng.random() < 0.01
    tokens = rng.randint(300, 3000)
    total = rng.uniform(2.0, 60.0)
    code, _ = _code(rng, i)
    text = f"Here is the program.\n\n```python\n{code}```\n\nIt keeps rows in SQLite."
    gen = Generation(text="" if failed else text, reasoning="thinking... " * rng.randint(0, 40),
                     ttft_s=rng.uniform(0.05, 5.0), total_s=total, output_tokens=tokens,
                     prompt_tokens=rng.randint(100, 900), tokens_per_s=tokens / total,
                     finish_reason="stop", server_tokens_per_s=tokens / total * 1.05,
                     server_timings={"prompt_ms": 12.5, "predicted_ms": total * 1000,
                                     "prompt_per_second": 900.0},
                     load_s=rng.uniform(1, 9) if trial == 1 else None,
                     error="connection reset by peer" if failed else None)
    place = PLACES[MODELS.index(model) % len(PLACES)]
    return Result(run_id=run.run_id, model=model, spec=f"llamacpp:{model.lower()}.gguf",
                  task=task, trial=trial, settings=SETTINGS, generation=gen,
                  verdict=None if failed else _verdict(rng, task, i),
                  started_at=f"{run.started_at[:11]}{i // 3600 % 24:02d}:{i // 60 % 60:02d}:"
                             f"{i % 60:02d}+00:00",
                  model_info={"placement": place, "size_bytes": 10_000_000_000 + MODELS.index(model),
                              "server": "llama-server", "server_version": "b4500", "ctx": 16384},
                  host={"cpu": "AMD EPYC", "cores": 2, "ram_bytes": 24_000_000_000,
                        "showdown": "0.1.0", "busy": {"load1": 0.3, "others": []}},
                  case=case,
                  telemetry={"peak_vram_bytes": 9_000_000_000, "joules_per_token": 0.8,
                             "proc_rss_peak_bytes": 2_000_000_000, "samples": 40})


def synthetic(n: int, seed: int = 1) -> Iterator[Result | RunInfo]:
    """``n`` results over two rounds (two runs each), six models and five tasks; runs first."""
    rng = random.Random(seed)
    runs = [RunInfo(f"run-{k}", f"2026-0{k + 1}-01T10:00:00+00:00", SETTINGS,
                    round=f"Round {k // 2 + 1}", status="finished", models=list(MODELS),
                    tasks=list(TASKS), trials=3) for k in range(4)]
    yield from runs
    cells = [(run, model, task) for run in runs for model in MODELS for task in TASKS]
    per_cell = -(-n // len(cells))
    made = 0
    for run, model, task in cells:
        for j in range(per_cell):
            if made == n:
                return
            case = f"HumanEval/{j // 3}" if task == "humaneval" else task
            trial = j % 3 + 1 if task == "humaneval" else j + 1
            yield _result(rng, made, run, model, task, case, trial)
            made += 1


def build_store(path: Path, n: int) -> float:
    """Write ``n`` synthetic results to a new store at ``path`` in one transaction; seconds."""
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    store = Store(path)
    records = list(synthetic(0))  # the runs
    for run in records:
        assert isinstance(run, RunInfo)
        store.save_run(run)
    store.save_results(r for r in synthetic(n) if isinstance(r, Result))
    store.close()
    return time.perf_counter() - started


def held(path: Path) -> int:
    """How many results a store holds (0 when there is none)."""
    if not path.is_file():
        return 0
    store = Store(path)
    try:
        return sum(n for n, _ in store.counts().values())
    finally:
        store.close()


def time_report(db: Path, fmt: str, timeout: float,
                code: Path | None = None) -> tuple[float | None, float, int]:
    """Wall seconds, CPU seconds (user + system: what it would take on an idle core) and peak
    RSS (bytes) of one ``showdown report`` child; None wall seconds if it was stopped."""
    argv = [sys.executable, "-m", "showdown", "report", "--db", str(db), "--format", fmt]
    env = dict(os.environ)
    if code is not None:  # time another checkout's report code on the same store
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(code), env.get("PYTHONPATH")) if p)
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            child.kill()
            _, status, usage = os.wait4(child.pid, 0)
            return None, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"report --format {fmt} failed: {child.stderr.read().decode()[-2000:]}"
                         if child.stderr else f"report --format {fmt} failed")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def _fmt_s(seconds: float | None, timeout: float) -> str:
    return f">{timeout:.0f}" if seconds is None else f"{seconds:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--dir", type=Path, default=Path("/tmp/showdown-bench-report"))
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds before a report child is stopped (shown as >T)")
    parser.add_argument("--code", type=Path, help="a src folder to run the reports from (e.g. "
                        "a copy of the code before a change); default: the installed showdown")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = [f for f in args.formats.split(",") if f]
    args.dir.mkdir(parents=True, exist_ok=True)
    times: dict[tuple[int, str], float | None] = {}
    print(f"# load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'results':>8} {'format':>8} {'seconds':>9} {'cpu s':>8} {'peak MB':>8}")
    for n in sizes:
        db = args.dir / f"store-{n}.db"
        if held(db) != n:
            built = build_store(db, n)
            print(f"# built {n} results in {built:.1f} s ({db.stat().st_size / 1e6:.0f} MB)",
                  flush=True)
        for fmt in formats:
            seconds, cpu, rss = time_report(db, fmt, args.timeout, args.code)
            times[(n, fmt)] = seconds
            print(f"{n:>8} {fmt:>8} {_fmt_s(seconds, args.timeout):>9} {cpu:>8.2f} "
                  f"{rss / 1e6:>8.0f}", flush=True)
    print("\ngrowth per 10x results (10 = linear, 100 = quadratic):")
    for fmt in formats:
        ratios = []
        for small, big in itertools.pairwise(sizes):
            a, b = times.get((small, fmt)), times.get((big, fmt))
            if a and b and big == 10 * small:
                ratios.append(f"{small}->{big}: {b / a:.1f}x")
        print(f"  {fmt:>8}  {', '.join(ratios) or 'n/a'}")


if __name__ == "__main__":
    main()
