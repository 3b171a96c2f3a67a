"""What a ``--model`` value says: ``[Display=]provider:target`` plus its per-model options.

Pure: nothing here knows which providers exist, reads the environment or touches the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

__all__ = ["ModelSpec", "split_spec", "url_problem"]


@dataclass(frozen=True)
class ModelSpec:
    """A parsed ``--model`` value plus per-model options from config or the command line."""

    provider: str
    target: str
    name: str  # "" when the user gave no display name: each backend picks a default
    spec: str
    options: dict[str, Any] = field(default_factory=dict)

    def display(self, default: str) -> str:
        return self.name or default


def split_spec(text: str) -> tuple[str, str, str, str]:
    """``Display=provider:target`` → (display name, provider, target, ``provider:target``);
    the provider or target is "" where the text has none."""
    name, _, spec = text.rpartition("=") if "=" in text.split(":", 1)[0] else ("", "", text)
    provider, sep, target = spec.partition(":")
    return name, provider if sep else "", target, spec


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable http(s) URL, or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"{url!r} is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http(s) URL such as http://127.0.0.1:8000/v1"
    return None
