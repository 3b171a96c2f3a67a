"""``llamacpp:PATH.gguf``: a llama-server showdown starts, measures and stops itself."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from showdown.fetch import FetchError, ensure_llama_server
from showdown.hardware.assess import assess_info
from showdown.hardware.gguf_meta import GgufError, GgufInfo, check_gguf, read_gguf
from showdown.providers.base import ChatRequest, Progress, Provider, ProviderError
from showdown.providers.openai_compat import OpenAICompatOptions, OpenAICompatProvider
from showdown.providers.options import SECONDS, CommonOptions, GpuLayers, above, option
from showdown.providers.registry import register
from showdown.providers.spec import ModelSpec
from showdown.records import Generation, GenerationSettings
from showdown.servers.llamacpp import ManagedServer, ServerError, server_version

__all__ = ["LlamaCppOptions", "LlamaCppProvider", "placement"]


@dataclass(frozen=True)
class LlamaCppOptions(GpuLayers, CommonOptions):
    """The common options, GPU layers, and how the server is started."""

    server_args: list[str] = option(expected="a list of strings, e.g. [\"--flash-attn\", \"on\"]",
                                    factory=list)
    llama_server: str | None = option(None, "the path of a llama-server binary",
                                      flag="--llama-server")
    health_timeout_s: float = option(600.0, SECONDS, above(0), flag="--health-timeout")
    #: The context for this model instead of the run's ``--ctx`` (``run --set ctx=…`` sweeps it);
    #: capped to the trained context like ``--ctx``.
    ctx: int | None = option(None, "a whole number of tokens, 1 or more",
                             lambda v: v is None or v >= 1)


@register
class LlamaCppProvider(Provider):
    """``llamacpp:PATH.gguf``: starts llama-server on the model, then streams from it."""

    PREFIX = "llamacpp"
    Options = LlamaCppOptions

    def __init__(self, name: str, spec: str, model_path: Path,
                 options: LlamaCppOptions | None = None) -> None:
        super().__init__(name, spec)
        self.model_path = model_path
        self.options = options or LlamaCppOptions()
        self.server: ManagedServer | None = None
        self._client: OpenAICompatProvider | None = None

    @classmethod
    def from_spec(cls, spec: ModelSpec) -> LlamaCppProvider:
        return cls(cls.label(spec), spec.spec, Path(spec.target).expanduser(),
                   LlamaCppOptions.parse(spec.options, cls.PREFIX))

    @classmethod
    def default_name(cls, target: str) -> str:
        return Path(target).name.removesuffix(".gguf")

    @property
    def llama_server(self) -> Path | None:
        return Path(self.options.llama_server) if self.options.llama_server else None

    def check(self, env: Mapping[str, str]) -> str | None:
        server = self.llama_server
        if server is not None and not server.is_file():
            raise ProviderError(f"--llama-server {server}: no such file (give the path of a "
                                "llama-server binary, or leave it out to use showdown's own)")
        if server is not None and not os.access(server, os.X_OK):
            raise ProviderError(f"--llama-server {server}: not executable (chmod +x it, or "
                                "give another)")
        try:
            check_gguf(self.model_path)
        except GgufError as exc:
            raise ProviderError(f"model spec {self.spec!r}: {exc}") from exc
        return None  # showdown starts the server itself: nothing to probe

    def open(self, settings: GenerationSettings) -> GenerationSettings:
        if not self.model_path.is_file():
            raise ProviderError(f"{self.spec}: no such model file {self.model_path}")
        try:
            binary = ensure_llama_server(self.llama_server)
            meta = read_gguf(self.model_path)
        except FetchError as exc:
            raise ProviderError(str(exc)) from exc
        except GgufError as exc:
            raise ProviderError(f"{self.spec}: {exc}") from exc
        trained = meta.context_length
        requested = self.options.ctx or settings.ctx
        ctx = min(requested, trained) if trained else requested
        layers, fit = self._gpu_layers(meta, ctx)
        self.server = ManagedServer(binary, self.model_path, ctx, layers,
                                    list(self.options.server_args), self.options.health_timeout_s)
        try:
            self.load_s = self.server.start()
        except ServerError as exc:
            raise ProviderError(str(exc)) from exc
        # Where the weights went is what the server says it did, not what it was asked:
        # a CPU-only build ignores --n-gpu-layers. Unsaid means unknown, never a guess.
        offloaded = self.server.gpu_layers()
        used = offloaded[0] if offloaded else None
        self.info = {**_describe(meta), "server": "llama-server",
                     "server_version": server_version(binary), "requested_ctx": requested,
                     "ctx": ctx, "n_gpu_layers_requested": layers,
                     "n_gpu_layers_setting": self.options.n_gpu_layers, "n_gpu_layers": used, **fit,
                     "placement": "unknown" if used is None else placement(used, meta.n_layer)}
        # cache_prompt off: a repeated trial must not look faster by reusing the last prompt.
        o = self.options
        self._client = OpenAICompatProvider(
            self.name, self.spec, f"{self.server.base_url}/v1", self.model_path.name,
            OpenAICompatOptions(idle_timeout_s=o.idle_timeout_s, retries=o.retries,
                                backoff_s=o.backoff_s, extra_body={"cache_prompt": False}))
        self._client.load_s = self.load_s
        return GenerationSettings(settings.max_tokens, ctx, settings.temperature, settings.seed)

    def _gpu_layers(self, meta: GgufInfo, ctx: int) -> tuple[int, dict[str, Any]]:
        """The layer count to offload: as configured, or predicted from the GGUF and the GPU."""
        if self.options.n_gpu_layers != "auto":
            return self.options.n_gpu_layers, {}
        report = assess_info(meta, None, ctx)
        prediction = report.prediction
        return prediction.n_gpu_layers, {"fit_tier": prediction.tier, "fit_why": prediction.why,
                                         "n_gpu_layers_predicted": prediction.n_gpu_layers}

    @property
    def server_pid(self) -> int | None:
        return self.server.pid if self.server else None

    def stream(self, request: ChatRequest, progress: Progress | None = None) -> Generation:
        if self._client is None or self.server is None:
            raise ProviderError(f"{self.spec}: stream() before open()")
        generation = self._client.stream(request, progress)
        # A broken stream may be the server dying: give the kernel a moment to say so.
        if not self.server.alive(grace_s=1.0 if generation.error else 0.0):
            generation.error = (f"{generation.error or 'llama-server stopped'}; llama-server "
                                f"died: {self.server.log_tail()}")
        return generation

    def healthy(self) -> bool:
        return self.server is not None and self.server.alive()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self.server is not None:
            self.server.stop()


def placement(n_gpu_layers: int, n_layers: int) -> str:
    """Where the weights sit: all on the GPU ("vram"), some ("partial"), or none ("cpu")."""
    if n_gpu_layers <= 0:
        return "cpu"
    return "vram" if n_gpu_layers >= n_layers else "partial"


def _describe(meta: GgufInfo) -> dict[str, Any]:
    return {"file": meta.path, "file_size": meta.file_bytes, "shards": len(meta.shards),
            "architecture": meta.architecture, "name": meta.name,
            "parameters": meta.parameter_count, "quantization": meta.file_type,
            "ctx_train": meta.context_length, "n_layers": meta.n_layer,
            "experts": meta.n_expert, "experts_used": meta.n_expert_used}
