"""Which backend a spec's prefix selects: built-ins register by decorator, plugins by entry point.

``@register`` (like inspect_ai's ``@modelapi``) adds a Provider class under its ``PREFIX``.
Third-party providers come from the ``showdown.providers`` entry point group, loaded only when
a spec names a prefix that is not built in, or when every provider is listed.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any, TypeVar

from showdown.plugins import PROVIDERS_GROUP, load_group, warn
from showdown.providers.base import Provider, ProviderError
from showdown.providers.hints import suggest_spec
from showdown.providers.options import OptionError, ProviderOptions
from showdown.providers.spec import ModelSpec, split_spec

__all__ = ["PROVIDERS", "all_providers", "applicable", "flag_options", "make_provider",
           "model_label", "parse_spec", "provider_class", "register"]

#: Prefix → Provider class: the built-ins, plus plugins once they were loaded.
PROVIDERS: dict[str, type[Provider]] = {}

P = TypeVar("P", bound=type[Provider])


def register(cls: P) -> P:
    """Class decorator: make ``cls`` the backend for specs starting ``cls.PREFIX:``."""
    prefix = cls.PREFIX
    if not prefix or ":" in prefix or "=" in prefix or prefix != prefix.strip():
        raise ValueError(f"{cls.__name__}.PREFIX {prefix!r}: give a word without ':' or '='")
    taken = PROVIDERS.get(prefix)
    if taken is not None and taken is not cls:
        raise ValueError(f"provider prefix {prefix!r} is already taken by "
                         f"{taken.__module__}.{taken.__name__}")
    PROVIDERS[prefix] = cls
    return cls


def _load_plugins() -> None:
    for name, value in load_group(PROVIDERS_GROUP):
        if isinstance(value, type) and issubclass(value, Provider):
            try:
                register(value)
            except ValueError as exc:
                warn(f"plugin {name!r} ({PROVIDERS_GROUP}): {exc}")
        elif not isinstance(value, types.ModuleType):  # a module registered its own classes
            warn(f"plugin {name!r} ({PROVIDERS_GROUP}): {value!r} is not a Provider class "
                 "or a module")


def provider_class(prefix: str) -> type[Provider] | None:
    """The backend for a prefix; plugins are looked at only for a prefix not built in."""
    if prefix not in PROVIDERS:
        _load_plugins()
    return PROVIDERS.get(prefix)


def all_providers() -> dict[str, str]:
    """Every backend's prefix and the module that provides it, plugins included (loading them
    if not yet done), sorted by prefix: what ``showdown models`` lists."""
    _load_plugins()
    return {prefix: PROVIDERS[prefix].__module__ for prefix in sorted(PROVIDERS)}


def parse_spec(text: str, options: dict[str, Any] | None = None) -> ModelSpec:
    """Split ``Display=provider:target``; an unknown provider is a one-line error."""
    name, provider, target, spec = split_spec(text)
    known = provider_class(provider) is not None if provider and target else False
    if known:
        return ModelSpec(provider, target, name, spec, dict(options or {}))
    hint = suggest_spec(text, PROVIDERS)
    meant = f"; did you mean {hint!r}?" if hint else ""
    if not provider or not target:
        raise ProviderError(f"model spec {text!r}: expected PROVIDER:TARGET, e.g. "
                            "ollama:gemma3:12b, llamacpp:model.gguf, anthropic:MODEL, "
                            f"openai:MODEL or openai-compat:http://host:8000/v1#model{meant}")
    raise ProviderError(f"model spec {text!r}: unknown provider {provider!r}{meant} "
                        f"(known: {', '.join(sorted(PROVIDERS))})")


def make_provider(spec: ModelSpec) -> Provider:
    """The provider for a spec, built without I/O; bad options or a bad target: ProviderError."""
    cls = provider_class(spec.provider)
    if cls is None:
        raise ProviderError(f"model spec {spec.spec!r}: unknown provider {spec.provider!r}")
    try:
        return cls.from_spec(spec)
    except OptionError as exc:
        raise ProviderError(f"model spec {spec.spec!r}: {exc}") from exc


def model_label(spec: ModelSpec) -> str:
    """The name a model's results are stored under, from the spec alone: its display name, else
    its backend's default (the target, a GGUF's file name, the model after ``#``)."""
    cls = provider_class(spec.provider)
    return cls.label(spec) if cls is not None else spec.name or spec.spec


def options_of(prefix: str) -> type[ProviderOptions]:
    cls = provider_class(prefix)
    return cls.Options if cls is not None else ProviderOptions


def applicable(prefix: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """The command line's options this backend takes (``--health-timeout`` means nothing to
    Anthropic); a file's options are checked strictly instead (``config.py``)."""
    fields = options_of(prefix).fields()
    return {key: value for key, value in options.items() if key in fields}


def flag_options() -> dict[str, tuple[str, type[ProviderOptions]]]:
    """Option key → (command-line flag, an Options class that declares it) over the backends
    known now (built-ins; plugins too once loaded)."""
    found: dict[str, tuple[str, type[ProviderOptions]]] = {}
    for cls in PROVIDERS.values():
        for key in cls.Options.fields():
            flag = cls.Options.rule(key).flag
            if flag is not None:
                found.setdefault(key, (flag, cls.Options))
    return found
