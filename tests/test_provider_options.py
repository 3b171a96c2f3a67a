"""Providers own their options (issue #16): one checked ``Options`` per backend, built from a spec
without reading the environment, a stored name that never depends on it, registration by
decorator, and plugins looked at only for a prefix that is not built in."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from showdown.config import Config, resolve
from showdown.providers import Provider, ProviderError, make_provider, model_label, parse_spec, register
from showdown.providers import registry as reg
from showdown.providers.ollama import OllamaProvider
from showdown.providers.spec import ModelSpec
from showdown.records import Generation

SPECS = ["llamacpp:/models/Qwen3-8B-Q4_K_M.gguf", "ollama:qwen3:8b", "openai:gpt-x",
         "anthropic:claude-x", "openai-compat:http://127.0.0.1:8000/v1#qwen"]


class Watched(dict[str, str]):
    """The environment, noting every variable read from it."""

    def __init__(self, env: Mapping[str, str]) -> None:
        super().__init__(env)
        self.read: list[str] = []

    def get(self, key: str, default: Any = None) -> Any:
        self.read.append(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.read.append(key)
        return super().__getitem__(key)


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> Iterator[Watched]:
    env = Watched(os.environ)
    monkeypatch.setattr(os, "environ", env)
    yield env


@pytest.mark.parametrize("text", SPECS)
def test_building_a_provider_reads_no_environment(watched: Watched, text: str) -> None:
    provider = make_provider(parse_spec(text, {"idle_timeout_s": 5}))
    assert watched.read == []
    assert text.split(":", 1)[0] == type(provider).PREFIX


def test_the_stored_name_never_depends_on_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = ["Qwen3-8B-Q4_K_M", "qwen3:8b", "gpt-x", "claude-x", "qwen"]
    for key in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    without = [model_label(parse_spec(s)) for s in SPECS]
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-a")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-o")
    with_keys = [model_label(parse_spec(s)) for s in SPECS]
    assert without == with_keys == expected
    assert model_label(parse_spec("Mine=anthropic:claude-x")) == "Mine"
    # The name the provider itself carries is the same one.
    assert [make_provider(parse_spec(s)).name for s in SPECS] == expected


@pytest.mark.parametrize(("text", "options", "fragment"), [
    ("ollama:m", {"keep_alive": 1.5}, "keep_alive: expected a duration like \"30m\" or seconds, got 1.5"),
    ("llamacpp:/m.gguf", {"n_gpu_layers": True}, "n_gpu_layers: expected a whole number of layers"),
    ("llamacpp:/m.gguf", {"n_gpu_layers": -1}, "n_gpu_layers: expected a whole number of layers"),
    ("anthropic:c", {"retries": 0}, "retries: expected a whole number of attempts, 1 or more, got 0"),
    ("openai:g", {"idle_timeout_s": "30"}, "idle_timeout_s: expected a number of seconds above 0, got '30'"),
    ("openai:g", {"idle_timeout_s": float("nan")}, "idle_timeout_s: expected a number of seconds"),
    ("llamacpp:/m.gguf", {"server_args": ["--x", 1]}, "server_args: expected a list of strings"),
    ("openai-compat:http://h/v1#m", {"base_url": "http://x"},
     "base_url: not an option of openai-compat models; expected one of idle_timeout_s, retries, "
     "backoff_s, extra_body, api_key_env"),
    ("openai:g", {"apikey": "sk-1"}, "apikey: API keys are read from the environment only"),
    ("openai-compat:http://h/v1", {}, "name the model after '#'"),
    ("openai-compat:notaurl#m", {}, "'notaurl' is not an http(s) URL"),
])
def test_bad_options_and_targets_are_one_line(text: str, options: dict[str, Any],
                                              fragment: str) -> None:
    with pytest.raises(ProviderError) as caught:
        make_provider(parse_spec(text, options))
    message = str(caught.value)
    assert fragment in message and "\n" not in message and text in message


def test_options_reach_the_provider_typed() -> None:
    provider = make_provider(parse_spec("ollama:m", {"idle_timeout_s": 5, "retries": 2,
                                                     "backoff_s": 0, "n_gpu_layers": 7,
                                                     "keep_alive": 0}))
    assert isinstance(provider, OllamaProvider)
    assert (provider.idle_timeout_s, provider.retry.attempts, provider.retry.backoff_s) == (5, 2, 0)
    assert (provider.num_gpu, provider.keep_alive, provider.load_timeout_s) == (7, 0, 600.0)
    auto = make_provider(parse_spec("ollama:m"))
    assert isinstance(auto, OllamaProvider) and auto.num_gpu is None and auto.idle_timeout_s == 120.0


def test_command_line_options_go_to_the_models_that_take_them() -> None:
    chosen = resolve(Config(), ["anthropic:c", "llamacpp:/m.gguf"], {},
                     {"health_timeout_s": 5.0, "idle_timeout_s": 9.0, "n_gpu_layers": 3})
    claude, llama = chosen.specs
    assert claude.options == {"idle_timeout_s": 9.0}
    assert llama.options == {"health_timeout_s": 5.0, "idle_timeout_s": 9.0, "n_gpu_layers": 3}


class _Stub(Provider):
    PREFIX = "stub-test"

    @classmethod
    def from_spec(cls, spec: ModelSpec) -> Provider:
        return cls(cls.label(spec), spec.spec)

    def stream(self, request: Any, progress: Any = None) -> Generation:
        return Generation(text="")


def test_register_adds_a_prefix_and_refuses_a_taken_or_bad_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reg, "PROVIDERS", dict(reg.PROVIDERS))
    assert register(_Stub) is _Stub
    assert make_provider(parse_spec("S=stub-test:x")).name == "S"

    class Thief(_Stub):
        PREFIX = "ollama"

    class Colon(_Stub):
        PREFIX = "a:b"

    for bad, fragment in ((Thief, "already taken by showdown.providers.ollama.OllamaProvider"),
                          (Colon, "give a word without ':'")):
        with pytest.raises(ValueError, match=fragment):
            register(bad)


def test_plugins_are_looked_at_only_for_a_prefix_not_built_in(
        monkeypatch: pytest.MonkeyPatch) -> None:
    looked: list[str] = []
    monkeypatch.setattr(reg, "load_group", lambda group: looked.append(group) or ())
    for text in SPECS:
        parse_spec(text)
    assert looked == []
    with pytest.raises(ProviderError, match="unknown provider 'zzz'"):
        parse_spec("zzz:x")
    assert looked == ["showdown.providers"]
