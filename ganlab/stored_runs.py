"""A page's finished run on disk, so the gallery can ship one for every page and a finished run
outlives the server: the trained weights, the history and the evals exactly, and the timeline's
frames in half precision (what a chart can show; about 100 kB a run). Plain arrays and JSON in
one .npz, read back with pickling off; the run comes back as a Run that answers every view
(result, samples, seed metrics) bit for bit as the one that was trained."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ganlab import result_store
from ganlab.config import TrainConfig
from ganlab.history import History
from ganlab.timeline import _ORDER, Frame
from ganlab.training import Run

PREFIX = "run-"  # beside result_store's comparisons in the same folders, never mistaken for one
FRAME_ARRAYS = ("samples", "d_on_samples", "d_on_x", "grad_on_x", "g_on_z", "d_weights")
_BY_VALUE = ("samples", "d_on_samples")  # stored in the samples' ascending order
_UNORDER = np.argsort(_ORDER)
HALF = float(np.finfo(np.float16).max)
_SINGLE = (np.float32, np.int32)


def _pack(a: np.ndarray) -> np.ndarray:
    """(…, N) floats -> bytes that compress well: half precision (single where a finite value is
    beyond half's range, so nothing turns inf), each row as differences of its neighbours' bit
    patterns (smooth curves and sorted values make them small), bytes split into planes."""
    finite = np.abs(a[np.isfinite(a)])
    real, whole = (np.float16, np.int16) if finite.size == 0 or finite.max() < HALF else _SINGLE
    bits = np.ascontiguousarray(a, dtype=real).view(whole)
    delta = np.diff(bits, axis=-1, prepend=whole(0))  # wraps around: undone exactly below
    size = np.dtype(whole).itemsize
    return np.ascontiguousarray(np.moveaxis(delta.view(np.uint8).reshape(*a.shape, size), -1, 0))


def _unpack(planes: np.ndarray) -> np.ndarray:
    real, whole = (np.float16, np.int16) if planes.shape[0] == 2 else _SINGLE
    delta = np.ascontiguousarray(np.moveaxis(planes, 0, -1)).view(whole)[..., 0]
    return np.cumsum(delta, axis=-1, dtype=whole).view(real).astype(np.float32)


def _history_arrays(name: str, h: History) -> tuple[dict[str, np.ndarray], dict]:
    arrays = {
        f"{name}.steps": np.asarray(h.steps, dtype=np.int64),
        f"{name}.values": h.values,
        f"{name}.counts": h._counts,
        f"{name}.open_sizes": np.array([b[0] for b in h._open], dtype=np.int64),
        f"{name}.open_counts": np.array([b[1] for b in h._open], dtype=np.int64),
        f"{name}.open_means": np.array([b[2] for b in h._open]).reshape(-1, *h.values.shape[1:]),
    }
    return arrays, {"window": h.window, "end": h._end}


def _history(npz, name: str, meta: dict, h: History) -> None:
    h.window, h._end = int(meta["window"]), int(meta["end"])
    h.steps = [int(s) for s in npz[f"{name}.steps"]]
    h.values, h._counts = npz[f"{name}.values"], npz[f"{name}.counts"]
    h._open = [
        (int(s), int(c), m)
        for s, c, m in zip(
            npz[f"{name}.open_sizes"],
            npz[f"{name}.open_counts"],
            npz[f"{name}.open_means"],
            strict=True,
        )
    ]


def save(
    run: Run, folder: Path = result_store.DIR, max_bytes: int | None = result_store.MAX_BYTES
) -> Path:
    """Store a finished run (atomically); then keep the folder within max_bytes (None: no
    bound, for a folder that is shipped)."""
    with run.lock:
        if not run.finished:
            raise ValueError(f"only a finished run is stored (this one is at step {run.step})")
        run.compact()
        frames = run.timeline.frames
        arrays: dict[str, np.ndarray] = {
            "G": run.G.flat.numpy(),
            "D": run.D.flat.numpy(),
            "vol": run._vol,
            "diverged_at": run.diverged_at,
            "frame.step": np.array([f.step for f in frames], dtype=np.int64),
            "frame.wall_s": np.array([f.wall_s for f in frames]),
            "frame.diverged_at": np.stack([f.diverged_at for f in frames]),
        }
        for name in FRAME_ARRAYS:
            stacked = np.stack([getattr(f, name) for f in frames])
            if name in _BY_VALUE:
                stacked = stacked[..., _UNORDER]
            arrays[f"frame.{name}"] = _pack(stacked)
        tables = {}
        for name in ("history", "evals"):
            more, tables[name] = _history_arrays(name, getattr(run, name))
            arrays.update(more)
        meta = {"config": run.cfg.to_dict(), "step": run.step, "wall_s": run.wall_s, **tables}
    return result_store.write(folder, file_name(run.cfg), arrays, meta, max_bytes)


def load(cfg: TrainConfig, folder: Path = result_store.DIR, prune: bool = True) -> Run | None:
    """The stored run of exactly this config, or None (see result_store.load: a file that does
    not read back as what was asked for is ignored, and with `prune` removed). The run knows
    where it came from: `stored_in`."""
    run = result_store.read(
        folder, file_name(cfg), lambda npz, meta: _restore(cfg, npz, meta), prune
    )
    if run is not None:
        run.stored_in = folder
    return run


def file_name(cfg: TrainConfig) -> str:
    """The file name (without .npz) of cfg's stored run."""
    return PREFIX + result_store.key([cfg])


def _restore(cfg: TrainConfig, npz, meta: dict) -> Run | None:
    if result_store.config_of(meta["config"]) != cfg:  # a digest collision, or an edited file
        return None
    run = Run(cfg)  # the data, grids and streams a config gives; the weights come from the file
    t = run.trainer
    (t.g_ema if t.g_ema is not None else t.G.flat).copy_(torch.from_numpy(npz["G"]))
    t.D.flat.copy_(torch.from_numpy(npz["D"]))
    run.step, run.wall_s = int(meta["step"]), float(meta["wall_s"])
    run.diverged_at, run._vol = npz["diverged_at"], npz["vol"]
    for name in ("history", "evals"):
        _history(npz, name, meta[name], getattr(run, name))
    arrays = {name: _unpack(npz[f"frame.{name}"]) for name in FRAME_ARRAYS}
    for name in _BY_VALUE:
        arrays[name] = arrays[name][..., _ORDER]
    run.timeline.frames = []
    for i, step in enumerate(npz["frame.step"]):
        run.timeline.add(
            Frame(
                step=int(step),
                wall_s=float(npz["frame.wall_s"][i]),
                diverged_at=npz["frame.diverged_at"][i],
                **{name: np.ascontiguousarray(a[i]) for name, a in arrays.items()},
            )
        )
    if not run.finished:
        return None
    run.compact()
    return run
