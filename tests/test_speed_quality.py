"""The "best configuration" rule: fastest at the deepest depth, unless its code score dropped.

Pure: hand-built speed rows and scores in, the verdict out; then once through the CLI with a
real SQLite store holding speed rows and judged ``run --set`` results.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from showdown.records import Generation, GenerationSettings, Result, RunInfo, Verdict
from showdown.speed.chart import to_html
from showdown.speed.quality import Scored, check_quality, reference_of
from showdown.speed.records import SpeedRow, SpeedSample
from showdown.speed.report import best_configs, rows_json, to_csv
from showdown.speed.storage import save_row
from showdown.store import Store


def _row(config: dict[str, str], tg: float, depth: int = 1024,
         spec: str = "llamacpp:x.gguf") -> SpeedRow:
    return SpeedRow("s1", "2026-01-01T00:00:00+00:00", "smol", spec, config, depth, 16,
                    [SpeedSample(depth, 100.0, 16, tg, 0.5)], {"ctx": 2048})


def _scores(*values: float, task: str = "todo-cli", max_tokens: int = 512) -> list[Scored]:
    return [Scored(task, "", max_tokens, 0.0, v) for v in values]


def test_a_faster_configuration_that_scored_lower_is_passed_over() -> None:
    rows = [_row({"threads": "1"}, 30.0), _row({"threads": "2"}, 50.0)]
    scores = {"smol": _scores(60), "smol [threads=1]": _scores(60), "smol [threads=2]": _scores(40)}
    best = best_configs(rows, scores)["smol"]
    assert best.row is rows[0]
    assert best.quality is not None and best.quality.status == "kept"
    assert [(r.config, q.status) for r, q in best.passed_over] == [({"threads": "2"}, "dropped")]
    lines = best.lines()
    assert "scored 60 vs 60 at default" in lines[0]
    assert "threads=2 is faster (50.0 t/s) but scored 40 vs 60 at default: not eligible" in lines[1]


def test_the_fastest_is_best_when_its_score_held_or_was_not_measured() -> None:
    rows = [_row({"threads": "1"}, 30.0), _row({"threads": "2"}, 50.0)]
    held = best_configs(rows, {"smol": _scores(60), "smol [threads=2]": _scores(70)})["smol"]
    assert held.row is rows[1] and held.quality is not None and held.quality.status == "kept"
    unknown = best_configs(rows, {"smol": _scores(60)})["smol"]
    assert unknown.row is rows[1] and unknown.quality is not None
    assert unknown.quality.status == "not_measured" and not unknown.passed_over
    assert "quality not measured" in unknown.lines()[0]


def test_within_the_trials_noise_is_no_drop() -> None:
    # Three trials each: 40, 80, 60 (mean 60) against 70, 50, 80 (mean 66.7): the 95%
    # intervals overlap, so the lower mean is not a drop, and the report says why.
    check = check_quality("smol", {"threads": "2"}, {},
                          {"smol": _scores(70, 50, 80), "smol [threads=2]": _scores(40, 80, 60)})
    assert check.status == "within_noise" and check.eligible
    assert "within the trials' noise" in check.text()
    # Clearly apart: a drop even with several trials.
    apart = check_quality("smol", {"threads": "2"}, {},
                          {"smol": _scores(94, 100, 94), "smol [threads=2]": _scores(0, 6, 0)})
    assert apart.status == "dropped" and not apart.eligible


def test_only_the_same_work_is_compared() -> None:
    # The default ran humaneval too (and scored low there): only todo-cli is compared.
    scores = {"smol": _scores(60) + _scores(10, task="humaneval"),
              "smol [threads=2]": _scores(60)}
    check = check_quality("smol", {"threads": "2"}, {}, scores)
    assert (check.status, check.score, check.reference_score) == ("kept", 60, 60)
    # Different max tokens is different work: nothing in common, said so.
    other = check_quality("smol", {"threads": "2"}, {},
                          {"smol": _scores(60), "smol [threads=2]": _scores(10, max_tokens=64)})
    assert other.status == "no_common" and other.eligible
    assert "not comparable" in other.text()


def test_without_a_judged_default_the_best_scoring_configuration_is_the_reference() -> None:
    configs = [{"threads": "1"}, {"threads": "2"}, {"threads": "4"}]
    scores = {"smol [threads=1]": _scores(40), "smol [threads=2]": _scores(80)}
    assert reference_of("smol", configs, scores) == {"threads": "2"}
    assert reference_of("smol", configs, {}) is None
    rows = [_row({"threads": "1"}, 90.0), _row({"threads": "2"}, 50.0)]
    best = best_configs(rows, scores)["smol"]
    assert best.row is rows[1] and best.quality is not None
    assert best.quality.status == "reference"
    assert "threads=1 is faster (90.0 t/s) but scored 40 vs 80 at threads=2" in best.lines()[1]


def test_a_context_is_matched_to_run_results_of_that_context_only() -> None:
    # run --set ctx=1024 stores "smol [ctx=1024 threads=2]": a plain threads=2 run is not it.
    rows = [_row({"ctx": "1024", "threads": "2"}, 50.0), _row({"ctx": "1024"}, 30.0)]
    scores = {"smol": _scores(60), "smol [threads=2]": _scores(20),
              "smol [ctx=1024 threads=2]": _scores(60), "smol [ctx=1024]": _scores(60)}
    best = best_configs(rows, scores)["smol"]
    assert best.row is rows[0] and best.quality is not None
    assert best.quality.status == "kept" and not best.passed_over


def test_every_configuration_dropped_means_no_best_and_every_format_says_so() -> None:
    rows = [_row({"threads": "2"}, 50.0), _row({"threads": "4"}, 40.0)]
    scores = {"smol": _scores(60), "smol [threads=2]": _scores(10), "smol [threads=4]": _scores(0)}
    best = best_configs(rows, scores)
    assert best["smol"].row is None and len(best["smol"].passed_over) == 2
    assert "no configuration keeps the score" in best["smol"].lines()[0]
    assert not any(r["best"] for r in rows_json(rows, best))
    assert "no configuration keeps the score" in to_html(rows, best)
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows, best))))
    assert [p["best"] for p in parsed] == ["0", "0"]
    assert parsed[0]["quality"] == "scored 10 vs 60 at default"


def _result(model: str, score: int, error: str | None = None) -> Result:
    settings = GenerationSettings(max_tokens=512, ctx=2048)
    return Result("run-1", model, "llamacpp:x.gguf", "todo-cli", 1, settings,
                  Generation(text="x", error=error),
                  None if error else Verdict("todo-cli", True, score=score),
                  "2026-01-01T00:00:00+00:00")


def _show(db: Path, fmt: str) -> str:
    out = subprocess.run([sys.executable, "-m", "showdown", "speed", "--show", "--db", str(db),
                          "--format", fmt], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout + out.stderr  # the terminal's notes go to stderr


def test_speed_show_weighs_stored_run_results_in_every_format(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    store = Store(db)
    store.save_run(RunInfo("run-1", "2026-01-01T00:00:00+00:00", GenerationSettings(512, 2048),
                           models=["smol", "smol [threads=2]"], tasks=["todo-cli"]))
    # threads=4's only result is a failed generation: no score, so not measured.
    store.save_results([_result("smol", 60), _result("smol [threads=2]", 40),
                        _result("smol [threads=4]", 0, error="HTTP 500")])
    for row in (_row({}, 30.0), _row({"threads": "2"}, 50.0), _row({"threads": "4"}, 45.0)):
        save_row(store, row)
    out = subprocess.run([sys.executable, "-m", "showdown", "speed", "--show", "--db", str(db),
                          "--json"], capture_output=True, text=True, timeout=120)
    rows = json.loads(out.stdout)
    chosen = [r for r in rows if r["best"]]
    assert [r["configuration"] for r in chosen] == [{"threads": "4"}]
    assert chosen[0]["quality"]["status"] == "not_measured"
    dropped = next(r for r in rows if r["configuration"] == {"threads": "2"})["quality"]
    assert (dropped["status"], dropped["score"], dropped["reference_score"]) == ("dropped", 40, 60)
    said = "threads=2 is faster (50.0 t/s) but scored 40 vs 60 at default: not eligible"
    assert said in _show(db, "md") and said in _show(db, "html")
    terminal = _show(db, "terminal")
    assert "threads=4 writes fastest" in terminal and "quality not measured" in terminal
    assert "scored 40 vs 60 at default" in terminal
    table = _show(db, "csv").splitlines()
    by_config = {r["configuration"]: r for r in csv.DictReader(table)}
    assert by_config["threads=4"]["best"] == "1" and by_config["threads=2"]["quality_score"] == "40.0"
