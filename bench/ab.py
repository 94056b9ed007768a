"""A/B: this repo's engine against another copy (a git worktree of an older commit), side by side.

    git worktree add /tmp/old <commit>
    python bench/ab.py /tmp/old              # speed (interleaved rounds) and bit-identity
    python bench/ab.py /tmp/old --rounds 9

Each measurement runs in a fresh subprocess that imports one copy of ganlab (a process cannot
hold two), trains the 1-D tuned preset of each variant for a fixed number of steps after a
warm-up, and prints steps/s; A and B alternate within every round, so machine load hits both
alike, and the ratio is the median of the per-round ratios. Then both copies train the same
configs (3 variants × 3 targets × 2 presets, 3 seeds, uneven slicing) and the script reports
whether samples, D(x), G(z) and the W1 evaluations are bit-identical.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VARIANTS = ("gan", "wgan", "wgan-gp")

_SPEED = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from ganlab.config import preset
from ganlab.training import Run
out = {}
for v in %(variants)r:
    run = Run(preset(v, "tuned", target="bimodal"))
    run.advance(n_steps=32)  # warm-up: allocator and optimizer state
    t0 = time.process_time()
    run.advance(n_steps=%(steps)d)
    out[v] = %(steps)d / (time.process_time() - t0)
print(json.dumps(out))
"""

_NUMBERS = """
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from ganlab.config import preset
from ganlab.training import Run
out = {}
for v in ("gan", "wgan", "wgan-gp"):
    for t in ("bimodal", "mixture", "exponential"):
        for p in ("tuned", "paper"):
            run = Run(preset(v, p, target=t, steps=300, n_seeds=3, seed=5))
            run.advance(n_steps=137)
            run.advance()
            r = run.result(with_metrics=True)
            parts = [r.samples, r.d_on_x, r.g_on_z, r.evals[["w1", "mean", "std"]].to_numpy(),
                     np.array([m["w1"] for m in r.seed_metrics])]
            out[f"{v}/{t}/{p}"] = [np.asarray(a, dtype=float).tobytes().hex() for a in parts]
print(json.dumps(out))
"""


def _run(code: str, engine: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, str(engine)],
        capture_output=True,
        text=True,
        check=True,
        cwd="/tmp",
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("other", type=Path, help="a folder holding another copy of ganlab/")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=300, help="timed generator steps per variant")
    args = p.parse_args(argv)
    engines = {"this": ROOT, "other": args.other.resolve()}
    code = _SPEED % {"variants": VARIANTS, "steps": args.steps}
    speeds: dict[str, list[dict]] = {"this": [], "other": []}
    for i in range(args.rounds):
        order = ["this", "other"] if i % 2 == 0 else ["other", "this"]
        for name in order:
            speeds[name].append(_run(code, engines[name]))
        print(f"  round {i + 1}/{args.rounds} done", file=sys.stderr)
    print(
        f"A = this repo ({ROOT}), B = {engines['other']}; CPU-time steps/s, medians of "
        f"{args.rounds} interleaved rounds, {args.steps} steps after a warm-up"
    )
    print(f"{'variant':8} | {'A steps/s':>9} | {'B steps/s':>9} | {'A/B':>5} | per-round A/B")
    for v in VARIANTS:
        a = [s[v] for s in speeds["this"]]
        b = [s[v] for s in speeds["other"]]
        ratios = [x / y for x, y in zip(a, b, strict=True)]
        print(
            f"{v:8} | {statistics.median(a):9.0f} | {statistics.median(b):9.0f} | "
            f"{statistics.median(ratios):5.2f} | {min(ratios):.2f}–{max(ratios):.2f}"
        )
    mine, theirs = _run(_NUMBERS, engines["this"]), _run(_NUMBERS, engines["other"])
    differ = sorted(k for k in mine if mine[k] != theirs.get(k))
    print(
        f"\nbit-identical numbers (samples, D(x), G(z), W1 evaluations, seed W1): "
        f"{len(mine) - len(differ)} of {len(mine)} configs"
        + (f"; differ: {differ}" if differ else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
