"""A store shared by several hosts (PostgreSQL; the rule is the store's, shown here on SQLite):
a run marked running on another host, whose process this host cannot look at, is neither
resumed nor deleted from here unless asked (``--take-over``, ``--force``), and a plain
``--resume`` takes this host's own unfinished run first."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from click.testing import CliRunner

from showdown.cli import cli
from showdown.records import GenerationSettings, RunInfo
from showdown.run.continuation import continuation
from showdown.run.request import RunRequest
from showdown.store import Store

#: A model no server answers: a run that gets past the host check stops at the model check.
DEAD = "ollama:m@http://127.0.0.1:9"


def run_on(run_id: str, host: str, status: str = "running", started: str = "00") -> RunInfo:
    return RunInfo(run_id, f"2026-11-30T10:{started}:00+00:00", GenerationSettings(),
                   status=status, models=[DEAD], tasks=["todo-cli"], pid=os.getpid(),
                   host={"hostname": host})


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr


def test_a_run_running_on_another_host_is_left_alone_unless_asked(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    Store(db).save_run(run_on("r-other", "gpu-box"))
    code, err = invoke("run", "--db", str(db), "--resume", "r-other")
    assert code == 2 and "marked running on host gpu-box" in err and "--take-over" in err, err
    code, err = invoke("runs", "delete", "r-other", "--db", str(db))
    assert code == 2 and "marked running on host gpu-box" in err and "--force" in err, err
    assert [r.run_id for r in Store(db).runs()] == ["r-other"]
    # Asked: past the host check (then stopped by the dead model, not by the host).
    code, err = invoke("run", "--db", str(db), "--resume", "r-other", "--take-over")
    assert code == 2 and "marked running" not in err and "127.0.0.1:9" in err, err
    code, err = invoke("runs", "delete", "r-other", "--db", str(db), "--force")
    assert code == 0 and Store(db).runs() == [], err


def test_plain_resume_takes_this_hosts_run_before_a_newer_one_elsewhere(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    store.save_run(run_on("r-mine", platform.node(), status="interrupted", started="00"))
    store.save_run(run_on("r-other", "gpu-box", started="30"))
    run, _ = continuation(RunRequest(resume="last"), store)
    assert run is not None and run.run_id == "r-mine"


def test_take_over_without_resume_is_refused(tmp_path: Path) -> None:
    code, err = invoke("run", "--take-over", "--db", str(tmp_path / "s.db"), "-m", DEAD)
    assert code == 2 and "--take-over" in err and "--resume" in err, err
    assert not (tmp_path / "s.db").exists()
