"""``showdown run`` argument handling that needs no model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from showdown.records import GenerationSettings, RunInfo
from showdown.store import Store

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "showdown", "run", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})


def test_resume_refuses_other_settings(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    Store(db).save_run(RunInfo("r1", "2026-11-26T00:00:00+00:00", GenerationSettings(),
                               status="interrupted", models=["x=openai-compat:http://h/v1#m"],
                               tasks=["todo-cli"]))
    proc = run_cli("--db", str(db), "--resume", "--max-tokens", "10")
    assert proc.returncode == 2
    assert "drop --max-tokens" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_resume_with_nothing_to_resume_is_one_clear_line(tmp_path: Path) -> None:
    proc = run_cli("--db", str(tmp_path / "s.db"), "--resume")
    assert proc.returncode == 2
    assert "no unfinished run" in proc.stderr


def test_unknown_provider_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = run_cli("--db", str(tmp_path / "s.db"), "--model", "nosuch:thing")
    assert proc.returncode == 2
    assert "unknown provider 'nosuch'" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_unwritable_store_fails_before_any_model_runs(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run_cli("--db", str(blocker / "s.db"), "--model", "m=openai-compat:http://127.0.0.1:9/v1#m")
    assert proc.returncode == 2
    assert "cannot open the store" in proc.stderr


def test_a_missing_model_file_is_refused_before_anything_is_saved(tmp_path: Path) -> None:
    # Issue #15: once a failed "finished" run with exit 1; now a mistake caught up front.
    db = tmp_path / "s.db"
    proc = run_cli("--db", str(db), "--json", "-m", "gone=llamacpp:/nonexistent/model.gguf")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "no such model file /nonexistent/model.gguf" in proc.stderr
    assert Store(db).runs() == []


def test_two_models_with_one_name_are_refused_before_anything_runs(tmp_path: Path) -> None:
    proc = run_cli("--db", str(tmp_path / "s.db"), "-m", "llamacpp:/a/m.gguf",
                   "-m", "llamacpp:/b/m.gguf")
    assert proc.returncode == 2
    assert "two models are named 'm'" in proc.stderr
    assert not (tmp_path / "s.db").exists() or not Store(tmp_path / "s.db").runs()


def test_an_unknown_problem_is_refused_before_anything_runs(tmp_path: Path) -> None:
    proc = run_cli("--db", str(tmp_path / "s.db"), "--task", "humaneval", "--problems", "9999",
                   "-m", "x=openai-compat:http://127.0.0.1:9/v1#m")
    assert proc.returncode == 2, proc.stderr
    assert "9999" in proc.stderr and "Traceback" not in proc.stderr
