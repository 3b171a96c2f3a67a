"""``showdown run --cluster`` on a real three-node Ray cluster (a head, node-a and node-b) in a
private network namespace with only loopback (``raycluster.py``), the driver inside it too:
the real llama-server with the bundled model on each node, real bubblewrap judging, a real
SQLite or PostgreSQL store written by the driver only.

Two models pinned to different nodes land with the right node on each result; a node killed
mid-run loses only its in-flight generation and ``--resume`` after re-adding it finishes the
run; a Ctrl-C stops the turns (and their servers) and prints the resume line; a node no live
node offers is refused up front. Every connection seen stays on loopback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from raycluster import ENV, LocalCluster, cluster_problem

from showdown.store import Store

pytestmark = pytest.mark.integration

if (_problem := cluster_problem()) is not None:
    pytest.skip(f"no local Ray cluster here: {_problem}", allow_module_level=True)


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    made = LocalCluster(f"sdfleet{os.getpid()}")
    try:
        made.start_head()
        made.add_node("node-a")
        made.add_node("node-b")
        yield made
    finally:
        made.down()  # every process in the namespace, by id; then the namespace itself


def showdown_argv(cluster: LocalCluster, model: Path, db: Path | str, *extra: str) -> list[str]:
    return cluster.command([
        sys.executable, "-m", "showdown", "run", "--cluster", cluster.address,
        "-m", f"A=llamacpp:{model}", "-m", f"B=llamacpp:{model}",
        "--node", "A=node-a", "--node", "B=node-b", "--task", "humaneval",
        "--max-tokens", "24", "--db", str(db), *extra])


def run_showdown(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, env=ENV, cwd=cwd, timeout=500)


def assert_loopback_only(cluster: LocalCluster) -> None:
    peers = {p.removeprefix("[::ffff:").rstrip("]") for p in cluster.peers()}
    assert all(p.startswith("127.") or p in ("[::1", "::1") for p in peers), peers


def servers_in(cluster: LocalCluster) -> list[int]:
    found = []
    for pid in cluster.pids():
        try:
            if psutil.Process(pid).name() == "llama-server":
                found.append(pid)
        except psutil.Error:
            continue
    return found


def wait_for_result(db: Path, model: str, timeout_s: float = 300) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if db.exists() and any(r.model == model for r in Store(db).results()):
            return
        time.sleep(0.5)
    raise TimeoutError(f"no result of {model} in {db}")


def test_two_models_on_two_nodes_land_with_their_node(cluster: LocalCluster, tmp_path: Path,
                                                      store_target: str, bundled_model: Path,
                                                      llama_server_bin: Path) -> None:
    # Both stores: a SQLite file, and PostgreSQL reached from the namespace through its socket.
    db = store_target
    # Ray puts the driver's working folder on the workers' sys.path; a module there must not
    # shadow one a turn imports (httpx tries h2; without the fix this failed every turn).
    (tmp_path / "h2.py").write_text("raise SystemExit('imported from the driver folder')\n")
    done = run_showdown(showdown_argv(cluster, bundled_model, db, "--problems", "0,1"), tmp_path)
    assert done.returncode in (0, 1), done.stderr[-3000:]  # 1: a model's failed generation
    assert "Traceback" not in done.stderr
    results = Store(db).results()
    assert sorted((r.model, r.case) for r in results) == [
        ("A", "HumanEval/0"), ("A", "HumanEval/1"), ("B", "HumanEval/0"), ("B", "HumanEval/1")]
    for r in results:
        assert r.host["node"] == {"A": "node-a", "B": "node-b"}[r.model]
        assert r.host["ray_resources"] == [r.host["node"]]
        assert len(r.host["node_id"]) == 56 and r.host["cpu_model"]  # Ray's id, the fingerprint
        assert r.generation.error is None and r.verdict is not None  # generated, then judged
    assert len({r.host["node_id"] for r in results}) == 2
    (run,) = Store(db).runs()
    assert run.status == "finished" and run.options.nodes == ["node-a", "node-b"]
    assert not servers_in(cluster)  # each turn stopped its server on its node
    assert_loopback_only(cluster)


def test_a_node_lost_mid_run_then_resume(cluster: LocalCluster, tmp_path: Path,
                                         bundled_model: Path, llama_server_bin: Path) -> None:
    db = tmp_path / "s.db"
    cases = "0,1,2,3,4,5"
    driver = subprocess.Popen(showdown_argv(cluster, bundled_model, db, "--problems", cases),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=ENV, cwd=tmp_path)
    try:
        wait_for_result(db, "B")
        cluster.kill_node("node-b")
        _out, err = driver.communicate(timeout=400)
    finally:
        if driver.poll() is None:
            driver.kill()
    try:
        assert driver.returncode == 1, err[-3000:]
        lines = [line for line in err.splitlines() if line.startswith("error: ")]
        assert len(lines) == 1 and "the run did not finish: model B's turn on node-b" in lines[0]
        assert f"--cluster {cluster.address} --db {db}" in lines[0]
        assert "Traceback" not in err
        (run,) = Store(db).runs()
        assert run.status == "interrupted"
        before = Store(db).results()
        assert {r.model for r in before} == {"A", "B"}
        assert len([r for r in before if r.model == "B"]) < 6  # B's turn was cut short
    finally:
        cluster.add_node("node-b")  # the next test (and the resume) need it back
    resumed = run_showdown(cluster.command([
        sys.executable, "-m", "showdown", "run", "--resume", "--cluster", cluster.address,
        "--db", str(db)]), tmp_path)
    assert resumed.returncode in (0, 1), resumed.stderr[-3000:]
    after = Store(db).results()
    keys = [(r.model, r.case) for r in after]
    assert len(keys) == len(set(keys)) == 12  # everything once: nothing lost, nothing twice
    assert {(r.model, r.host["node"]) for r in after} == {("A", "node-a"), ("B", "node-b")}
    assert Store(db).runs()[0].status == "finished"
    assert not servers_in(cluster)
    assert_loopback_only(cluster)


def test_ctrl_c_cancels_the_turns_and_prints_the_resume_line(
        cluster: LocalCluster, tmp_path: Path, bundled_model: Path,
        llama_server_bin: Path) -> None:
    db = tmp_path / "s.db"
    driver = subprocess.Popen(showdown_argv(cluster, bundled_model, db, "--limit", "20"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=ENV, cwd=tmp_path)
    try:
        wait_for_result(db, "A")
        driver.send_signal(signal.SIGINT)
        _out, err = driver.communicate(timeout=120)
    finally:
        if driver.poll() is None:
            driver.kill()
    assert driver.returncode == 128 + signal.SIGINT, err[-3000:]
    assert "Traceback" not in err
    run_id = Store(db).runs()[0].run_id
    assert (f"finish with: showdown run --resume {run_id} --cluster {cluster.address} "
            f"--db {db}") in err
    assert Store(db).runs()[0].status == "interrupted"
    end = time.monotonic() + 30  # the cancelled turns stop their servers on their nodes
    while servers_in(cluster) and time.monotonic() < end:
        time.sleep(0.5)
    assert not servers_in(cluster)


def test_a_node_no_live_node_offers_is_refused_up_front(cluster: LocalCluster, tmp_path: Path,
                                                        bundled_model: Path) -> None:
    db = tmp_path / "s.db"
    done = run_showdown(showdown_argv(cluster, bundled_model, db, "--problems", "0",
                                      "--node", "B=gpu-box"), tmp_path)
    assert done.returncode == 2, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and "placed on node 'gpu-box', but no live node" in lines[0]
    assert not db.exists()


def test_a_placed_model_is_checked_on_its_node(cluster: LocalCluster, tmp_path: Path) -> None:
    """A placed model's file is that node's: its check runs there, and a mistake is still one
    line, exit 2, nothing stored."""
    db = tmp_path / "s.db"
    missing = tmp_path / "not-here.gguf"
    done = run_showdown(cluster.command([
        sys.executable, "-m", "showdown", "run", "--cluster", cluster.address,
        "-m", f"A=llamacpp:{missing}", "--node", "A=node-a", "--task", "humaneval",
        "--problems", "0", "--db", str(db)]), tmp_path)
    assert done.returncode == 2, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and lines[0].startswith("error: on node node-a: ")
    assert str(missing) in lines[0] and "Traceback" not in done.stderr
    assert not db.exists()
