"""The gallery: finished results made before class and shipped with ganlab, so the Compare page
opens each built-in target's default comparison with its verdict before anyone presses Run.

    python -m ganlab gallery                 # every built-in target's default comparison
    python -m ganlab gallery --targets normal --out /tmp/g

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
from pathlib import Path

from ganlab import compare, result_store
from ganlab.config import TrainConfig
from ganlab.result import RunResult
from ganlab.targets import TARGETS
from ganlab.user_targets import excerpt

SHIPPED = Path(__file__).resolve().parent / "data" / "gallery"
DIR = Path(os.environ.get("GANLAB_GALLERY_DIR", SHIPPED))  # the tests' pages start without it
COMMAND = "python -m ganlab gallery"


def comparisons(targets: Iterable[str] = tuple(TARGETS)) -> dict[str, dict[str, TrainConfig]]:
    """target -> the Compare page's default comparison on it (what its link opens)."""
    return {t: compare.default_configs(target=t) for t in targets}


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
) -> int:
    """Train and store every comparison not stored yet; how many were made."""
    made = 0
    for target, cfgs in comparisons(targets).items():
        key = tuple(cfgs.values())
        if result_store.load(key, folder, prune=False) is not None:
            log(f"{target}: stored already")
            continue
        t0 = time.perf_counter()
        results = tuple(finished(c) for c in key)
        # the gallery is shipped: it is never trimmed to a cache's size
        result_store.save(key, results, folder, max_bytes=None)
        made += 1
        log(f"{target}: trained in {time.perf_counter() - t0:.0f} s")
    return made


def add_parser(sub) -> None:
    p = sub.add_parser(
        "gallery",
        help="train and store the default comparison of every built-in target",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument("--targets", default=",".join(TARGETS), help="comma-separated built-ins")
    p.add_argument("--out", type=Path, default=SHIPPED, help=f"folder (default {SHIPPED})")


def main(args: argparse.Namespace) -> int:
    """`python -m ganlab gallery`: a bad option is one line on stderr and exit status 2."""
    targets = [t for t in args.targets.split(",") if t]
    problem = None
    if not targets or any(t not in TARGETS for t in targets):
        problem = f"--targets {excerpt(args.targets)}: choose from {', '.join(TARGETS)}"
    elif args.out.exists() and not args.out.is_dir():
        problem = f"--out {excerpt(str(args.out))} is a file, not a folder"
    if problem:
        print(f"ganlab: {problem}", file=sys.stderr)
        return 2
    build(targets, args.out)
    return 0
