"""Memory of long and wide runs: RSS stays flat over a long run; a full comparison stays small.

    python bench/memory.py                  # 200 000 vanilla steps, RSS every 10%
    python bench/memory.py --steps 20000    # quicker
    python bench/memory.py --comparison     # 3 variants × 8 seeds × the default budget

History is bounded (window means merged pairwise), so RSS after warm-up must not grow with the
number of steps; this prints the evidence instead of asserting it.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ganlab.config import preset
from ganlab.training import Run
from ganlab.variants import VARIANTS


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def long_run(steps: int, variant: str) -> None:
    run = Run(preset(variant, "tuned", target="bimodal", steps=steps, g_width=16, d_width=16))
    run.advance(min(1000, steps))  # warm-up: allocator pools, optimizer state, first chunks
    start, t0 = rss_mb(), time.perf_counter()
    print(f"{variant}: {steps:,} steps; RSS after warm-up {start:.1f} MB")
    for _ in range(10):
        run.advance(steps // 10)
        print(
            f"  step {run.step:>8,}  RSS {rss_mb():7.1f} MB  history points "
            f"{len(run.history.steps)}  evals {len(run.evals.steps)}",
            flush=True,
        )
    end = rss_mb()
    print(
        f"RSS start {start:.1f} MB → end {end:.1f} MB (Δ {end - start:+.1f} MB) in "
        f"{time.perf_counter() - t0:.0f} s; peak {peak_mb():.1f} MB"
    )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def comparison(seeds: int) -> None:
    for v in VARIANTS:
        run = Run(preset(v, "tuned", target="bimodal", n_seeds=seeds))
        run.advance()
        run.result()
        print(f"{v}: {run.step} steps × {seeds} seeds, RSS {rss_mb():.1f} MB", flush=True)
    print(f"peak RSS of the whole comparison (imports included): {peak_mb():.1f} MB")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=200_000)
    p.add_argument("--variant", default="gan", choices=list(VARIANTS))
    p.add_argument("--comparison", action="store_true")
    p.add_argument("--seeds", type=int, default=8)
    args = p.parse_args()
    if args.comparison:
        comparison(args.seeds)
    else:
        long_run(args.steps, args.variant)


if __name__ == "__main__":
    main()
