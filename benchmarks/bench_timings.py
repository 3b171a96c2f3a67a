"""Client clocks against llama-server's own: decode tok/s and TTFT, as ratios over N requests.

The client measures from its side of the socket (HTTP, SSE parsing, scheduling included), the
server from inside its loop. Ratios near 1 mean the client figures are honest; the gap is the
overhead a user of any HTTP client sees.

    python benchmarks/bench_timings.py [--requests 5] [--max-tokens 128]
"""

from __future__ import annotations

import argparse
import statistics

from showdown.fetch import ensure_bundled_model, ensure_llama_server
from showdown.providers import ChatRequest, make_provider, parse_spec
from showdown.records import GenerationSettings

PROMPT = "Write a Python function that returns the n-th Fibonacci number, with a docstring."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=128)
    args = parser.parse_args()
    model = ensure_bundled_model(say=print)
    binary = ensure_llama_server(say=print)
    spec = parse_spec(f"bundled=llamacpp:{model}", {"llama_server": str(binary), "n_gpu_layers": 0})
    provider = make_provider(spec)
    settings = provider.open(GenerationSettings(max_tokens=args.max_tokens, ctx=2048))
    rate_ratios, ttft_ratios = [], []
    try:
        provider.stream(ChatRequest("Say ready.", GenerationSettings(max_tokens=4)))  # warm-up
        print(f"{'req':>3} {'tokens':>6} {'client tok/s':>12} {'server tok/s':>12} {'ratio':>6}"
              f" {'TTFT ms':>8} {'prompt ms':>9} {'ratio':>6}")
        for i in range(1, args.requests + 1):
            gen = provider.stream(ChatRequest(PROMPT, settings))
            server_rate = gen.server_tokens_per_s
            prompt_ms = gen.server_timings.get("prompt_ms")
            if gen.tokens_per_s is None or server_rate is None or gen.ttft_s is None or not prompt_ms:
                print(f"{i:>3} incomplete figures: {gen.error or 'too few tokens'}")
                continue
            rate_ratios.append(gen.tokens_per_s / server_rate)
            ttft_ratios.append(gen.ttft_s * 1000 / prompt_ms)
            print(f"{i:>3} {gen.output_tokens:>6} {gen.tokens_per_s:>12.1f} {server_rate:>12.1f}"
                  f" {rate_ratios[-1]:>6.3f} {gen.ttft_s * 1000:>8.1f} {prompt_ms:>9.1f}"
                  f" {ttft_ratios[-1]:>6.2f}")
    finally:
        provider.close()
    if rate_ratios:
        print(f"median client/server decode tok/s ratio: {statistics.median(rate_ratios):.3f} "
              f"(min {min(rate_ratios):.3f}, max {max(rate_ratios):.3f}, n={len(rate_ratios)})")
        print(f"median client TTFT / server prompt_ms ratio: {statistics.median(ttft_ratios):.2f} "
              f"(min {min(ttft_ratios):.2f}, max {max(ttft_ratios):.2f})")


if __name__ == "__main__":
    main()
