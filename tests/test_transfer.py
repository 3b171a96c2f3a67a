"""``showdown export`` / ``import``: runs travel between stores (SQLite to PostgreSQL here, a
real server from tests/pg.py) and read back as the same report; importing twice changes
nothing; a clash or a damaged, hostile or newer file is one line, exit 2, nothing written."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from reportdata import RUNS, two_rounds

from showdown.cli import cli
from showdown.records import SCHEMA_VERSION, to_dict
from showdown.store import Store
from showdown.store.transfer import MAX_LINE, TransferError, decode


def invoke(*args: str) -> tuple[int, str, str]:
    outcome = CliRunner().invoke(cli, list(args))
    return outcome.exit_code, outcome.stdout, outcome.stderr


@pytest.fixture()
def source(tmp_path: Path) -> Path:
    """A SQLite store of two rounds, and a speed run."""
    path = tmp_path / "laptop.db"
    store = Store(path)
    for run in RUNS:
        store.save_run(run)
    store.save_results(two_rounds())
    store.save_speed("speed-1", "2026-04-02T10:00:00+00:00", "m", "default", 512,
                     {"run_id": "speed-1", "started_at": "2026-04-02T10:00:00+00:00",
                      "model": "m", "spec": "llamacpp:m.gguf", "config": {}, "depth": 512,
                      "gen": 32, "samples": [{"prompt_n": 512, "pp_tokens_per_s": 900.5,
                                              "predicted_n": 32, "tg_tokens_per_s": 40.0,
                                              "ttft_s": 0.6}]})
    store.close()
    return path


def write_export(path: Path, *lines: object, raw: bytes | None = None) -> Path:
    """A gzip file of these lines (or of ``raw``; ``raw`` alone: not even gzip)."""
    if raw is not None and not lines:
        path.write_bytes(raw)
        return path
    body = raw if raw is not None else "".join(json.dumps(x) + "\n" for x in lines).encode()
    path.write_bytes(gzip.compress(body))
    return path


def header(schema: int = SCHEMA_VERSION, version: int = 1) -> dict[str, object]:
    return {"format": "showdown-export", "version": version, "schema": schema}


def test_export_from_sqlite_import_into_postgres_gives_the_same_report(
        source: Path, pg_url: str, tmp_path: Path) -> None:
    out = tmp_path / "runs.jsonl.gz"
    code, _, err = invoke("export", "--db", str(source), "-o", str(out))
    assert code == 0 and "exported 3 runs (13 results, 1 speed rows)" in err, err
    code, _, err = invoke("import", str(out), "--db", pg_url)
    assert code == 0 and "imported 3 runs (13 results, 1 speed rows)" in err, err
    reports = [invoke("report", "--format", "json", "--db", db)[1] for db in (str(source), pg_url)]
    assert reports[0] == reports[1] and json.loads(reports[0])
    speeds = [invoke("speed", "--show", "--json", "--db", db)[1] for db in (str(source), pg_url)]
    assert speeds[0] == speeds[1] and "speed-1" in speeds[0]
    # And back out of PostgreSQL into a new SQLite file: the same report again.
    back = tmp_path / "back.gz"
    assert invoke("export", "--db", pg_url, "-o", str(back))[0] == 0
    assert invoke("import", str(back), "--db", str(tmp_path / "copy.db"))[0] == 0
    assert invoke("report", "--format", "json", "--db", str(tmp_path / "copy.db"))[1] == reports[0]
    # Twice: nothing changes, and it says so.
    code, _, err = invoke("import", str(out), "--db", pg_url)
    assert code == 0 and "nothing to import: 3 runs already present" in err
    assert len(Store(pg_url).results()) == len(two_rounds())


def test_chosen_runs_only_and_an_unknown_run_refused(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "r1.gz"
    code, _, err = invoke("export", "run-r1", "--db", str(source), "-o", str(out))
    assert code == 0, err
    target = tmp_path / "team.db"
    assert invoke("import", str(out), "--db", str(target))[0] == 0
    assert [r.run_id for r in Store(target).runs()] == ["run-r1"]
    assert {r.run_id for r in Store(target).results()} == {"run-r1"}
    code, _, err = invoke("export", "nosuch", "--db", str(source), "-o", str(tmp_path / "x.gz"))
    assert code == 2 and "no run 'nosuch'" in err and not (tmp_path / "x.gz").exists()


def test_a_run_id_with_other_content_is_refused_and_nothing_written(
        source: Path, pg_url: str, tmp_path: Path) -> None:
    out = tmp_path / "runs.gz"
    invoke("export", "--db", str(source), "-o", str(out))
    team = Store(pg_url)
    team.save_run(RUNS[1])  # run-r2 is there already, with one result that differs
    changed = next(r for r in two_rounds() if r.run_id == "run-r2")
    changed.trial = 99
    team.save_result(changed)
    code, _, err = invoke("import", str(out), "--db", pg_url)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "run run-r2 is already in" in err and "different content" in err
    assert [r.run_id for r in team.runs()] == ["run-r2"]  # run-r1 was not imported either
    assert team.speed_records() == []


def test_an_older_schema_is_upgraded_as_the_store_upgrades(tmp_path: Path) -> None:
    run = to_dict(RUNS[0])
    result = to_dict(next(r for r in two_rounds() if r.run_id == "run-r1"))
    result["model_info"] = {"server": "ollama", "size": 5_000}  # schema 1: no size_bytes
    path = write_export(tmp_path / "old.gz", header(schema=1), {"run": run}, {"result": result})
    target = tmp_path / "s.db"
    code, _, err = invoke("import", str(path), "--db", str(target))
    assert code == 0, err
    (stored,) = Store(target).results()
    assert stored.model_info["size_bytes"] == 5_000


GOOD_RUN = {"run": to_dict(RUNS[0])}


def _bad_result() -> dict[str, object]:
    data = to_dict(next(r for r in two_rounds() if r.run_id == "run-r1"))
    data["trial"] = "first"
    return {"result": data}


@pytest.mark.parametrize(("lines", "raw", "expected"), [
    ((), b"not gzip at all", "is not a readable showdown export"),
    ((header(), GOOD_RUN), None, None),  # sanity: the good file imports (see below)
    ((header(schema=SCHEMA_VERSION + 1), GOOD_RUN), None, "written by a newer showdown"),
    ((header(version=2), GOOD_RUN), None, "written by a newer showdown"),
    (({"format": "other"}, GOOD_RUN), None, "not a showdown export"),
    ((header(), [1, 2]), None, "is not one record"),
    ((header(), {"run": "x"}), None, "the run is not an object"),
    ((header(), {"run": {"run_id": 5, "started_at": "t", "settings": {}}}), None,
     "run.run_id is 5, not str"),
    ((header(), GOOD_RUN, _bad_result()), None, "result.trial is 'first', not int"),
    ((header(), _bad_result()), None, "result.trial"),
    ((header(), {"virus": {}}), None, "unknown record kind"),
    ((header(), GOOD_RUN, GOOD_RUN), None, "holds a run twice"),
    ((header(),), b'{"format": "showdown-export", "version": 1, "schema": 2}\n' + b"[" * 100_000,
     "is not JSON"),
    ((header(),), b"\xff\xfe" * 10, "line 1 is not JSON"),
])
def test_damaged_or_hostile_files_are_one_line_and_nothing_written(
        tmp_path: Path, lines: tuple[object, ...], raw: bytes | None, expected: str | None) -> None:
    path = write_export(tmp_path / "in.gz", *lines, raw=raw)
    target = tmp_path / "s.db"
    code, _, err = invoke("import", str(path), "--db", str(target))
    if expected is None:
        assert code == 0, err
        return
    assert code == 2 and expected in err, err
    assert len(err.strip().splitlines()) == 1
    assert not target.exists()  # refused before any store was opened


def test_truncated_and_huge_lines_are_refused(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "runs.gz"
    invoke("export", "--db", str(source), "-o", str(out))
    data = out.read_bytes()
    cut = tmp_path / "cut.gz"
    cut.write_bytes(data[: len(data) // 2])
    code, _, err = invoke("import", str(cut), "--db", str(tmp_path / "s.db"))
    assert code == 2 and "not a readable showdown export" in err
    # A line past the limit (a gzip bomb of one line) is refused without reading it all.
    bomb = io.BytesIO(gzip.compress(json.dumps(header()).encode() + b"\n" + b"x" * (MAX_LINE + 2)))
    with pytest.raises(TransferError, match="line 2 is longer than 64 MiB"):
        decode(bomb, "bomb.gz")


def test_a_missing_file_and_a_bad_store_url_are_one_line(source: Path, tmp_path: Path) -> None:
    code, _, err = invoke("import", str(tmp_path / "nope.gz"))
    assert code == 2 and "cannot read" in err
    out = tmp_path / "runs.gz"
    invoke("export", "--db", str(source), "-o", str(out))
    code, _, err = invoke("import", str(out), "--db",
                          f"postgresql://u:secret@/x?host={tmp_path}/nosocket")
    assert code == 2 and "cannot open the store" in err and "secret" not in err
    assert len(err.strip().splitlines()) == 1


def _result_with(path: tuple[str, ...], value: str) -> bytes:
    """A good run and one of its results with ``value`` (raw JSON text) at ``path``."""
    data = to_dict(next(r for r in two_rounds() if r.run_id == "run-r1"))
    marker = "__SET_HERE__"
    inner: dict[str, object] = data
    for key in path[:-1]:
        inner = inner[key]  # type: ignore[assignment]
    inner[path[-1]] = marker
    line = json.dumps({"result": data}).replace(f'"{marker}"', value)
    return "".join(json.dumps(x) + "\n" for x in (header(), GOOD_RUN)).encode() + line.encode() + b"\n"


@pytest.mark.parametrize(("path", "value"), [
    (("host", "ram_bytes"), "Infinity"),  # would break every report of the store: round(inf)
    (("generation", "tokens_per_s"), "NaN"),
    (("trial",), "1" + "0" * 30),  # no database column holds it
    (("model",), '"\\ud800"'),  # a lone surrogate: no database stores it
])
def test_numbers_and_text_no_store_can_hold_are_refused(tmp_path: Path, path: tuple[str, ...],
                                                        value: str) -> None:
    file = tmp_path / "in.gz"
    file.write_bytes(gzip.compress(_result_with(path, value)))
    target = tmp_path / "s.db"
    code, _, err = invoke("import", str(file), "--db", str(target))
    assert code == 2 and "is not JSON showdown can store" in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not target.exists()


def test_a_run_exported_while_running_arrives_interrupted_and_imports_once(tmp_path: Path) -> None:
    running = {"run": {**to_dict(RUNS[0]), "status": "running", "pid": 4242}}
    file = write_export(tmp_path / "in.gz", header(), running)
    target = tmp_path / "s.db"
    assert invoke("import", str(file), "--db", str(target))[0] == 0
    (run,) = Store(target).runs()
    assert run.status == "interrupted" and run.pid is None  # no process here runs it
    code, out, err = invoke("import", str(file), "--db", str(target))
    assert code == 0 and "already present" in out + err


def test_a_speed_row_twice_is_refused(source: Path, tmp_path: Path) -> None:
    row = Store(source).speed_records()[0]
    file = write_export(tmp_path / "in.gz", header(), {"speed": row}, {"speed": row})
    code, _, err = invoke("import", str(file), "--db", str(tmp_path / "s.db"))
    assert code == 2 and "twice" in err and len(err.strip().splitlines()) == 1, err
