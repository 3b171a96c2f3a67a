"""Pure parts of the up-front checks: spec hints, URLs, ranges, the busy-machine warning,
and the ``score`` inputs that are not answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from showdown.cli import cli
from showdown.hardware.busy import busy_warning, own_cores
from showdown.preflight import PlanError, check_options, check_settings, url_problem
from showdown.providers.hints import suggest_spec
from showdown.providers.registry import PROVIDERS
from showdown.records import GenerationSettings


@pytest.mark.parametrize(("text", "meant"), [
    ("qwen3:8b", "ollama:qwen3:8b"),
    ("gemma3", "ollama:gemma3"),
    ("llamacp:m.gguf", "llamacpp:m.gguf"),
    ("Mine=olama:qwen3", "Mine=ollama:qwen3"),
    ("openai_compat:http://h/v1#m", "openai-compat:http://h/v1#m"),
    ("anthropik:claude", "anthropic:claude"),
    ("models/q.gguf", "llamacpp:models/q.gguf"),
    ("http://127.0.0.1:8000/v1", "openai-compat:http://127.0.0.1:8000/v1#MODEL"),
    ("two words", None),
])
def test_did_you_mean(text: str, meant: str | None) -> None:
    assert suggest_spec(text, PROVIDERS) == meant


@pytest.mark.parametrize(("url", "ok"), [
    ("http://127.0.0.1:8000/v1", True), ("https://api.openai.com/v1", True),
    ("notaurl", False), ("ftp://h/v1", False), ("http://", False), ("http://h:99999/", False),
])
def test_url_problem(url: str, ok: bool) -> None:
    assert (url_problem(url) is None) is ok


def test_ranges_pass_at_their_bounds_and_fail_past_them() -> None:
    check_settings(GenerationSettings(max_tokens=1, ctx=1, temperature=2.0), 1, 1)
    check_settings(GenerationSettings(temperature=0.0), 1, None)
    with pytest.raises(PlanError, match=r"--temperature 2\.01"):
        check_settings(GenerationSettings(temperature=2.01), 1, None)
    check_options({"n_gpu_layers": "0", "idle_timeout_s": 0.5})
    check_options({"n_gpu_layers": 12})
    for bad in ({"n_gpu_layers": "-1"}, {"n_gpu_layers": True}, {"idle_timeout_s": 0},
                {"idle_timeout_s": float("inf")}, {"health_timeout_s": float("nan")}):
        with pytest.raises(PlanError):
            check_options(bad)


def test_busy_warning() -> None:
    quiet = {"load_avg": [0.4, 0.3, 0.2], "cpu_count": 2, "other_showdown_runs": []}
    assert busy_warning([quiet, quiet]) is None
    loaded = {**quiet, "load_avg": [5.1, 2.0, 1.0]}
    other = {**quiet, "other_showdown_runs": [4242]}
    text = busy_warning([quiet, loaded, other]) or ""
    assert "load average up to 5.1 on 2 cores" in text and "1 other showdown run active" in text
    assert busy_warning([]) is None


def test_a_cpu_models_own_server_is_not_other_work() -> None:
    """The bundled model on 2 cores loads both: that is the measurement, not a busy machine
    (seen: every `make demo` warned). Load beyond the server's own use still counts."""
    generating = {"load_avg": [2.1, 1.5, 0.8], "cpu_count": 2, "other_showdown_runs": [],
                  "own_cores": own_cores({"proc_cpu_s": 590.0, "duration_s": 320.0})}
    assert generating["own_cores"] == pytest.approx(1.84, abs=0.01)
    assert busy_warning([generating]) is None
    crowded = {**generating, "load_avg": [5.0, 4.0, 3.0]}
    assert "load average up to 3.2 on 2 cores" in (busy_warning([crowded]) or "")
    assert own_cores({}) == 0.0 and own_cores({"proc_cpu_s": 3.0, "duration_s": 0}) == 0.0


@pytest.mark.parametrize(("content", "fragment"), [
    (b"", "is empty: there is no answer in it to score"),
    (b"  \n\n", "is empty"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", "is a binary file, not a model's answer"),
])
def test_score_refuses_what_is_not_an_answer(tmp_path: Path, content: bytes,
                                             fragment: str) -> None:
    path = tmp_path / "answer.md"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["score", str(path)])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert fragment in line and str(path) in line


def test_score_refuses_a_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["score", "--json", str(tmp_path)])
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert "is a folder" in line


def test_fit_on_a_cut_gguf_is_one_line(tmp_path: Path) -> None:
    from test_cli_plan import gguf_with_tensors

    path = gguf_with_tensors(tmp_path / "m.gguf")
    path.write_bytes(path.read_bytes()[:300])
    result = CliRunner().invoke(cli, ["fit", str(path)])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "truncated or damaged" in line and "reshape" not in line
