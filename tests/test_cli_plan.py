"""``showdown run`` refuses every mistake up front (issue #15): one line on stderr naming what
is wrong and how to fix it, exit 2, no run saved, no model loaded, no traceback.

The dead server is a real closed port on 127.0.0.1; the GGUF files are real ones written with
llama.cpp's ``gguf`` package (then cut, or replaced by text).
"""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from showdown.cli import cli
from showdown.records import GenerationSettings, RunInfo
from showdown.store import Store

gguf = pytest.importorskip("gguf")


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gguf_with_tensors(path: Path) -> Path:
    """A small but complete GGUF: header, metadata, a tensor table and tensor data."""
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("Tiny")
    writer.add_block_count(2)
    writer.add_context_length(512)
    for i in range(2):
        writer.add_tensor(f"blk.{i}.attn_q.weight", np.ones((64, 64), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def refused(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run ``showdown run`` and check the refusal contract; returns the one stderr line."""
    db = tmp_path / "s.db"
    result = CliRunner().invoke(cli, ["run", "--db", str(db), *args], env=env)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert not db.exists()  # nothing saved: not even an empty store is created
    assert not (tmp_path / "reports").exists()
    return lines[0]


DEAD = "x=openai-compat:http://127.0.0.1:9/v1#m"


@pytest.mark.parametrize(("args", "fragment"), [
    (("--trials", "0"), "--trials 0 is out of range: give --trials 1 or more"),
    (("--limit", "0"), "--limit 0 is out of range"),
    (("--max-tokens", "-5"), "--max-tokens -5 is out of range"),
    (("--ctx", "0"), "--ctx 0 is out of range"),
    (("--temperature", "-1"), "--temperature -1.0 is out of range: give --temperature between 0 and 2"),
    (("--temperature", "2.5"), "between 0 and 2"),
    (("--temperature", "nan"), "between 0 and 2"),
    (("--idle-timeout", "-1"), "--idle-timeout -1.0: give a number of seconds above 0"),
    (("--health-timeout", "0"), "--health-timeout 0.0: give a number of seconds above 0"),
    (("--n-gpu-layers", "lots"), "--n-gpu-layers lots: give a whole number of layers"),
])
def test_values_out_of_range(tmp_path: Path, args: tuple[str, ...], fragment: str) -> None:
    assert fragment in refused(tmp_path, "-m", DEAD, *args)


def test_ranges_are_checked_before_the_bundled_model_is_looked_for(tmp_path: Path) -> None:
    assert "--trials 0" in refused(tmp_path, "--trials", "0")


@pytest.mark.parametrize(("spec", "fragment"), [
    ("qwen3:8b", "did you mean 'ollama:qwen3:8b'?"),
    ("llamacp:/m.gguf", "did you mean 'llamacpp:/m.gguf'?"),
    ("model.gguf", "did you mean 'llamacpp:model.gguf'?"),
    ("openai-compat:http://127.0.0.1:8000/v1", "name the model after '#'"),
    ("openai-compat:http://127.0.0.1:8000/v1#", "name the model after '#'"),
    ("openai-compat:notaurl#m", "'notaurl' is not an http(s) URL"),
    ("openai-compat:ftp://host/v1#m", "is not an http(s) URL"),
    ("openai-compat:http://host:99999/v1#m", "is not a valid URL"),
])
def test_spec_syntax(tmp_path: Path, spec: str, fragment: str) -> None:
    assert fragment in refused(tmp_path, "-m", spec)


def test_missing_api_key(tmp_path: Path) -> None:
    line = refused(tmp_path, "-m", "openai:gpt-x", env={"OPENAI_API_KEY": ""})
    assert "set OPENAI_API_KEY in the environment" in line


def test_missing_model_file(tmp_path: Path) -> None:
    line = refused(tmp_path, "-m", f"gone=llamacpp:{tmp_path / 'nope.gguf'}")
    assert "no such model file" in line


def test_a_folder_or_a_text_file_is_not_a_gguf(tmp_path: Path) -> None:
    text = tmp_path / "notes.gguf"
    text.write_text("these are not weights\n")
    assert "is not a GGUF file" in refused(tmp_path, "-m", f"llamacpp:{text}")
    assert "is not a file" in refused(tmp_path, "-m", f"llamacpp:{tmp_path}")


def test_an_unsupported_gguf_version(tmp_path: Path) -> None:
    path = tmp_path / "old.gguf"
    path.write_bytes(b"GGUF" + (1).to_bytes(4, "little") + bytes(16))
    assert "GGUF version 1; llama.cpp reads versions 2 and 3" in refused(
        tmp_path, "-m", f"llamacpp:{path}")


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.02])
def test_a_half_cut_gguf_is_refused_without_numpys_words(tmp_path: Path, keep: float) -> None:
    path = gguf_with_tensors(tmp_path / "cut.gguf")
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])
    line = refused(tmp_path, "-m", f"llamacpp:{path}")
    assert "truncated" in line and "download it again" in line
    assert "reshape" not in line


def test_a_missing_llama_server_binary(tmp_path: Path) -> None:
    model = gguf_with_tensors(tmp_path / "ok.gguf")
    line = refused(tmp_path, "-m", f"llamacpp:{model}", "--llama-server", "/missing/llama-server")
    assert "--llama-server /missing/llama-server: no such file" in line


def test_an_unreachable_server_is_tried_once_quickly(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    line = refused(tmp_path, "-m", f"x=openai-compat:{url}#m")
    assert f"cannot reach {url}" in line and "start the server or fix the URL" in line


def test_a_dead_ollama(tmp_path: Path) -> None:
    port = closed_port()
    line = refused(tmp_path, "-m", "ollama:qwen3:8b", env={"OLLAMA_HOST": f"127.0.0.1:{port}"})
    assert f"cannot reach http://127.0.0.1:{port}" in line and "ollama serve" in line


def test_unknown_cases_and_task(tmp_path: Path) -> None:
    assert "9999" in refused(tmp_path, "--task", "humaneval", "--problems", "9999", "-m", DEAD)
    assert "unknown task 'nosuch'" in refused(tmp_path, "--task", "nosuch", "-m", DEAD)


def damaged_store(path: Path) -> Path:
    """A real store with runs, then its pages overwritten as a failing disk would."""
    store = Store(path)
    for i in range(200):
        store.save_run(RunInfo(f"r{i}", "2026-11-30T00:00:00+00:00", GenerationSettings(),
                               models=["m" * 400], status="finished"))
    store.close()
    import sqlite3
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 2, len(data), 4096):
        data[offset:offset + 256] = b"\xff" * 256
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("command", [["run", "-m", DEAD], ["report"], ["runs"], ["show"]])
@pytest.mark.parametrize("damage", ["pages", "not a database"])
def test_a_damaged_store_is_one_line_with_the_path(tmp_path: Path, command: list[str],
                                                    damage: str) -> None:
    db = tmp_path / "s.db"
    if damage == "pages":
        damaged_store(db)
    else:
        db.write_bytes(b"this is a text file, not SQLite\n" * 200)
    result = CliRunner().invoke(cli, [*command, "--db", str(db)])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert str(db) in line and "move it aside" in line and "Traceback" not in result.output


def test_resume_of_a_finished_run_says_so_and_exits_0(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    Store(db).save_run(RunInfo("20261130-done", "2026-11-30T00:00:00+00:00", GenerationSettings(),
                               status="finished", models=[DEAD], tasks=["todo-cli"]))
    result = CliRunner().invoke(cli, ["run", "--db", str(db), "--resume", "20261130-done"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert "run 20261130-done has already finished" in line and "showdown show" in line
