"""Engine vs textbook loop, side by side in one process: generator steps/s, K-seed scaling, RSS.

    python bench/speed.py            # ~8 min: 5 interleaved rounds of ≥ 1 s per measurement
    python bench/speed.py --quick    # ~3 min: 3 rounds of ≥ 0.4 s, RSS run at 500 steps
    python bench/speed.py --variants lsgan,r1 --no-rss   # some variants only
    GANLAB_ENGINE=/tmp/copy python bench/speed.py   # measure a modified copy of ganlab/

Goals (ratios from one run, so machine load cancels as far as it can):
  1. one seed: engine ≥ 2× the reference loop's steps/s, for every variant (all seven);
  2. eight seeds at once: wall time ≤ 2× that of one seed;
  3. peak RSS of a headless run of the three classic variants (gan, wgan, wgan-gp; the Compare
     page's default) × 8 seeds × 2000 steps ≤ 600 MB,
     imports included (measured in a fresh subprocess, `--rss-child`, as VmHWM: see
     peak_rss_mb for why not ru_maxrss).

Configs are the 1-D tuned presets, preset(variant, "tuned", target="bimodal"). Each measurement
builds a fresh run (engine: Run with the default budget of steps, so its periodic W1 evaluation
runs at the rate a real run sees; reference: bench/reference.py), trains a few warm-up steps,
then times the next ~1 s of steps (CPU time of the engine at K=1; the same count for all).
Engine K=1, reference, engine K=8 and the extra reference lines alternate within each round,
their order rotating between rounds; the table shows medians over rounds, and each ratio is the
median of the per-round (paired) ratios. Engine and reference both run on one thread (what the
engine uses); one extra line shows the reference at torch's default thread count, another the
reference without its per-step `.item()` logging. A last line gives a floor under wall K8/K1:
the K = 8 run's time inside matrix products (torch's profiler) over a whole K = 1 step.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
# GANLAB_ENGINE=/path/to/a/copy (a folder holding ganlab/) measures that copy instead of the
# repo's engine: how a candidate speed-up is checked before it is applied.
sys.path[:0] = [os.environ.get("GANLAB_ENGINE", str(HERE.parent)), str(HERE)]
DEFAULT_THREADS = torch.get_num_threads()  # before anything sets one thread

from reference import ReferenceGAN  # noqa: E402

from ganlab.config import TrainConfig, preset  # noqa: E402
from ganlab.training import Run  # noqa: E402
from ganlab.variants import CLASSICS  # noqa: E402
from ganlab.variants import VARIANTS as REGISTRY  # noqa: E402

VARIANTS = tuple(REGISTRY)  # every variant's engine against its own textbook loop
RSS_VARIANTS = CLASSICS  # the memory goal's workload, kept as it was measured
TARGET = "bimodal"
WARM = 20  # untimed steps first: allocator and optimizer state warm up
BUDGET = TrainConfig.steps  # cfg.steps of the timed engine runs: the default budget
GOAL_RATIO, GOAL_SCALING, GOAL_RSS_MB = 2.0, 2.0, 600.0
RSS_SEEDS = 8


def config(variant: str, k: int, steps: int):
    return preset(variant, "tuned", target=TARGET, n_seeds=k, steps=steps)


class Clock:
    """Wall and CPU time of one timed span. On a shared machine wall time also counts the time
    other processes held the core; CPU time (this process) mostly does not, so both are kept."""

    def __enter__(self):
        self.w, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.w, time.process_time() - self.c

    def rates(self, n: int) -> tuple[float, float]:
        return n / self.wall, n / self.cpu


def warm_run(variant: str, k: int, n: int) -> Run:
    """A fresh engine run, WARM steps in, with n more steps left in its budget. The default
    budget, so the periodic W1 evaluation (100 per budget) runs at the rate a real run sees
    rather than every few steps of a short budget."""
    run = Run(config(variant, k, max(BUDGET, WARM + n)))
    run.advance(WARM)
    return run


def time_engine(variant: str, k: int, n: int) -> tuple[float, float]:
    """Generator steps per second (wall, CPU) of the engine, K seeds at once (a step covers
    all K)."""
    run = warm_run(variant, k, n)
    with Clock() as clock:
        done = run.advance(n)
    assert done == n and run.alive.all(), (variant, k, done, run.diverged_at)
    return clock.rates(n)


def time_reference(variant: str, n: int, threads: int = 1, log: bool = True):
    torch.set_num_threads(threads)
    try:
        ref = ReferenceGAN(config(variant, 1, max(BUDGET, WARM + n)), log_every_step=log)
        ref.train(WARM)
        with Clock() as clock:
            ref.train(n)
        return clock.rates(n)
    finally:
        torch.set_num_threads(1)


MATMULS = ("aten::bmm", "aten::baddbmm", "aten::baddbmm_")


def matmul_seconds(variant: str, k: int, n: int) -> float:
    """Seconds per generator step the engine spends inside matrix products (torch's profiler,
    self time of bmm/baddbmm), K seeds at once. At K = 8 these run near the core's peak, so
    this time divided by a whole K = 1 step is a floor under the wall K8/K1 ratio."""
    from torch.profiler import ProfilerActivity, profile

    run = warm_run(variant, k, n)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        # In this thread: advance() would train on a service worker, which the profiler of
        # this thread does not see (it printed floors of 0.00).
        run._advance(n, None)
    return sum(e.self_cpu_time_total for e in prof.key_averages() if e.key in MATMULS) / 1e6 / n


def calibrate(variant: str, seconds: float) -> int:
    """Steps that take the engine about `seconds` of CPU at K=1 (a multiple of 50, ≥ 100)."""
    rate = time_engine(variant, 1, 60)[1]
    return max(100, 50 * math.ceil(rate * seconds / 50))


def paired(runs: dict, a: str, b: str, i: int) -> float:
    """Median over rounds of a/b (i = 0 wall, 1 CPU), each pair measured back to back."""
    return statistics.median(x[i] / y[i] for x, y in zip(runs[a], runs[b], strict=True))


def measure(rounds: int, seconds: float, variants=VARIANTS) -> dict:
    torch.set_num_threads(1)
    jobs = {
        "engine1": lambda v, n: time_engine(v, 1, n),
        "ref": lambda v, n: time_reference(v, n),
        "engine8": lambda v, n: time_engine(v, 8, n),
        # Two threads under load can be 10× slower: fewer steps, so it can't eat the run.
        "ref_default": lambda v, n: time_reference(v, max(50, n // 4), threads=DEFAULT_THREADS),
        "ref_nolog": lambda v, n: time_reference(v, n, log=False),
    }
    out = {}
    for v in variants:
        n = calibrate(v, seconds)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in jobs}
        names = list(jobs)
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:  # rotate the order
                runs[name].append(jobs[name](v, n))
        med = {name: statistics.median(x[0] for x in vals) for name, vals in runs.items()}
        out[v] = {
            "steps": n,
            **med,
            **{f"{name}_cpu": statistics.median(x[1] for x in vals) for name, vals in runs.items()},
            # wall-time ratios (the goals) and the same ratios in CPU time
            "ratio": paired(runs, "engine1", "ref", 0),  # engine K=1 / reference, ≥ 2 wanted
            "scaling": paired(runs, "engine1", "engine8", 0),  # wall K=8 / K=1, ≤ 2 wanted
            "ratio_cpu": paired(runs, "engine1", "ref", 1),
            "scaling_cpu": paired(runs, "engine1", "engine8", 1),
            "threads_gain": paired(runs, "ref", "ref_default", 0),  # >1: one thread is faster
            "log_cost": paired(runs, "ref_nolog", "ref", 1),
            # wall K8/K1 if everything but the K = 8 matrix products cost nothing
            "matmul_floor": matmul_seconds(v, 8, max(50, n // 8)) * med["engine1"],
            "raw": runs,
        }
        print(f"  measured {v}: {n} steps × {rounds} rounds", file=sys.stderr, flush=True)
    return out


# --- peak memory in a clean process -------------------------------------------------------------
def peak_rss_mb() -> float:
    """This process's peak resident set size. Linux's VmHWM belongs to the process's own memory
    map; ru_maxrss does not: a child started by subprocess (vfork + exec) inherits the parent's
    peak in it (a child of a 600 MB parent reports 611 MB while holding 10 MB)."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def rss_child(steps: int) -> None:
    """Runs in a fresh interpreter: import ganlab, train every variant × 8 seeds headless (as the
    CLI would: advance to the end, then the plain-data result with metrics), print peak RSS."""
    t0 = time.perf_counter()
    after_import = peak_rss_mb()
    for v in RSS_VARIANTS:
        run = Run(config(v, RSS_SEEDS, steps))
        run.advance()
        assert run.step == steps
        run.result()
    print(
        json.dumps(
            {
                "after_import_mb": after_import,
                "peak_mb": peak_rss_mb(),
                "steps": steps,
                "seconds": time.perf_counter() - t0,
            }
        )
    )


def measure_rss(steps: int) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--rss-child", "--rss-steps", str(steps)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- report -------------------------------------------------------------------------------------
def report(res: dict, rss: dict | None, rounds: int) -> bool:
    ok_all = True
    print(
        f"\nganlab speed — tuned presets, target={TARGET}, torch {torch.__version__}, "
        f"{rounds} interleaved rounds, medians; engine and reference on 1 thread "
        f"(default here: {DEFAULT_THREADS}); load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    if "GANLAB_ENGINE" in os.environ:
        print(f"engine measured: {os.environ['GANLAB_ENGINE']}/ganlab (GANLAB_ENGINE)")
    head = (
        f"{'variant':8} | {'steps':>5} | {'engine K=1':>10} | {'reference':>9} | "
        f"{'ratio':>5} | {'engine K=8':>10} | {'wall K8/K1':>10} | "
        f"goals: ratio≥2, K8/K1≤2 | CPU-time: ratio, K8/K1"
    )
    print(head)
    print("-" * len(head))
    for v, r in res.items():
        g1, g2 = r["ratio"] >= GOAL_RATIO, r["scaling"] <= GOAL_SCALING
        ok_all &= g1 and g2
        print(
            f"{v:8} | {r['steps']:>5} | {r['engine1']:>10.0f} | {r['ref']:>9.0f} | "
            f"{r['ratio']:>5.2f} | {r['engine8']:>10.0f} | {r['scaling']:>10.2f} | "
            f"{'met' if g1 else 'MISSED':>6}, {'met' if g2 else 'MISSED':>6}      | "
            f"{r['ratio_cpu']:>5.2f}, {r['scaling_cpu']:.2f}"
        )
    print(
        "steps/s = generator steps per wall-clock second (engine K=8: one step covers all 8 "
        "seeds). Goals are judged on wall time; the CPU-time ratios beside them are what the "
        "code costs when other processes share the machine."
    )
    print(
        "\nfloor under wall K8/K1: time of the K = 8 matrix products alone (profiler) over a "
        "whole K = 1 step:"
    )
    print("  " + "   ".join(f"{v} {r['matmul_floor']:.2f}" for v, r in res.items()))
    print("\nreference loop, other settings (steps/s, wall):")
    for v, r in res.items():
        print(
            f"  {v:8} default threads ({DEFAULT_THREADS}): {r['ref_default']:>5.0f} "
            f"(1 thread is {r['threads_gain']:.2f}× that)   without per-step .item(): "
            f"{r['ref_nolog']:>5.0f} (CPU-time factor {r['log_cost']:.2f})"
        )
    if rss is not None:
        g3 = rss["peak_mb"] <= GOAL_RSS_MB and rss["steps"] >= 2000
        ok_all &= g3
        verdict = (
            "met"
            if g3
            else (
                "MISSED" if rss["peak_mb"] > GOAL_RSS_MB else "not checked (goal is at 2000 steps)"
            )
        )
        print(
            f"\npeak RSS, fresh process, {len(RSS_VARIANTS)} variants × {RSS_SEEDS} seeds × "
            f"{rss['steps']} steps "
            f"+ result(): {rss['peak_mb']:.0f} MB (after imports "
            f"{rss['after_import_mb']:.0f} MB; {rss['seconds']:.0f} s) — "
            f"goal ≤ {GOAL_RSS_MB:.0f} MB: {verdict}"
        )
    print("\nall goals met" if ok_all else "\nsome goals missed (see above)")
    return ok_all


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 rounds of ≥ 0.4 s, RSS at 500 steps")
    ap.add_argument("--rounds", type=int, help="interleaved rounds (default 5, quick 3)")
    ap.add_argument("--seconds", type=float, help="target seconds per measurement (default 1)")
    ap.add_argument("--no-rss", action="store_true", help="skip the peak-memory subprocess")
    ap.add_argument("--rss-steps", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--rss-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated; default all")
    args = ap.parse_args(argv)
    if args.rss_child:
        rss_child(args.rss_steps or 2000)
        return 0
    rounds = args.rounds or (3 if args.quick else 5)
    seconds = args.seconds or (0.4 if args.quick else 1.0)
    variants = args.variants.split(",")
    unknown = [v for v in variants if v not in REGISTRY]
    if unknown:
        ap.error(f"unknown variants {unknown}: choose from {', '.join(REGISTRY)}")
    res = measure(rounds, seconds, variants)
    rss = None if args.no_rss else measure_rss(args.rss_steps or (500 if args.quick else 2000))
    ok = report(res, rss, rounds)
    if args.json:
        args.json.write_text(json.dumps({"results": res, "rss": rss, "rounds": rounds}, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
