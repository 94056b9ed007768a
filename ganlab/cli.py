"""`python -m ganlab train`: the app's runs headless, as a table, JSON or CSV."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from pathlib import Path
from typing import TypedDict

import pandas as pd

from ganlab import report, targets, user_targets
from ganlab.config import (
    CHOICES,
    FIELDS,
    INTEGER_FIELDS,
    PRESETS,
    RANGES,
    ConfigError,
    TrainConfig,
    fmt,
    make,
)
from ganlab.result import divergence_message
from ganlab.targets import TargetError
from ganlab.training import Run
from ganlab.variants import VARIANTS

SKIP = {"variant", "target"}  # flags of their own below


class RunRecord(TypedDict):
    """One trained variant as `train` reports it (and writes it in --json)."""

    variant: str
    config: dict  # TrainConfig.to_dict()
    step: int
    wall_s: float
    steps_per_s: float
    seeds: list[dict]  # Run.seed_metrics()


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not a usage dump
        self.exit(2, f"ganlab: error: {message}\n")


def _ranged(name: str):
    lo, hi = RANGES[name]
    kind = int if name in INTEGER_FIELDS else float

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            noun = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
        if not (lo <= value <= hi) or (kind is float and not math.isfinite(value)):
            raise argparse.ArgumentTypeError(
                f"{text} is outside the allowed range {fmt(lo)} … {fmt(hi)}"
            )
        return value

    return parse


def _bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not true/false")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ganlab", description="Train small GANs on 1-D targets, headless.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train = sub.add_parser("train", help="train one or more variants and report distances")
    train.add_argument(
        "--variant",
        default="all",
        help=f"one of {', '.join(VARIANTS)}, a comma-separated list, or all",
    )
    train.add_argument(
        "--preset",
        default="tuned",
        choices=["paper", "tuned", "none"],
        help="start from a variant's preset (flags given explicitly win)",
    )
    where = train.add_mutually_exclusive_group()
    where.add_argument("--target", choices=list(targets.TARGETS), help="a built-in target")
    where.add_argument("--mixture", metavar="W:MEAN:STD,...", help="a custom Gaussian mixture")
    where.add_argument("--data", metavar="FILE", type=Path, help="a CSV/text column of samples")
    for f in dataclasses.fields(TrainConfig):
        if f.name in SKIP:
            continue
        field = FIELDS[f.name]
        what = f"{field.label}" + (f": {field.help}" if field.help else "")
        if f.name in CHOICES:
            train.add_argument(
                field.flag,
                choices=CHOICES[f.name],
                default=None,
                help=f"{what} (default {f.default})",
            )
        elif f.name in RANGES:
            lo, hi = RANGES[f.name]
            train.add_argument(
                field.flag,
                type=_ranged(f.name),
                default=None,
                help=f"{what}; {fmt(lo)} … {fmt(hi)} (default {f.default})",
            )
        else:
            train.add_argument(
                field.flag, type=_bool, default=None, help=f"{what} (default {fmt(f.default)})"
            )
    train.add_argument(
        "--seeds",
        type=_ranged("n_seeds"),
        dest="n_seeds_alias",
        default=None,
        help="number of seeds K (same as --n-seeds); seeds are seed … seed+K−1",
    )
    train.add_argument("--json", action="store_true", help="print one JSON object {runs: [...]}")
    train.add_argument("--csv", type=Path, metavar="PATH", help="write the per-seed table here")
    return parser


def _target(args):
    flag = "--mixture" if args.mixture else "--data" if args.data else "--target"
    try:
        return _parse_target(args)
    except TargetError as exc:
        raise TargetError(f"{flag}: {exc}") from None


def _parse_target(args):
    if args.mixture:
        rows = []
        for i, part in enumerate(args.mixture.split(","), start=1):
            bits = part.split(":")
            if len(bits) != 3:
                raise TargetError(f"component {i} '{part}' is not W:MEAN:STD")
            rows.append(bits)
        return user_targets.mixture(rows)
    if args.data:
        try:
            raw = args.data.read_bytes()
        except OSError as exc:
            raise TargetError(f"cannot read {args.data}: {exc.strerror}") from None
        return user_targets.empirical(user_targets.parse_csv(raw), name=args.data.name)
    return user_targets.get(args.target or "bimodal")


def configs_from_args(args) -> list[TrainConfig]:
    names = list(VARIANTS) if args.variant == "all" else args.variant.split(",")
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise ConfigError([f"--variant: '{unknown[0]}' is not one of {', '.join(VARIANTS)}, all"])
    twice = [n for n in dict.fromkeys(names) if names.count(n) > 1]
    if twice:
        raise ConfigError([f"--variant: '{twice[0]}' is named twice"])
    given = {
        f.name: getattr(args, f.name)
        for f in dataclasses.fields(TrainConfig)
        if f.name not in SKIP and getattr(args, f.name) is not None
    }
    if args.n_seeds_alias is not None:
        given["n_seeds"] = args.n_seeds_alias
    target = _target(args)
    out = []
    for name in names:
        base = PRESETS[name].get(args.preset, {})
        try:
            out.append(make(variant=name, target=target, **{**base, **given}))
        except ConfigError as exc:  # say which flags, since that is what the user typed
            raise ConfigError([f"{name}: {p}" for p in exc.problems]) from None
    return out


def _clean(value):
    """JSON has no NaN/inf: write null instead."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def train(args) -> int:
    try:
        cfgs = configs_from_args(args)
    except (ConfigError, TargetError) as exc:
        print(f"ganlab: error: {exc}", file=sys.stderr)
        return 2
    runs: list[RunRecord] = []
    for cfg in cfgs:
        run = Run(cfg)
        run.advance()
        seeds = run.seed_metrics()
        runs.append(
            {
                "variant": cfg.variant,
                "config": cfg.to_dict(),
                "step": run.step,
                "wall_s": run.wall_s,
                "steps_per_s": run.step / max(run.wall_s, 1e-9),
                "seeds": seeds,
            }
        )
        if not args.json:
            print(
                f"trained {VARIANTS[cfg.variant].label}: {run.step:,} steps × {cfg.n_seeds} "
                f"seed(s) in {report.number(run.wall_s)} s",
                file=sys.stderr,
            )
            message = divergence_message(cfg.seeds, run.diverged_at)
            if message:
                print(f"{VARIANTS[cfg.variant].label}: {message}", file=sys.stderr)
    per_seed = pd.DataFrame([{"variant": r["variant"], **s} for r in runs for s in r["seeds"]])
    per_seed = per_seed.drop(columns=["mode_shares"], errors="ignore")
    if args.csv:
        per_seed.to_csv(args.csv, index=False)
    if args.json:
        print(json.dumps(_clean({"runs": runs})))
    else:
        table = report.measured(
            {r["variant"]: r["seeds"] for r in runs},
            {r["variant"]: {**r, "steps": r["config"]["steps"]} for r in runs},
        )
        labels = {v: VARIANTS[v].label for v in table["column"]}
        print(f"target: {cfgs[0].target.name} — median [min–max] over {cfgs[0].n_seeds} seed(s)")
        print(report.display(table, labels).to_string())
    return 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "train":
        return train(args)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
