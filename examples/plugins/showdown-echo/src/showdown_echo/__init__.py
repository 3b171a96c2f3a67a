"""``echo:PATH``: a provider that answers every prompt with the text of the file at PATH.

No model and no network: it reads the file in chunks and streams them, so showdown times a
real (if very fast) stream and judges the file as the model's answer. Point it at a saved
answer (``examples/answers/clean.md``) to see a whole run end to end in a second.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from showdown.providers import (
    ChatRequest,
    ModelSpec,
    Progress,
    Provider,
    ProviderError,
    ProviderOptions,
    StreamClock,
    at_least,
    option,
    register,
)
from showdown.records import Generation, GenerationSettings

__all__ = ["EchoOptions", "EchoProvider", "task_folders"]


@dataclass(frozen=True)
class EchoOptions(ProviderOptions):
    """Per-model options (``showdown.toml``): each has its default, type and range here only."""

    chunk_chars: int = option(16, "a whole number of characters, 1 or more", at_least(1))


@register
class EchoProvider(Provider):
    """Streams a file's text back as the answer, one chunk of ``chunk_chars`` at a time."""

    PREFIX = "echo"
    Options = EchoOptions

    def __init__(self, name: str, spec: str, path: Path, options: EchoOptions) -> None:
        super().__init__(name, spec)
        self.path = path
        self.chunk_chars = options.chunk_chars

    @classmethod
    def from_spec(cls, spec: ModelSpec) -> EchoProvider:
        """Checks the options and keeps the path; reads nothing (showdown builds providers
        just to check a plan)."""
        options = EchoOptions.parse(spec.options, cls.PREFIX)
        return cls(cls.label(spec), spec.spec, Path(spec.target).expanduser(), options)

    def check(self, env: Mapping[str, str]) -> str | None:
        if not self.path.is_file():
            raise ProviderError(f"{self.spec}: no such file {self.path}")
        return None  # no server to probe

    @classmethod
    def default_name(cls, target: str) -> str:
        """``echo:answers/clean.md`` is stored as ``echo-clean``."""
        return f"echo-{Path(target).stem}"

    def open(self, settings: GenerationSettings) -> GenerationSettings:
        self.check({})
        self.info = {"server": "echo", "file": str(self.path),
                     "size": self.path.stat().st_size, "not_sent": {
                         "max_tokens": "the file is sent whole", "temperature": "no sampling",
                         "seed": "no sampling", "ctx": "no context"}}
        return settings

    def stream(self, request: ChatRequest, progress: Progress | None = None) -> Generation:
        clock = StreamClock()
        try:
            with self.path.open(encoding="utf-8", errors="replace") as answer:
                while chunk := answer.read(self.chunk_chars):
                    clock.token(chunk, progress=progress)
        except OSError as exc:  # a failure is recorded, never raised (the provider contract)
            return clock.finish(None, error=f"cannot read {self.path}: {exc.strerror or exc}")
        # Each chunk is one "token" of this echo: its own count, as a server reports its own.
        return clock.finish(clock.chunks, finish_reason="stop")


def task_folders() -> list[Path]:
    """The task folders this plugin ships (entry point group ``showdown.tasks``)."""
    return [Path(__file__).parent / "tasks"]
