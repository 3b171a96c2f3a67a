"""``showdown report`` and the selection behind it, on a real SQLite store filled with fixtures."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from reportdata import RUNS, two_rounds

from showdown.cli import cli
from showdown.report.select import SelectionError, select_results
from showdown.store import Store


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "showdown.db"
    store = Store(path)
    for run in RUNS:
        store.save_run(run)
    for result in two_rounds():
        store.save_result(result)
    store.close()
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    outcome = CliRunner().invoke(cli, list(args))
    return outcome.exit_code, outcome.stdout, outcome.stderr


def test_markdown_of_one_round(db: Path) -> None:
    code, out, _ = invoke("report", "--db", str(db), "--round", "Round 2", "-f", "md")
    assert code == 0
    assert out.startswith("# Model showdown: Round 2\n")
    assert "| Gemma 4 27B | 3 | 3.92s (3.50s–4.40s) |" in out
    assert "Sonnet 4.6" not in out and "Between rounds" not in out


def test_two_rounds_make_one_leaderboard(db: Path) -> None:
    code, out, _ = invoke("report", "--db", str(db), "--round", "Round 1", "--round", "Round 2",
                          "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert [(r["model"], r["round"]) for r in data["leaderboard"][:3]] == [
        ("Gemma 4 27B", "Round 2"), ("Qwen 3.5 MoE 35B", "Round 2"), ("DeepSeek R1 14B", "Round 2")]
    assert {c["model"] for c in data["changes"]} == {"Codestral 22B", "Qwen 3.5 MoE 35B"}


def test_filters_by_model_and_writes_csv_to_a_file(db: Path, tmp_path: Path) -> None:
    out_path = tmp_path / "out" / "gemma.csv"
    code, _, err = invoke("report", "--db", str(db), "-m", "Gemma 4 27B", "-f", "csv",
                          "-o", str(out_path))
    assert code == 0 and f"wrote {out_path}" in err
    rows = list(csv.DictReader(io.StringIO(out_path.read_text(encoding="utf-8"))))
    assert [(r["model"], r["samples"]) for r in rows] == [("Gemma 4 27B", "3")]


def test_html_to_a_file_and_terminal_to_stdout(db: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert invoke("report", "--db", str(db), "-f", "html", "-o", str(page))[0] == 0
    assert page.read_text(encoding="utf-8").startswith("<!doctype html>")
    code, out, _ = invoke("report", "--db", str(db), "--run", "run-r1")
    assert code == 0 and "Performance" in out and "Qwen 3.5 MoE 35B" in out
    assert "Gemma" not in out


def test_unknown_round_names_the_rounds_there(db: Path) -> None:
    code, _, err = invoke("report", "--db", str(db), "--round", "Round 9")
    assert code == 2
    assert "no round 'Round 9' in the store (rounds there: 'Round 1', 'Round 2')" in err


def test_unknown_model_and_ambiguous_run(db: Path) -> None:
    code, _, err = invoke("report", "--db", str(db), "-m", "GPT-9")
    assert code == 2 and "no model 'GPT-9'" in err and "Gemma 4 27B" in err
    code, _, err = invoke("report", "--db", str(db), "--run", "run-r")
    assert code == 2 and "matches several runs" in err


def test_missing_store_is_one_clear_line(tmp_path: Path) -> None:
    code, _, err = invoke("report", "--db", str(tmp_path / "none.db"))
    assert code == 2 and "no store at" in err
    assert not (tmp_path / "none.db").exists()  # reporting never creates an empty store


def test_select_results_returns_only_the_runs_used(db: Path) -> None:
    store = Store(db)
    results, runs = select_results(store, run_ids=["run-r2"], tasks=["todo-cli"])
    assert {r.run_id for r in results} == {"run-r2"} and [r.run_id for r in runs] == ["run-r2"]
    with pytest.raises(SelectionError, match="not all together"):
        select_results(store, rounds=["Round 1"], models=["Gemma 4 27B"])
    store.close()


def test_empty_store_says_so(tmp_path: Path) -> None:
    store = Store(tmp_path / "empty.db")
    with pytest.raises(SelectionError, match="holds no results yet"):
        select_results(store)
    store.close()
