"""How long a ``showdown`` command takes to start, against a bare click + rich interpreter start,
and what the live progress display costs per streamed chunk against the client's own work.

Start: ``showdown --help`` and ``showdown tasks`` as subprocesses (median of N runs), beside
``python -c "import click, rich.console"`` and a bare ``python -c pass``, measured in the same
run, so the ratio reads the same on any machine (goal: ``--help`` within 2x click + rich).

Display: the per-chunk cost of ``RunDisplay.progress`` (what the run loop calls for every
streamed chunk) on a live terminal console writing to a null file, against the client's own
per-chunk work (parsing one OpenAI-style SSE line with json.loads, as the providers do).

    python benchmarks/bench_cli_start.py [--runs 15] [--chunks 200000]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time

from rich.console import Console

from showdown.ui import RunDisplay

__all__ = ["main"]


def start_ms(argv: list[str], runs: int) -> float:
    """Median wall milliseconds of ``argv`` run to its end, output discarded."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def display_us(chunks: int) -> float:
    """Microseconds per ``progress`` call of the live display (refreshing as it would)."""
    console = Console(file=open(os.devnull, "w"), force_terminal=True, width=120)  # noqa: SIM115
    with RunDisplay(console) as display:
        display.phase("model", "generating todo-cli (trial 1/1)")
        started = time.perf_counter()
        begin = time.monotonic()
        for n in range(1, chunks + 1):
            display.progress(n, time.monotonic() - begin)
        elapsed = time.perf_counter() - started
    console.file.close()
    return elapsed / chunks * 1e6


def client_us(chunks: int) -> float:
    """Microseconds per chunk of the client's own work: decode and parse one SSE data line."""
    line = ('data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m",'
            '"choices":[{"index":0,"delta":{"content":" token"},"finish_reason":null}]}\n')
    raw = line.encode()
    parts = io.StringIO()
    started = time.perf_counter()
    for _ in range(chunks):
        text = raw.decode()
        if text.startswith("data: "):
            delta = json.loads(text[6:])["choices"][0]["delta"]
            parts.write(delta.get("content") or "")
    return (time.perf_counter() - started) / chunks * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--chunks", type=int, default=200_000)
    args = parser.parse_args()
    py = sys.executable
    bare = start_ms([py, "-c", "pass"], args.runs)
    floor = start_ms([py, "-c", "import click, rich.console"], args.runs)
    print(f"python -c pass                      {bare:7.1f} ms")
    print(f"python -c 'import click, rich'      {floor:7.1f} ms   (the floor)")
    for command in (["--help"], ["tasks"]):
        ms = start_ms([py, "-m", "showdown", *command], args.runs)
        print(f"showdown {' '.join(command):<26} {ms:7.1f} ms   {ms / floor:.2f}x the floor")
    shown, parsed = display_us(args.chunks), client_us(args.chunks)
    print(f"\nlive display per chunk              {shown:7.2f} us")
    print(f"client per chunk (SSE line parse)   {parsed:7.2f} us   display/client "
          f"{shown / parsed:.2f}x (goal: display no dearer than the client)")


if __name__ == "__main__":
    main()
