""""Did you mean" for a model spec: the spec a user most likely meant, or nothing."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["suggest_spec"]


def suggest_spec(text: str, providers: Iterable[str]) -> str | None:
    """A corrected spec for a mistyped provider (``llamacp:`` → ``llamacpp:``), a bare Ollama
    name (``qwen3:8b`` → ``ollama:qwen3:8b``), a bare GGUF path or a bare URL; None if unsure."""
    known = sorted(providers)
    name, _, spec = text.rpartition("=") if "=" in text.split(":", 1)[0] else ("", "", text)
    prefix = f"{name}=" if name else ""
    provider, sep, target = spec.partition(":")
    close = difflib.get_close_matches(provider.lower(), known, n=1, cutoff=0.75)
    if close and sep and target:
        return f"{prefix}{close[0]}:{target}"
    if spec.lower().endswith(".gguf"):
        return f"{prefix}llamacpp:{spec}"
    if spec.startswith(("http://", "https://")):
        return f"{prefix}openai-compat:{spec}#MODEL"
    if spec and "/" not in provider and " " not in spec:
        return f"{prefix}ollama:{spec}"  # Ollama names look like name[:tag]
    return None
