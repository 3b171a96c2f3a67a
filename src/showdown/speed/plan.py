"""What ``showdown speed`` will measure: depths, sweeps and their llama-server flags, checked up front.

Pure: parsing and refusing happen here with no server started, so a mistyped value or a depth the
model cannot hold costs nothing and saves nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from showdown.errors import ShowdownError

__all__ = ["KEYS", "OLLAMA_KEYS", "Config", "SweepError", "config_label", "default_ctx",
           "expand_sets", "keys_problem", "parse_depths", "server_args", "too_deep"]

Config = dict[str, str]

#: Room for the unique prefix and the one-token floor above depth + generated tokens.
_MARGIN = 64


class SweepError(ShowdownError, ValueError):
    """A bad --depth, --set or depth for a model: the message says what to give instead."""


def _whole(minimum: int) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        ok = value.isdigit() and int(value) >= minimum
        return None if ok else f"a whole number, {minimum} or more"
    return check


def _choice(*allowed: str) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        return None if value in allowed else f"one of {', '.join(allowed)}"
    return check


_CACHE_TYPES = ("f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1")

#: Sweepable key -> (llama-server flag, value check). ctx and n_gpu_layers are the server's own
#: arguments (ManagedServer takes them); mmap and mlock together become --load-mode, which is how
#: this llama-server build spells them (`llama-server --help`).
KEYS: dict[str, tuple[str, Callable[[str], str | None]]] = {
    "threads": ("--threads", _whole(1)),
    "batch_size": ("--batch-size", _whole(1)),
    "ubatch_size": ("--ubatch-size", _whole(1)),
    "ctx": ("-c", _whole(1)),
    "flash_attn": ("--flash-attn", _choice("on", "off", "auto")),
    "cache_type_k": ("--cache-type-k", _choice(*_CACHE_TYPES)),
    "cache_type_v": ("--cache-type-v", _choice(*_CACHE_TYPES)),
    "n_gpu_layers": ("--n-gpu-layers", _whole(0)),
    "mmap": ("--load-mode", _choice("on", "off")),
    "mlock": ("--load-mode", _choice("on", "off")),
}


#: Ollama's options a sweep may set (docs/modelfile.md, "Valid Parameters and Values").
OLLAMA_KEYS: dict[str, Callable[[str], str | None]] = {
    "num_ctx": _whole(1), "num_gpu": _whole(0), "num_thread": _whole(1),
}


def keys_problem(config: Config, provider: str) -> str | None:
    """Why a configuration's keys do not apply to this provider's models, or None."""
    known = OLLAMA_KEYS if provider == "ollama" else KEYS
    if wrong := [k for k in config if k not in known]:
        return (f"--set {', '.join(wrong)} does not apply to {provider}: models (their keys: "
                f"{', '.join(known)}); measure them in separate commands")
    return None


def parse_depths(text: str) -> list[int]:
    """``0,1024,4096`` -> [0, 1024, 4096] (sorted, no repeats)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise SweepError(f"--depth {text!r}: expected whole numbers of tokens separated by commas, "
                        "e.g. --depth 0,1024,4096")
    return sorted({int(p) for p in parts})


def expand_sets(sets: Sequence[str]) -> list[Config]:
    """``--set threads=1,2 --set flash_attn=on,off`` -> the product: four configurations."""
    axes: dict[str, list[str]] = {}
    for item in sets:
        key, sep, values = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise SweepError(f"--set {item!r}: expected KEY=V1,V2,..., e.g. --set threads=1,2")
        check = KEYS[key][1] if key in KEYS else OLLAMA_KEYS.get(key)
        if check is None:
            raise SweepError(f"--set {item!r}: unknown key {key!r} (llamacpp: "
                            f"{', '.join(KEYS)}; ollama: {', '.join(OLLAMA_KEYS)})")
        if key in axes:
            raise SweepError(f"--set {key} given twice: give all its values once, "
                            f"e.g. --set {key}=V1,V2")
        choices = [v.strip() for v in values.split(",") if v.strip()]
        if not choices:
            raise SweepError(f"--set {item!r}: no values (e.g. --set {key}=V1,V2)")
        for value in choices:
            if problem := check(value):
                raise SweepError(f"--set {key}={value}: expected {problem}")
        axes[key] = list(dict.fromkeys(choices))
    return [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]


def config_label(config: Config) -> str:
    """``threads=2 ctx=4096``, or ``default`` for the server's own settings."""
    return " ".join(f"{k}={v}" for k, v in sorted(config.items())) or "default"


def default_ctx(depths: Sequence[int], gen: int, trained: int | None) -> int:
    """A context just big enough for the deepest measurement, a multiple of 256, at most trained."""
    need = max(depths) + gen + _MARGIN
    ctx = -(-need // 256) * 256
    return min(ctx, trained) if trained else ctx


def too_deep(depths: Sequence[int], gen: int, trained: int | None, ctx: int | None,
             model: str) -> str | None:
    """Why the deepest depth cannot be measured on this model/configuration, or None."""
    deepest = max(depths)
    need = deepest + gen + _MARGIN
    if trained and need > trained:
        fits = max(trained - gen - _MARGIN, 0)
        return (f"depth {deepest} is past {model}'s trained context of {trained} tokens "
                f"(with --gen {gen} and a {_MARGIN}-token margin, the deepest is {fits}); "
                "give smaller depths")
    if ctx is not None and need > ctx:
        return (f"depth {deepest} with --gen {gen} needs a context of {need} tokens but the "
                f"configuration's context is {ctx}; raise it in --set or give smaller depths")
    return None


def server_args(config: Config) -> list[str]:
    """The llama-server flags a configuration adds (ctx and n_gpu_layers travel separately)."""
    args: list[str] = []
    for key, value in sorted(config.items()):
        if key in ("ctx", "n_gpu_layers", "mmap", "mlock"):
            continue
        args += [KEYS[key][0], value]
    if "mmap" in config or "mlock" in config:
        mmap, mlock = config.get("mmap", "on") == "on", config.get("mlock") == "on"
        mode = {(True, True): "mmap+mlock", (True, False): "mmap", (False, True): "mlock",
                (False, False): "none"}[(mmap, mlock)]
        args += ["--load-mode", mode]
    return args
