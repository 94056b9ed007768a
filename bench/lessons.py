"""Do the lesson presets show their phenomenon reliably? Counts seeds (goal: ≥ 6 of 8).

    python bench/lessons.py [--seeds 8] [--only key,key]

Each lesson trains all seeds as one batched run and applies the lesson's own rule (printed) to
each seed's metrics; a contrast run with the fix applied shows the rule is not trivially true.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ganlab.lessons import LESSONS
from ganlab.training import Run

# The same lesson with its cause removed: the rule should mostly *not* fire here.
CONTRASTS = {
    "saturating-stall": dict(g_loss="non-saturating"),
    "clip-too-small": dict(clip=0.01, lr_g=1e-3, lr_d=1e-3),
    "clip-too-large": dict(clip=0.1),
    "strong-d-collapse": dict(d_layers=2, d_width=32, g_layers=2, g_width=32, d_steps=1),
    "lr-diverges": dict(lr_d=1e-4),
    "r1-off": dict(r1_gamma=10.0),
}
GOAL = 6 / 8


def count(cfg, lesson) -> tuple[int, float]:
    run = Run(cfg)
    run.advance()
    rows = run.seed_metrics(10_000)
    return sum(bool(lesson.shows(r)) for r in rows), run.wall_s


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=8)
    p.add_argument("--only", default="")
    args = p.parse_args()
    keys = args.only.split(",") if args.only else list(LESSONS)
    print(f"{'lesson':20s} {'shows':>7s} {'contrast':>9s}  rule")
    ok = True
    for key in keys:
        lesson = LESSONS[key]
        t0 = time.perf_counter()
        shown, _ = count(lesson.config(n_seeds=args.seeds), lesson)
        contrast, _ = count(lesson.config(n_seeds=args.seeds, **CONTRASTS.get(key, {})), lesson)
        reliable = shown >= GOAL * args.seeds
        ok &= reliable
        print(
            f"{key:20s} {shown:>3d}/{args.seeds:<3d} {contrast:>5d}/{args.seeds:<3d}  "
            f"{lesson.rule} — {'reliable' if reliable else 'NOT reliable'} "
            f"[{time.perf_counter() - t0:.0f} s]",
            flush=True,
        )
    print("all lessons reliable" if ok else "some lessons are not reliable")


if __name__ == "__main__":
    main()
