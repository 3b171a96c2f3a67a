"""``showdown run --set`` over Ollama's options, against a local server speaking Ollama's API.

Wire format: Ollama's docs/api.md ("Generate a chat completion": ``options`` holds the model
parameters of docs/modelfile.md, "Valid Parameters and Values": ``num_ctx``, ``num_gpu``,
``num_thread``; a chat with no messages loads the model) — see tests/fakes.py. Each
configuration must reach every request Ollama gets for it (the preload too, or Ollama would
reload the model) and be recorded with each of its results.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fakes import FakeModel, OllamaFake, ollama_stream

from showdown.store import Store

ROOT = Path(__file__).resolve().parent.parent
ANSWER = (ROOT / "examples" / "answers" / "clean.md").read_text(encoding="utf-8")


def test_run_set_sends_each_ollama_configuration_and_records_it(tmp_path: Path) -> None:
    ollama = OllamaFake({"gemma3:latest": FakeModel(ctx=8192)},
                        chat=lambda body: ollama_stream([ANSWER], eval_count=300))
    db = tmp_path / "db.sqlite"
    with ollama.serve() as server:
        env = {k: v for k, v in os.environ.items() if k != "SHOWDOWN_DB"}
        env |= {"OLLAMA_HOST": server.url, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200"}
        proc = subprocess.run(
            [sys.executable, "-m", "showdown", "run", "-m", "G=ollama:gemma3", "--ctx", "4096",
             "--max-tokens", "512", "--set", "num_ctx=2048,16384", "--set", "num_thread=2",
             "--set", "num_gpu=0", "--db", str(db)],
            capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path, check=False)
        chats = [b for m, path, b in server.requests if path == "/api/chat"]
    assert proc.returncode == 0, proc.stderr
    # Every load and answer carries its configuration's options: 2048 as asked; 16384 capped to
    # the model's trained 8192, as --ctx is.
    loads = [b["options"] for b in chats if b.get("messages") == [] and b.get("keep_alive") != 0]
    answers = [b["options"] for b in chats if b.get("messages")]
    assert [(o["num_ctx"], o["num_thread"], o["num_gpu"]) for o in loads] == [
        (2048, 2, 0), (8192, 2, 0)]
    assert {(o["num_ctx"], o["num_thread"], o["num_gpu"]) for o in answers} == {
        (2048, 2, 0), (8192, 2, 0)}
    assert 512 in {o["num_predict"] for o in answers}  # the timed answers (and a warm-up)
    store = Store(db)
    by_model = {r.model: r for r in store.results()}
    store.close()
    assert sorted(by_model) == ["G [num_ctx=16384 num_gpu=0 num_thread=2]",
                                "G [num_ctx=2048 num_gpu=0 num_thread=2]"]
    small, big = (by_model["G [num_ctx=2048 num_gpu=0 num_thread=2]"],
                  by_model["G [num_ctx=16384 num_gpu=0 num_thread=2]"])
    assert (small.settings.ctx, big.settings.ctx) == (2048, 8192)
    assert (small.model_info["requested_ctx"], big.model_info["requested_ctx"]) == (2048, 16384)
    assert small.model_info["ctx_from"] == "num_ctx"
    assert (small.model_info["num_thread"], small.model_info["num_gpu"]) == (2, 0)
    assert small.verdict is not None and small.verdict.score > 0
    # Both configurations are rows of their own in the printed Quality table.
    assert "G [num_ctx=2048" in proc.stdout and "G [num_ctx=16384" in proc.stdout


def test_a_bad_ollama_value_is_one_line_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "showdown", "run", "-m", "ollama:gemma3",
                           "--set", "num_thread=0", "--db", str(tmp_path / "s.db")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2 and "num_thread=0" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not (tmp_path / "s.db").exists()
