"""Results/s written into and read from PostgreSQL against SQLite, on this machine.

Both stores get the same synthetic results (``bench_report.synthetic``: realistic answers,
code, checks and tests, a few KB of JSON each), through the real ``Store`` API:

- one result per transaction, as a run writes them (``save_result``; its mean is the latency a
  run pays per result),
- one batch in one transaction, as ``showdown import`` writes (``save_results``),
- read back whole and lean (``iter_results``), as ``showdown report`` reads them.

PostgreSQL is a fresh server started from Debian's binaries in a temporary folder (as the
tests do, tests/pg.py) with fsync and synchronous commit as shipped, reached over its UNIX
socket; SQLite is a file in a temporary folder in WAL mode, as showdown opens it. A remote
server adds the network round trip to every write.

    python benchmarks/bench_store.py [--results 2000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from bench_report import synthetic  # noqa: E402
from pg import start_pg  # noqa: E402

from showdown.records import Result, RunInfo  # noqa: E402
from showdown.store import Store  # noqa: E402

__all__ = ["main"]


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def measure(open_store: Callable[[str], Store], runs: list[RunInfo],
            results: list[Result]) -> dict[str, float]:
    """Seconds for each way of writing and reading ``results`` into fresh stores."""
    one = open_store("one")
    for run in runs:
        one.save_run(run)

    def each() -> None:
        for result in results:
            one.save_result(result)

    figures = {"one per transaction": _timed(each)}
    batch = open_store("batch")
    for run in runs:
        batch.save_run(run)
    figures["one batch"] = _timed(lambda: batch.save_results(results))
    figures["read whole"] = _timed(lambda: sum(1 for _ in one.iter_results()))
    figures["read lean"] = _timed(lambda: sum(1 for _ in one.iter_results(lean=True)))
    assert len(one.results()) == len(batch.results()) == len(results)
    one.close()
    batch.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=2000)
    args = parser.parse_args()
    items = list(synthetic(args.results))
    runs = [r for r in items if isinstance(r, RunInfo)]
    results = [r for r in items if isinstance(r, Result)]
    size = sum(len(str(r)) for r in results[:100]) / min(100, len(results))
    print(f"{len(results)} synthetic results (~{size / 1024:.1f} KiB each as text)")
    with tempfile.TemporaryDirectory(prefix="bench-store-") as folder:
        sqlite = measure(lambda name: Store(Path(folder) / f"{name}.db"), runs, results)
    server = start_pg(durable=True)
    try:
        postgres = measure(lambda name: Store(server.new_database(name)), runs, results)
    finally:
        server.stop()
    n = len(results)
    print(f"{'':22} {'SQLite':>14} {'PostgreSQL':>14}  PostgreSQL/SQLite")
    for what in sqlite:
        s_rate, p_rate = n / sqlite[what], n / postgres[what]
        print(f"{what:22} {s_rate:10.0f} r/s {p_rate:10.0f} r/s  {p_rate / s_rate:6.2f}x")
    for name, figures in (("SQLite", sqlite), ("PostgreSQL", postgres)):
        print(f"{name}: {figures['one per transaction'] / n * 1000:.2f} ms per result "
              "written as a run writes it")


if __name__ == "__main__":
    main()
