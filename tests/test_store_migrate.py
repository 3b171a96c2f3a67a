"""Stores written by older showdowns keep working: a store made by the code at commit 48d59d4
(tests/fixtures/store-48d59d4.sqlite: an Ollama result that recorded only ``size``, a
llama-server one with ``file_size``) is upgraded in place to ``records.SCHEMA_VERSION``."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from showdown.errors import StoreError
from showdown.records import SCHEMA_VERSION, Figures, Host, ModelInfo, RunOptions
from showdown.report.groups import size_of
from showdown.store import Store

OLD = Path(__file__).parent / "fixtures" / "store-48d59d4.sqlite"


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def test_an_old_store_is_upgraded_and_ollama_sizes_show(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(OLD, path)
    assert user_version(path) == 0
    store = Store(path)
    results = {r.model: r for r in store.results()}
    assert user_version(path) == SCHEMA_VERSION
    # Ollama wrote "size", the report read "size_bytes": its models never showed a size.
    assert results["Gemma"].model_info["size_bytes"] == 3_300_000_000
    assert results["q"].model_info["size_bytes"] == 700_000_000
    assert [size_of(r) for r in results.values()] == [3_300_000_000, 700_000_000]
    assert results["Gemma"].info.placement == "vram" and results["q"].info.ctx == 4096
    assert results["Gemma"].model_info["size_vram"] == 3_300_000_000  # nothing dropped
    (run,) = store.runs()
    assert run.options == RunOptions([{"keep_alive": "30m"}, {}])
    store.close()
    Store(path).close()  # a second open has nothing to do
    assert user_version(path) == SCHEMA_VERSION


def test_a_store_from_a_newer_showdown_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="written by a newer showdown"):
        Store(path)


def test_model_info_reads_every_provider_shape() -> None:
    ollama = ModelInfo.decode({"server": "ollama", "size": 5, "placement": "cpu", "family": "x"})
    assert (ollama.size_bytes, ollama.placement, ollama.extra["family"]) == (5, "cpu", "x")
    assert ModelInfo.decode({"file_size": 7}).size_bytes == 7
    odd = ModelInfo.decode({"size": True, "ctx": "big"})
    assert (odd.size_bytes, odd.ctx, odd.encode()) == (None, None, {"size": True, "ctx": "big"})
    assert ModelInfo.decode(ollama.encode()) == ModelInfo.decode(ollama.encode() | {"size": 5})


def test_host_and_figures_are_typed_views_of_what_was_stored() -> None:
    host = Host.decode({"cpu_model": "X", "cpu_cores_logical": 8, "ram_bytes": "lots",
                        "gpus": [{"name": "G"}], "python": "3.11"})
    assert (host.cpu_model, host.cpu_cores_logical, host.ram_bytes, host.gpus) == (
        "X", 8, None, [{"name": "G"}])
    assert host.extra == {"ram_bytes": "lots", "python": "3.11"}  # nothing dropped
    assert Host.decode(host.encode()) == host
    assert Figures.decode({"gpu_mem_used_peak_bytes": 5}).peak_vram == 5
    assert Figures.decode({"peak_vram_bytes": 7, "gpu_mem_used_peak_bytes": 5}).peak_vram == 7
    assert Figures.decode({"gpu_energy_j": 3}).gpu_energy_j == 3  # a whole number is a float too
