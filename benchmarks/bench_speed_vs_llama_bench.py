"""showdown speed (over HTTP) against llama-bench (in-process), on the bundled model.

Same model file, same llama.cpp source, same threads, batch sizes and depths. The two define
"pp at depth" differently, so like is compared with like:

- pp: showdown's pp at depth D reads a D-token prompt from an empty context; llama-bench's
  ``pp D`` at ``-d 0`` does the same in-process.
- tg: showdown's tg at depth D writes N tokens after D context tokens; llama-bench's ``tg N``
  at ``-d D`` does the same.

A ratio near 1 means the HTTP path costs nothing measurable; the gap is llama-server's
scheduling, sampling and the HTTP/SSE round trip per token (showdown's figures are the server's
own ``timings``, so the client's parsing is not in them).

Give fewer threads than the machine has idle cores: the two tools run one after the other, so
on a shared machine at full thread count the ratios measure who else was running, not the HTTP
path. Seen on a shared 2-core machine (SmolLM2-135M Q4_1, depths 256 and 1024, gen 32, 3
repetitions): at 1 thread pp 1.11 and 1.07, tg 1.04 and 0.94 (within 10%); at 2 threads, with
other jobs on the cores, 0.26 to 0.84.

    python benchmarks/bench_speed_vs_llama_bench.py --llama-bench PATH [--threads 2]
        [--depths 256,1024] [--gen 32] [--repetitions 3] [--batch 2048] [--ubatch 512]

llama-bench is built from the same source as showdown's llama-server:
``cmake --build <llama.cpp>/build --target llama-bench`` (see src/showdown/fetch.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
from pathlib import Path
from typing import Any

from showdown.fetch import ensure_bundled_model, ensure_llama_server
from showdown.providers import parse_spec
from showdown.speed.sweep import plan_speed, run_speed


def llama_bench(binary: Path, model: Path, args: argparse.Namespace, *extra: str) -> list[Any]:
    cmd = [str(binary), "-m", str(model), "-t", str(args.threads), "-b", str(args.batch),
           "-ub", str(args.ubatch), "-r", str(args.repetitions), "-ngl", "0", "-o", "json",
           *extra]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    rows: list[Any] = json.loads(out.stdout)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--llama-bench", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--depths", default="256,1024")
    parser.add_argument("--gen", type=int, default=32)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--batch", type=int, default=2048)
    parser.add_argument("--ubatch", type=int, default=512)
    args = parser.parse_args()
    depths = [int(d) for d in args.depths.split(",")]
    model, server = ensure_bundled_model(), ensure_llama_server()

    config = {"threads": str(args.threads), "batch_size": str(args.batch),
              "ubatch_size": str(args.ubatch), "n_gpu_layers": "0"}
    spec = parse_spec(f"bundled=llamacpp:{model}", {"llama_server": str(server)})
    plan = plan_speed([spec], [config], depths, args.gen, args.repetitions)
    ours = {r.depth: r for r in run_speed(plan, lambda row: None, lambda m: None).rows}

    pp_rows = llama_bench(args.llama_bench, model, args, "-p", args.depths, "-n", "0", "-d", "0")
    tg_rows = llama_bench(args.llama_bench, model, args, "-p", "0", "-n", str(args.gen),
                          "-d", args.depths)
    pp_ref = {r["n_prompt"]: r["avg_ts"] for r in pp_rows if r["n_prompt"]}
    tg_ref = {r["n_depth"]: r["avg_ts"] for r in tg_rows if r["n_gen"]}

    print(f"threads {args.threads}, batch {args.batch}, ubatch {args.ubatch}, gen {args.gen}, "
          f"{args.repetitions} repetitions; showdown medians over HTTP, llama-bench means")
    print(f"{'depth':>6} {'pp showdown':>12} {'pp bench':>9} {'ratio':>6} "
          f"{'tg showdown':>12} {'tg bench':>9} {'ratio':>6}")
    pp_ratios, tg_ratios = [], []
    for depth in depths:
        row = ours[depth]
        if row.error or row.pp is None or row.tg is None:
            print(f"{depth:>6} showdown failed: {row.error}")
            continue
        pp, tg = row.pp.median, row.tg.median
        pp_ratio, tg_ratio = pp / pp_ref[depth], tg / tg_ref[depth]
        pp_ratios.append(pp_ratio)
        tg_ratios.append(tg_ratio)
        print(f"{depth:>6} {pp:>12.1f} {pp_ref[depth]:>9.1f} {pp_ratio:>6.2f} "
              f"{tg:>12.1f} {tg_ref[depth]:>9.1f} {tg_ratio:>6.2f}")
    if pp_ratios:
        print(f"median ratio (showdown / llama-bench): pp {statistics.median(pp_ratios):.2f}, "
              f"tg {statistics.median(tg_ratios):.2f}")


if __name__ == "__main__":
    main()
