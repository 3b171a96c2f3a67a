"""Model specs (``[Display=]provider:target``) to provider objects, one factory per backend."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from showdown.providers.base import Provider, ProviderError
from showdown.providers.llamacpp import LlamaCppProvider
from showdown.providers.openai_compat import OpenAICompatProvider

__all__ = ["PROVIDERS", "ModelSpec", "make_provider", "parse_spec"]


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
    if not sep or not target:
        raise ProviderError(f"model spec {text!r}: expected PROVIDER:TARGET, e.g. "
                            "llamacpp:model.gguf or openai-compat:http://host:8000/v1#model")
    if provider not in PROVIDERS:
        raise ProviderError(f"model spec {text!r}: unknown provider {provider!r}; "
                            f"known: {', '.join(sorted(PROVIDERS))}")
    return ModelSpec(provider, target, name, spec, options or {})


def _llamacpp(spec: ModelSpec) -> Provider:
    o = spec.options
    return LlamaCppProvider(
        spec.display(Path(spec.target).name.removesuffix(".gguf")), spec.spec,
        Path(spec.target).expanduser(),
        n_gpu_layers=_layers(o.get("n_gpu_layers", "auto")),
        extra_args=list(o.get("server_args", [])),
        llama_server=Path(o["llama_server"]) if o.get("llama_server") else None,
        health_timeout_s=float(o.get("health_timeout_s", 600.0)),
        idle_timeout_s=float(o.get("idle_timeout_s", 120.0)),
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
    return OpenAICompatProvider(spec.display(model), spec.spec, url, model,
                                idle_timeout_s=float(spec.options.get("idle_timeout_s", 120.0)))


PROVIDERS: dict[str, Callable[[ModelSpec], Provider]] = {
    "llamacpp": _llamacpp,
    "openai-compat": _openai_compat,
}


def make_provider(spec: ModelSpec) -> Provider:
    return PROVIDERS[spec.provider](spec)
