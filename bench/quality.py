"""Quality table: median and worst W1 over seeds, per variant (a preset) × built-in target.

    python bench/quality.py                 # 1-D tuned presets, 8 seeds, default budget
    python bench/quality.py --preset paper --seeds 4 --steps 1000
    python bench/quality.py --variants r1 --set r1_gamma=0.1 --set lr_d=2e-3   # a trial
    python bench/quality.py --json quality.json   # also save every cell as JSON

Each cell trains all seeds as one batched run and measures 20 000 samples per seed against the
true target; the noise floor (true samples scored the same way) is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ganlab import metrics
from ganlab.config import TrainConfig, preset
from ganlab.targets import TARGETS
from ganlab.training import Run
from ganlab.variants import VARIANTS

N_EVAL = 20_000
GOAL = 0.03  # median W1 of the best variant per target (issue 16; it was 0.05)


def _value(text: str):
    """A --set value as the field's type: int, float, bool or string."""
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def overrides(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or name not in TrainConfig.__dataclass_fields__:
            raise SystemExit(f"--set wants field=value with a TrainConfig field, got {pair!r}")
        out[name] = _value(value)
    return out


def measure(variant: str, target: str, args) -> dict:
    cfg = preset(
        variant,
        args.preset,
        target=target,
        n_seeds=args.seeds,
        seed=args.seed,
        **({"steps": args.steps} if args.steps else {}),
        **overrides(args.set),
    )
    run = Run(cfg)
    run.advance()
    rows = run.seed_metrics(N_EVAL)
    w1 = [r.get("w1", np.nan) for r in rows]
    out = {
        "variant": variant,
        "target": target,
        "median_w1": float(np.nanmedian(w1)),
        "worst_w1": float(np.nanmax(w1)),
        "diverged": sum(r["diverged"] for r in rows),
        "steps": cfg.steps,
        "wall_s": run.wall_s,
        "config": {k: v for k, v in cfg.to_dict().items() if k != "target"},
    }
    if "modes_covered" in rows[0]:
        full = sum(r["modes_covered"] == r["n_modes"] for r in rows)
        out["modes_covered"] = f"{full}/{len(rows)}"
        out["mode_coverage"] = float(np.median([r["mode_coverage"] for r in rows]))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="tuned", choices=["paper", "tuned"])
    p.add_argument("--seeds", type=int, default=8)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=0, help="0 = the preset's default budget")
    p.add_argument("--targets", default=",".join(TARGETS))
    p.add_argument("--variants", default=",".join(VARIANTS))
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override one field of every preset (repeatable): a trial, not the preset",
    )
    p.add_argument("--json", metavar="PATH", help="also write every cell and the setup as JSON")
    args = p.parse_args()
    print(
        f"preset={args.preset} seeds={args.seeds} steps={args.steps or TrainConfig.steps} "
        f"eval samples={N_EVAL}" + (f" overrides={overrides(args.set)}" if args.set else "")
    )
    started = time.perf_counter()
    rows = []
    for target in args.targets.split(","):
        floor = metrics.noise_floor(TARGETS[target], N_EVAL)["w1"]
        for variant in args.variants.split(","):
            t0 = time.perf_counter()
            r = measure(variant, target, args)
            r["floor_w1"] = floor
            rows.append(r)
            print(
                f"  {target:12s} {variant:8s} median W1 {r['median_w1']:.4f} "
                f"worst {r['worst_w1']:.4f} (floor {floor:.4f}) "
                f"{r.get('modes_covered', '')} [{time.perf_counter() - t0:.0f} s]",
                flush=True,
            )
    table = pd.DataFrame(rows)
    if args.json:
        setup = {
            "preset": args.preset,
            "seeds": args.seeds,
            "seed": args.seed,
            "steps": args.steps or TrainConfig.steps,
            "eval_samples": N_EVAL,
            "overrides": overrides(args.set),
            "wall_s": time.perf_counter() - started,
            "machine": platform.platform(),
            "load_avg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        }
        Path(args.json).write_text(json.dumps({"setup": setup, "cells": rows}, indent=1))
        print(f"wrote {args.json}")
    print()
    print(
        table.pivot(index="target", columns="variant", values="median_w1").to_string(
            float_format=lambda v: f"{v:.4f}"
        )
    )
    best = table.loc[table.groupby("target")["median_w1"].idxmin()]
    print("\nbest variant per target:")
    for _, r in best.iterrows():
        mark = "meets" if r["median_w1"] <= GOAL else "MISSES"
        print(
            f"  {r['target']:12s} {r['variant']:8s} median W1 {r['median_w1']:.4f} "
            f"worst {r['worst_w1']:.4f} floor {r['floor_w1']:.4f} — {mark} goal ≤ {GOAL}"
        )
    covered = table.dropna(subset=["mode_coverage"]) if "mode_coverage" in table else table[:0]
    if len(covered):
        print("\nmode coverage (seeds covering every mode; median coverage):")
        for _, r in covered.iterrows():
            print(
                f"  {r['target']:12s} {r['variant']:8s} {r['modes_covered']}  "
                f"{r['mode_coverage']:.3f}"
            )


if __name__ == "__main__":
    main()
