"""Report fixtures: Result records built in code, shaped like the seed's two rounds.

Figures follow the seed where it gives them (Round 2's tables, Round 1's cloud models and
Qwen's truncated 28); trials, placements and the failed generation are added so every path
of the report is exercised: three Gemma trials, a DeepSeek trial whose generation failed,
DeepSeek with no placement recorded, Kimi K2 partly offloaded, two cloud models.
"""

from __future__ import annotations

from typing import Any

from showdown.records import (
    CheckResult,
    Diagnosis,
    Generation,
    GenerationSettings,
    Result,
    RunInfo,
    TestRun,
    Verdict,
)

R1_SETTINGS = GenerationSettings(max_tokens=4096, ctx=8192)
R2_SETTINGS = GenerationSettings(max_tokens=16384, ctx=16384)

RUNS = [
    RunInfo("run-r1", "2026-03-01T10:00:00+00:00", R1_SETTINGS, round="Round 1", status="finished"),
    RunInfo("run-r2", "2026-04-01T10:00:00+00:00", R2_SETTINGS, round="Round 2", status="finished"),
]

GEMMA_CODE = '''"""A todo list on the command line."""
import argparse
import sqlite3


class Colors:
    """ANSI colours."""

    GREEN = "\\033[92m"


def connect(path: str) -> sqlite3.Connection:
    """Open the database."""
    try:
        return sqlite3.connect(path)
    except sqlite3.Error:
        raise


def add(db: sqlite3.Connection, title: str) -> int:
    """Add a task."""
    # insert and return the new id
    try:
        cur = db.execute("INSERT INTO t (title) VALUES (?)", (title,))
    finally:
        db.commit()
    return int(cur.lastrowid or 0)


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser()
    parser.parse_args()
'''

KIMI_CODE = '''import sqlite3
import sys


def add(title):
    with sqlite3.connect("todo.db") as db:
        db.execute("INSERT INTO t (title) VALUES (?)", (title,))


def done(task_id):
    with sqlite3.connect("todo.db") as db:
        db.execute("UPDATE t SET done = 1 WHERE id = ?", (task_id,))
    sys.exit(0)
'''

DEEPSEEK_CODE = '''import argparse
from colorama import Fore
import sqlite3


def main():
    # parse and dispatch
    args = argparse.ArgumentParser().parse_args()
    print(Fore.GREEN + "ok")
'''

SHORT_CODE = '''import sys


def main():
    print(sys.argv)
'''


def verdict(score: int, features: tuple[int, int] = (10, 10), functional: tuple[int, int] = (7, 7),
            code: str = SHORT_CODE, diagnoses: tuple[tuple[str, str], ...] = (),
            syntax_ok: bool = True) -> Verdict:
    """A judged answer with the given counts (the first ``passed`` checks pass)."""
    return Verdict(
        task="todo-cli", syntax_ok=syntax_ok,
        features=[CheckResult(f"f{i}", i < features[0]) for i in range(features[1])],
        functional=[TestRun(f"t{i}", i < functional[0]) for i in range(functional[1])],
        score=score, diagnoses=[Diagnosis(c, m) for c, m in diagnoses], code=code,
        code_lines=len([ln for ln in code.splitlines() if ln.strip()]),
    )


def result(run: RunInfo, model: str, *, trial: int = 1, ttft: float | None = 1.0,
           total: float | None = 10.0, tokens: int | None = 700, tps: float | None = 70.0,
           load: float | None = None, judged: Verdict | None = None, placement: str | None = None,
           size_gb: float | None = None, error: str | None = None,
           telemetry: dict[str, Any] | None = None) -> Result:
    """One measured result; ``placement``/``size_gb`` land where providers record them."""
    info: dict[str, Any] = {}
    if placement is not None:
        info["placement"] = placement
    if size_gb is not None:
        info["size_bytes"] = int(size_gb * 1e9)
    gen = Generation(text="...", ttft_s=ttft, total_s=total, output_tokens=tokens,
                     tokens_per_s=tps, load_s=load, error=error,
                     finish_reason=None if error else "stop")
    minute = {"run-r1": 0, "run-r2": 30}[run.run_id] + trial
    return Result(run_id=run.run_id, model=model, spec=f"ollama:{model.lower()}", task="todo-cli",
                  trial=trial, settings=run.settings, generation=gen, verdict=judged,
                  started_at=f"{run.started_at[:14]}{minute:02d}:00+00:00", model_info=info,
                  telemetry=telemetry or {})


def two_rounds() -> list[Result]:
    """Round 1 (four models) and Round 2 (six models, Gemma three trials, DeepSeek two)."""
    r1, r2 = RUNS
    truncated = (("truncated", "output hit the token limit mid-statement"),)
    return [
        result(r1, "Qwen 3.5 MoE 35B", ttft=20.0, total=22.71, tokens=4096, tps=1510.0,
               placement="vram", size_gb=23, judged=verdict(28, (3, 10), (0, 7),
                                                            syntax_ok=False, diagnoses=truncated)),
        result(r1, "Codestral 22B", tps=80.0, placement="vram", size_gb=12,
               judged=verdict(60, (8, 10), (2, 7))),
        result(r1, "Sonnet 4.6", ttft=0.9, total=8.0, tps=104.2, placement="cloud",
               judged=verdict(100)),
        result(r1, "Opus 4.6", ttft=1.2, total=11.0, tps=74.3, placement="cloud",
               judged=verdict(100)),
        result(r2, "Codestral 22B", ttft=1.75, total=10.01, tokens=826, tps=82.5, load=3.0,
               placement="vram", size_gb=12, judged=verdict(94, (9, 10), (7, 7))),
        result(r2, "Devstral 24B", ttft=2.11, total=9.97, tokens=703, tps=70.5, load=4.0,
               placement="vram", size_gb=14, judged=verdict(100)),
        *[result(r2, "Gemma 4 27B", trial=i + 1, ttft=t, total=tot, tokens=1966, tps=s,
                 load=5.0, placement="vram", size_gb=9.6, judged=verdict(100, code=GEMMA_CODE),
                 telemetry={"peak_vram_bytes": 20_000_000_000, "joules_per_token": 2.5})
          for i, (t, tot, s) in enumerate([(3.92, 11.77, 167.1), (3.5, 11.0, 170.0),
                                           (4.4, 13.1, 160.0)])],
        result(r2, "DeepSeek R1 14B", ttft=7.21, total=12.44, tokens=1451, tps=116.7,
               judged=verdict(100, code=DEEPSEEK_CODE)),
        result(r2, "DeepSeek R1 14B", trial=2, ttft=None, total=None, tokens=None, tps=None,
               error="connection reset by peer"),
        result(r2, "Qwen 3.5 MoE 35B", ttft=27.0, total=35.23, tokens=5020, tps=142.5,
               placement="vram", size_gb=23, judged=verdict(100)),
        result(r2, "Kimi K2 1T", ttft=68.9, total=1140.94, tokens=686, tps=0.6, load=375.0,
               placement="partial", size_gb=579, judged=verdict(94, (10, 10), (6, 7),
                                                               code=KIMI_CODE)),
    ]
