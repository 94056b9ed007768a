"""A full comparison trained by the training service, as a hosted server trains it (no browser
on its cores): wall time to the last variant's end with seed shards (a run that no other run
waits behind splits its seeds over the idle training processes) and without, side by side,
and the three runs one after another in one process for reference.

    python bench/service_wall.py                       # 3 classics × 8 seeds × 6 000 steps
    python bench/service_wall.py --steps 2000 --seeds 4 --rounds 2
    python bench/service_wall.py --rates-only   # what a core does with matrix products

Rounds alternate the two service modes (the machine is shared and noisy); the last line checks
that both gave the same numbers, bit for bit.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from ganlab import compare  # noqa: E402
from ganlab.service import Service, cores  # noqa: E402
from ganlab.training import Run  # noqa: E402

SLICE_S = 0.5  # what the Compare page asks for (ui/compare_view.TICK_S: it redraws as often)


def through_service(cfgs, split: bool) -> tuple[float, dict[str, float], list[Run]]:
    service = Service(cores(), processes=True, split_seeds=split)
    service.warm(wait=True)
    runs = {v: Run(c) for v, c in cfgs.items()}
    t0 = time.perf_counter()
    for run in runs.values():
        service.start(run, slice_s=SLICE_S)
    ends: dict[str, float] = {}
    while len(ends) < len(runs):
        for v, run in runs.items():
            if v not in ends and not service.training(run):
                ends[v] = time.perf_counter() - t0
        time.sleep(0.05)
    return max(ends.values()), ends, list(runs.values())


def one_after_another(cfgs) -> float:
    t0 = time.perf_counter()
    for c in cfgs.values():
        Run(c)._advance(None, None)
    return time.perf_counter() - t0


def gflops(fn, flops: float) -> float:
    """GFLOP/s of fn (one thread), over about a second."""
    fn()
    t, n = time.perf_counter(), 0
    while time.perf_counter() - t < 1.0:
        fn()
        n += 1
    return flops * n / (time.perf_counter() - t) / 1e9


def matmul_rates() -> dict[str, float]:
    """What a core does with matrix products: at WGAN-GP's tuned critic's shapes (8 seeds, a
    batch of 512 real and 512 fake, 48 wide) and a large sgemm (about the core's peak). The
    engine spends most of a WGAN-GP step in the first (torch's profiler), so this bounds how
    much faster it could be."""
    import torch

    torch.set_num_threads(1)
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    x, w, g = torch.randn(8, 1024, 48), torch.randn(8, 48, 48), torch.randn(8, 1024, 48)
    critic = 2 * 8 * 1024 * 48 * 48
    return {
        "sgemm 1024 × 1024 × 1024": gflops(lambda: a @ b, 2 * 1024**3),
        "critic layer, (8, 1024, 48) @ (8, 48, 48)": gflops(lambda: torch.bmm(x, w), critic),
        "its weight gradient, (8, 48, 1024) @ (8, 1024, 48)": gflops(
            lambda: torch.bmm(x.transpose(1, 2), g), critic
        ),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--target", default=compare.DEFAULTS["target"])
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--no-reference", action="store_true", help="skip the runs in turn")
    ap.add_argument("--rates-only", action="store_true", help="only the matrix products' rates")
    args = ap.parse_args()
    for name, rate in matmul_rates().items():
        print(f"{name:<52} {rate:6.1f} GFLOP/s (one thread)")
    if args.rates_only:
        return
    cfgs = compare.build(args.target, args.seeds, args.steps, 0, {})
    print(
        f"{', '.join(cfgs)} × {args.seeds} seeds × {args.steps} steps on {args.target}, "
        f"{cores()} cores",
        flush=True,
    )
    walls: dict[bool, list[float]] = {False: [], True: []}
    finals: dict[bool, list[Run]] = {}
    for r in range(args.rounds):
        for split in (False, True) if r % 2 == 0 else (True, False):
            wall, ends, runs = through_service(cfgs, split)
            walls[split].append(wall)
            finals[split] = runs
            each = ", ".join(f"{v} {s:.0f} s" for v, s in ends.items())
            print(
                f"  round {r + 1}, seed shards {'on ' if split else 'off'}: {wall:.1f} s ({each})",
                flush=True,
            )
    ref = None if args.no_reference else one_after_another(cfgs)
    off, on = statistics.median(walls[False]), statistics.median(walls[True])
    print()
    print(f"{'service, no seed shards':<40} {off:8.1f} s   1.00×")
    print(f"{'service, seed shards':<40} {on:8.1f} s   {off / on:.2f}×")
    if ref is not None:
        print(f"{'one process, the runs in turn':<40} {ref:8.1f} s   {off / ref:.2f}×")
        print(f"{'floor: in turn / cores':<40} {ref / cores():8.1f} s")
    same = all(
        np.array_equal(a.samples(500), b.samples(500))
        and np.array_equal(a.history.values, b.history.values, equal_nan=True)
        for a, b in zip(finals[False], finals[True], strict=True)
    )
    print(f"same numbers with and without shards: {same}")


if __name__ == "__main__":
    main()
