"""Study throughput on Dask: config-seeds/s with 1 and 2 local workers side by side, one task
per configuration (its K seeds batched) against one task per seed, and Dask's per-task overhead.

    python bench/study.py              # ~6 min on an idle 2-core machine
    python bench/study.py --quick      # ~2 min: fewer configurations and steps
    python bench/study.py --figures docs/study   # the shipped example's table and PNGs only

What it runs: a small study (4 variants × --configs configurations × 4 seeds, --steps steps, the
default search space) — the same tasks each way, their numbers checked equal:
  in-process   every task in this process, one after another (study.execute, workers=0);
  1 worker     a LocalCluster of one single-threaded worker process (warm: torch imported);
  2 workers    the same with two; the ratio 2/1 is the scaling (goal ≥ 1.7× on 2 cores);
  per seed     in this process, each seed its own task (a 1-seed run), against batched.
Per-task overhead: (1-worker time − in-process time) / tasks, and the round trip of an empty
task on the warm cluster. Rounds alternate the order; the table shows medians over rounds.
Cluster start-up (spawning workers, importing torch there) is reported apart, since a study pays
it once.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ganlab import study
from ganlab.report import number
from ganlab.variants import VARIANTS as VARIANTS_ALL

VARIANTS = ("gan", "wgan-gp", "lsgan", "r1")


def _noop(x):
    return x


def _warm():
    import ganlab.training  # noqa: F401  (torch and the engine, as a task would)

    return True


def timed(results_of) -> tuple[float, dict]:
    t0 = time.perf_counter()
    rows = {}
    for lines in results_of():
        for r in lines:
            rows[(r["target"], r["variant"], r["config"], r["seed"])] = r
    return time.perf_counter() - t0, rows


def figures(folder: str) -> int:
    """The shipped example study's report table (Markdown) and one PNG per target."""
    from ganlab import study_analysis as sa
    from ganlab.charts import study as charts

    res = study.load(study.EXAMPLE)
    a = sa.analyse(res)
    table = sa.summary(a)
    print("| " + " | ".join(table.columns) + " |")
    print("|" + "---|" * len(table.columns))
    for row in table.itertuples(index=False):
        print("| " + " | ".join(str(v) for v in row) + " |")
    for target, text in a["verdicts"].items():
        print(f"\n{text}")
        figs = [
            charts.best_of_n_chart(a["curves"], target),
            charts.distribution_chart(a["scores"], target),
            charts.failure_chart(a["failures"], target),
            charts.sensitivity_chart(a["sensitivity"], target),
        ]
        out = Path(folder) / f"study-{target}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(charts.figure_png(figs))
        print(f"wrote {out}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--figures", metavar="FOLDER", help="only write the example's figures")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--configs", type=int, default=None)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=None)
    args = ap.parse_args()
    if args.figures:
        return figures(args.figures)
    configs = args.configs or (2 if args.quick else 4)
    steps = args.steps or (150 if args.quick else 300)
    rounds = args.rounds or (1 if args.quick else 2)
    spec = study.StudySpec(variants=VARIANTS, configs=configs, seeds=4, steps=steps)
    batched, per_seed = spec.tasks(), spec.tasks(per_seed=True)
    n = len(per_seed)  # config-seeds
    print(
        f"{len(VARIANTS)} variants × {configs} configs × 4 seeds × {steps} steps = {n} "
        f"config-seeds; {len(batched)} batched tasks, {rounds} round(s)",
        flush=True,
    )
    times: dict[str, list[float]] = {
        k: [] for k in ("in-process", "1 worker", "2 workers", "per seed (in-process)")
    }
    ref: dict | None = None
    startup: dict[int, float] = {}
    noop_s: list[float] = []
    clusters = {}
    # Warm this process as the workers are warmed: torch imported, the targets' grids cached.
    study.run_task(spec.to_dict(), study.Task(spec.targets[0], "gan", 0, (0,)))
    logging.getLogger("distributed").setLevel(logging.ERROR)
    try:
        for w in (1, 2):
            t0 = time.perf_counter()
            c = study.cluster(w)
            client = c.__enter__()
            client.run(_warm)
            startup[w] = time.perf_counter() - t0
            clusters[w] = (c, client)
        for r in range(rounds):
            order = ["in-process", "1 worker", "2 workers", "per seed (in-process)"]
            order = order[r % 4 :] + order[: r % 4]
            for what in order:
                if what == "in-process":
                    s, rows = timed(lambda: study.execute(spec, batched, workers=0))
                elif what == "per seed (in-process)":
                    s, rows = timed(lambda: study.execute(spec, per_seed, workers=0))
                else:
                    client = clusters[1 if what == "1 worker" else 2][1]
                    s, rows = timed(lambda c=client: study.execute_on(c, spec, batched))
                times[what].append(s)
                ref = ref or rows
                assert rows == ref, f"{what}: different numbers"  # the same anywhere
                print(
                    f"round {r + 1}: {what:22s} {s:7.1f} s  {n / s:.3g} config-seeds/s", flush=True
                )
            client = clusters[1][1]
            t0 = time.perf_counter()
            for f in client.map(_noop, range(200), pure=False):
                f.result()
            noop_s.append((time.perf_counter() - t0) / 200)
    finally:
        for c, _ in clusters.values():
            c.__exit__(None, None, None)
    med = {k: statistics.median(v) for k, v in times.items()}
    print()
    print("| how | wall (s) | config-seeds/s | vs in-process |")
    print("|---|---:|---:|---:|")
    for k, s in med.items():
        print(f"| {k} | {number(s)} | {number(n / s)} | {number(med['in-process'] / s)}× |")
    print()
    print(f"2 workers / 1 worker: **{number(med['1 worker'] / med['2 workers'])}×** (goal ≥ 1.7)")
    gain = med["per seed (in-process)"] / med["in-process"]
    print(f"batched / per seed (in-process): {number(gain)}× faster batched")
    over = (med["1 worker"] - med["in-process"]) / len(batched)
    print(
        f"Dask overhead per task: {number(over * 1e3)} ms (1 worker − in-process, over "
        f"{len(batched)} tasks of {number(med['in-process'] / len(batched))} s each); "
        f"empty task round trip {number(statistics.median(noop_s) * 1e3)} ms"
    )
    print(
        f"cluster start-up (spawn, import torch): 1 worker {number(startup[1])} s, "
        f"2 workers {number(startup[2])} s"
    )
    shared_shapes(EXAMPLE)
    return 0


# The shipped example's spec (README): what batching configurations could merge there.
EXAMPLE = study.StudySpec(
    variants=tuple(VARIANTS_ALL), targets=("bimodal", "mixture"), configs=16, seeds=4, steps=500
)


def shared_shapes(spec: study.StudySpec) -> None:
    """How many of a study's tasks share their program's shapes with another task of the same
    variant and target (widths, depths, batch, D steps, optimisers, EMA): only those could be
    batched as one program with per-member learning rates."""
    groups: dict[tuple, int] = {}
    for t in spec.tasks():
        c = study.task_config(spec, t)
        key = (t.target, t.variant, c.g_width, c.d_width, c.g_layers, c.d_layers)
        key += (c.batch_size, c.d_steps, c.g_opt, c.d_opt, c.ema > 0)
        groups[key] = groups.get(key, 0) + 1
    tasks = sum(groups.values())
    mergeable = sum(n for n in groups.values() if n > 1)
    print(
        f"batching configurations: in the example study {mergeable} of {tasks} tasks share their "
        f"shapes with another ({len(groups)} shape groups): merging them saves at most "
        f"{number(100 * (mergeable - sum(1 for n in groups.values() if n > 1)) / tasks)} % of "
        "the tasks"
    )


if __name__ == "__main__":
    raise SystemExit(main())
