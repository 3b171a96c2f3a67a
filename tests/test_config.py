"""The config file: the documented example parses, mistakes are one clear line, CLI wins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from httpfake import Reply, fake_server, json_reply

from showdown.cli import cli
from showdown.config import (
    Config,
    ConfigError,
    find_config,
    load_config,
    parse_config,
    resolve,
)
from showdown.providers import parse_spec
from showdown.records import GenerationSettings

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "showdown.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_example_parses() -> None:
    config = load_config(ROOT / "examples" / "showdown.toml")
    assert [m.provider for m in config.models] == [
        "ollama", "ollama", "llamacpp", "openai-compat", "anthropic", "openai"]
    assert config.models[0].name == "Gemma 3 27B" and config.models[0].target == "gemma3:27b"
    assert config.models[1].options == {"base_url": "http://gpu-box:11434", "keep_alive": "1h"}
    llama = config.models[2]
    assert Path(llama.target).is_absolute() and "~" not in llama.target
    assert llama.spec == f"llamacpp:{llama.target}"
    assert llama.options == {"n_gpu_layers": 99, "server_args": ["--flash-attn", "on"]}
    assert dict(config.settings) == {"max_tokens": 16384, "ctx": 16384, "temperature": 0.0,
                                     "seed": 42, "trials": 1}
    assert config.gguf_dirs == (Path("~/models").expanduser(),)


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'gguf_dirs = ["models"]\n[[models]]\nspec = "llamacpp:m/a.gguf"\n'
                           'llama_server = "bin/llama-server"\n')
    config = load_config(path)
    assert config.gguf_dirs == (tmp_path / "models",)
    assert config.models[0].target == str(tmp_path / "m" / "a.gguf")
    assert config.models[0].options["llama_server"] == str(tmp_path / "bin" / "llama-server")


@pytest.mark.parametrize(("text", "expected"), [
    ("[setings]\nctx = 1\n", "setings: unknown key; expected settings, models or gguf_dirs"),
    ("[settings]\nctx = \"big\"\n", "settings.ctx: expected a whole number above 0, got 'big'"),
    ("[settings]\ntrials = 0\n", "settings.trials: expected a whole number, 1 or more, got 0"),
    ("[settings]\ntemp = 1\n", "settings.temp: unknown key; expected one of max_tokens, ctx"),
    ("[[models]]\nname = \"x\"\n", "models[0].spec: expected a model spec such as"),
    ("[[models]]\nspec = \"olama:gemma3\"\n",
     "models[0].spec: model spec 'olama:gemma3': unknown provider 'olama'; did you mean "
     "'ollama:gemma3'? (known: anthropic"),
    ("[[models]]\nspec = \"ollama:a\"\n[[models]]\nspec = \"anthropic:c\"\nn_gpu_layers = 9\n",
     "models[1].n_gpu_layers: not an option of anthropic models; expected one of"),
    ("[[models]]\nspec = \"openai:gpt\"\napi_key = \"sk-x\"\n",
     "models[0].api_key: API keys are read from the environment only"),
    ("[[models]]\nspec = \"llamacpp:a.gguf\"\nserver_args = \"--foo\"\n",
     "models[0].server_args: expected a list of strings"),
    ("[[models]]\nspec = \"ollama:a\"\nname = 3\n", "models[0].name: expected a display name"),
    ("gguf_dirs = \"~/models\"\n", "gguf_dirs: expected a list of folder paths"),
    ("models = 1\n", "models: expected [[models]] tables"),
    ("[settings\nctx = 1\n", "not valid TOML: "),
])
def test_mistakes_are_one_line_naming_file_key_and_expectation(
        tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and expected in message
    assert "\n" not in message


def test_find_config_explicit_default_and_none(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        find_config(tmp_path / "missing.toml", tmp_path)
    assert find_config(None, tmp_path) is None
    path = write(tmp_path, "")
    assert find_config(None, tmp_path) == path
    assert find_config(path, Path("/")) == path


def config_with_two_models(tmp_path: Path) -> Config:
    return parse_config({
        "settings": {"max_tokens": 1000, "temperature": 0.2, "trials": 3},
        "models": [{"spec": "ollama:gemma3", "name": "Gemma", "base_url": "http://box:11434"},
                   {"spec": "anthropic:claude-x", "retries": 5}]}, tmp_path / "showdown.toml")


def test_file_over_defaults_and_command_line_over_file(tmp_path: Path) -> None:
    config = config_with_two_models(tmp_path)
    chosen = resolve(config, [], {"temperature": 0.7}, {})
    assert chosen.settings == GenerationSettings(max_tokens=1000, ctx=16384, temperature=0.7,
                                                 seed=42)
    assert chosen.trials == 3
    assert [s.spec for s in chosen.specs] == ["ollama:gemma3", "anthropic:claude-x"]


def test_command_line_models_replace_the_files_but_may_name_its_entries(tmp_path: Path) -> None:
    config = config_with_two_models(tmp_path)
    chosen = resolve(config, ["Gemma", "openai:gpt-x"], {}, {"idle_timeout_s": 9.0})
    gemma, gpt = chosen.specs
    assert gemma.options == {"base_url": "http://box:11434", "idle_timeout_s": 9.0}
    assert gemma.name == "Gemma"
    assert gpt == parse_spec("openai:gpt-x", {"idle_timeout_s": 9.0})


def test_no_models_anywhere_is_an_empty_list() -> None:
    chosen = resolve(Config(), [], {}, {})
    assert chosen.specs == [] and chosen.settings == GenerationSettings() and chosen.trials == 1


def test_cli_exits_2_with_one_line_for_a_broken_config(tmp_path: Path) -> None:
    path = write(tmp_path, "[[models]]\nspec = \"ollama:a\"\nn_gpu_layers = -1\n")
    result = CliRunner().invoke(cli, ["run", "--config", str(path), "--db",
                                      str(tmp_path / "db.sqlite")])
    assert result.exit_code == 2
    assert "models[0].n_gpu_layers: expected a whole number of layers" in result.output
    assert str(path) in result.output.replace("\n", "")


def test_cli_exits_2_for_a_missing_config_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["models", "--config", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2 and "no such config file" in result.output


def test_cli_flags_typed_by_the_user_override_the_file_and_defaults_do_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A server that answers every chat request with HTTP 500 (OpenAI's documented error body):
    # the run goes ahead, and the stored failure shows the settings it was sent with.
    def broken(path: str, body: dict[str, Any]) -> Reply:
        return json_reply({"error": {"message": "overloaded", "type": "server_error"}}, 500)

    path = write(tmp_path, "[settings]\nmax_tokens = 1000\ntemperature = 0.5\n"
                           "[[models]]\nspec = \"openai:gpt-x\"\nname = \"GPT X\"\nretries = 1\n"
                           "backoff_s = 0\n")
    with fake_server({"POST /v1/chat/completions": broken}) as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
        result = CliRunner().invoke(cli, ["run", "--config", str(path), "--max-tokens", "99",
                                          "--db", str(tmp_path / "db.sqlite"), "--json"])
    assert result.exit_code == 1  # the model failed, and the exit code says so
    (row,) = json.loads(result.stdout)["results"]
    assert row["model"] == "GPT X"
    assert row["settings"] == {"max_tokens": 99, "ctx": 16384, "temperature": 0.5, "seed": 42}
    assert "HTTP 500" in row["error"]
