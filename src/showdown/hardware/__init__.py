"""Know the hardware: GGUF metadata, VRAM fit prediction, GPU detection, telemetry, host.

The names below are loaded when first used: importing one module of this package (say
``hardware.busy`` for a report) must not pull in numpy and gguf through ``gguf_meta``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from showdown.hardware.fit import FitPrediction, predict_fit
    from showdown.hardware.gguf_meta import GgufError, GgufInfo, read_gguf
    from showdown.hardware.telemetry import Sampler, Telemetry, joules_per_token

__all__ = [
    "FitPrediction",
    "GgufError",
    "GgufInfo",
    "Sampler",
    "Telemetry",
    "joules_per_token",
    "predict_fit",
    "read_gguf",
]

_HOMES = {"FitPrediction": "fit", "predict_fit": "fit", "GgufError": "gguf_meta",
          "GgufInfo": "gguf_meta", "read_gguf": "gguf_meta", "Sampler": "telemetry",
          "Telemetry": "telemetry", "joules_per_token": "telemetry"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
