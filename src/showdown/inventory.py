"""What models showdown can see: Ollama's installed ones, GGUF files, configured entries.

Used by ``showdown models`` so a user can pick ``--model`` values without guessing. Nothing here
is fatal: a dead Ollama or a missing folder becomes a one-line note beside what was found, and a
configured model that ``showdown run`` would refuse (a missing GGUF, a bad URL, no API key)
says why on its row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from showdown.config import Config
from showdown.fetch import bundled_model_path
from showdown.hardware.gguf_meta import GgufError, read_gguf
from showdown.preflight import PlanError, check_spec
from showdown.providers import ProviderError
from showdown.providers.http import dig, get_json, post_json
from showdown.providers.ollama import error_detail, ollama_base_url

__all__ = ["Inventory", "SeenModel", "gguf_models", "ollama_models", "survey"]

_SHARD = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$")


@dataclass(frozen=True)
class SeenModel:
    """One model showdown could run, and the ``--model`` value that runs it."""

    source: str  # ollama, gguf or config
    spec: str
    name: str = ""
    size_bytes: int | None = None
    quantization: str | None = None
    family: str | None = None
    detail: str = ""
    problem: str = ""  # why `showdown run` would refuse it ("" when it would not)


@dataclass
class Inventory:
    """Everything found, plus notes on what could not be looked at."""

    models: list[SeenModel] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def survey(config: Config, ollama_url: str | None = None, timeout_s: float = 5.0) -> Inventory:
    """Look everywhere the config and the environment point to."""
    found = Inventory()
    urls = [ollama_base_url(ollama_url)] + [ollama_base_url(str(m.options["base_url"]))
                                            for m in config.models
                                            if m.provider == "ollama" and m.options.get("base_url")]
    for url in dict.fromkeys(urls):
        models, note = ollama_models(url, timeout_s)
        found.models += models
        found.notes += [note] if note else []
    found.models.append(bundled())
    models, notes = gguf_models(config.gguf_dirs)
    found.models += models
    found.notes += notes
    found.models += [SeenModel("config", m.spec, m.name, detail=_options_text(m.options),
                               problem=_refusal(m)) for m in config.models]
    return found


def bundled() -> SeenModel:
    """The model ``showdown run`` uses when given none (fetched by ``showdown setup``)."""
    path = bundled_model_path()
    if not path.is_file():
        return SeenModel("bundled", f"llamacpp:{path}", "SmolLM2-135M (bundled)",
                         problem="not downloaded yet: `showdown setup` fetches it (or the "
                                 "first `showdown run` does)")
    model = _gguf(path)
    return SeenModel("bundled", model.spec, "SmolLM2-135M (bundled)", model.size_bytes,
                     model.quantization, model.family, model.detail, model.problem)


def _refusal(spec: Any) -> str:
    """What `showdown run` would refuse about a configured model, checked without a network."""
    try:
        check_spec(spec)
    except (PlanError, ProviderError) as exc:
        return str(exc)
    return ""


def ollama_models(base_url: str, timeout_s: float = 5.0) -> tuple[list[SeenModel], str | None]:
    """Installed models from ``/api/tags``, each described by ``/api/show`` (docs/api.md)."""
    tags, failure = get_json(f"{base_url}/api/tags", {}, timeout_s, error_detail)
    if failure is not None:
        return [], f"Ollama at {base_url}: not reachable ({failure.message})"
    seen = []
    entries = dig(tags, "models")
    for entry in entries if isinstance(entries, list) else []:
        name = str(dig(entry, "name") or dig(entry, "model"))
        show, _ = post_json(f"{base_url}/api/show", {"model": name}, {}, timeout_s, error_detail)
        details = dig(show, "details") or dig(entry, "details")
        size = dig(entry, "size")
        seen.append(SeenModel("ollama", f"ollama:{name}", name,
                              size if isinstance(size, int) else None,
                              dig(details, "quantization_level"), dig(details, "family"),
                              _ollama_detail(details, show)))
    return seen, None


def _ollama_detail(details: Any, show: Any) -> str:
    info = dig(show, "model_info")
    ctx = dig(info, f"{dig(info, 'general.architecture')}.context_length")
    parts = [str(dig(details, "parameter_size") or ""), f"ctx {ctx}" if ctx else ""]
    return ", ".join(p for p in parts if p)


def gguf_models(dirs: tuple[Path, ...]) -> tuple[list[SeenModel], list[str]]:
    """GGUF files under the given folders; a split model is listed once, by its first shard."""
    seen: list[SeenModel] = []
    notes: list[str] = []
    for folder in dirs:
        if not folder.is_dir():
            notes.append(f"gguf_dirs: {folder}: no such folder")
            continue
        for path in sorted(folder.rglob("*.gguf")):
            shard = _SHARD.search(path.name)
            if shard and shard.group(1) != "00001":
                continue
            seen.append(_gguf(path))
    return seen, notes


def _gguf(path: Path) -> SeenModel:
    spec = f"llamacpp:{path}"
    try:
        meta = read_gguf(path)
    except GgufError as exc:
        # An unreadable or incomplete file is a note on its row, not the end of the listing.
        return SeenModel("gguf", spec, path.stem, path.stat().st_size,
                         detail=f"unreadable GGUF: {str(exc).replace(str(path), path.name)}",
                         problem="`showdown run` would refuse this file")
    parts = [f"{len(meta.shards)} shards" if len(meta.shards) > 1 else "",
             f"ctx {meta.context_length}" if meta.context_length else ""]
    return SeenModel("gguf", spec, meta.name or path.stem, meta.file_bytes, meta.file_type,
                     meta.architecture, ", ".join(p for p in parts if p))


def _options_text(options: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(options.items()))
