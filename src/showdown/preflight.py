"""The whole plan checked before anything runs: every mistake one line, nothing saved.

Ranges of the run's settings, each model's spec (URL and model name), its files (a GGUF's
header and tensor table) and binaries, API keys, and whether each server answers at all (one
quick TCP connect per host). A run that passes here fails later only for reasons nobody could
see up front: a model that crashes, a stream that stalls.
"""

from __future__ import annotations

import math
import os
import socket
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from showdown.errors import PlanError
from showdown.providers import ModelSpec, OptionError, ProviderError, make_provider
from showdown.providers.registry import flag_options
from showdown.providers.spec import url_problem
from showdown.records import GenerationSettings

__all__ = ["PlanError", "check_options", "check_settings", "check_spec", "probe_servers",
           "url_problem"]

#: Seconds a reachability probe waits for a TCP connect: a live local server answers in
#: milliseconds; a dead one must not hold up the command line.
PROBE_TIMEOUT_S = 2.0



def check_settings(settings: GenerationSettings, trials: int, case_limit: int | None) -> None:
    """Value ranges of the fair settings, the trial count and the case limit."""
    ranges: list[tuple[str, float | int | None, bool, str]] = [
        ("--trials", trials, trials >= 1, "1 or more"),
        ("--limit", case_limit, case_limit is None or case_limit >= 1, "1 or more"),
        ("--max-tokens", settings.max_tokens, settings.max_tokens >= 1, "1 or more"),
        ("--ctx", settings.ctx, settings.ctx >= 1, "1 or more"),
        ("--temperature", settings.temperature,
         math.isfinite(settings.temperature) and 0 <= settings.temperature <= 2,
         "between 0 and 2"),
    ]
    for flag, value, ok, expected in ranges:
        if not ok:
            raise PlanError(f"{flag} {value} is out of range: give {flag} {expected} "
                            "(or fix it in the config's [settings])")


def check_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Per-model options the command line set (``--n-gpu-layers``, timeouts, the binary),
    checked by the rules the providers declare for them; returns them typed (``"12"`` → 12)."""
    flags = flag_options()
    typed: dict[str, Any] = {}
    for key, given in options.items():
        if key not in flags:
            raise PlanError(f"{key}: no provider takes this option")
        flag, owner = flags[key]
        value = owner.from_text(key, str(given)) if isinstance(given, str | Path) else given
        try:
            typed[key] = owner.check(key, value)
        except OptionError as exc:
            raise PlanError(f"{flag} {given}: give {owner.rule(key).expected}") from exc
    return typed


def check_spec(spec: ModelSpec, env: Mapping[str, str] | None = None) -> str | None:
    """Everything about one model that can be checked without a network (its options, its
    target, a key, a file): returns its server's base URL to probe (None for a managed
    llama-server), or raises PlanError."""
    try:
        base_url = make_provider(spec).check(os.environ if env is None else env)
    except ProviderError as exc:
        raise PlanError(str(exc)) from exc
    if base_url is not None and (problem := url_problem(base_url)):
        raise PlanError(f"{spec.spec}: base URL {problem}")
    return base_url


def probe_servers(servers: Iterable[tuple[str, str]], timeout_s: float = PROBE_TIMEOUT_S) -> None:
    """One quick TCP connect per (spec, base URL) host: a dead server is a mistake now, not
    seven seconds of retries per model later."""
    tried: set[tuple[str, int]] = set()
    for spec, url in servers:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if (host, port) in tried:
            continue
        tried.add((host, port))
        try:
            with socket.create_connection((host, port), timeout=timeout_s):
                pass
        except OSError as exc:
            why = exc.strerror or str(exc) or type(exc).__name__
            hint = ("is `ollama serve` running? set OLLAMA_HOST or base_url"
                    if spec.startswith("ollama:") else "start the server or fix the URL")
            raise PlanError(f"{spec}: cannot reach {url} ({why}); {hint}") from exc
