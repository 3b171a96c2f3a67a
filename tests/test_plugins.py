"""Plugins through entry points (issue #16): the example plugin, installed for real with pip into
a temporary folder, runs as ``echo:PATH`` and ships a task; a broken plugin is one warning line.

Offline: pip builds the example from a copy of its folder with the venv's own setuptools
(``--no-build-isolation --no-index``), so nothing is fetched and the source tree stays clean.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from showdown.store import Store

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "examples" / "plugins" / "showdown-echo"
CLEAN = "examples/answers/clean.md"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plugin pip-installed into a folder of its own (to put on PYTHONPATH)."""
    work = tmp_path_factory.mktemp("plugin")
    source = shutil.copytree(PLUGIN, work / "src", ignore=shutil.ignore_patterns("build", "*.egg-info"))
    target = work / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", "--target", str(target), str(source)],
                   check=True, capture_output=True, timeout=300)
    return target


def showdown(*args: str, paths: list[Path]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in [*paths, ROOT / "src"]),
           "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "showdown", *args], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, env=env)


def test_the_installed_echo_plugin_runs_and_its_answer_scores_100(site: Path,
                                                                   tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    proc = showdown("run", "-m", f"echo:{CLEAN}", "--db", str(db), "--json", paths=[site])
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "warning: plugin" not in proc.stderr
    (row,) = json.loads(proc.stdout)["results"]
    assert row["model"] == "echo-clean" and row["score"] == 100
    (stored,) = Store(db).results()
    assert stored.model == "echo-clean" and stored.spec == f"echo:{CLEAN}"
    assert stored.verdict is not None and stored.verdict.score == 100
    gen = stored.generation
    assert gen.error is None and gen.text == (ROOT / CLEAN).read_text(encoding="utf-8")
    # Measured on the echo's own stream: 16-character chunks, each counted as one token.
    assert gen.output_tokens == -(-len(gen.text) // 16)
    assert gen.ttft_s is not None and gen.total_s is not None and gen.total_s >= gen.ttft_s
    assert stored.model_info["server"] == "echo"


def test_a_plugin_option_is_checked_by_its_own_rules(site: Path, tmp_path: Path) -> None:
    config = tmp_path / "showdown.toml"
    config.write_text(f'[[models]]\nspec = "echo:{ROOT / CLEAN}"\nchunk_chars = 0\n')
    proc = showdown("run", "--config", str(config), "--db", str(tmp_path / "s.db"), paths=[site])
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert "models[0].chunk_chars: expected a whole number of characters, 1 or more, got 0" in line


def test_a_plugins_task_folder_shows_in_showdown_tasks(site: Path) -> None:
    proc = showdown("tasks", paths=[site])
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if "echo-words" in x)
    assert "function" in line and "todo-cli" in proc.stdout


def test_showdown_models_lists_the_plugins_provider(site: Path) -> None:
    proc = showdown("models", "--json", "--ollama-url", "http://127.0.0.1:9", paths=[site])
    assert proc.returncode == 0, proc.stderr
    providers = json.loads(proc.stdout)["providers"]
    assert providers["echo"] == "showdown_echo"
    assert providers["ollama"] == "showdown.providers.ollama"


def broken_plugin(folder: Path) -> Path:
    """An installed distribution whose entry points name a module that is not there."""
    info = folder / "broken_plugin-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[showdown.providers]\nbroken = no_such_module:Thing\n"
                                           "[showdown.tasks]\nbroken = no_such_module:folders\n")
    return folder


def test_a_broken_plugin_is_one_warning_line_and_only_when_looked_at(tmp_path: Path) -> None:
    broken = broken_plugin(tmp_path / "broken")
    proc = showdown("run", "-m", "nosuch:x", "--db", str(tmp_path / "s.db"), paths=[broken])
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    warning, error = proc.stderr.strip().splitlines()
    assert warning.startswith("warning: plugin 'broken' (showdown.providers = no_such_module:Thing)")
    assert "ModuleNotFoundError" in warning
    assert error.startswith("error: ") and "unknown provider 'nosuch'" in error
    # A built-in prefix and a built-in task never load plugins: no warning at all.
    proc = showdown("score", CLEAN, paths=[broken])
    assert proc.returncode == 0 and "warning: plugin" not in proc.stderr
    proc = showdown("tasks", paths=[broken])
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert proc.stderr.count("warning: plugin 'broken' (showdown.tasks") == 1
