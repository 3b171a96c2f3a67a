"""``showdown.api``: score, run and report from Python, with the CLI's errors and stores.

The run goes to a local server speaking Ollama's documented wire format (tests/fakes.py cites
it); judging uses the real sandbox and the store is real SQLite.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import FakeModel, OllamaFake, ollama_stream
from httpfake import fake_server

from showdown import api, errors
from showdown.providers import ProviderError
from showdown.run.stored import find_run
from showdown.store import Store

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "examples" / "answers"


def test_a_saved_answer_scores_100() -> None:
    verdict = api.score((ANSWERS / "clean.md").read_text(encoding="utf-8"))
    assert (verdict.task, verdict.score) == ("todo-cli", 100)


def test_an_unknown_task_is_a_showdown_error_with_exit_code_2() -> None:
    with pytest.raises(errors.TaskError, match="unknown task 'nosuch'") as caught:
        api.score("print('hi')", task="nosuch")
    assert isinstance(caught.value, errors.ShowdownError) and caught.value.exit_code == 2


def test_every_user_facing_error_is_in_the_tree() -> None:
    names = [n for n in errors.__all__ if n != "ShowdownError"]
    assert all(issubclass(getattr(errors, n), errors.ShowdownError) for n in names)
    assert issubclass(ProviderError, errors.ShowdownError)
    assert errors.Nothing("done").exit_code == 0 and errors.StoreError("x", 1).exit_code == 1


def test_run_then_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    answer = (ANSWERS / "clean.md").read_text(encoding="utf-8")
    ollama = OllamaFake({"gemma3:latest": FakeModel(ctx=8192)},
                        chat=lambda body: ollama_stream([answer], eval_count=300))
    db = tmp_path / "db.sqlite"
    monkeypatch.chdir(tmp_path)  # no showdown.toml from elsewhere
    with fake_server(ollama.routes()) as server:
        monkeypatch.setenv("OLLAMA_HOST", server.url)
        outcome = api.run(["Gemma=ollama:gemma3"], db=db, max_tokens=512, ctx=4096)
    assert outcome.run.status == "finished" and outcome.store_path == db
    (result,) = outcome.results
    assert (result.model, result.task, result.settings.max_tokens) == ("Gemma", "todo-cli", 512)
    assert result.verdict is not None and result.verdict.score == 100 and not outcome.failed
    assert outcome.report_path is not None and outcome.report_path.is_file()
    assert capsys.readouterr().out == ""  # the library never prints
    text = api.report("md", db=db)
    assert "Gemma" in text
    assert api.select(db=db, models=["Gemma"]).runs[0].run_id == outcome.run.run_id
    with pytest.raises(errors.SelectionError, match="unknown report format 'pdf'"):
        api.report("pdf", db=db)
    # Resuming a finished run is nothing to do: exit code 0, not an error.
    with pytest.raises(errors.Nothing, match="already finished"):
        api.run(db=db, resume=outcome.run.run_id)


def test_a_wrong_setting_name_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(errors.ShowdownError, match="max_token"):
        api.run(["ollama:gemma3"], db=tmp_path / "db.sqlite", max_token=5)


def test_an_unknown_run_is_a_selection_error_not_a_store_error(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite")
    with pytest.raises(errors.SelectionError, match="no run 'nosuch'"):
        find_run(store, "nosuch")
    with pytest.raises(errors.StoreError, match="no store at"):
        api.select(db=tmp_path / "absent.sqlite")


def test_the_cli_knows_every_report_format_without_importing_the_renderers() -> None:
    from showdown.cli.report import FORMAT_NAMES
    from showdown.report import FORMATS

    assert tuple(FORMATS) == FORMAT_NAMES


def test_help_imports_no_heavy_module() -> None:
    """``showdown --help`` parses commands only: providers, report, numpy, gguf, httpx stay out."""
    import subprocess
    import sys

    code = ("import sys; from showdown.cli import cli\n"
            "heavy = ('showdown.providers', 'showdown.report', 'numpy', 'gguf', 'httpx')\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or "
            "any(m.startswith(h + '.') or m == h for h in heavy)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
