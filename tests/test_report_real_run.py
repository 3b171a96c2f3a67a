"""A real ``showdown run`` on the bundled model, then ``showdown report`` on what it stored.

The report's figures must be the stored results' figures (median of the trials' tok/s, the
placement llama-server's provider recorded), and the run must leave its own HTML report.
"""

from __future__ import annotations

import csv
import io
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from browser import chromium_path, open_page

from showdown.store import Store

pytestmark = pytest.mark.integration


def showdown(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [
        str(Path(__file__).resolve().parent.parent / "src"), os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-m", "showdown", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)


def test_run_then_report(bundled_model: Path, llama_server_bin: Path, tmp_path: Path) -> None:
    db = tmp_path / "showdown.db"
    ran = showdown("run", "--db", str(db), "--round", "Round A", "--trials", "2",
                   "--max-tokens", "64")
    store = Store(db)
    (run,) = store.runs()
    results = store.results()
    store.close()
    own = tmp_path / "reports" / f"{run.run_id}.html"
    assert f"report: {own}" in ran.stderr, ran.stderr[-2000:]
    assert own.read_text(encoding="utf-8").startswith("<!doctype html>")

    made = showdown("report", "--db", str(db), "--round", "Round A", "-f", "csv")
    assert made.returncode == 0, made.stderr
    (row,) = csv.DictReader(io.StringIO(made.stdout))
    speeds = [r.generation.tokens_per_s for r in results if r.generation.tokens_per_s is not None]
    assert len(results) == 2 and row["samples"] == "2"
    assert float(row["tokens_per_s"]) == pytest.approx(statistics.median(speeds))
    assert float(row["tokens_per_s_min"]) == pytest.approx(min(speeds))
    # What llama-server's provider recorded ("cpu" here; "vram"/"partial" where a GPU took layers).
    assert row["placement"] == results[0].model_info["placement"] in ("cpu", "partial", "vram")
    assert int(row["size_bytes"]) == bundled_model.stat().st_size
    scores = [0 if r.verdict is None else r.verdict.score for r in results]
    assert float(row["score"]) == pytest.approx(statistics.fmean(scores))

    binary = chromium_path()
    if binary is None:
        pytest.skip("chromium not installed: the HTML of a real run was not opened")
    seen = open_page(binary, own, 'JSON.stringify(document.documentElement.dataset.chartsDrawn)')
    assert seen.errors == [] and int(seen.value) >= 2
