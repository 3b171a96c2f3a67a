"""The speed page in real headless Chromium: it loads offline, with no error, and draws a line
per configuration with its points where the figures put them."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import chromium_path, open_page

from showdown.speed.chart import to_html
from showdown.speed.records import SpeedRow, SpeedSample

DRAWN = """JSON.stringify((() => {
  const lines = [...document.querySelectorAll('svg polyline')];
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
  return {lines: lines.length, boxes: lines.map(box),
          points: document.querySelectorAll('svg circle').length,
          rows: document.querySelectorAll('tbody tr').length,
          best: document.querySelector('ul li b').textContent};
})())"""


def row(threads: str, depth: int, tg: float) -> SpeedRow:
    sample = SpeedSample(depth or 1, 500.0 if depth else None, 16, tg, 0.2)
    return SpeedRow("r", "2026-01-01T00:00:00+00:00", "smol", "llamacpp:s.gguf",
                    {"threads": threads}, depth, 16, [sample])


def test_in_chromium_the_chart_draws_each_configuration(tmp_path: Path) -> None:
    binary = chromium_path()
    if binary is None:
        pytest.skip("chromium not installed (scripts/system-deps.sh installs it)")
    rows = [row("1", 0, 50.0), row("1", 1024, 40.0), row("2", 0, 60.0), row("2", 1024, 45.0)]
    page = tmp_path / "speed.html"
    page.write_text(to_html(rows), encoding="utf-8")
    seen = open_page(binary, page, DRAWN)
    assert seen.errors == [] and seen.requests == [page.as_uri()]  # offline, nothing broken
    assert seen.value["lines"] == 2 and seen.value["points"] == 4 and seen.value["rows"] == 4
    assert all(w > 100 and h > 1 for w, h in seen.value["boxes"])  # drawn, not collapsed
    assert seen.value["best"] == "threads=2"
