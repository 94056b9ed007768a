"""`python -m ganlab train`: the app's runs headless, as a table, JSON or CSV (and `study`,
in ganlab/study_cli.py, and `gallery`, in ganlab/gallery.py)."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import os
import re
import stat
import sys
from pathlib import Path
from typing import TypedDict

import pandas as pd

from ganlab import budget, report, targets, user_targets
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
from ganlab.user_targets import EXCERPT, MAX_BYTES, MAX_UPLOAD_MB, excerpt
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


def one_line(message: str, limit: int = 1000) -> str:
    """An error message as one short line: control characters (a newline in an argument)
    escaped, any run of 61+ non-blank characters (a pasted blob) cut to 40, the whole to
    `limit` characters."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message[: 4 * limit])
    text = re.sub(r"\S{61,}", lambda m: m[0][:40] + "…", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fail(message: str) -> int:
    print(f"ganlab: error: {one_line(message)}", file=sys.stderr)
    return 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not a usage dump
        self.exit(2, f"ganlab: error: {one_line(message)}\n")


class _Once(argparse.Action):
    """Stores a flag's value, and refuses the same setting given again with another value
    (argparse would let the last one win in silence), whichever of its names was used:
    `--seeds 2 --n-seeds 3` is an error, `--seeds 2 --n-seeds 2` is not."""

    def __call__(self, parser, namespace, values, option_string=None):
        given = vars(namespace).setdefault("_given", {})
        if self.dest in given and given[self.dest][1] != values:
            flag, before = given[self.dest]
            parser.error(
                f"{option_string}: given twice ({flag} {excerpt(str(before))} and "
                f"{option_string} {excerpt(str(values))}): give it once"
            )
        given[self.dest] = (option_string, values)
        setattr(namespace, self.dest, values)


def _ranged(name: str):
    lo, hi = RANGES[name]
    kind = int if name in INTEGER_FIELDS else float

    def parse(text: str):
        try:
            value = kind(text)  # int("0x20"), int("1e3") and float("1,5") are refused
        except ValueError:  # also an integer of more than 4300 digits
            noun = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"'{excerpt(text)}' is not {noun}") from None
        if not (lo <= value <= hi) or (kind is float and not math.isfinite(value)):
            raise argparse.ArgumentTypeError(
                f"{excerpt(text.strip())} is outside the allowed range {fmt(lo)} … {fmt(hi)}"
            )
        return value if kind is int else value + 0.0  # -0.0 reads as 0

    return parse


def _bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"'{excerpt(text)}' is not true/false")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ganlab", description="Train small GANs on 1-D targets, headless.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train = sub.add_parser("train", help="train one or more variants and report distances")
    # Every flag that stores a value refuses a second, different value (see _Once).
    train.register("action", None, _Once)
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
    where.add_argument(
        "--data",
        metavar="FILE",
        help=f"a CSV/text column of samples (a regular file of at most {MAX_UPLOAD_MB} MB)",
    )
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
    train.add_argument(  # the same setting as --n-seeds: giving both with different values fails
        "--seeds",
        type=_ranged("n_seeds"),
        dest="n_seeds",
        default=None,
        help="number of seeds K (another name for --n-seeds); seeds are seed … seed+K−1",
    )
    train.add_argument("--json", action="store_true", help="print one JSON object {runs: [...]}")
    train.add_argument(
        "--csv",
        metavar="PATH",
        help="write the per-seed table here (checked before training); - for stdout",
    )
    train.add_argument(
        "--max-mb",
        type=float,
        default=None,
        help="refuse, before training, a run whose estimated memory exceeds this many MB "
        "(the app's cost model; default: no limit)",
    )
    from ganlab import study_cli  # the `study` subcommand lives in its own module

    study_cli.add_parser(sub)
    from ganlab import gallery  # `gallery`: the results shipped for a class

    gallery.add_parser(sub)
    return parser


def _target(args):
    flag = "--mixture" if args.mixture is not None else "--target"
    flag = "--data" if args.data is not None else flag
    try:
        return _parse_target(args)
    except TargetError as exc:
        raise TargetError(f"{flag}: {exc}") from None


def _parse_target(args):
    if args.mixture is not None:  # "" is a mistake, not a request for the default target
        if not args.mixture.strip():
            raise TargetError("empty: give components as W:MEAN:STD,W:MEAN:STD,…")
        rows = []
        for i, part in enumerate(args.mixture.split(","), start=1):
            bits = part.split(":")
            if len(bits) != 3:
                raise TargetError(f"component {i} '{excerpt(part)}' is not W:MEAN:STD")
            rows.append(bits)
        return user_targets.mixture(rows)
    if args.data is not None:
        raw = read_data(args.data)
        return user_targets.empirical(user_targets.parse_csv(raw), name=Path(args.data).name)
    return user_targets.get(args.target or "bimodal")


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def shown(path) -> str:
    """A path in a message: its end (where the file's name is) when it is long."""
    path = str(path)
    return excerpt(path) if len(path) <= EXCERPT else "…" + excerpt(path[1 - EXCERPT :])


def read_data(path: str) -> bytes:
    """The bytes of a --data file: a regular file of at most MAX_BYTES (the upload limit),
    checked before it is opened (a FIFO would block, /dev/zero never ends), opened without
    blocking, checked again on the open file, and read no further than the limit plus one."""
    if not path:
        raise TargetError("empty: give a CSV or text file")
    name = shown(path)
    try:
        info = os.stat(path)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise TargetError(f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise TargetError(f"{name} is {_kind(info.st_mode)}: give a CSV or text file")
    too_big = f"{name} is larger than {MAX_UPLOAD_MB} MB, the most a data file may hold"
    if info.st_size > MAX_BYTES:
        raise TargetError(too_big)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise TargetError(f"cannot read {name}: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())  # the file opened, in case the path changed meanwhile
        if not stat.S_ISREG(info.st_mode):
            raise TargetError(f"{name} is {_kind(info.st_mode)}: give a CSV or text file")
        try:
            raw = file.read(MAX_BYTES + 1)
        except OSError as exc:
            raise TargetError(f"cannot read {name}: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:  # it grew, or it is a /proc file that reports size 0
        raise TargetError(too_big)
    return raw


def check_output(args) -> None:
    """Refuse, before any training, a --csv path the table could not be written to: the
    results of a long run must not be lost to a typo."""
    path = args.csv
    if path is None:
        return
    if path == "-":
        if args.json:
            raise TargetError("--csv -: --json already writes to stdout; give --csv a file")
        return
    if not path.strip():
        raise TargetError("--csv: empty: give a file name, or - for stdout")
    name, out = shown(path), Path(path)
    folder = out.parent
    if out.is_dir():
        raise TargetError(f"--csv: {name} is a directory: give a file name inside it")
    if not folder.exists():
        raise TargetError(f"--csv: the folder {shown(folder)} does not exist")
    if not folder.is_dir():
        raise TargetError(f"--csv: {shown(folder)} is not a folder")
    if out.exists():
        if not os.access(out, os.W_OK):
            raise TargetError(f"--csv: {name} is not writable")
        if args.data is not None and Path(args.data).exists() and out.samefile(args.data):
            raise TargetError(f"--csv: {name} is the --data file; it would be overwritten")
    elif not os.access(folder, os.W_OK | os.X_OK):
        raise TargetError(f"--csv: cannot create files in {shown(folder)}")


def configs_from_args(args) -> list[TrainConfig]:
    names = list(VARIANTS) if args.variant == "all" else args.variant.split(",")
    if len(names) > 1 and "all" in names:
        raise ConfigError(["--variant: all already names every variant; give it alone"])
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise ConfigError(
            [f"--variant: '{excerpt(unknown[0])}' is not one of {', '.join(VARIANTS)}, all"]
        )
    twice = [n for n in dict.fromkeys(names) if names.count(n) > 1]
    if twice:
        raise ConfigError([f"--variant: '{twice[0]}' is named twice"])
    given = {
        f.name: getattr(args, f.name)
        for f in dataclasses.fields(TrainConfig)
        if f.name not in SKIP and getattr(args, f.name) is not None
    }
    target = _target(args)
    out = []
    for name in names:
        base = PRESETS[name].get(args.preset, {})
        try:
            out.append(make(variant=name, target=target, **{**base, **given}))
        except ConfigError as exc:  # say which flags, since that is what the user typed
            raise ConfigError([f"{name}: {p}" for p in exc.problems]) from None
    return out


def train(args) -> int:
    try:
        cfgs = configs_from_args(args)
        check_output(args)
    except (ConfigError, TargetError) as exc:
        return _fail(str(exc))
    too_much = budget.limit_problem(cfgs, args.max_mb)  # the app's admission check, by bytes
    if too_much:
        return _fail(too_much)
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
    unwritten = None  # the file first (the lasting copy), then stdout even if the file failed
    if args.csv not in (None, "-"):
        try:  # checked before training; a full disk can still fail here
            per_seed.to_csv(args.csv, index=False)
        except OSError as exc:
            unwritten = f"--csv: cannot write {shown(args.csv)}: {exc.strerror or exc}"
    if args.csv == "-":
        per_seed.to_csv(sys.stdout, index=False)
    elif args.json:
        print(json.dumps(report.json_safe({"runs": runs})))
    else:
        table = report.measured(
            {r["variant"]: r["seeds"] for r in runs},
            {r["variant"]: {**r, "steps": r["config"]["steps"]} for r in runs},
        )
        labels = {v: VARIANTS[v].label for v in table["column"]}
        print(f"target: {cfgs[0].target.name} — median [min–max] over {cfgs[0].n_seeds} seed(s)")
        print(report.display(table, labels).to_string())
    return 0 if unwritten is None else _fail(unwritten)


def main(argv=None) -> int:
    """The command line; every failure is one line on stderr and exit status 2 (argparse's
    own through SystemExit), Ctrl-C is one line and 130."""
    for stream in (sys.stdout, sys.stderr):  # a table with × and — on an ASCII terminal
        with contextlib.suppress(ValueError):
            getattr(stream, "reconfigure", lambda **_: None)(errors="backslashreplace")
    try:
        args = build_parser().parse_args(argv)
        if args.command == "train":
            return train(args)
        if args.command == "study":
            from ganlab import study_cli

            return study_cli.main(args)
        if args.command == "gallery":
            from ganlab import gallery

            return gallery.main(args)
        return 2
    except KeyboardInterrupt:
        print("ganlab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `| head`: whoever read stdout has gone
        # ... and the interpreter's last flush must not complain about it again.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _fail("stdout was closed before the output was written")
    except Exception as exc:  # one line, never a traceback; GANLAB_TRACEBACK=1 shows it
        if os.environ.get("GANLAB_TRACEBACK"):
            raise
        return _fail(
            f"unexpected {type(exc).__name__}: {excerpt(str(exc), 200)} (a bug: please report "
            "it; GANLAB_TRACEBACK=1 shows where)"
        )


if __name__ == "__main__":
    raise SystemExit(main())
