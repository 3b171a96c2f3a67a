"""``showdown models``: Ollama's installed models, GGUF files and configured entries.

Ollama is a local server speaking its docs/api.md ("List Local Models" ``/api/tags``, "Show
Model Information" ``/api/show``); GGUF files are real ones written with the ``gguf`` package.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import FakeModel, OllamaFake
from httpfake import fake_server

from showdown.cli import cli
from showdown.config import Config
from showdown.inventory import gguf_models, ollama_models
from showdown.report.models import human_size


def tiny_gguf(path: Path, name: str, ctx: int = 4096) -> Path:
    """A real, tensor-less GGUF file with the header fields showdown reads."""
    gguf = pytest.importorskip("gguf")
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name(name)
    writer.add_context_length(ctx)
    writer.add_block_count(2)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_K_M)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def ollama() -> OllamaFake:
    return OllamaFake({"gemma3:27b": FakeModel(size=17_000_000_000, ctx=131072),
                       "qwen3:8b": FakeModel(family="qwen3", quantization="Q8_0")})


def test_ollama_models_come_with_size_quantization_family_and_context() -> None:
    with ollama().serve() as server:
        models, note = ollama_models(server.url)
    assert note is None
    gemma, qwen = models
    assert (gemma.spec, gemma.size_bytes, gemma.quantization, gemma.family) == (
        "ollama:gemma3:27b", 17_000_000_000, "Q4_K_M", "gemma3")
    assert "ctx 131072" in gemma.detail
    assert (qwen.quantization, qwen.family) == ("Q8_0", "qwen3")


def test_dead_ollama_is_a_note_not_an_error() -> None:
    with fake_server({}) as server:
        url = server.url
    models, note = ollama_models(url)
    assert models == [] and note is not None
    assert note.startswith(f"Ollama at {url}: not reachable") and "\n" not in note


def test_gguf_files_are_found_and_split_models_listed_once(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    tiny_gguf(tmp_path / "sub" / "small.gguf", "Small")
    first = tiny_gguf(tmp_path / "big-00001-of-00002.gguf", "Big", ctx=32768)
    second = tiny_gguf(tmp_path / "big-00002-of-00002.gguf", "Big")
    (tmp_path / "broken.gguf").write_bytes(b"not a gguf")
    models, notes = gguf_models((tmp_path, tmp_path / "missing"))
    by_name = {Path(m.spec.removeprefix("llamacpp:")).name: m for m in models}
    assert sorted(by_name) == ["big-00001-of-00002.gguf", "broken.gguf", "small.gguf"]
    big = by_name["big-00001-of-00002.gguf"]
    assert big.size_bytes == first.stat().st_size + second.stat().st_size
    assert (big.name, big.quantization, big.family) == ("Big", "Q4_K_M", "llama")
    assert "2 shards" in big.detail and "ctx 32768" in big.detail
    assert by_name["broken.gguf"].detail.startswith("unreadable GGUF: broken.gguf is not")
    assert notes == [f"gguf_dirs: {tmp_path / 'missing'}: no such folder"]


def test_models_command_lists_all_three_sources(tmp_path: Path) -> None:
    tiny_gguf(tmp_path / "local.gguf", "Local")
    config = tmp_path / "showdown.toml"
    config.write_text(f'gguf_dirs = ["{tmp_path}"]\n[[models]]\nspec = "anthropic:claude-x"\n'
                      'name = "Claude X"\nretries = 2\n', encoding="utf-8")
    with ollama().serve() as server:
        result = CliRunner().invoke(cli, ["models", "--config", str(config), "--ollama-url",
                                          server.url, "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    rows = [(m["source"], m["spec"]) for m in listed["models"] if m["source"] != "bundled"]
    assert rows == [
        ("ollama", "ollama:gemma3:27b"), ("ollama", "ollama:qwen3:8b"),
        ("gguf", f"llamacpp:{tmp_path / 'local.gguf'}"), ("config", "anthropic:claude-x")]
    assert [m["name"] for m in listed["models"] if m["source"] == "bundled"] == [
        "SmolLM2-135M (bundled)"]
    assert listed["models"][-1]["name"] == "Claude X" and listed["notes"] == []


def test_models_command_with_ollama_down_still_lists_the_rest(tmp_path: Path) -> None:
    config = tmp_path / "showdown.toml"
    config.write_text('[[models]]\nspec = "ollama:gemma3"\n', encoding="utf-8")
    with fake_server({}) as server:
        url = server.url
    result = CliRunner().invoke(cli, ["models", "--config", str(config), "--ollama-url", url])
    assert result.exit_code == 0
    assert "ollama:gemma3" in result.output
    assert f"Ollama at {url}: not reachable" in result.output


def test_human_size() -> None:
    assert [human_size(v) for v in (None, 512, 2_500_000, 17_000_000_000)] == [
        "—", "512 B", "2.5 MB", "17.0 GB"]


def test_survey_of_an_empty_config_looks_at_the_default_ollama_only() -> None:
    from showdown.inventory import survey

    with fake_server({}) as server:
        url = server.url
    found = survey(Config(), url)
    assert [m.source for m in found.models] == ["bundled"] and len(found.notes) == 1


def test_configured_models_run_would_refuse_say_why(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    (tmp_path / "text.gguf").write_text("not weights")
    config = tmp_path / "showdown.toml"
    config.write_text('[[models]]\nspec = "llamacpp:gone.gguf"\n'
                      '[[models]]\nspec = "llamacpp:text.gguf"\n'
                      '[[models]]\nspec = "anthropic:claude-x"\n'
                      '[[models]]\nspec = "openai-compat:http://127.0.0.1:8000/v1"\n',
                      encoding="utf-8")
    with fake_server({}) as server:
        url = server.url
    result = CliRunner().invoke(cli, ["models", "--config", str(config), "--ollama-url", url,
                                      "--json"])
    assert result.exit_code == 0, result.output
    problems = {m["spec"]: m["problem"] for m in json.loads(result.stdout)["models"]
                if m["source"] == "config"}
    assert "no such model file" in problems[f"llamacpp:{tmp_path / 'gone.gguf'}"]
    assert "is not a GGUF file" in problems[f"llamacpp:{tmp_path / 'text.gguf'}"]
    assert "set ANTHROPIC_API_KEY" in problems["anthropic:claude-x"]
    assert "name the model after '#'" in problems["openai-compat:http://127.0.0.1:8000/v1"]
