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
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from showdown.errors import PlanError
from showdown.hardware.gguf_meta import GgufError, check_gguf
from showdown.providers import ModelSpec, ProviderError, make_provider
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


def check_options(options: dict[str, Any]) -> None:
    """Per-model options the command line may have set: layers and timeouts."""
    layers = options.get("n_gpu_layers")
    if layers is not None and layers != "auto" and not _whole(layers):
        raise PlanError(f"--n-gpu-layers {layers}: give a whole number of layers (0 or more) "
                        "or auto")
    for key, flag in (("idle_timeout_s", "--idle-timeout"), ("health_timeout_s",
                                                             "--health-timeout")):
        value = options.get(key)
        if value is not None and not (_number(value) and 0 < float(value) < math.inf):
            raise PlanError(f"{flag} {value}: give a number of seconds above 0")


def _whole(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        return int(str(value)) >= 0
    except ValueError:
        return False


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value)


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


def check_spec(spec: ModelSpec) -> str | None:
    """Everything about one model that can be checked without a network: returns its server's
    base URL (None for a managed llama-server), or raises PlanError."""
    check_options(spec.options)
    if spec.provider == "openai-compat":
        url, sep, model = spec.target.rpartition("#")
        if not sep or not model.strip():
            raise PlanError(f"model spec {spec.spec!r}: name the model after '#', e.g. "
                            f"openai-compat:{spec.target.rstrip('#')}#MODEL")
        if problem := url_problem(url):
            raise PlanError(f"model spec {spec.spec!r}: {problem}; expected "
                            "openai-compat:URL#MODEL")
    server = spec.options.get("llama_server")
    if server is not None and spec.provider == "llamacpp":
        _check_binary(Path(str(server)))
    if spec.provider == "llamacpp":
        try:
            check_gguf(Path(spec.target).expanduser())
        except GgufError as exc:
            raise PlanError(f"model spec {spec.spec!r}: {exc}") from exc
    try:
        provider = make_provider(spec)
    except ProviderError as exc:
        raise PlanError(str(exc)) from exc
    base_url = getattr(provider, "base_url", None)
    if isinstance(base_url, str):
        if problem := url_problem(base_url):
            raise PlanError(f"{spec.spec}: base URL {problem}")
        return base_url
    return None


def _check_binary(path: Path) -> None:
    if not path.is_file():
        raise PlanError(f"--llama-server {path}: no such file (give the path of a llama-server "
                        "binary, or leave it out to use showdown's own)")
    if not os.access(path, os.X_OK):
        raise PlanError(f"--llama-server {path}: not executable (chmod +x it, or give another)")


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
