"""Speed at depth on an Ollama server: ``/api/generate`` in raw mode, Ollama's own counters.

Wire format: Ollama's docs/api.md, "Generate a completion" (``raw: true`` sends the prompt as
is; the final NDJSON object carries ``prompt_eval_count``/``prompt_eval_duration`` and
``eval_count``/``eval_duration`` in nanoseconds) and "Show Model Information". Ollama has no
documented tokenizer endpoint, so a depth is reached by measured count: one warm-up request
(which also loads the model with this configuration's options) says how many characters of the
code make a token, and every sample records the count Ollama read. Its prefix cache cannot
match: each prompt starts with a unique comment. Ollama cannot ignore the end of text, so a
model may write fewer than ``--gen`` tokens; ``predicted_n`` says how many.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx

from showdown.providers.wire import iter_lines
from showdown.speed.context import corpus_text
from showdown.speed.plan import Config
from showdown.speed.records import SpeedRow, SpeedSample

__all__ = ["OLLAMA_SOURCES", "OllamaSpeedError", "measure_ollama", "ollama_trained"]

OLLAMA_SOURCES = {
    "pp_tokens_per_s": "Ollama prompt_eval_count / prompt_eval_duration",
    "tg_tokens_per_s": "Ollama eval_count / eval_duration (end of text not ignorable)",
    "ttft_s": "client clock: request sent to first streamed token",
}


class OllamaSpeedError(RuntimeError):
    """Ollama refused or answered something unusable (one line)."""


def ollama_trained(base_url: str, model: str) -> int | None:
    """The model's trained context from ``/api/show`` (``<arch>.context_length``), or None."""
    try:
        response = httpx.post(f"{base_url}/api/show", json={"model": model}, timeout=60.0)
        response.raise_for_status()
        info = response.json().get("model_info") or {}
        value = info.get(f"{info.get('general.architecture')}.context_length")
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        raise OllamaSpeedError(f"Ollama at {base_url}: cannot show model {model!r} ({exc}); is "
                               f"`ollama serve` running and the model pulled?") from exc
    return value if isinstance(value, int) and value > 0 else None


def _options(config: Config, ctx: int, gen: int) -> dict[str, Any]:
    # num_ctx always: Ollama's default context would silently cut a deep prompt.
    options: dict[str, Any] = {"num_ctx": int(config.get("num_ctx", ctx)), "num_predict": gen,
                               "temperature": 0, "seed": 0}
    for key in ("num_gpu", "num_thread"):
        if key in config:
            options[key] = int(config[key])
    return options


def _generate(client: httpx.Client, model: str, prompt: str, options: dict[str, Any]
              ) -> tuple[float | None, dict[str, Any]]:
    """One streamed raw completion: client time to the first token, and the final object."""
    body = {"model": model, "prompt": prompt, "raw": True, "stream": True, "options": options}
    sent, first, final = time.monotonic(), None, {}
    with client.stream("POST", "/api/generate", json=body) as response:
        if response.status_code != 200:
            response.read()
            raise OllamaSpeedError(f"Ollama /api/generate answered {response.status_code}: "
                                   f"{response.text[:200]}")
        for line in iter_lines(response.iter_bytes()):  # CR/LF only: U+2028 is text
            if not line.strip():
                continue
            event = json.loads(line)
            if not isinstance(event, dict):
                raise OllamaSpeedError(f"Ollama streamed {line[:80]!r}, not a JSON object")
            if event.get("error"):
                raise OllamaSpeedError(f"Ollama: {event['error']}")
            if event.get("done"):
                final = event
            elif first is None and event.get("response"):
                first = time.monotonic()
    if not final:
        raise OllamaSpeedError("Ollama's stream ended without its final figures")
    return (None if first is None else first - sent), final


def _rate(count: object, ns: object) -> float | None:
    ok = isinstance(count, int) and count > 0 and isinstance(ns, int | float) and ns > 0
    return count / (ns / 1e9) if ok else None  # type: ignore[operator]


def _sample(client: httpx.Client, model: str, prompt: str, options: dict[str, Any],
            depth: int) -> SpeedSample:
    ttft, final = _generate(client, model, prompt, options)
    tg = _rate(final.get("eval_count"), final.get("eval_duration"))
    if ttft is None or tg is None:
        raise OllamaSpeedError("Ollama wrote no token or reported no eval_count/eval_duration")
    pp = _rate(final.get("prompt_eval_count"), final.get("prompt_eval_duration")) if depth else None
    return SpeedSample(int(final.get("prompt_eval_count") or 0), pp, int(final["eval_count"]), tg,
                       round(ttft, 6))


def measure_ollama(base_url: str, model: str, config: Config, ctx: int, rows: list[SpeedRow],
                   repetitions: int) -> None:
    """Fill each row (one per depth) with samples; a failure marks the rows, never raises."""
    options = _options(config, ctx, rows[0].gen if rows else 1)
    code = corpus_text()
    for row in rows:
        row.server = {"server": "ollama", "base_url": base_url, "options": options,
                      "depth_by": "measured count (Ollama has no tokenizer endpoint)"}
        row.sources = dict(OLLAMA_SOURCES)
    try:
        with httpx.Client(base_url=base_url, timeout=httpx.Timeout(600.0)) as client:
            # The warm-up loads the model with these options and measures characters per token.
            _, warm = _generate(client, model, code[:4000], {**options, "num_predict": 1})
            per_token = 4000 / max(int(warm.get("prompt_eval_count") or 0), 1)
            for row in rows:
                for _ in range(repetitions):
                    text = f"# measurement {uuid.uuid4().hex}\n" + code
                    prompt = text[: max(int(row.depth * per_token), 1)] if row.depth else "#"
                    row.samples.append(_sample(client, model, prompt, options, row.depth))
    except (OllamaSpeedError, httpx.HTTPError, ValueError, TypeError) as exc:
        for row in rows:
            if len(row.samples) < repetitions:
                row.error = f"{'incomplete: ' if row.samples else ''}Ollama: {exc}"
