"""``llamacpp:PATH.gguf``: a llama-server showdown starts, measures and stops itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from showdown.fetch import FetchError, ensure_llama_server
from showdown.providers.base import ChatRequest, Progress, Provider, ProviderError
from showdown.providers.openai_compat import OpenAICompatProvider
from showdown.records import Generation, GenerationSettings
from showdown.servers.llamacpp import ManagedServer, ServerError, server_version

__all__ = ["LlamaCppProvider", "gguf_summary"]


def gguf_summary(path: Path) -> dict[str, Any]:
    """Architecture, name, trained context and layer count from the GGUF header."""
    from gguf import GGUFReader  # imported here: numpy-heavy, only needed for local files

    fields = GGUFReader(path).fields

    def value(key: str) -> Any:
        return fields[key].contents() if key in fields else None

    arch = value("general.architecture")
    return {
        "architecture": arch,
        "name": value("general.name"),
        "ctx_train": value(f"{arch}.context_length"),
        "n_layers": value(f"{arch}.block_count"),
        "file_type": value("general.file_type"),
    }


class LlamaCppProvider(Provider):
    """Starts llama-server on the model, then speaks OpenAI-compatible streaming to it."""

    def __init__(self, name: str, spec: str, model_path: Path, *, n_gpu_layers: int = 0,
                 extra_args: list[str] | None = None, llama_server: Path | None = None,
                 health_timeout_s: float = 600.0, idle_timeout_s: float = 120.0) -> None:
        super().__init__(name, spec)
        self.model_path = model_path
        self.n_gpu_layers = n_gpu_layers
        self.extra_args = extra_args or []
        self.llama_server = llama_server
        self.health_timeout_s = health_timeout_s
        self.idle_timeout_s = idle_timeout_s
        self.server: ManagedServer | None = None
        self._client: OpenAICompatProvider | None = None

    def open(self, settings: GenerationSettings) -> GenerationSettings:
        if not self.model_path.is_file():
            raise ProviderError(f"{self.spec}: no such model file {self.model_path}")
        try:
            binary = ensure_llama_server(self.llama_server)
            meta = gguf_summary(self.model_path)
        except FetchError as exc:
            raise ProviderError(str(exc)) from exc
        except (ValueError, OSError) as exc:
            raise ProviderError(f"{self.model_path}: not a readable GGUF file ({exc})") from exc
        ctx_train = meta.get("ctx_train")
        ctx = min(settings.ctx, ctx_train) if isinstance(ctx_train, int) else settings.ctx
        self.server = ManagedServer(binary, self.model_path, ctx, self.n_gpu_layers,
                                    self.extra_args, self.health_timeout_s)
        try:
            self.load_s = self.server.start()
        except ServerError as exc:
            raise ProviderError(str(exc)) from exc
        self.info = {**meta, "file": str(self.model_path),
                     "file_size": self.model_path.stat().st_size,
                     "server": "llama-server", "server_version": server_version(binary),
                     "requested_ctx": settings.ctx, "ctx": ctx,
                     "n_gpu_layers": self.n_gpu_layers, "placement": _placement(
                         self.n_gpu_layers, meta.get("n_layers"))}
        # cache_prompt off: a repeated trial must not look faster by reusing the last prompt.
        self._client = OpenAICompatProvider(self.name, self.spec, f"{self.server.base_url}/v1",
                                            self.model_path.name, None, self.idle_timeout_s,
                                            {"cache_prompt": False})
        self._client.load_s = self.load_s
        return GenerationSettings(settings.max_tokens, ctx, settings.temperature, settings.seed)

    def stream(self, request: ChatRequest, progress: Progress | None = None) -> Generation:
        if self._client is None or self.server is None:
            raise ProviderError(f"{self.spec}: stream() before open()")
        generation = self._client.stream(request, progress)
        if not self.server.alive():
            generation.error = (f"{generation.error or 'llama-server stopped'}; llama-server "
                                f"died: {self.server.log_tail()}")
        return generation

    def healthy(self) -> bool:
        return self.server is not None and self.server.alive()

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()


def _placement(n_gpu_layers: int, n_layers: Any) -> str:
    if n_gpu_layers <= 0:
        return "cpu"
    if isinstance(n_layers, int) and n_gpu_layers >= n_layers:
        return "vram"
    return "partial"
