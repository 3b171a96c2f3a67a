"""``ollama:NAME[:TAG]``: Ollama's native ``/api/chat`` stream, with the seed's model management.

Wire format: Ollama's docs/api.md. ``POST /api/chat`` streams one JSON object per line
(``message.content``, ``message.thinking``); the last has ``done: true``, ``done_reason`` and
Ollama's own figures in nanoseconds (``load_duration``, ``prompt_eval_count``,
``prompt_eval_duration``, ``eval_count``, ``eval_duration``, ``total_duration``). A chat request
with no messages loads a model, with ``keep_alive: 0`` unloads it; ``GET /api/ps`` lists what is
loaded with ``size`` and ``size_vram``; errors are ``{"error": "..."}`` with an HTTP status.

Before a model's timed turn every loaded model (this one too) is unloaded and this one preloaded
(timed, from the same cold start for every model), so no model is measured while another holds
the GPU and no load time hides in a TTFT; the order is kept in ``info["model_management"]``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from showdown.providers.base import ChatRequest, Progress, ProviderError, StreamClock
from showdown.providers.http import (
    Failure,
    HTTPProvider,
    decode_event,
    dig,
    get_json,
    post_json,
    post_stream,
    retrying,
    text,
)
from showdown.providers.options import (
    SECONDS,
    BaseURL,
    CommonOptions,
    ExtraBody,
    GpuLayers,
    above,
    option,
)
from showdown.providers.registry import register
from showdown.providers.spec import ModelSpec
from showdown.providers.wire import iter_lines
from showdown.records import Generation, GenerationSettings

__all__ = ["DEFAULT_HOST", "OllamaOptions", "OllamaProvider", "error_detail", "full_name",
           "ollama_base_url", "placement"]

DEFAULT_HOST = "http://127.0.0.1:11434"
#: Ollama's own figures kept from the final stream object (durations in nanoseconds).
FIGURES = ("total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration",
           "eval_count", "eval_duration")


def ollama_base_url(option: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The server: the config's ``base_url``, else ``OLLAMA_HOST`` read as Ollama reads it.

    Like Ollama's own client: a bare ``host`` or ``host:port`` is http with port 11434 by
    default; a URL with a scheme keeps that scheme's default port.
    """
    raw = (option or (os.environ if env is None else env).get("OLLAMA_HOST") or "").strip()
    if not raw:
        return DEFAULT_HOST
    if "://" not in raw:
        host, slash, path = raw.partition("/")
        if ":" not in host.rsplit("]", 1)[-1]:
            host = f"{host}:11434"
        raw = f"http://{host}{slash}{path}"
    # A bind-all address means "this machine" to a client.
    return raw.replace("//0.0.0.0", "//127.0.0.1").rstrip("/")


def full_name(model: str) -> str:
    """``gemma3`` → ``gemma3:latest``: how ``/api/ps`` names a model given without a tag."""
    return model if ":" in model.rsplit("/", 1)[-1] else f"{model}:latest"


def placement(size: Any, size_vram: Any) -> str:
    """Where a loaded model sits: wholly in VRAM, split with system RAM, or on the CPU."""
    if not isinstance(size, int) or not isinstance(size_vram, int) or size <= 0:
        return "unknown"
    if size_vram >= size:
        return "vram"
    return "partial" if size_vram > 0 else "cpu"


def error_detail(response: httpx.Response) -> str:
    """Ollama's error body ``{"error": "..."}``, else the raw text."""
    try:
        body = response.json()
    except json.JSONDecodeError:
        return response.text[:200]
    return str(body.get("error") or body) if isinstance(body, dict) else str(body)


@dataclass(frozen=True)
class OllamaOptions(BaseURL, GpuLayers, ExtraBody, CommonOptions):
    """The common options, extra request fields, the server, ``num_gpu``, model lifetime, and
    Ollama's ``num_ctx``/``num_thread`` (docs/modelfile.md, "Valid Parameters and Values").

    ``num_ctx`` replaces the run's ``--ctx`` for this model (still capped to its trained
    context); ``run --set num_ctx=…,num_thread=…`` sweeps both through here."""

    load_timeout_s: float = option(600.0, SECONDS, above(0))
    keep_alive: str | int = option("30m", "a duration like \"30m\" or seconds")
    num_ctx: int | None = option(None, "a whole number of tokens, 1 or more",
                                 lambda v: v is None or v >= 1)
    num_thread: int | None = option(None, "a whole number of threads, 1 or more",
                                    lambda v: v is None or v >= 1)


@register
class OllamaProvider(HTTPProvider):
    """``ollama:NAME[:TAG]``: a model served by Ollama, loaded alone before its turn."""

    PREFIX = "ollama"
    Options = OllamaOptions

    def __init__(self, name: str, spec: str, model: str, options: OllamaOptions | None = None) -> None:
        options = options or OllamaOptions()
        super().__init__(name, spec, options)
        self.model = model
        self._url_option = options.base_url
        self.load_timeout_s = options.load_timeout_s
        self.keep_alive = options.keep_alive
        # Ollama places layers itself unless told: "auto" sends no num_gpu.
        layers = options.n_gpu_layers
        self.num_gpu = None if layers == "auto" else layers
        self.num_ctx, self.num_thread = options.num_ctx, options.num_thread
        self.extra_body = dict(options.extra_body)
        self.events: list[dict[str, Any]] = []
        self._ctx: int | None = None

    @classmethod
    def from_spec(cls, spec: ModelSpec) -> OllamaProvider:
        return cls(cls.label(spec), spec.spec, spec.target,
                   OllamaOptions.parse(spec.options, cls.PREFIX))

    def endpoint(self, env: Mapping[str, str]) -> str:
        return ollama_base_url(self._url_option, env)

    # -- model management --------------------------------------------------------------

    def open(self, settings: GenerationSettings) -> GenerationSettings:
        self.events = []
        show = self._call("POST", "/api/show", {"model": self.model}, 60.0)
        ctx_train = _ctx_train(show)
        requested = self.num_ctx or settings.ctx
        self._ctx = min(requested, ctx_train) if ctx_train else requested
        # Everything loaded goes, this model too: each load is then timed from the same start.
        for loaded in self._loaded():
            self._unload(str(loaded.get("name") or loaded.get("model")))
        self.load_s = self._timed("preload", self.model, {
            "model": self.model, "messages": [], "keep_alive": self.keep_alive,
            "options": self._options(None)}, self.load_timeout_s)
        self.info = self._describe(show, requested, ctx_train)
        return GenerationSettings(settings.max_tokens, self._ctx, settings.temperature,
                                  settings.seed)

    def close(self) -> None:
        # If the server went away there is nothing left loaded there to free.
        with contextlib.suppress(ProviderError):
            self._unload(self.model)
        super().close()

    def _loaded(self) -> list[dict[str, Any]]:
        models = dig(self._call("GET", "/api/ps", None, 30.0), "models")
        return [m for m in models if isinstance(m, dict)] if isinstance(models, list) else []

    def _unload(self, model: str) -> None:
        self._timed("unload", model, {"model": model, "messages": [], "keep_alive": 0}, 120.0)

    def _timed(self, action: str, model: str, body: dict[str, Any], timeout_s: float) -> float:
        """A load or unload (``/api/chat`` with no messages), logged with when it began."""
        at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        started = time.monotonic()
        self._call("POST", "/api/chat", body, timeout_s)
        seconds = round(time.monotonic() - started, 4)
        self.events.append({"at": at, "action": action, "model": model, "seconds": seconds})
        return seconds

    def _describe(self, show: Any, requested_ctx: int, ctx_train: int | None) -> dict[str, Any]:
        entry = next((m for m in self._loaded() if m.get("name") == full_name(self.model)), {})
        details = entry.get("details") or dig(show, "details")
        version = self._call("GET", "/api/version", None, 10.0, required=False)
        return {
            "server": "ollama", "server_version": dig(version, "version"),
            "base_url": self.base_url, "model": self.model, "family": dig(details, "family"),
            "parameter_size": dig(details, "parameter_size"),
            "quantization": dig(details, "quantization_level"),
            "size": entry.get("size"), "size_vram": entry.get("size_vram"),
            "placement": placement(entry.get("size"), entry.get("size_vram")),
            "requested_ctx": requested_ctx, "ctx_train": ctx_train, "ctx": self._ctx,
            "keep_alive": self.keep_alive, "num_gpu": self.num_gpu,
            "num_thread": self.num_thread, "ctx_from": "num_ctx" if self.num_ctx else "--ctx",
            "model_management": list(self.events),
        }

    def _call(self, method: str, path: str, body: dict[str, Any] | None, timeout_s: float,
              required: bool = True) -> Any:
        """One management request, retried like any other; failure is one clear line."""
        url = f"{self.base_url}{path}"

        def once() -> tuple[Any, Failure | None]:
            if method == "GET":
                return get_json(url, {}, timeout_s, error_detail)
            return post_json(url, body or {}, {}, timeout_s, error_detail)

        value, failure, _ = retrying(self.retry, once)
        if failure is None or not required:
            return value
        if failure.message.startswith("connection failed: "):
            why = failure.message.removeprefix("connection failed: ").rsplit(" (", 1)[0]
            raise ProviderError(f"{self.spec}: cannot reach Ollama at {self.base_url} ({why}); "
                                "is `ollama serve` running? Set OLLAMA_HOST or base_url")
        if path == "/api/show" and failure.message.startswith("HTTP 404"):
            raise ProviderError(f"{self.spec}: Ollama at {self.base_url} has no model "
                                f"{self.model!r} (run `ollama pull {self.model}` first)")
        raise ProviderError(f"{self.spec}: {path} failed: {failure.message}")

    # -- streaming -----------------------------------------------------------------------

    def _options(self, request: ChatRequest | None) -> dict[str, Any]:
        # The same num_ctx/num_gpu/num_thread in the preload and every chat: a change makes
        # Ollama reload the model.
        options: dict[str, Any] = {"num_ctx": self._ctx}
        options |= {k: v for k, v in (("num_gpu", self.num_gpu), ("num_thread", self.num_thread))
                    if v is not None}
        if request is not None:
            s = request.settings
            options |= {"num_predict": s.max_tokens, "temperature": s.temperature, "seed": s.seed}
        return options

    def attempt(self, request: ChatRequest, progress: Progress | None
                ) -> tuple[Generation, Failure | None]:
        if self._ctx is None:
            self._ctx = self.num_ctx or request.settings.ctx
        clock = StreamClock()
        final: dict[str, Any] = {}
        body = {"model": self.model, "messages": request.messages(), "stream": True,
                "keep_alive": self.keep_alive, "options": self._options(request),
                **self.extra_body}
        failure = post_stream(f"{self.base_url}/api/chat", body, {}, self.idle_timeout_s,
                              lambda response: _consume(response, clock, final, progress),
                              error_detail, client=self.http)
        return self._record(clock, final, failure), failure

    def _record(self, clock: StreamClock, final: dict[str, Any],
                failure: Failure | None) -> Generation:
        figures = {k: final[k] for k in FIGURES if isinstance(final.get(k), int | float)}
        tokens, ns = figures.get("eval_count"), figures.get("eval_duration")
        rate = round(tokens / (ns / 1e9), 4) if tokens and ns else None
        reason = text(final.get("done_reason")) or None
        return clock.finish(
            _whole(tokens),
            prompt_tokens=_whole(figures.get("prompt_eval_count")),
            finish_reason=reason,
            server_tokens_per_s=rate,
            server_timings=figures | ({"done_reason": reason} if reason else {}),
            load_s=self.load_s,
            error=failure.message if failure else None,
        )


def _consume(response: httpx.Response, clock: StreamClock, final: dict[str, Any],
             progress: Progress | None) -> Failure | None:
    """Read NDJSON objects until ``done: true``; keep that last object's figures in ``final``.

    An ``{"error": ...}`` line ends the stream as failed, text before it kept: Ollama writes
    one when its runner dies mid-answer (HTTP status already 200). ``"error": null`` is none.
    """
    for line in iter_lines(response.iter_bytes()):
        if not line.strip():
            continue
        obj = decode_event(line, "stream line")
        if isinstance(obj, Failure):
            return obj
        if obj.get("error"):
            return Failure(f"Ollama error in stream: {obj['error']}")
        clock.token(text(dig(obj, "message", "content")), text(dig(obj, "message", "thinking")),
                    progress)
        if obj.get("done"):
            final.update(obj)
            return None
    return Failure("the stream ended before done: true (server closed the connection)",
                   retryable=True)


def _whole(value: float | None) -> int | None:
    return None if value is None else int(value)


def _ctx_train(show: Any) -> int | None:
    """The trained context length from ``/api/show``'s ``model_info`` (``<arch>.context_length``)."""
    info = dig(show, "model_info")
    value = dig(info, f"{dig(info, 'general.architecture')}.context_length")
    return value if isinstance(value, int) and value > 0 else None
