"""Finished results on disk, so they outlive the server (a restart, a sleeping hosted app): plain
arrays and JSON in one compressed .npz per set of configs, read back with pickling off, checked
against the configs asked for, in a folder bounded in bytes (least recently used goes first)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ganlab.config import ConfigError, TrainConfig, make
from ganlab.result import RunResult
from ganlab.targets import TargetError
from ganlab.user_targets import get as target_from_spec

FORMAT = 1  # bump when RunResult or the engine's numbers change: old files are then ignored
ARRAYS = tuple(f.name for f in dataclasses.fields(RunResult) if f.type in ("np.ndarray", "ndarray"))
TABLES = ("history", "evals")
# Where, and how much: a hosted app's disk is small and shared; a laptop's cache folder.
DIR = Path(os.environ.get("GANLAB_RESULTS_DIR", Path(tempfile.gettempdir()) / "ganlab-results"))
MAX_BYTES = int(float(os.environ.get("GANLAB_RESULTS_MB", "200")) * 2**20)


def key(cfgs: Sequence[TrainConfig]) -> str:
    """The file name of a set of configs: a digest of their full settings and the format."""
    text = json.dumps([FORMAT, *(c.to_dict() for c in cfgs)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def save(
    cfgs: Sequence[TrainConfig],
    results: Sequence[RunResult],
    folder: Path = DIR,
    max_bytes: int | None = MAX_BYTES,
) -> Path:
    """Store finished results (atomically: a reader never sees half a file), then keep the
    folder within max_bytes (None: no bound, for a folder that is shipped)."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    meta = []
    for i, r in enumerate(results):
        for name in ARRAYS:
            arrays[f"{i}.{name}"] = np.asarray(getattr(r, name))
        for name in TABLES:
            table = getattr(r, name)
            for col in table.columns:
                arrays[f"{i}.{name}.{col}"] = table[col].to_numpy()
        meta.append(
            {
                "config": r.config.to_dict(),
                "step": int(r.step),
                "seeds": [int(s) for s in r.seeds],
                "diverged_at": [int(d) for d in r.diverged_at],
                "wall_s": float(r.wall_s),
                "seed_metrics": r.seed_metrics,
                "tables": {n: list(getattr(r, n).columns) for n in TABLES},
            }
        )
    arrays["meta"] = np.array(json.dumps({"format": FORMAT, "results": meta}, default=_plain))
    path = folder / f"{key(cfgs)}.npz"
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **arrays)  # type: ignore[arg-type]  # numpy types **kwds as its own flags
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    if max_bytes is not None:
        evict(folder, keep=path, max_bytes=max_bytes)
    return path


def load(
    cfgs: Sequence[TrainConfig], folder: Path = DIR, prune: bool = True
) -> tuple[RunResult, ...] | None:
    """The stored results of exactly these configs, or None (not stored, another format, or a
    file that does not read back as exactly what was asked for: then, with `prune`, it is
    removed; a shipped folder is only read)."""
    path = folder / f"{key(cfgs)}.npz"
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            out = _read(npz, list(cfgs))
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, ConfigError, TargetError):
        out = None
    if out is None:
        if prune:
            path.unlink(missing_ok=True)
        return None
    if prune:
        os.utime(path)  # recently used: evicted last
    return out


def _read(npz, cfgs: list[TrainConfig]) -> tuple[RunResult, ...] | None:
    meta = json.loads(str(npz["meta"]))
    if meta.get("format") != FORMAT or len(meta["results"]) != len(cfgs):
        return None
    out = []
    for i, (m, want) in enumerate(zip(meta["results"], cfgs, strict=True)):
        fields = dict(m["config"])
        cfg = make(**{**fields, "target": target_from_spec(fields["target"])})
        if cfg != want:  # a digest collision, or an edited file
            return None
        tables = {n: pd.DataFrame({c: npz[f"{i}.{n}.{c}"] for c in m["tables"][n]}) for n in TABLES}
        out.append(
            RunResult(
                config=cfg,
                step=int(m["step"]),
                seeds=[int(s) for s in m["seeds"]],
                diverged_at=[int(d) for d in m["diverged_at"]],
                wall_s=float(m["wall_s"]),
                seed_metrics=list(m["seed_metrics"]),
                **tables,
                **{name: npz[f"{i}.{name}"] for name in ARRAYS},
            )
        )
    return tuple(out)


def evict(folder: Path = DIR, keep: Path | None = None, max_bytes: int | None = None) -> int:
    """Remove the least recently used files until the folder holds at most max_bytes (never
    `keep`, the file just written); how many were removed."""
    limit = MAX_BYTES if max_bytes is None else max_bytes
    files = sorted(folder.glob("*.npz"), key=lambda p: p.stat().st_mtime)
    total, removed = sum(p.stat().st_size for p in files), 0
    for p in files:
        if total <= limit:
            break
        if p == keep:
            continue
        total -= p.stat().st_size
        p.unlink(missing_ok=True)
        removed += 1
    return removed


def clear(folder: Path = DIR) -> int:
    """Remove every stored result; how many."""
    return evict(folder, max_bytes=0)


def _plain(value):
    """JSON for numpy scalars and arrays inside seed metrics."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not plain data")
