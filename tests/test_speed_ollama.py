"""showdown speed on Ollama, against a local server speaking Ollama's documented API.

Wire format: Ollama's docs/api.md (https://github.com/ollama/ollama/blob/main/docs/api.md),
"Generate a completion": ``raw: true``, an NDJSON stream of ``{"response": ...}`` objects and a
final one with ``done: true`` and ``prompt_eval_count``, ``prompt_eval_duration``,
``eval_count``, ``eval_duration`` (nanoseconds); "Show Model Information": ``model_info`` with
``<arch>.context_length``. The fake reads one token per 4 characters of prompt.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from httpfake import FakeServer, Reply, fake_server, json_reply, ndjson

NDJSON = {"Content-Type": "application/x-ndjson"}


def generate(path: str, body: dict[str, Any]) -> Reply:
    options = body["options"]
    written = options["num_predict"]
    prompt_n = max(len(body["prompt"]) // 4, 1)
    lines = [ndjson({"model": body["model"], "response": "x", "done": False})
             for _ in range(written)]
    # Fewer threads, slower: the figures follow the options the request carried.
    per_token_ns = 10_000_000 // options.get("num_thread", 1)
    lines.append(ndjson({"model": body["model"], "response": "", "done": True,
                         "done_reason": "length", "prompt_eval_count": prompt_n,
                         "prompt_eval_duration": prompt_n * per_token_ns // 10,
                         "eval_count": written, "eval_duration": written * per_token_ns}))
    return Reply(200, NDJSON, lines)


def show(path: str, body: dict[str, Any]) -> Reply:
    return json_reply({"details": {"family": "llama"}, "model_info": {
        "general.architecture": "llama", "llama.context_length": 4096}})


@pytest.fixture
def ollama() -> Iterator[FakeServer]:
    with fake_server({"POST /api/generate": generate, "POST /api/show": show}) as server:
        yield server


def speed(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "showdown", "speed", "-m", "ollama:smol",
                           "--llama-server", "/bin/true",
                           "--gen", "8", "-r", "2", *args],
                          capture_output=True, text=True, timeout=120, check=False,
                          env={"OLLAMA_HOST": url, "PATH": "/usr/bin:/bin"})


def test_option_sweep_sends_each_configuration_and_keeps_them_apart(
        ollama: FakeServer, tmp_path: Any) -> None:
    out = speed(ollama.url, "--depth", "0,400", "--set", "num_thread=1,2", "--json",
                "--db", str(tmp_path / "s.db"))
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [(r["configuration"], r["depth"]) for r in rows] == [
        ({"num_thread": "1"}, 0), ({"num_thread": "1"}, 400), ({"num_thread": "2"}, 0),
        ({"num_thread": "2"}, 400)]
    assert [r["tg_tokens_per_s"] for r in rows] == [100.0, 100.0, 200.0, 200.0]
    deep = rows[1]
    assert deep["pp_tokens_per_s"] == 1000.0 and deep["pp_spread"] == [1000.0, 1000.0]
    assert all(abs(s["prompt_n"] - 400) <= 8 for s in deep["samples"])  # by measured count
    assert deep["sources"]["tg_tokens_per_s"].startswith("Ollama eval_count")
    assert rows[0]["pp_tokens_per_s"] is None
    sent = [b for m, p, b in ollama.requests if p == "/api/generate"]
    # num_ctx always sent (Ollama's default would cut a deep prompt), num_thread as swept
    assert {b["options"]["num_ctx"] for b in sent} == {512}
    assert [b["options"]["num_thread"] for b in sent] == [1] * 5 + [2] * 5  # warm-up + 2 x 2
    prompts = [b["prompt"] for b in sent if len(b["prompt"]) > 1000 and b["options"]["num_predict"] == 8]
    assert len(set(prompts)) == len(prompts) == 4  # a unique prefix each time: no cache hit
    assert all(b["raw"] is True for b in sent)


def test_depth_past_ollamas_trained_context_is_refused(ollama: FakeServer, tmp_path: Any) -> None:
    db = tmp_path / "s.db"
    out = speed(ollama.url, "--depth", "5000", "--db", str(db))
    assert out.returncode == 2 and "trained context of 4096" in out.stderr
    assert not db.exists()


def test_llama_server_keys_are_refused_for_ollama(ollama: FakeServer, tmp_path: Any) -> None:
    out = speed(ollama.url, "--set", "threads=2", "--db", str(tmp_path / "s.db"))
    assert out.returncode == 2 and "does not apply to ollama" in out.stderr
    assert "num_thread" in out.stderr


@pytest.mark.parametrize("body", [[b"[1, 2]\n"], [b"not json\n"],
                                  [ndjson({"response": "x", "done": False})],
                                  [ndjson({"error": "model crashed"})]])
def test_a_hostile_stream_is_a_failed_row_never_a_traceback(body: list[bytes], tmp_path: Any
                                                            ) -> None:
    routes = {"POST /api/generate": lambda p, b: Reply(200, NDJSON, body), "POST /api/show": show}
    with fake_server(routes) as server:
        out = speed(server.url, "--depth", "0,100", "--json", "--db", str(tmp_path / "s.db"))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == 2 and all(r["error"] and r["tg_tokens_per_s"] is None for r in rows)


def test_line_separators_in_the_generated_text_are_text(tmp_path: Any) -> None:
    """U+2028/U+2029/U+0085 inside a JSON string end no line (issue #14): Ollama writes them raw,
    and a reader that split there would see broken JSON and fail the row."""
    def odd_text(path: str, body: dict[str, Any]) -> Reply:
        reply = generate(path, body)
        return Reply(200, NDJSON, [line.replace(b'"x"', '"a\u2028b\u2029c\u0085"'.encode())
                                   for line in reply.steps])

    with fake_server({"POST /api/generate": odd_text, "POST /api/show": show}) as server:
        out = speed(server.url, "--depth", "0", "--json", "--db", str(tmp_path / "s.db"))
    assert out.returncode == 0, out.stderr
    (row,) = json.loads(out.stdout)
    assert row["error"] is None and row["tg_tokens_per_s"] == 100.0
