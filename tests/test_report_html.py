"""The HTML report: self-contained, and in real headless Chromium every chart draws, no errors.

The screenshot of the two-round fixture report is kept as a test artefact
(``test-artifacts/report.png``, gitignored) so a person can look at what the page shows.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browser import chromium_path, open_page
from reportdata import RUNS, two_rounds

from showdown.report import render
from showdown.report.html import chart_data
from showdown.report.rows import build_report

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

# Per canvas: is there a Chart.js chart, how many pixels are painted, and how many data
# elements sit at finite coordinates (a chart with axes but no data would have none).
CHARTS = r"""JSON.stringify({
  drawn: document.documentElement.dataset.chartsDrawn,
  charts: Array.from(document.querySelectorAll("canvas[data-chart]")).map(c => {
    const chart = Chart.getChart(c);
    const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) painted++;
    const elements = chart ? chart.data.datasets.reduce((n, ds, i) => n +
      chart.getDatasetMeta(i).data.filter(e => isFinite(e.x) && isFinite(e.y)).length, 0) : 0;
    return {key: c.dataset.chart, chart: !!chart, painted, area: c.width * c.height, elements};
  }),
  sorted: (() => {
    const table = document.querySelector("#leaderboard table");
    const header = Array.from(table.querySelectorAll("th")).find(th => th.textContent.startsWith("Tok/s"));
    header.querySelector("button").click();
    const first = Array.from(table.tBodies[0].rows).map(r => r.cells[1].textContent);
    header.querySelector("button").click();
    const second = Array.from(table.tBodies[0].rows).map(r => r.cells[1].textContent);
    return {first, second, state: header.getAttribute("aria-sort")};
  })()
})"""


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = chromium_path()
    if binary is None:
        pytest.skip("chromium not installed (scripts/system-deps.sh installs it; make test runs it)")
    return binary


def test_page_is_self_contained() -> None:
    page = render(two_rounds(), RUNS, "html")
    assert not re.search(r"<(script|img|link|iframe)[^>]+(src|href)=", page)
    assert "sourceMappingURL" not in page
    assert "Chart.js v4.6.1" in page  # the vendored library, inlined
    assert page.count("<script>") == 2 and "</script" not in page.split("<script>")[1][:-20]
    data = json.loads(page.split('id="showdown-data">')[1].split("</script>")[0])
    assert len(data["scatter"]) == 8 and len(data["times"]) == 10


def test_chart_data_follows_the_rows() -> None:
    data = chart_data(build_report(two_rounds(), RUNS))
    gemma = next(p for p in data["scatter"] if p["label"] == "Gemma 4 27B")
    assert (gemma["x"], gemma["y"], gemma["tier"], gemma["round"]) == (167.1, 100.0, "vram", "Round 2")
    totals = [t["total"] for t in data["times"]]
    assert totals == sorted(totals)  # shortest total first
    assert data["times"][-1]["label"] == "Kimi K2 1T · Round 2"
    assert [t["label"] for t in data["trials"]] == ["Gemma 4 27B · Round 2"]  # DeepSeek: 1 ran


def test_in_chromium_every_chart_draws_with_no_errors(chromium: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = ARTIFACTS / "report.html"
    page.write_text(render(two_rounds(), RUNS, "html"), encoding="utf-8")
    seen = open_page(chromium, page, CHARTS)
    (ARTIFACTS / "report.png").write_bytes(seen.screenshot)

    assert seen.errors == []
    assert seen.requests == [page.as_uri()]  # nothing fetched but the page itself: offline
    charts = {c["key"]: c for c in seen.value["charts"]}
    assert set(charts) == {"scatter", "times", "spread-speed", "spread-score"}
    assert seen.value["drawn"] == "4"
    for chart in charts.values():
        assert chart["chart"] and chart["elements"] > 0
        assert chart["painted"] > chart["area"] * 0.01, chart["key"]
    assert charts["scatter"]["elements"] == 8  # one labelled point per model
    assert charts["times"]["elements"] == 20  # TTFT and total bars for 10 rows
    assert seen.screenshot.startswith(b"\x89PNG") and len(seen.screenshot) > 50_000


def test_in_chromium_tables_sort_by_number(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render(two_rounds(), RUNS, "html"), encoding="utf-8")
    sorted_ = open_page(chromium, page, CHARTS).value["sorted"]
    assert sorted_["first"][0] == "Gemma 4 27B" and sorted_["first"][-1] == "Kimi K2 1T"
    assert sorted_["second"][0] == "Kimi K2 1T" and sorted_["state"] == "ascending"


def test_in_chromium_one_run_one_trial_has_no_spread_charts(chromium: str, tmp_path: Path) -> None:
    results = [r for r in two_rounds() if r.run_id == "run-r1"]
    page = tmp_path / "one.html"
    page.write_text(render(results, RUNS, "html"), encoding="utf-8")
    seen = open_page(chromium, page, CHARTS)
    assert seen.errors == []
    assert sorted(c["key"] for c in seen.value["charts"]) == ["scatter", "times"]
    assert all(c["elements"] > 0 for c in seen.value["charts"])
