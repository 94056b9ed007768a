"""`python -m ganlab study`: run an equal-budget study on Dask (or resume it), or report on one."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from ganlab import study, targets
from ganlab.config import load_json
from ganlab.report import number
from ganlab.search_space import DEFAULT_SPACE, SpaceError, space_from_dict
from ganlab.study import LIMITS, StudyError, StudySpec
from ganlab.user_targets import excerpt
from ganlab.variants import VARIANTS

MAX_SPACE_BYTES = 100_000


def _whole(name: str, lo: int, hi: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{excerpt(text)}' is not a whole number") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(
                f"{excerpt(text.strip())} is outside the allowed range {lo:,} … {hi:,}"
            )
        return value

    parse.__name__ = name  # argparse names the type in its messages
    return parse


def add_parser(sub) -> None:
    """The `study` subcommand's flags, on the CLI's subparsers."""
    p = sub.add_parser(
        "study",
        help="an equal-budget study: N sampled configurations × K seeds per variant, on Dask",
        description="Sample --configs configurations per variant from the search space, train "
        "each on --seeds seeds, stream every metric to --out (JSON lines; a rerun resumes), then "
        "print the analysis. --analyse FILE only reports on a result file.",
    )
    p.add_argument("--variant", default="all", help=f"{', '.join(VARIANTS)}, a comma list, or all")
    p.add_argument(
        "--target", default="bimodal", help=f"{', '.join(targets.TARGETS)}, or a comma list"
    )
    for name, flag, default, what in (
        ("configs", "--configs", 16, "configurations sampled per variant (N)"),
        ("seeds", "--seeds", 4, "training seeds per configuration (K): 0 … K−1"),
        ("steps", "--steps", 1000, "generator steps per run"),
    ):
        lo, hi = LIMITS[name]
        p.add_argument(
            flag,
            type=_whole(name, lo, hi),
            default=default,
            help=f"{what}; {lo:,} … {hi:,} (default {default:,})",
        )
    p.add_argument(
        "--seed",
        type=_whole("seed", 0, 2**31 - 1),
        default=0,
        help="the sampling seed: which configurations are drawn (default 0)",
    )
    p.add_argument("--space", metavar="FILE.json", help="a search space (JSON); default: built in")
    p.add_argument("--out", metavar="FILE.jsonl", help="the result file; an existing one resumes")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_whole("workers", 0, 256),
        default=None,
        help="local Dask worker processes (default: one per usable core); 0 = in this process",
    )
    where.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler")
    p.add_argument(
        "--per-seed",
        action="store_true",
        help="one task per seed instead of one per configuration (same numbers; slower, "
        "see README)",
    )
    p.add_argument("--analyse", metavar="FILE", help="only report on this result file")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def _names(text: str, registry, flag: str) -> tuple[str, ...]:
    names = list(registry) if text == "all" else [n.strip() for n in text.split(",")]
    if len(names) > 1 and "all" in names:
        raise StudyError(f"{flag}: all already names every one; give it alone")
    bad = [n for n in names if n not in registry]
    if bad:
        raise StudyError(f"{flag}: '{excerpt(bad[0])}' is not one of {', '.join(registry)}, all")
    twice = [n for n in dict.fromkeys(names) if names.count(n) > 1]
    if twice:
        raise StudyError(f"{flag}: '{twice[0]}' is named twice")
    return tuple(names)


def _space(path: str | None):
    if path is None:
        return DEFAULT_SPACE
    from ganlab.cli import shown

    p = Path(path)
    if not p.is_file():
        raise StudyError(f"--space: {shown(path)} is not a readable file")
    if p.stat().st_size > MAX_SPACE_BYTES:
        raise StudyError(f"--space: {shown(path)} is larger than {MAX_SPACE_BYTES:,} bytes")
    try:
        return space_from_dict(load_json(p.read_text(encoding="utf-8", errors="replace")))
    except (SpaceError, ValueError) as exc:
        raise StudyError(f"--space: {exc}") from None


def check_out(path: str | None, spec: StudySpec) -> None:
    """Before anything trains: the result file can be written, and if it exists it is this
    study's (to resume) — never someone's other file, which would be appended to."""
    from ganlab.cli import shown

    if path is None:
        raise StudyError("--out: give the result file (FILE.jsonl), or --analyse FILE")
    if not path.strip():
        raise StudyError("--out: empty: give a file name")
    out, name = Path(path), shown(path)
    if out.is_dir():
        raise StudyError(f"--out: {name} is a directory: give a file name inside it")
    folder = out.parent
    if not folder.is_dir():
        raise StudyError(f"--out: the folder {shown(folder)} does not exist")
    if out.exists():
        if not out.is_file():
            raise StudyError(f"--out: {name} is not a regular file")
        if not os.access(out, os.R_OK | os.W_OK):
            raise StudyError(f"--out: {name} is not writable")
        if out.stat().st_size:
            old = study.load(out)  # StudyError: not a study, garbled
            if old.spec != spec:
                a, b = old.spec.to_dict(), spec.to_dict()
                diff = ", ".join(k for k in a if a[k] != b[k])
                raise StudyError(
                    f"--out: {name} holds another study (its {diff} differ): give another "
                    "file, or the same settings to resume it"
                )
    elif not os.access(folder, os.W_OK | os.X_OK):
        raise StudyError(f"--out: cannot create files in {shown(folder)}")


def spec_from_args(args) -> StudySpec:
    return StudySpec(
        variants=_names(args.variant, VARIANTS, "--variant"),
        targets=_names(args.target, targets.TARGETS, "--target"),
        configs=args.configs,
        seeds=args.seeds,
        steps=args.steps,
        seed=args.seed,
        space=_space(args.space),
    )


def report(res: study.Results, out=None) -> None:
    from ganlab import study_analysis as sa

    out = out or sys.stdout
    a = sa.analyse(res)
    spec = res.spec
    done, total = len(res.rows), len(spec.tasks(per_seed=True))
    print(
        f"study: {done:,} of {total:,} config-seeds, {spec.steps:,} steps, score = median W1 over "
        f"seeds; [ ] = {sa.LEVEL:.0%} bootstrap interval",
        file=out,
    )
    if a["configs"] < spec.configs:
        print(
            f"unfinished: configurations 0–{a['configs'] - 1} of every variant analysed (the "
            f"first {a['configs']} of {spec.configs}: an unbiased equal budget)",
            file=out,
        )
    print(sa.summary(a).to_string(index=False), file=out)
    for text in a["verdicts"].values():
        print(text, file=out)


def main(args) -> int:
    from ganlab.cli import _fail, shown

    try:
        if args.analyse is not None:
            try:
                res = study.load(args.analyse)
            except OSError as exc:
                raise StudyError(f"cannot read {shown(args.analyse)}: {exc.strerror}") from None
            if not res.rows:
                raise StudyError(f"{shown(args.analyse)} has no results yet")
            report(res)
            return 0
        spec = spec_from_args(args)
        check_out(args.out, spec)
    except StudyError as exc:
        return _fail(str(exc))
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if not args.quiet and (now - last[0] > 5 or done == total):
            last[0] = now
            print(f"{done:,}/{total:,} config-seeds done", file=sys.stderr)

    t0 = time.perf_counter()
    try:
        info = study.run(spec, args.out, args.workers, args.scheduler, args.per_seed, progress)
    except StudyError as exc:
        return _fail(str(exc))
    except (OSError, TimeoutError) as exc:  # a scheduler that is not there, a full disk
        where = f"--scheduler {excerpt(args.scheduler)}" if args.scheduler else "the study"
        return _fail(f"{where}: {excerpt(str(exc) or type(exc).__name__, 200)}")
    if not args.quiet:
        print(
            f"trained {info['trained']:,} config-seeds ({info['skipped']:,} already in "
            f"{shown(args.out)}) in {number(time.perf_counter() - t0)} s",
            file=sys.stderr,
        )
    report(study.load(args.out))
    return 0
