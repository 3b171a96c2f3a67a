"""Model specs (``[Display=]provider:target``) to provider objects, one factory per backend."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from showdown.providers.anthropic import DEFAULT_BASE_URL as ANTHROPIC_BASE_URL
from showdown.providers.anthropic import AnthropicProvider
from showdown.providers.base import Provider, ProviderError
from showdown.providers.hints import suggest_spec
from showdown.providers.http import RetryPolicy
from showdown.providers.llamacpp import LlamaCppProvider
from showdown.providers.ollama import OllamaProvider, ollama_base_url
from showdown.providers.openai_compat import OpenAICompatProvider

__all__ = ["OPENAI_BASE_URL", "OPTIONS", "PROVIDERS", "ModelSpec", "make_provider", "parse_spec"]

OPENAI_BASE_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class ModelSpec:
    """A parsed ``--model`` value plus per-model options from config."""

    provider: str
    target: str
    name: str  # "" when the user gave no display name: each backend picks a default
    spec: str
    options: dict[str, Any] = field(default_factory=dict)

    def display(self, default: str) -> str:
        return self.name or default


def parse_spec(text: str, options: dict[str, Any] | None = None) -> ModelSpec:
    """Split ``Display=provider:target``; an unknown provider is a one-line error."""
    name, _, spec = text.rpartition("=") if "=" in text.split(":", 1)[0] else ("", "", text)
    provider, sep, target = spec.partition(":")
    hint = suggest_spec(text, PROVIDERS)
    meant = f"; did you mean {hint!r}?" if hint else ""
    if not sep or not target:
        raise ProviderError(f"model spec {text!r}: expected PROVIDER:TARGET, e.g. "
                            "ollama:gemma3:12b, llamacpp:model.gguf, anthropic:MODEL, "
                            f"openai:MODEL or openai-compat:http://host:8000/v1#model{meant}")
    if provider not in PROVIDERS:
        raise ProviderError(f"model spec {text!r}: unknown provider {provider!r}{meant} "
                            f"(known: {', '.join(sorted(PROVIDERS))})")
    return ModelSpec(provider, target, name, spec, options or {})


def _retry(o: dict[str, Any]) -> RetryPolicy:
    return RetryPolicy(attempts=int(o.get("retries", 3)), backoff_s=float(o.get("backoff_s", 1.0)))


def _idle(o: dict[str, Any]) -> float:
    return float(o.get("idle_timeout_s", 120.0))


def _key(spec: ModelSpec, default_env: str) -> tuple[str, str]:
    """The API key from the environment (never from files or arguments), and its variable."""
    env = str(spec.options.get("api_key_env") or default_env)
    key = os.environ.get(env, "").strip()
    if not key:
        raise ProviderError(f"{spec.spec}: set {env} in the environment "
                            "(API keys are read from the environment only)")
    return key, env


def _llamacpp(spec: ModelSpec) -> Provider:
    o = spec.options
    return LlamaCppProvider(
        spec.display(Path(spec.target).name.removesuffix(".gguf")), spec.spec,
        Path(spec.target).expanduser(),
        n_gpu_layers=_layers(o.get("n_gpu_layers", "auto")),
        extra_args=list(o.get("server_args", [])),
        llama_server=Path(o["llama_server"]) if o.get("llama_server") else None,
        health_timeout_s=float(o.get("health_timeout_s", 600.0)),
        idle_timeout_s=_idle(o),
    )


def _layers(value: Any) -> int | str:
    if value == "auto":
        return "auto"
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ProviderError(f"n_gpu_layers is {value!r}; expected a number or \"auto\"") from exc


def _openai_compat(spec: ModelSpec) -> Provider:
    url, sep, model = spec.target.rpartition("#")
    if not sep or not url or not model:
        raise ProviderError(f"model spec {spec.spec!r}: expected openai-compat:URL#MODEL, e.g. "
                            "openai-compat:http://127.0.0.1:8000/v1#qwen")
    o = spec.options
    key = _key(spec, "")[0] if o.get("api_key_env") else None
    provider = OpenAICompatProvider(
        spec.display(model), spec.spec, url, model, key, _idle(o), dict(o.get("extra_body", {})),
        retry=_retry(o), not_sent={"ctx": "set where the server was started, not per request"})
    provider.info = {"server": "openai-compat", "base_url": provider.base_url, "model": model,
                     "not_sent": provider.not_sent}
    return provider


def _openai(spec: ModelSpec) -> Provider:
    o = spec.options
    key, _ = _key(spec, "OPENAI_API_KEY")
    url = str(o.get("base_url") or os.environ.get("OPENAI_BASE_URL") or OPENAI_BASE_URL)
    not_sent = {"ctx": "the context window is fixed by the model"}
    if reasoning_model(spec.target):
        not_sent["temperature"] = ("OpenAI's reasoning models (o-series, gpt-5) accept only "
                                   "their default temperature")
    # A model the rule misses gets one more try without a setting its 400 names.
    provider = OpenAICompatProvider(spec.display(spec.target), spec.spec, url, spec.target, key,
                                    _idle(o), dict(o.get("extra_body", {})), retry=_retry(o),
                                    token_param="max_completion_tokens", not_sent=not_sent,
                                    drop_rejected=True)
    provider.info = {"server": "openai", "placement": "cloud", "base_url": provider.base_url,
                     "model": spec.target, "not_sent": provider.not_sent}
    return provider


def reasoning_model(model: str) -> bool:
    """OpenAI's reasoning models, which refuse any temperature but their default (HTTP 400).

    The rule, from OpenAI's reasoning-models guide: the o-series (o1, o3, o4-mini, …) and the
    gpt-5 family, except the ``-chat`` variants, which are not reasoning models.
    """
    name = model.rsplit("/", 1)[-1].lower()
    return bool(re.match(r"(o[1-9]|gpt-5)(\b|[-.])", name)) and "-chat" not in name


def _anthropic(spec: ModelSpec) -> Provider:
    o = spec.options
    key, env = _key(spec, "ANTHROPIC_API_KEY")
    url = str(o.get("base_url") or os.environ.get("ANTHROPIC_BASE_URL") or ANTHROPIC_BASE_URL)
    return AnthropicProvider(spec.display(spec.target), spec.spec, spec.target, key,
                             base_url=url, idle_timeout_s=_idle(o),
                             extra_body=dict(o.get("extra_body", {})), retry=_retry(o),
                             key_env=env)


def _ollama(spec: ModelSpec) -> Provider:
    o = spec.options
    # Ollama places layers itself unless told: "auto" (the CLI's default) sends no num_gpu.
    n_gpu = o.get("n_gpu_layers")
    n_gpu = None if n_gpu in (None, "auto") else _layers(n_gpu)
    return OllamaProvider(spec.display(spec.target), spec.spec, spec.target,
                          ollama_base_url(o.get("base_url")), idle_timeout_s=_idle(o),
                          load_timeout_s=float(o.get("load_timeout_s", 600.0)),
                          keep_alive=o.get("keep_alive", "30m"),
                          num_gpu=n_gpu if isinstance(n_gpu, int) else None,
                          extra_body=dict(o.get("extra_body", {})), retry=_retry(o))


PROVIDERS: dict[str, Callable[[ModelSpec], Provider]] = {
    "llamacpp": _llamacpp,
    "openai-compat": _openai_compat,
    "openai": _openai,
    "anthropic": _anthropic,
    "ollama": _ollama,
}

#: Per-model options each backend understands (config keys besides ``spec`` and ``name``).
_COMMON = ("idle_timeout_s", "retries", "backoff_s")
OPTIONS: dict[str, tuple[str, ...]] = {
    "llamacpp": (*_COMMON, "n_gpu_layers", "server_args", "llama_server", "health_timeout_s"),
    "openai-compat": (*_COMMON, "api_key_env", "extra_body"),
    "openai": (*_COMMON, "base_url", "api_key_env", "extra_body"),
    "anthropic": (*_COMMON, "base_url", "api_key_env", "extra_body"),
    "ollama": (*_COMMON, "base_url", "n_gpu_layers", "load_timeout_s", "keep_alive",
               "extra_body"),
}


def make_provider(spec: ModelSpec) -> Provider:
    return PROVIDERS[spec.provider](spec)
