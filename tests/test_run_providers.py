"""One ``showdown run`` across backends: Ollama and Anthropic (local servers speaking their
documented wire formats, see tests/fakes.py), plus models that cannot work — a wrong base URL,
an unknown model — each one clear line while the run goes on.
The integration variant adds the bundled model under a real llama-server.

The wire formats: Ollama's docs/api.md, Anthropic's streaming messages reference, OpenAI's
chat-completions streaming reference (for the wrong-base-URL openai-compat model).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeModel, OllamaFake, anthropic_stream, ollama_stream
from httpfake import Reply, fake_server

from showdown.records import Result
from showdown.store import Store

ROOT = Path(__file__).resolve().parent.parent
ANSWER = (ROOT / "examples" / "answers" / "clean.md").read_text(encoding="utf-8")
KEY = "sk-ant-e2e-secret-value"


def pieces(text: str, size: int = 200) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)]


def write_config(tmp_path: Path, url: str, dead: str, extra: str, max_tokens: int) -> Path:
    fast = "backoff_s = 0\nidle_timeout_s = 30\n"
    path = tmp_path / "showdown.toml"
    path.write_text(f"""
[settings]
max_tokens = {max_tokens}
ctx = 4096
temperature = 0.0
seed = 7

[[models]]
spec = "ollama:gemma3"
name = "Gemma 3"
{fast}
[[models]]
spec = "anthropic:claude-test"
name = "Claude"
{fast}
[[models]]
spec = "openai-compat:{url}/wrong/v1#m"
name = "Wrong URL"
{fast}
[[models]]
spec = "ollama:nosuch"
name = "Unknown model"
{fast}
{extra}""", encoding="utf-8")
    return path


Outcome = tuple[subprocess.CompletedProcess[str], list[Result], OllamaFake]


def run_showdown(tmp_path: Path, extra: str = "", max_tokens: int = 512) -> Outcome:
    """``showdown run`` in a subprocess against the fakes; the process, stored results, Ollama."""
    ollama = OllamaFake({"gemma3:latest": FakeModel(ctx=8192)},
                        chat=lambda body: ollama_stream(pieces(ANSWER), eval_count=420),
                        loaded=["qwen3:8b"])
    ollama.installed["qwen3:8b"] = FakeModel(family="qwen3")
    routes: dict[str, Any] = ollama.routes() | {"POST /v1/messages": lambda p, b: Reply(
        200, {"Content-Type": "text/event-stream"}, anthropic_stream(pieces(ANSWER), output_tokens=410))}
    with fake_server({}) as dead_server:
        dead = dead_server.url
    with fake_server(routes) as server:
        config = write_config(tmp_path, server.url, dead, extra, max_tokens)
        env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "SHOWDOWN_DB")}
        env |= {"PYTHONPATH": str(ROOT / "src"), "OLLAMA_HOST": server.url, "COLUMNS": "250",
                "ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": server.url}
        proc = subprocess.run([sys.executable, "-m", "showdown", "run", "--config", str(config),
                               "--db", str(tmp_path / "db.sqlite")], capture_output=True,
                              text=True, env=env, timeout=600, cwd=tmp_path)
    store = Store(tmp_path / "db.sqlite")
    try:
        return proc, store.results(), ollama
    finally:
        store.close()


def check_run(proc: subprocess.CompletedProcess[str], results: list[Result],
              ollama: OllamaFake, max_tokens: int = 512) -> dict[str, Result]:
    assert proc.returncode == 1, proc.stderr  # some models failed, and the exit code says so
    by_model = {r.model: r for r in results}
    for name in ("Gemma 3", "Claude"):
        r = by_model[name]
        assert r.generation.error is None, r.generation.error
        assert r.verdict is not None and r.verdict.syntax_ok and r.verdict.score > 0
        assert r.generation.ttft_s is not None and r.generation.output_tokens is not None
        assert name in proc.stdout  # a row in the printed tables
    gemma, claude = by_model["Gemma 3"], by_model["Claude"]
    # One set of fair settings; Ollama's context capped to what the model was trained on.
    assert (gemma.settings.max_tokens, gemma.settings.temperature, gemma.settings.seed) == (
        max_tokens, 0.0, 7)
    assert (claude.settings.max_tokens, claude.settings.temperature) == (max_tokens, 0.0)
    assert gemma.settings.ctx == 4096 and gemma.model_info["ctx"] == 4096
    assert claude.model_info["not_sent"]["seed"]
    # Model management, as stored: the other model unloaded, then this one loaded and timed.
    assert [(e["action"], e["model"]) for e in gemma.model_info["model_management"]] == [
        ("unload", "qwen3:8b"), ("preload", "gemma3")]
    assert gemma.generation.load_s is not None and gemma.model_info["placement"] == "vram"
    assert gemma.generation.server_tokens_per_s == 210.0  # 420 tokens in 2 s of eval_duration
    assert claude.model_info["placement"] == "cloud"
    assert ollama.log[-1] == ("unload", "gemma3:latest")
    # The failures: each model's row holds one clear line, and the run carried on past them.
    # (A missing key and a dead server are refused before the run starts: test_cli_plan.py.)
    expected = {"Wrong URL": "HTTP 404: no route (check the model name and the base URL",
                "Unknown model": "has no model 'nosuch' (run `ollama pull nosuch` first)"}
    for name, fragment in expected.items():
        error = by_model[name].generation.error
        assert error is not None and fragment in error and "\n" not in error, (name, error)
        assert by_model[name].verdict is None
    # The key reached the server but nothing showdown wrote or printed.
    assert KEY not in proc.stdout + proc.stderr
    assert all(KEY not in str(r) for r in results)
    return by_model


def test_one_run_over_ollama_anthropic_and_broken_models(tmp_path: Path) -> None:
    proc, results, ollama = run_showdown(tmp_path)
    by_model = check_run(proc, results, ollama)
    assert len(by_model) == 4


@pytest.mark.integration
def test_one_run_with_the_bundled_model_under_llama_server_too(
        tmp_path: Path, bundled_model: Path, llama_server_bin: Path) -> None:
    extra = (f'\n[[models]]\nspec = "llamacpp:{bundled_model}"\nname = "SmolLM2"\n'
             f'llama_server = "{llama_server_bin}"\n')
    # A short answer: SmolLM2 on a busy 2-core CI machine decodes a few tokens a second.
    proc, results, ollama = run_showdown(tmp_path, extra, max_tokens=96)
    by_model = check_run(proc, results, ollama, max_tokens=96)
    smol = by_model["SmolLM2"]
    assert smol.generation.error is None and smol.generation.output_tokens
    assert smol.settings == by_model["Gemma 3"].settings
    assert smol.model_info["placement"] == "cpu" and smol.generation.load_s is not None
    assert "SmolLM2" in proc.stdout
