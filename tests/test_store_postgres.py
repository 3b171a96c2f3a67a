"""The PostgreSQL store on a real server (tests/pg.py: Debian's binaries, a UNIX socket only):
what cannot be reached is one line before anything runs, versions upgrade once under a lock,
writers on several processes lose nothing, and the CLI works on it as on SQLite."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from httpfake import fake_server
from pg import PgServer
from test_interrupt_resume import slow_answer
from test_store import make_result, make_run

from showdown.errors import StoreError
from showdown.records import SCHEMA_VERSION, to_dict
from showdown.store import Store, locate
from showdown.store.location import redact

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run on PostgreSQL writes its HTML report to the data folder: a temporary one here."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def showdown(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "showdown", *args], capture_output=True,
                          text=True, timeout=timeout, env=env())


def test_locations_are_told_apart_and_passwords_never_shown(tmp_path: Path) -> None:
    assert locate(str(tmp_path / "s.db")).path == tmp_path / "s.db"
    url = "postgresql://me:s3cret@db.example/showdown?sslmode=require&password=other"
    assert locate(url).url == url and locate("postgres://h/d").url == "postgres://h/d"
    assert "s3cret" not in locate(url).where and "other" not in locate(url).where
    assert redact("postgresql://me@/db?host=/tmp/x") == "postgresql://me@/db?host=/tmp/x"
    with pytest.raises(StoreError, match="only postgresql:// URLs") as info:
        locate("mysql://me:pw@host/db")
    assert "pw" not in str(info.value)


def test_unreachable_or_missing_databases_are_one_line(pg_server: PgServer, tmp_path: Path
                                                        ) -> None:
    no_db = pg_server.url("nosuchdb")
    with pytest.raises(StoreError, match='database "nosuchdb" does not exist') as info:
        Store(no_db)
    assert "\n" not in str(info.value)
    with pytest.raises(StoreError, match=r"cannot open the store .*No such file"):
        Store(f"postgresql://u:pw@/x?host={tmp_path}")
    # A run against a dead server is refused before any model is asked anything.
    proc = showdown("run", "--db", f"postgresql://u:pw@/x?host={tmp_path}", "-m",
                    "m=openai-compat:http://127.0.0.1:9/v1#m", timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "cannot open the store postgresql://u:***@/x" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    for command in (["runs"], ["report"], ["show"], ["speed", "--show"]):
        proc = showdown(*command, "--db", f"postgresql://u@/x?host={tmp_path}", timeout=60)
        assert proc.returncode == 2 and "cannot open the store" in proc.stderr, command


def test_a_wrong_password_is_one_line_without_the_password(pg_server: PgServer) -> None:
    with psycopg.connect(pg_server.url(), autocommit=True) as db:
        db.execute("DROP ROLE IF EXISTS runner")
        db.execute("CREATE ROLE runner LOGIN PASSWORD 'right'")
    url = pg_server.url().replace("postgres@", "runner:wrong@")
    with pytest.raises(StoreError, match='password authentication failed for user "runner"'
                       ) as info:
        Store(url)
    assert "wrong" not in str(info.value) and "\n" not in str(info.value)
    # The right one gets in, and a role that may not create the tables is one line too.
    with pytest.raises(StoreError, match="permission denied for schema public") as info:
        Store(url.replace(":wrong@", ":right@"))
    assert "right" not in str(info.value) and "\n" not in str(info.value)


def test_psycopg_missing_is_one_line_with_the_install_command(monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # what an import of a missing package does
    with pytest.raises(StoreError, match=r"pip install 'showdown\[postgres\]'"):
        Store("postgresql://u@/x?host=/nonexistent")


def test_an_older_schema_is_upgraded_once_and_a_newer_refused(pg_url: str) -> None:
    store = Store(pg_url)
    store.save_run(make_run("r1"))
    store.save_result(make_result("r1"))
    old = to_dict(make_result("r1"))
    old["model_info"] = {"server": "ollama", "size": 7}
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute("UPDATE results SET record = %s", (json.dumps(old),))
        db.execute("UPDATE schema_version SET version = 1")
    store.close()
    (result,) = Store(pg_url).results()
    assert result.model_info["size_bytes"] == 7
    with psycopg.connect(pg_url, autocommit=True) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        db.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match="written by a newer showdown"):
        Store(pg_url)


WRITER = """
import sys
sys.path.insert(0, sys.argv[3])
from test_store import make_result, make_run
from showdown.store import Store
store = Store(sys.argv[1])  # both open a fresh database at once: tables made once, under a lock
store.save_run(make_run("shared"))
for trial in range(1, 101):
    store.save_result(make_result("shared", sys.argv[2], trial=trial))
    store.save_result(make_result("shared", "both", trial=trial, score=trial))
"""


def test_two_processes_writing_one_store_lose_nothing(pg_url: str) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, pg_url, name, str(ROOT / "tests")],
                              env=env(), stderr=subprocess.PIPE, text=True)
             for name in ("left", "right")]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    store = Store(pg_url)
    results = store.results()
    by_model = {m: sorted(r.trial for r in results if r.model == m) for m in ("left", "right",
                                                                              "both")}
    assert by_model == {m: list(range(1, 101)) for m in by_model}  # none lost, none doubled
    with psycopg.connect(pg_url) as db:
        assert db.execute("SELECT count(*) FROM schema_version").fetchone() == (1,)


def test_run_interrupt_resume_runs_report_and_show_on_postgres(pg_url: str, tmp_path: Path
                                                                ) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    run_env = {**env(), "TMPDIR": str(scratch)}
    models = [a for m in ("alpha", "beta") for a in ("-m", f"{m}=openai-compat:URL/v1#m")]
    with fake_server({"POST /v1/chat/completions": slow_answer}) as server:
        args = [a.replace("URL", server.url) for a in models]
        proc = subprocess.Popen([sys.executable, "-m", "showdown", "run", "--db", pg_url,
                                 "--trials", "2", *args], env=run_env, text=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if Store(pg_url).results():  # interrupted once something is stored
                break
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, err
        assert "--resume" in err and "--db postgresql://postgres@/" in err
        resumed = subprocess.run([sys.executable, "-m", "showdown", "run", "--resume", "--db",
                                  pg_url], env=run_env, text=True, capture_output=True, timeout=300)
        assert resumed.returncode == 0, resumed.stderr
    (run,) = json.loads(showdown("runs", "--json", "--db", pg_url).stdout)
    assert run["status"] == "finished" and run["results"] == 4 and run["failed"] == 0
    report = json.loads(showdown("report", "--format", "json", "--db", pg_url).stdout)
    assert report  # the same report builder as on SQLite, over the stored results
    shown = json.loads(showdown("show", run["run_id"], "--json", "--db", pg_url).stdout)
    assert sorted((r["model"], r["trial"]) for r in shown["results"]) == [
        ("alpha", 1), ("alpha", 2), ("beta", 1), ("beta", 2)]
    assert all(r["score"] == 100 for r in shown["results"])
    gone = showdown("runs", "delete", run["run_id"], "--db", pg_url)
    assert gone.returncode == 0 and "its 4 results" in gone.stderr
    assert Store(pg_url).runs() == []


def test_shared_env_url_is_the_default_store(pg_url: str, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    Store(pg_url).save_run(make_run("r-env"))
    proc = subprocess.run([sys.executable, "-m", "showdown", "runs", "--json"], text=True,
                          capture_output=True, timeout=60, env={**env(), "SHOWDOWN_DB": pg_url})
    assert proc.returncode == 0, proc.stderr
    assert [r["run_id"] for r in json.loads(proc.stdout)] == ["r-env"]


def test_the_sandbox_hides_the_store_whatever_its_kind(tmp_path: Path) -> None:
    assert locate(str(tmp_path / "s.db")).private_dirs() == [tmp_path.resolve()]
    assert locate("postgresql://me@/db?host=/run/pg").private_dirs() == [Path("/run/pg")]
    assert locate("postgresql://me@%2Fvar%2Frun%2Fpostgresql/db").private_dirs() == [
        Path("/var/run/postgresql")]
    assert locate("postgresql://me@db.example:5432/db").private_dirs() == []


@pytest.mark.integration
def test_a_real_run_on_the_bundled_model_lands_in_postgres(
        pg_url: str, bundled_model: Path, llama_server_bin: Path, tmp_path: Path) -> None:
    proc = showdown("run", "--max-tokens", "64", "--json", "--llama-server",
                    str(llama_server_bin), "--db", pg_url, timeout=600)
    assert proc.returncode == 0, proc.stderr
    (row,) = json.loads(proc.stdout)["results"]
    (stored,) = Store(pg_url).results()
    assert stored.model == row["model"] == "SmolLM2-135M (bundled)"
    assert stored.generation.output_tokens == row["output_tokens"] <= 64
    assert showdown("report", "--format", "md", "--db", pg_url).returncode == 0
    reports = tmp_path / "data" / "showdown" / "reports"  # no file beside a URL: the data folder
    assert [p.name for p in reports.iterdir()] == [f"{stored.run_id}.html"]


def test_a_connection_lost_mid_run_is_replaced_and_nothing_is_rescued(
        pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server drops the run's connection (a restart, a network blip: here the server
    ends that backend itself); the next result is written over a new connection, not sent to
    the rescue file and not the end of the run."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    store = Store(pg_url)
    store.save_run(make_run("r1"))
    store.save_result(make_result("r1", "m", 1))
    with psycopg.connect(pg_url, autocommit=True) as admin:
        ended = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                              "application_name = 'showdown' AND pid <> pg_backend_pid()"
                              ).fetchall()
    assert ended == [(True,)]  # the store's own connection, and only it
    store.save_result(make_result("r1", "m", 2))
    assert sorted(r.trial for r in Store(pg_url).results(run_ids=["r1"])) == [1, 2]
    assert not list(tmp_path.rglob("showdown-unsaved-*"))


@pytest.mark.parametrize("url", [
    "postgresql://me:s3cr%zzet@127.0.0.1:1/db",  # libpq quotes the bad token back
    "postgresql://me:pw1234@[::1/db",  # libpq quotes the whole URL back
    "postgresql+psycopg://u:secret99@h/db",  # not a scheme showdown takes: refused, redacted
])
def test_a_password_never_reaches_a_message_even_from_libpq(url: str) -> None:
    done = showdown("runs", "--db", url)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    for secret in ("s3cr%zzet", "pw1234", "secret99"):
        assert secret not in done.stderr


def test_a_result_replaced_while_a_report_reads_is_read_once(pg_url: str) -> None:
    """Reads go page by page; a result replaced meanwhile (another host's --retry-failed)
    takes a new id, and must not be read at its old id and again at its new one."""
    store = Store(pg_url)
    store.save_run(make_run("r1"))
    store.save_results([make_result("r1", "m", trial) for trial in range(1, 1202)])
    reading = store.iter_results(run_ids=["r1"], lean=True)
    first = [next(reading) for _ in range(10)]  # the first page is read
    Store(pg_url).save_result(make_result("r1", "m", 1, score=10))  # another writer
    rest = list(reading)
    trials = [r.trial for r in first + rest]
    assert sorted(trials) == list(range(1, 1202))  # each once
    assert [r.verdict.score for r in Store(pg_url).results(run_ids=["r1"]) if r.trial == 1] == [10]
