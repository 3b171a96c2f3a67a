"""How extraction and answer diagnosis grow with the answer: linear time, bounded memory.

Builds answers of 10 KB, 100 KB, 1 MB and 10 MB in six shapes a model can send (a plain
unfenced program, one that never parses, many small fenced blocks, an unclosed ``<think>``,
one huge line, a block repeated in a loop), runs ``extract_code`` then ``diagnose_answer``
on each, and prints the time per size, the growth per 10x in size (about 10 means linear;
100 would be quadratic) and the peak memory tracemalloc saw (a second, separate pass:
tracing slows the code down). The judge refuses answers over 1 MiB (``answer_too_large``);
these functions are timed beyond that because they must stay linear whatever calls them.

Run: PYTHONPATH=src python benchmarks/bench_extract.py [--max-mb 10] [--shape NAME]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable

from showdown.diagnose import diagnose_answer
from showdown.extract import extract_code

__all__ = ["SHAPES", "main", "make_answer"]

_FUNCTION = '''def handler_{n}(args):
    """Handle command {n}."""
    value = args.count * {n} + len(args.name)
    if value > {n}:
        print(f"{{args.name}}: {{value}}")
    return value

'''


def _plain(size: int) -> str:
    """An unfenced program: imports, then distinct functions up to the size."""
    parts, n, total = ["import argparse\nimport sqlite3\n\n\n"], 0, 0
    while total < size:
        parts.append(_FUNCTION.format(n=n))
        total += len(parts[-1])
        n += 1
    return "".join(parts)


def _broken(size: int) -> str:
    """An unfenced program that never parses (a bracket left open near the top), flush-left,
    so extraction tries one span after another looking for code that does."""
    parts = ["import sys\nimport os\nimport re\nimport json\nimport time\nX = (\n"]
    n, total = 0, 0
    while total < size:
        parts.append(f"value_{n} = {n} * 2\n")
        total += len(parts[-1])
        n += 1
    return "".join(parts)


def _fences(size: int) -> str:
    """Many small fenced blocks, each different, with a line of prose between them."""
    parts, n, total = [], 0, 0
    while total < size:
        parts.append(f"Step {n}:\n```python\nx_{n} = {n} + 1\n```\n")
        total += len(parts[-1])
        n += 1
    return "".join(parts)


def _unclosed_think(size: int) -> str:
    """A short answer, then a ``<think>`` that never closes: distinct lines of reasoning."""
    parts, n, total = ["Here is my plan.\n<think>\n"], 0, 0
    while total < size:
        parts.append(f"Consider option {n}: maybe use <think> a table with {n} rows.\n")
        total += len(parts[-1])
        n += 1
    return "".join(parts)


def _huge_line(size: int) -> str:
    """One fenced line of code as long as the answer (a giant literal)."""
    body = ", ".join(str(i) for i in range(size // 7))
    return f"```python\nDATA = [{body[: size]}0]\n```\n"


def _loop(size: int) -> str:
    """A model stuck in a loop: the same block again and again until the size."""
    block = "```python\ndef add(task):\n    db.execute('INSERT INTO t VALUES (?)', (task,))\n```\n"
    return "Sure!\n" + block * (size // len(block) + 1)


SHAPES: dict[str, Callable[[int], str]] = {
    "plain program": _plain, "broken program": _broken, "many fences": _fences,
    "unclosed think": _unclosed_think, "one huge line": _huge_line, "repetitive loop": _loop,
}
SIZES = [10_000, 100_000, 1_000_000, 10_000_000]


def make_answer(shape: str, size: int) -> str:
    """An answer of about ``size`` characters in the named shape."""
    return SHAPES[shape](size)


def _judge_text(answer: str) -> None:
    extraction = extract_code(answer)
    diagnose_answer(answer, extraction, None)


def _seconds(answer: str) -> float:
    started = time.perf_counter()
    _judge_text(answer)
    return time.perf_counter() - started


def _peak_mb(answer: str) -> float:
    tracemalloc.start()
    try:
        _judge_text(answer)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main() -> None:
    """Print, per shape and size: seconds, growth over the previous size, peak traced MB."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-mb", type=float, default=10.0, help="largest answer, in MB")
    parser.add_argument("--shape", choices=sorted(SHAPES), action="append",
                        help="only this shape (repeatable)")
    args = parser.parse_args()
    sizes = [s for s in SIZES if s <= args.max_mb * 1e6]
    print(f"{'shape':<16} {'size':>8} {'seconds':>9} {'x per 10x':>10} {'peak MB':>9}")
    for shape in args.shape or SHAPES:
        previous: float | None = None
        for size in sizes:
            answer = make_answer(shape, size)
            seconds = _seconds(answer)
            growth = f"{seconds / previous:.1f}" if previous else "-"
            peak = _peak_mb(answer)
            print(f"{shape:<16} {_size(len(answer)):>8} {seconds:>9.3f} {growth:>10} {peak:>9.1f}",
                  flush=True)
            previous = max(seconds, 1e-6)


def _size(chars: int) -> str:
    return f"{chars / 1e6:.0f} MB" if chars >= 1e6 else f"{chars / 1e3:.0f} KB"


if __name__ == "__main__":
    main()
