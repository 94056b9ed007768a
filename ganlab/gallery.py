"""The gallery: finished results made before class and shipped with ganlab, so every page opens
on a finished run: the Compare page each built-in target's default comparison with its verdict,
a variant page the run of its settings (every variant × preset × built-in target, and every
lesson) with its replay, before anyone presses Start.

    python -m ganlab gallery                 # everything not stored yet (about 50 CPU-minutes)
    python -m ganlab gallery --targets normal --out /tmp/g --workers 2

Stored as ganlab.result_store files (plain arrays and JSON, never pickle); the same configs and
seeds give the same numbers on the same machine, which tests/test_gallery.py checks by training
an entry again."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ganlab import compare, result_store, stored_runs
from ganlab.config import TrainConfig
from ganlab.lessons import LESSONS
from ganlab.result import RunResult
from ganlab.run_links import base, presets
from ganlab.targets import TARGETS
from ganlab.user_targets import excerpt
from ganlab.variants import VARIANTS

SHIPPED = Path(__file__).resolve().parent / "data" / "gallery"
DIR = Path(os.environ.get("GANLAB_GALLERY_DIR", SHIPPED))  # the tests' pages start without it
COMMAND = "python -m ganlab gallery"


def comparisons(targets: Iterable[str] = tuple(TARGETS)) -> dict[str, dict[str, TrainConfig]]:
    """target -> the Compare page's default comparison on it (what its link opens)."""
    return {t: compare.default_configs(target=t) for t in targets}


def page_runs(targets: Iterable[str] = tuple(TARGETS)) -> list[TrainConfig]:
    """What the variant pages open on: every variant's presets on every built-in target, and
    every lesson (on its own target) — the configs their pickers give, exactly."""
    out = []
    for variant in VARIANTS:
        for start in presets(variant):
            cfg = base(variant, start)
            if start in LESSONS:
                out += [cfg] if cfg.target.name in targets else []
            else:
                out += [dataclasses.replace(cfg, target=TARGETS[t]) for t in targets]
    return out


def stored_run(cfg: TrainConfig):
    """cfg's finished run from the results cache (one this server finished before a restart),
    else from the gallery (only read); None when neither has it."""
    return stored_runs.load(cfg) or stored_runs.load(cfg, DIR, prune=False)


def store_trained(cfg: TrainConfig, folder: Path) -> float:
    """Train cfg's run to its budget and store it in folder; its training seconds. (In a
    training process of build(): the engine's numbers do not depend on where they run.)"""
    from ganlab.training import Run  # the engine: only when something is trained

    run = Run(cfg)
    run._advance(None, None)
    stored_runs.save(run, folder, max_bytes=None)
    return run.wall_s


def finished(cfg: TrainConfig) -> RunResult:
    """cfg trained to its budget, as the Compare page keeps a finished variant: the result with
    its per-seed metrics."""
    from ganlab.training import Run  # the engine: only when something is trained

    run = Run(cfg)
    run.advance()
    return dataclasses.replace(run.result(with_metrics=False), seed_metrics=run.seed_metrics())


def build(
    targets: Iterable[str] = tuple(TARGETS),
    folder: Path = SHIPPED,
    log: Callable[[str], None] = print,
    workers: int = 1,
) -> int:
    """Train and store every comparison and page run not stored yet, and remove the files no
    current config asks for (of an older engine or preset); how many were made."""
    targets = tuple(targets)
    made = 0
    for target, cfgs in comparisons(targets).items():
        key = tuple(cfgs.values())
        if result_store.load(key, folder, prune=False) is not None:
            continue
        t0 = time.perf_counter()
        results = tuple(finished(c) for c in key)
        # the gallery is shipped: it is never trimmed to a cache's size
        result_store.save(key, results, folder, max_bytes=None)
        made += 1
        log(f"comparison on {target}: trained in {time.perf_counter() - t0:.0f} s")
    todo = [c for c in page_runs(targets) if stored_runs.load(c, folder, prune=False) is None]
    log(f"{len(todo)} page runs to train")
    with ProcessPoolExecutor(workers) as pool:
        for cfg, wall_s in zip(
            todo, pool.map(store_trained, todo, [folder] * len(todo)), strict=True
        ):
            made += 1
            log(f"{cfg.variant} on {cfg.target.name}, {cfg.steps:,} steps: {wall_s:.0f} s")
    for path in stale(folder):
        path.unlink()
        log(f"removed {path.name}: no current config asks for it")
    return made


def stale(folder: Path) -> list[Path]:
    """Files in folder that no comparison or page run of the current code would open."""
    wanted = {result_store.key(tuple(c.values())) for c in comparisons().values()}
    wanted |= {stored_runs.file_name(c) for c in page_runs()}
    return sorted(p for p in folder.glob("*.npz") if p.stem not in wanted)


def add_parser(sub) -> None:
    p = sub.add_parser(
        "gallery",
        help="train and store the default comparison of every built-in target",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument("--targets", default=",".join(TARGETS), help="comma-separated built-ins")
    p.add_argument("--out", type=Path, default=SHIPPED, help=f"folder (default {SHIPPED})")
    p.add_argument("--workers", type=int, default=1, help="training processes (default 1)")


def main(args: argparse.Namespace) -> int:
    """`python -m ganlab gallery`: a bad option is one line on stderr and exit status 2."""
    targets = [t for t in args.targets.split(",") if t]
    problem = None
    if not targets or any(t not in TARGETS for t in targets):
        problem = f"--targets {excerpt(args.targets)}: choose from {', '.join(TARGETS)}"
    elif not 1 <= args.workers <= 64:
        problem = f"--workers {args.workers}: give 1 to 64 processes"
    elif args.out.exists() and not args.out.is_dir():
        problem = f"--out {excerpt(str(args.out))} is a file, not a folder"
    if problem:
        print(f"ganlab: {problem}", file=sys.stderr)
        return 2
    build(targets, args.out, workers=args.workers)
    return 0
