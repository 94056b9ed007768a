"""Do threads scale across cores for these tiny ops, or does training need worker processes?

Trains the same N runs one after another, in N threads, and in N processes, interleaved over
rounds (the machine is shared and noisy), and prints each one's wall time and its speed-up over
one after another, side by side.

    python bench/threads.py [--runs 2] [--steps 1500] [--variant gan] [--seeds 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import threading
import time


def _cfg(args, i: int):
    from ganlab.config import preset

    return preset(args.variant, "tuned", steps=args.steps, n_seeds=args.seeds, seed=i)


def _train_here(args, i: int) -> None:
    from ganlab.training import Run

    run = Run(_cfg(args, i))
    run._advance(None, None)  # in this thread: not through the service's workers


def sequential(args) -> float:
    t = time.perf_counter()
    for i in range(args.runs):
        _train_here(args, i)
    return time.perf_counter() - t


def threads(args) -> float:
    workers = [threading.Thread(target=_train_here, args=(args, i)) for i in range(args.runs)]
    t = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - t


def _child(args, i: int, ready, go) -> None:
    from ganlab.training import use_one_thread

    use_one_thread()
    ready.set()
    go.wait()
    _train_here(args, i)


def processes(args) -> float:
    ctx = mp.get_context("forkserver")
    ready = [ctx.Event() for _ in range(args.runs)]
    go = ctx.Event()
    procs = [ctx.Process(target=_child, args=(args, i, ready[i], go)) for i in range(args.runs)]
    for p in procs:
        p.start()
    for r in ready:  # imports done in every child before the clock starts
        r.wait()
    t = time.perf_counter()
    go.set()
    for p in procs:
        p.join()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--variant", default="gan")
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    from ganlab.training import use_one_thread

    use_one_thread()
    _train_here(args, 99)  # warm-up: imports, allocator
    cores = len(os.sched_getaffinity(0))
    print(
        f"{args.runs} runs of {args.variant}, {args.seeds} seeds, {args.steps:,} steps; "
        f"{cores} usable cores; load {os.getloadavg()[0]:.1f}"
    )
    times: dict[str, list[float]] = {"one after another": [], "threads": [], "processes": []}
    for _ in range(args.rounds):
        times["one after another"].append(sequential(args))
        times["threads"].append(threads(args))
        times["processes"].append(processes(args))
    base = statistics.median(times["one after another"])
    print("| how | wall s (median) | speed-up over one after another |\n|---|---|---|")
    for how, ts in times.items():
        m = statistics.median(ts)
        print(f"| {how} | {m:.2f} | {base / m:.2f}× |")
    print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
