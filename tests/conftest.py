"""Shared fixtures: the bundled model and llama-server (built by `showdown setup`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/httpfake.py and friends

from showdown.fetch import bundled_model_path, find_llama_server

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def bundled_model() -> Path:
    path = bundled_model_path()
    if not path.is_file():
        pytest.skip(f"bundled model missing at {path}: run `showdown setup` (make test does)")
    return path


@pytest.fixture(scope="session")
def llama_server_bin() -> Path:
    binary = find_llama_server()
    if binary is None:
        pytest.skip("llama-server not found: run `showdown setup` (make test does)")
    return binary
