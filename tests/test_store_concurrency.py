"""Two showdown processes writing one store at once: both runs complete, none interleaved."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from httpfake import fake_server
from test_interrupt_resume import slow_answer

from showdown.store import Store

ROOT = Path(__file__).resolve().parent.parent


def test_two_runs_on_one_store_at_once(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with fake_server({"POST /v1/chat/completions": slow_answer}) as server:
        procs = [
            subprocess.Popen([sys.executable, "-m", "showdown", "run", "--db", str(db), "--trials",
                              "3", "-m", f"{name}=openai-compat:{server.url}/v1#m"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
            for name in ("left", "right")
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
    store = Store(db)
    runs = store.runs()
    assert len(runs) == 2 and all(r.status == "finished" for r in runs)
    for run in runs:
        rows = store.results(run_ids=[run.run_id])
        assert len({r.model for r in rows}) == 1  # each run holds only its own model
        assert sorted(r.trial for r in rows) == [1, 2, 3]
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
