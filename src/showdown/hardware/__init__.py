"""Know the hardware: GGUF metadata, VRAM fit prediction, GPU detection, telemetry, host."""

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
