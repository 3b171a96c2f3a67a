"""The SQLite store: results round-trip whole, filters work, writes are atomic and unique."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from showdown.codestyle import style_metrics
from showdown.records import (
    CheckResult,
    Diagnosis,
    ExecResult,
    Generation,
    GenerationSettings,
    Result,
    RunInfo,
    TestRun,
    Verdict,
    from_dict,
    to_dict,
)
from showdown.report.rows import lean_result
from showdown.store import Store, StoreError
from showdown.store.sqlite import SqliteStore


def make_result(run_id: str, model: str = "m", trial: int = 1, score: int = 94) -> Result:
    verdict = Verdict(
        task="todo-cli", syntax_ok=True, score=score,
        features=[CheckResult("sqlite", True, "imports sqlite3")],
        functional=[TestRun("add", True, "ok", [ExecResult(["python", "todo.py", "add", "x"], 0,
                                                            "Added", "", 0.02)])],
        diagnoses=[Diagnosis("repetition", "loops")], code="print(1)\n", code_lines=1,
    )
    gen = Generation(text="```python\nprint(1)\n```", ttft_s=0.5, total_s=2.0, output_tokens=31,
                     tokens_per_s=20.0, finish_reason="stop", server_timings={"prompt_n": 3})
    return Result(run_id, model, f"llamacpp:{model}.gguf", "todo-cli", trial,
                  GenerationSettings(), gen, verdict, "2026-11-26T08:00:00+00:00",
                  {"ctx": 8192}, {"cpu": "x"}, "todo-cli")


def make_run(run_id: str, round_: str = "") -> RunInfo:
    return RunInfo(run_id, "2026-11-26T08:00:00+00:00", GenerationSettings(), round=round_)


def test_result_round_trips_whole(store_target: str) -> None:
    store = Store(store_target)
    store.save_run(make_run("r1"))
    original = make_result("r1")
    store.save_result(original)
    assert store.results() == [original]
    assert store.runs()[0].run_id == "r1"


def test_filters_by_round_model_and_run(store_target: str) -> None:
    store = Store(store_target)
    store.save_run(make_run("r1", "Round 1"))
    store.save_run(make_run("r2", "Round 2"))
    store.save_result(make_result("r1", "a"))
    store.save_result(make_result("r2", "a"))
    store.save_result(make_result("r2", "b"))
    assert [r.run_id for r in store.results(rounds=["Round 2"])] == ["r2", "r2"]
    assert [r.model for r in store.results(models=["b"])] == ["b"]
    assert [r.run_id for r in store.results(run_ids=["r1"])] == ["r1"]
    assert store.results(tasks=["nope"]) == []


def test_same_key_is_never_duplicated(store_target: str) -> None:
    store = Store(store_target)
    store.save_run(make_run("r1"))
    store.save_result(make_result("r1", score=10))
    store.save_result(make_result("r1", score=90))
    rows = store.results()
    assert len(rows) == 1 and rows[0].verdict is not None and rows[0].verdict.score == 90
    assert store.done_keys("r1") == {("m", "todo-cli", "todo-cli", 1)}


def test_store_uses_wal_and_a_second_connection_sees_committed_rows(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = Store(path)
    store.save_run(make_run("r1"))
    store.save_result(make_result("r1"))
    other = sqlite3.connect(path)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert other.execute("SELECT count(*) FROM results").fetchone()[0] == 1


def test_unwritable_location_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot open the store"):
        Store(blocker / "s.db")


def test_read_only_store_fails_the_write_check(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(path).close()
    store = object.__new__(SqliteStore)
    store.path = path
    store._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    with pytest.raises(StoreError, match="cannot write"):
        store.check_writable()


def test_a_full_database_keeps_earlier_rows_and_rescues_the_new_one(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    store.save_run(make_run("r1"))
    store.save_result(make_result("r1", "kept"))
    # The database can grow no more: what a full disk does to SQLite (SQLITE_FULL).
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")
    big = make_result("r1", "big")
    assert big.verdict is not None
    big.verdict.code = "x" * 200_000
    with pytest.raises(StoreError, match="full") as info:
        store.save_result(big)
    rescue = tmp_path / "showdown-unsaved-r1.jsonl"
    assert str(rescue) in str(info.value)
    (line,) = rescue.read_text().splitlines()
    assert '"model": "big"' in line
    assert [r.model for r in store.results()] == ["kept"]
    assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_records_written_by_another_version_still_load() -> None:
    verdict = {"task": "t", "syntax_ok": True, "score": 5, "added_later": 1,
               "features": [{"name": "c", "passed": True, "also_new": "x"}],
               "style": {"lines": 1, "functions": 0, "classes": 0, "docstring_share": None,
                         "type_hint_share": None, "try_blocks": 0, "with_blocks": 0,
                         "third_party": ["requests"], "comment_density": 0.0}}
    rebuilt = from_dict(Verdict, verdict)
    assert rebuilt.features == [CheckResult("c", True)]  # unknown keys dropped at every level
    assert rebuilt.functional == [] and rebuilt.code == ""  # missing ones take their defaults
    assert rebuilt.style is not None and rebuilt.style.third_party == ("requests",)
    assert from_dict(Verdict, to_dict(rebuilt)) == rebuilt


def test_lean_results_leave_out_only_the_long_texts(store_target: str) -> None:
    store = Store(store_target)
    store.save_run(make_run("r1", "Round 1"))
    kept, cut = make_result("r1", "kept"), make_result("r1", "cut")
    assert cut.verdict is not None and kept.verdict is not None
    cut.verdict.style = style_metrics(cut.verdict.code)  # stored counts: the code can go
    run = ExecResult(["python", "x.py"], 0, "out" * 100, "err", 0.1)
    cut.verdict.functional = [TestRun(f"t{i}", True, "d", [run]) for i in range(20)]  # > 16
    assert store.save_results([kept, cut]) == 2
    assert store.result_runs(models=["cut"]) == {"r1": 1}
    lean = {r.model: r for r in store.iter_results(rounds=["Round 1"], lean=True)}
    for name, full in (("kept", kept), ("cut", cut)):
        assert full.verdict is not None
        gen = dataclasses.replace(full.generation, text="", reasoning="")
        verdict = dataclasses.replace(
            full.verdict, functional=[dataclasses.replace(t, commands=[])
                                      for t in full.verdict.functional],
            code="" if full.verdict.style is not None else full.verdict.code)
        assert lean[name] == dataclasses.replace(full, generation=gen, verdict=verdict)
        assert lean[name] == lean_result(full)  # the report's own lean copy agrees
    # lean_result rebuilds each TestRun from these fields (a new one must be added there).
    assert [f.name for f in dataclasses.fields(TestRun)] == ["name", "passed", "detail",
                                                            "commands"]
    assert lean["kept"].verdict is not None and lean["kept"].verdict.code  # counts not stored
    assert store.results() == [kept, cut]  # in full as ever


def test_every_format_is_the_same_from_a_selection_as_from_a_list(store_target: str) -> None:
    """``showdown report`` reads a Selection (streamed, lean tables, HTML in one pass); the
    report must be exactly the one the full list of results gives."""
    from reportdata import RUNS, two_rounds

    from showdown.report import FORMATS, render
    from showdown.report.select import select

    store = Store(store_target)
    for run in RUNS:
        store.save_run(run)
    store.save_results(two_rounds())
    chosen, runs = select(store)
    for fmt in FORMATS:
        assert render(chosen, runs, fmt) == render(store.results(), runs, fmt), fmt


def test_a_retried_result_is_listed_last_on_both_backends(store_target: str) -> None:
    """A result written again (``--retry-failed``) moves to the end, as SQLite's INSERT OR
    REPLACE gives it a new rowid: reports list results in the order they were measured."""
    store = Store(store_target)
    store.save_run(make_run("r1"))
    store.save_results([make_result("r1", "a"), make_result("r1", "b")])
    store.save_result(make_result("r1", "a", score=7))
    assert [(r.model, r.verdict and r.verdict.score) for r in store.results()] == [
        ("b", 94), ("a", 7)]
    assert store.result_runs() == {"r1": 2} and store.counts() == {"r1": (2, 0)}
    assert store.delete_run("r1") == 2 and store.runs() == [] and store.results() == []


def test_speed_rows_and_unfinished_runs_on_both_backends(store_target: str) -> None:
    store = Store(store_target)
    for run_id, status in (("r1", "finished"), ("r2", "interrupted"), ("r3", "finished")):
        store.save_run(dataclasses.replace(make_run(run_id), status=status))
    unfinished = store.last_unfinished()
    assert unfinished is not None and unfinished.run_id == "r2"
    store.save_speed("s1", "t", "m", "default", 0, {"tg": 1.0})
    store.save_speed("s1", "t", "m", "default", 0, {"tg": 2.0})  # the same key: replaced
    store.save_speed("s2", "t", "n", "default", 512, {"tg": 3.0})
    assert store.speed_records() == [{"tg": 2.0}, {"tg": 3.0}]
    assert store.speed_records(["n"]) == [{"tg": 3.0}]
    assert store.speed_records(run_ids=["s1"]) == [{"tg": 2.0}]
    store.check_writable()
    other = store.reopen()
    assert [r.run_id for r in other.runs()] == ["r1", "r2", "r3"] and other.where == store.where
