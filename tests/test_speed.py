"""showdown speed without a server: parsing, refusals, flags, tables, best configuration."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from xml.etree import ElementTree

import pytest

from showdown.providers import model_label, parse_spec
from showdown.speed.chart import to_html
from showdown.speed.context import corpus_text, prompt_tokens
from showdown.speed.plan import (
    SweepError,
    config_label,
    default_ctx,
    expand_sets,
    parse_depths,
    server_args,
    too_deep,
)
from showdown.speed.records import SpeedRow, SpeedSample, row_from_dict
from showdown.speed.report import best_configs, problems, row_json, table_cells, to_csv
from showdown.speed.runsets import sweep_specs
from showdown.speed.storage import load_rows, save_row
from showdown.store import Store


def test_depths_sorted_and_unique() -> None:
    assert parse_depths("4096, 0,1024,0") == [0, 1024, 4096]


@pytest.mark.parametrize("text", ["", "a", "1,-2", "1.5"])
def test_bad_depths_refused(text: str) -> None:
    with pytest.raises(SweepError, match="--depth"):
        parse_depths(text)


def test_sets_are_the_product() -> None:
    configs = expand_sets(["threads=1,2", "flash_attn=on,off"])
    assert configs == [{"threads": "1", "flash_attn": "on"}, {"threads": "1", "flash_attn": "off"},
                       {"threads": "2", "flash_attn": "on"}, {"threads": "2", "flash_attn": "off"}]
    assert expand_sets([]) == [{}]  # no sweep: the one default configuration


@pytest.mark.parametrize(("item", "why"), [
    ("threads", "KEY=V1"), ("speed=1", "unknown key"), ("threads=0", "1 or more"),
    ("flash_attn=yes", "one of on, off, auto"), ("cache_type_k=q3", "one of f32"),
    ("threads=", "no values"),
])
def test_bad_sets_refused(item: str, why: str) -> None:
    with pytest.raises(SweepError, match=why):
        expand_sets([item])


def test_a_key_given_twice_is_refused() -> None:
    with pytest.raises(SweepError, match="given twice"):
        expand_sets(["threads=1", "threads=2"])


def test_server_flags_are_llama_servers() -> None:
    config = {"threads": "2", "batch_size": "256", "ubatch_size": "128", "flash_attn": "on",
              "cache_type_k": "q8_0", "cache_type_v": "q8_0", "ctx": "4096", "n_gpu_layers": "3",
              "mmap": "off", "mlock": "on"}
    args = server_args(config)
    pairs = dict(zip(args[::2], args[1::2], strict=True))
    assert pairs == {"--threads": "2", "--batch-size": "256", "--ubatch-size": "128",
                     "--flash-attn": "on", "--cache-type-k": "q8_0", "--cache-type-v": "q8_0",
                     "--load-mode": "mlock"}  # ctx and layers are ManagedServer's own arguments
    assert server_args({"mmap": "on"}) == ["--load-mode", "mmap"]
    assert server_args({"mmap": "off", "mlock": "off"}) == ["--load-mode", "none"]


def test_depth_past_trained_context_is_refused() -> None:
    why = too_deep([0, 9000], 16, 8192, None, "smol")
    assert why is not None and "trained context of 8192" in why and "8112" in why
    assert too_deep([0, 8112], 16, 8192, None, "smol") is None
    ctx_why = too_deep([1000], 128, 8192, 512, "smol")
    assert ctx_why is not None and "context is 512" in ctx_why


def test_default_ctx_fits_the_deepest_and_the_model() -> None:
    assert default_ctx([0, 1024], 16, 8192) == 1280
    assert default_ctx([8000], 100, 8192) == 8192


def test_prompt_is_exactly_depth_tokens_and_unique() -> None:
    corpus = list(range(100, 150))
    calls: list[str] = []

    def tokenize(text: str) -> list[int]:
        calls.append(text)
        return [1, 2, 3]
    first = prompt_tokens(corpus, 120, tokenize)
    prompt_tokens(corpus, 120, tokenize)
    assert len(first) == 120 and first[:3] == [1, 2, 3] and first[3:53] == corpus
    assert len(set(calls)) == 2  # a fresh first line each time
    assert prompt_tokens(corpus, 0, tokenize) == [100]


def test_corpus_is_real_python_source() -> None:
    text = corpus_text()
    assert "def getsource(" in text and "class Generic" in text and len(text) > 100_000


def _row(config: dict[str, str], depth: int, tg: list[float], error: str | None = None) -> SpeedRow:
    samples = [SpeedSample(depth or 1, 100.0 + i if depth else None, 16, t, 0.5 + i)
               for i, t in enumerate(tg)]
    return SpeedRow("r1", "2026-01-01T00:00:00+00:00", "smol", "llamacpp:x.gguf", config, depth,
                    16, samples, {"ctx": 512}, error)


def test_best_is_fastest_writer_at_the_deepest_depth() -> None:
    rows = [_row({"threads": "1"}, 0, [90.0]), _row({"threads": "1"}, 1024, [40.0, 42.0]),
            _row({"threads": "2"}, 0, [99.0]), _row({"threads": "2"}, 1024, [30.0]),
            _row({"threads": "4"}, 1024, [], "llama-server exited")]
    best = best_configs(rows)["smol"]
    assert best.row is not None
    assert config_label(best.row.config) == "threads=1" and best.row.depth == 1024
    # No run results given: said, never taken for a score that held.
    assert best.quality is not None and best.quality.status == "not_measured"
    assert "quality not measured" in best.lines()[0]


def test_json_row_shape() -> None:
    data = row_json(_row({"threads": "2"}, 256, [40.0, 50.0, 45.0]))
    assert data["depth"] == 256 and data["configuration"] == {"threads": "2"}
    assert data["tg_tokens_per_s"] == 45.0 and data["tg_spread"] == [40.0, 50.0]
    assert data["pp_tokens_per_s"] == 101.0 and data["pp_spread"] == [100.0, 102.0]
    assert data["ttft_s"] == 1.5 and data["repetitions"] == 3
    assert "timings" in data["sources"]["tg_tokens_per_s"]
    json.dumps(data)


def test_table_marks_failed_and_incomplete_rows() -> None:
    rows = [_row({}, 0, [], "llama-server exited"), _row({}, 256, [40.0], "incomplete: boom")]
    cells = table_cells(rows)
    assert cells[0][3] == "failed" and cells[0][2] == "0"
    assert cells[1][-1] == "1!" and cells[1][1] == "default"
    assert len(problems(rows)) == 2
    parsed = list(csv.reader(io.StringIO(to_csv(rows))))
    assert parsed[1][-1] == "llama-server exited" and parsed[2][8] == "40.0"


def test_rows_survive_the_store(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    a, b = _row({"threads": "1"}, 0, [50.0]), _row({"threads": "2"}, 0, [60.0])
    save_row(store, a)
    save_row(store, b)
    back = load_rows(store)
    assert [r.config for r in back] == [{"threads": "1"}, {"threads": "2"}]  # never merged
    assert back[0] == a and row_from_dict(asdict(b)) == b


def test_html_charts_one_line_per_configuration() -> None:
    rows = [_row({"threads": "1"}, 0, [90.0]), _row({"threads": "1"}, 1024, [40.0]),
            _row({"threads": "2"}, 0, [99.0]), _row({"threads": "2"}, 1024, [30.0]),
            _row({"threads": "<b>"}, 0, [], "llama-server exited")]
    page = to_html(rows)
    svg = ElementTree.fromstring(page[page.index("<svg"):page.index("</svg>") + 6])
    lines = svg.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 2 and len(lines[0].get("points", "").split()) == 2
    assert "threads=&lt;b&gt;" in page and "<b>threads=1</b>" in page  # escaped; best named
    assert "nothing to chart" in to_html(rows[-1:])


def test_run_set_makes_one_named_model_per_configuration() -> None:
    smol = parse_spec("smol=llamacpp:/m/smol.gguf", {"server_args": ["--mlock"]})
    gemma = parse_spec("ollama:gemma3")
    swept = sweep_specs([smol], expand_sets(["threads=1,2", "n_gpu_layers=0"]))
    assert [model_label(s) for s in swept] == ["smol [n_gpu_layers=0 threads=1]",
                                               "smol [n_gpu_layers=0 threads=2]"]
    assert swept[1].options == {"server_args": ["--mlock", "--threads", "2"], "n_gpu_layers": 0}
    assert swept[0].spec == smol.spec and smol.options == {"server_args": ["--mlock"]}
    assert sweep_specs([smol, gemma], [{}]) == [smol, gemma]  # no sweep: unchanged
    assert sweep_specs([gemma], [{"num_gpu": "3"}])[0].options == {"n_gpu_layers": 3}
    # Ollama's keys become its own typed options; the spec's other options stay.
    tuned = parse_spec("ollama:gemma3", {"keep_alive": "1h", "n_gpu_layers": 5})
    swept_o = sweep_specs([tuned], expand_sets(["num_ctx=2048", "num_thread=2,4"]))
    assert [model_label(s) for s in swept_o] == ["gemma3 [num_ctx=2048 num_thread=2]",
                                                 "gemma3 [num_ctx=2048 num_thread=4]"]
    assert swept_o[1].options == {"keep_alive": "1h", "n_gpu_layers": 5, "num_ctx": 2048,
                                  "num_thread": 4}
    with pytest.raises(SweepError, match="does not apply"):
        sweep_specs([gemma], [{"threads": "2"}])
    # ctx is the model's own context in place of --ctx, not an extra llama-server flag.
    assert sweep_specs([smol], [{"ctx": "4096"}])[0].options == {"server_args": ["--mlock"],
                                                                 "ctx": 4096}
    with pytest.raises(SweepError, match="openai-compat: takes no --set"):
        sweep_specs([parse_spec("openai-compat:http://h/v1#m")], [{"threads": "2"}])


def test_run_set_mistakes_are_one_line_exit_2(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "showdown", "run", "-m", "ollama:gemma3",
                          "--set", "threads=1,2", "--db", str(tmp_path / "s.db")],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 2 and "threads does not apply to ollama:gemma3" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_show_lists_stored_rows_by_run(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    save_row(store, _row({"threads": "1"}, 0, [50.0]))
    save_row(store, dataclasses.replace(_row({"threads": "2"}, 0, [60.0]), run_id="other"))

    def show(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "showdown", "speed", "--show", "--db",
                               str(tmp_path / "s.db"), *args],
                              capture_output=True, text=True, check=False)
    rows = json.loads(show("--json").stdout)
    assert [r["configuration_label"] for r in rows] == ["threads=1", "threads=2"]
    assert [r["configuration_label"] for r in json.loads(show("--run", "ot", "--json").stdout)] \
        == ["threads=2"]
    assert "| smol | threads=1 | 0 | — | 50.0 |" in show("-f", "md").stdout
    missing = show("--run", "nope")
    assert missing.returncode == 2 and "no speed results" in missing.stderr


def test_html_charts_speed_against_gpu_layers_when_they_vary() -> None:
    rows = [_row({"n_gpu_layers": n, "threads": "4"}, 1024, [tg])
            for n, tg in (("0", 10.0), ("20", 30.0), ("40", 90.0))]
    page = to_html(rows)
    assert "against GPU layers" in page and "at n_gpu_layers 40" in page
    svgs = page.count("<svg")
    assert svgs == 2 and "smol [threads=4] depth 1024" in page
    assert "against GPU layers" not in to_html(rows[:1])  # one point is no curve
