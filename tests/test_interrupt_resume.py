"""A run interrupted with SIGINT at random points, resumed each time, ends exactly complete.

The models are served by a local OpenAI-compatible server (tests/httpfake.py) that streams a
known-good answer slowly, so interruptions land while streaming, judging and storing.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from httpfake import Reply, Sleep, fake_server, sse, sse_done

from showdown.store import Store

ROOT = Path(__file__).resolve().parent.parent
CLEAN = (ROOT / "examples" / "answers" / "clean.md").read_text()
MODELS = ("alpha", "beta")
TRIALS = 3
INTERRUPTIONS = 6


def slow_answer(path: str, body: dict[str, Any]) -> Reply:
    steps: list[Any] = []
    for i in range(0, len(CLEAN), 150):
        steps += [sse({"choices": [{"delta": {"content": CLEAN[i:i + 150]}}]}), Sleep(0.02)]
    steps += [sse({"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 300}}),
              sse_done()]
    return Reply(steps=steps)


def live_processes_under(folder: Path) -> list[int]:
    """Processes whose working directory is inside ``folder`` (the sandboxes' scratch dirs)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cwd = os.readlink(entry / "cwd")
            except OSError:
                continue
            if cwd.startswith(str(folder)):
                found.append(int(entry.name))
    return found


def wait_for_run_row(db: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists() and any(r.status == "running" for r in Store(db).runs()):
            return
        time.sleep(0.05)


def start(url: str, db: Path, scratch: Path, resume: bool,
          judging: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    args = ["--resume"] if resume else [
        arg for name in MODELS for arg in ("-m", f"{name}=openai-compat:{url}/v1#m")
    ] + ["--trials", str(TRIALS)]
    args += judging
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TMPDIR": str(scratch)}
    return subprocess.Popen([sys.executable, "-m", "showdown", "run", "--db", str(db), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)


# Judged inline (the default for a local model), and on a worker while the next answer
# streams: an interruption may then land with an answer queued or being judged.
@pytest.mark.parametrize("judging", [(), ("--judge-concurrency", "1")], ids=["inline", "pipelined"])
def test_interrupted_run_resumes_to_exactly_the_full_set(tmp_path: Path,
                                                         judging: tuple[str, ...]) -> None:
    db, scratch = tmp_path / "s.db", tmp_path / "scratch"
    scratch.mkdir()
    rng = random.Random(20261126)
    codes: list[int] = []
    with fake_server({"POST /v1/chat/completions": slow_answer}) as server:
        for attempt in range(INTERRUPTIONS):
            proc = start(server.url, db, scratch, resume=attempt > 0, judging=judging)
            wait_for_run_row(db, proc)  # a signal during Python's start-up is another story
            time.sleep(rng.uniform(0.0, 2.5))
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=120)
            codes.append(proc.returncode)
            assert proc.returncode in (0, 130), err
            if proc.returncode == 0:
                break
        while codes[-1] != 0:  # finish whatever is left, uninterrupted
            proc = start(server.url, db, scratch, resume=True, judging=judging)
            _, err = proc.communicate(timeout=300)
            codes.append(proc.returncode)
            assert proc.returncode == 0, err
    results = Store(db).results()
    keys = [(r.model, r.task, r.case, r.trial) for r in results]
    expected = {(m, "todo-cli", "todo-cli", n) for m in MODELS for n in range(1, TRIALS + 1)}
    assert len(keys) == len(set(keys)) == len(expected)
    assert set(keys) == expected
    assert all(r.verdict is not None and r.verdict.score == 100 for r in results)
    assert len({r.run_id for r in results}) == 1  # one run, resumed, never a second one
    assert codes.count(130) >= 1
    assert live_processes_under(scratch) == []
    assert list(scratch.iterdir()) == []  # every sandbox folder was removed
