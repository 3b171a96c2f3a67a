"""Per-model options: each provider declares them once, as a frozen dataclass of ``option``s.

One option is written in one place: its default, its type (the annotation), its range and the
words that say what is expected, and the command-line flag that may set it. ``parse`` checks a
``showdown.toml`` model table and the command line's values alike: an unknown key, a wrong type
or a value out of range is one line naming the key and what it takes. Options shared by several
backends live in the small mixins below, so they too are written once.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Self, Union

__all__ = ["SECONDS", "BaseURL", "CommonOptions", "ExtraBody", "GpuLayers", "KeyEnv",
           "OptionError", "ProviderOptions", "Rule", "above", "at_least", "option"]


class OptionError(ValueError):
    """A per-model option cannot be used; the message starts with the key and says why."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Rule:
    """What an option takes, in words, and the range check its type alone cannot say."""

    expected: str
    ok: Callable[[Any], bool] = lambda value: True
    flag: str | None = None  # the command-line flag that sets it for every model


def option(default: Any = None, expected: str = "", ok: Callable[[Any], bool] | None = None, *,
           flag: str | None = None, factory: Callable[[], Any] | None = None) -> Any:
    """A dataclass field with its rule: the one place an option's default and range live."""
    rule = Rule(expected, ok or (lambda value: True), flag)
    if factory is not None:
        return field(default_factory=factory, metadata={"rule": rule})
    return field(default=default, metadata={"rule": rule})


@dataclass(frozen=True)
class ProviderOptions:
    """Base of every provider's ``Options``: strict parsing of a mapping into the dataclass."""

    #: Names that look like a secret: refused with the one rule for keys (environment only).
    SECRET_HINT: ClassVar[str] = "key"

    @classmethod
    def parse(cls, raw: Mapping[str, Any], owner: str = "these") -> Self:
        """The options in ``raw`` checked and typed; the rest take their defaults.

        ``owner`` names the provider in the message for an unknown key.
        """
        known = cls.fields()
        values = {}
        for key, value in raw.items():
            if key not in known:
                raise OptionError(key, _unknown(key, owner, list(known)))
            values[key] = cls.check(key, value)
        return cls(**values)

    @classmethod
    def check(cls, key: str, value: Any) -> Any:
        """One option's value, checked against its type and rule (OptionError if wrong)."""
        rule = cls.rule(key)
        if not (_is(value, _hints(cls)[key]) and rule.ok(value)):
            raise OptionError(key, f"{key}: expected {rule.expected}, got {value!r}")
        return value

    @classmethod
    def fields(cls) -> dict[str, dataclasses.Field[Any]]:
        return {f.name: f for f in dataclasses.fields(cls)}

    @classmethod
    def rule(cls, key: str) -> Rule:
        """The option's rule; a plain field (no ``option``) is checked by its type alone."""
        rule = cls.fields()[key].metadata.get("rule")
        kind = _hints(cls)[key]
        return rule if isinstance(rule, Rule) else Rule(f"a value of type {getattr(kind, '__name__', kind)}")

    @classmethod
    def from_text(cls, key: str, text: str) -> Any:
        """A command-line string as the option's own type (``"12"`` → 12, ``"auto"`` stays)."""
        for kind in _members(_hints(cls)[key]):
            converted = _convert(text, kind)
            if converted is not None:
                return converted
        return text


def _unknown(key: str, owner: str, allowed: list[str]) -> str:
    if ProviderOptions.SECRET_HINT in key.lower():
        return (f"{key}: API keys are read from the environment only; name the variable "
                "with api_key_env = \"VAR\"")
    return f"{key}: not an option of {owner} models; expected one of {', '.join(allowed)}"


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    # Resolved once per class: annotations are strings under `from __future__ import annotations`.
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _members(kind: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(kind)
    return typing.get_args(kind) if origin in (Union, types.UnionType) else (kind,)


def _is(value: Any, kind: Any) -> bool:
    """Whether a decoded TOML/CLI value has the annotated type (bool is never a number)."""
    if kind is Any:
        return True
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (Union, types.UnionType):
        return any(_is(value, member) for member in args)
    if origin is Literal:
        return any(value == a and type(value) is type(a) for a in args)
    if origin is list:
        return isinstance(value, list) and all(_is(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(isinstance(k, str) for k in value)
    if kind is type(None):
        return value is None
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _convert(text: str, kind: Any) -> Any:
    if typing.get_origin(kind) is Literal:
        return text if text in typing.get_args(kind) else None
    if kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            return None
    return text if kind is str else None


def above(limit: float) -> Callable[[Any], bool]:
    """A range check: above ``limit`` and finite."""
    return lambda v: limit < v < math.inf


def at_least(limit: float) -> Callable[[Any], bool]:
    """A range check: ``limit`` or more, and finite."""
    return lambda v: limit <= v < math.inf


SECONDS = "a number of seconds above 0"


@dataclass(frozen=True)
class CommonOptions(ProviderOptions):
    """What every built-in backend takes: the stall cut-off and the retry policy."""

    idle_timeout_s: float = option(120.0, SECONDS, above(0), flag="--idle-timeout")
    retries: int = option(3, "a whole number of attempts, 1 or more", at_least(1))
    backoff_s: float = option(1.0, "seconds, 0 or more", at_least(0))


@dataclass(frozen=True)
class ExtraBody(ProviderOptions):
    """Extra request fields sent as they are (a setting they override is recorded as not sent)."""

    extra_body: dict[str, Any] = option(expected="a table of extra request fields", factory=dict)


@dataclass(frozen=True)
class BaseURL(ProviderOptions):
    """Where the server is, when not where the backend's default or environment says."""

    base_url: str | None = option(None, "a URL such as http://127.0.0.1:11434", lambda v: v != "")


@dataclass(frozen=True)
class KeyEnv(ProviderOptions):
    """The environment variable that holds the API key (keys never sit in files)."""

    api_key_env: str | None = option(None, "the NAME of an environment variable",
                                     lambda v: v != "")


@dataclass(frozen=True)
class GpuLayers(ProviderOptions):
    """Layers to offload to the GPU; ``auto`` lets showdown (llama.cpp) or Ollama decide."""

    n_gpu_layers: int | Literal["auto"] = option(
        "auto", "a whole number of layers, 0 or more, or \"auto\"",
        lambda v: v == "auto" or v >= 0, flag="--n-gpu-layers")
