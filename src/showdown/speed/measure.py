"""Measure one managed llama-server: prompt speed, time to first token and writing speed at depth.

Every request is cold: ``cache_prompt: false`` and a unique first line, so the server reads all
``depth`` tokens each time. Exactly ``gen`` tokens are written (``n_predict`` with
``ignore_eos``). The counts and rates are llama-server's own ``timings``; TTFT is the client's
clock from sending the request to the first streamed token.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx

from showdown.providers.wire import iter_lines
from showdown.servers.llamacpp import ManagedServer, ServerError, server_version
from showdown.speed.context import corpus_text, prompt_tokens
from showdown.speed.plan import Config, server_args
from showdown.speed.records import SpeedRow, SpeedSample

__all__ = ["MeasureError", "ServerSetup", "measure_config"]

Say = Callable[[str], None]


class MeasureError(RuntimeError):
    """A request failed or the server answered something unusable (the message says what)."""


class ServerSetup:
    """How to start llama-server for one model and configuration."""

    def __init__(self, binary: Path, model: Path, ctx: int, n_gpu_layers: int,
                 base_args: Sequence[str], config: Config, health_timeout_s: float) -> None:
        self.binary, self.model, self.ctx = binary, model, int(config.get("ctx", ctx))
        self.n_gpu_layers = int(config.get("n_gpu_layers", n_gpu_layers))
        self.args = [*base_args, *server_args(config)]
        self.health_timeout_s = health_timeout_s

    def server(self) -> ManagedServer:
        return ManagedServer(self.binary, self.model, self.ctx, self.n_gpu_layers, self.args,
                             self.health_timeout_s)

    def describe(self) -> dict[str, object]:
        return {"server": "llama-server", "server_version": server_version(self.binary),
                "ctx": self.ctx, "n_gpu_layers": self.n_gpu_layers, "args": self.args}


def _tokenize(client: httpx.Client, text: str) -> list[int]:
    response = client.post("/tokenize", json={"content": text, "add_special": False})
    response.raise_for_status()
    tokens = response.json().get("tokens")
    if not isinstance(tokens, list) or not all(isinstance(t, int) for t in tokens):
        raise MeasureError("llama-server /tokenize answered no token list")
    return tokens


def _positive(value: object, name: str) -> float:
    if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise MeasureError(f"llama-server timings.{name} is {value!r}, not a positive number")
    return float(value)


def _one(client: httpx.Client, prompt: list[int], gen: int, depth: int) -> SpeedSample:
    """One streamed completion; its server timings and the client's time to first token."""
    body = {"prompt": prompt, "n_predict": gen, "ignore_eos": True, "cache_prompt": False,
            "stream": True, "seed": 0}
    sent, first, timings = time.monotonic(), None, None
    with client.stream("POST", "/completion", json=body) as response:
        if response.status_code != 200:
            response.read()
            raise MeasureError(f"llama-server /completion answered {response.status_code}: "
                               f"{response.text[:200]}")
        for line in iter_lines(response.iter_bytes()):  # CR/LF only: U+2028 is text
            if not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            if not isinstance(event, dict):
                raise MeasureError(f"llama-server streamed {line[:80]!r}, not a JSON object")
            if not event.get("stop") and first is None:
                first = time.monotonic()
            if event.get("stop"):
                timings = event.get("timings")
    if first is None or not isinstance(timings, dict):
        raise MeasureError("llama-server streamed no token or no timings")
    prompt_n = int(timings.get("prompt_n", -1))
    predicted_n = int(timings.get("predicted_n", -1))
    if predicted_n != gen:
        raise MeasureError(f"llama-server wrote {predicted_n} tokens, not the {gen} asked for")
    if depth and prompt_n != depth:
        raise MeasureError(f"llama-server read {prompt_n} prompt tokens of {depth}: part of the "
                           "prompt came from a cache, so the figure would flatter it")
    pp = _positive(timings.get("prompt_per_second"), "prompt_per_second") if depth else None
    return SpeedSample(prompt_n, pp, predicted_n,
                       _positive(timings.get("predicted_per_second"), "predicted_per_second"),
                       round(first - sent, 6))


def measure_config(setup: ServerSetup, rows: list[SpeedRow], repetitions: int,
                   say: Say) -> None:
    """Start the server, fill each row (one per depth) with samples, always stop the server.

    A server that will not start or a request that fails marks the rows' ``error``: a
    configuration that does not run is a result, never a traceback.
    """
    server, described = setup.server(), setup.describe()
    for row in rows:
        row.server = dict(described)
    try:
        server.start()
        # A fresh connection per request: llama-server may drop a kept-alive one after a stream.
        with httpx.Client(base_url=server.base_url, timeout=httpx.Timeout(600.0),
                          headers={"Connection": "close"}) as client:
            corpus = _tokenize(client, corpus_text())
            for row in rows:
                say(f"{row.model} [{row.server['ctx']} ctx] depth {row.depth}")
                for _ in range(repetitions):
                    prompt = prompt_tokens(corpus, row.depth, lambda t: _tokenize(client, t))
                    row.samples.append(_one(client, prompt, row.gen, row.depth))
    except (ServerError, MeasureError) as exc:
        _fail(rows, str(exc), repetitions)
    except (httpx.HTTPError, ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
        alive = server.alive(grace_s=1.0)
        _fail(rows, f"request failed ({exc})" + ("" if alive else
                                                f"; llama-server died: {server.log_tail()}"),
              repetitions)
    finally:
        server.stop()


def _fail(rows: list[SpeedRow], why: str, repetitions: int) -> None:
    """Every row not measured in full says why; finished rows keep their figures."""
    for row in rows:
        if len(row.samples) < repetitions:
            row.error = why if not row.samples else f"incomplete: {why}"
