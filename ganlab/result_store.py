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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from ganlab.config import ConfigError, TrainConfig, make
from ganlab.result import RunResult
from ganlab.targets import TargetError
from ganlab.training import training_data
from ganlab.user_targets import get as target_from_spec

T = TypeVar("T")
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


def stored(cfgs: Sequence[TrainConfig], folder: Path = DIR) -> bool:
    """Whether results of exactly these configs are on disk (not read: a stat)."""
    return (folder / f"{key(cfgs)}.npz").is_file()


def save(
    cfgs: Sequence[TrainConfig],
    results: Sequence[RunResult],
    folder: Path = DIR,
    max_bytes: int | None = MAX_BYTES,
) -> Path:
    """Store finished results (see write), then keep the folder within max_bytes (None: no
    bound, for a folder that is shipped)."""
    arrays: dict[str, np.ndarray] = {}
    meta = []
    for i, r in enumerate(results):
        for name in ARRAYS:
            if name != "data":  # the training sets are a function of the config
                arrays[f"{i}.{name}"] = _narrow(np.asarray(getattr(r, name)))
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
    return write(folder, key(cfgs), arrays, {"results": meta}, max_bytes)


def write(
    folder: Path, name: str, arrays: dict[str, np.ndarray], meta: dict, max_bytes: int | None
) -> Path:
    """folder/name.npz holding the arrays and the meta as JSON (with the format), written
    atomically (a reader never sees half a file); then the folder is kept within max_bytes
    (None: no bound)."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {**arrays, "meta": np.array(json.dumps({"format": FORMAT, **meta}, default=_plain))}
    path = folder / f"{name}.npz"
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        # an .npz (np.load reads it) compressed with LZMA: a sixth smaller than savez_compressed
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_LZMA) as zf:
            for name, a in arrays.items():
                with zf.open(f"{name}.npy", "w") as member:
                    np.lib.format.write_array(member, np.asanyarray(a), allow_pickle=False)
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
    return read(folder, key(cfgs), lambda npz, meta: _results(npz, meta, list(cfgs)), prune)


def read(folder: Path, name: str, build: Callable[[Any, dict], T | None], prune: bool) -> T | None:
    """build(npz, meta) of folder/name.npz, read with pickling off; None when there is no such
    file, it is of another format, or it does not read back (build returns None, or the file is
    broken): then, with `prune`, it is removed. A file read is marked recently used."""
    path = folder / f"{name}.npz"
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(str(npz["meta"]))
            out = build(npz, meta) if meta.get("format") == FORMAT else None
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, ConfigError, TargetError):
        out = None
    if out is None:
        if prune:
            path.unlink(missing_ok=True)
        return None
    if prune:
        os.utime(path)  # recently used: evicted last
    return out


def config_of(fields: dict) -> TrainConfig:
    """A config as to_dict() wrote it (its target spelled as a spec); ConfigError or
    TargetError when it is not one."""
    return make(**{**fields, "target": target_from_spec(fields["target"])})


def _results(npz, meta: dict, cfgs: list[TrainConfig]) -> tuple[RunResult, ...] | None:
    if len(meta["results"]) != len(cfgs):
        return None
    out = []
    for i, (m, want) in enumerate(zip(meta["results"], cfgs, strict=True)):
        cfg = config_of(dict(m["config"]))
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
                data=training_data(cfg),
                **{
                    name: npz[f"{i}.{name}"].astype(np.float64) for name in ARRAYS if name != "data"
                },
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


def _narrow(a: np.ndarray) -> np.ndarray:
    """Float64 arrays whose every value is a float32 (what the engine computes) as float32:
    half the bytes, the same numbers when read back as float64."""
    if a.dtype == np.float64 and np.array_equal(a.astype(np.float32), a, equal_nan=True):
        return a.astype(np.float32)
    return a


def _plain(value):
    """JSON for numpy scalars and arrays inside seed metrics."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not plain data")
