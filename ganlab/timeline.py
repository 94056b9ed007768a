"""A run's timeline: compact frames on a schedule dense where learning happens, bounded for any
run length, for replay, scrub and export (plain numpy, no torch)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

# The schedule: FRAMES evenly over the whole budget, plus EARLY_FRAMES over its first EARLY
# share, where a GAN does most of its visible learning (W1 typically falls in the first few
# hundred of 6 000 steps). A function of the step budget alone, so a 200 000-step run keeps as
# few frames as a 6 000-step one (~125), and its early ones are as dense.
FRAMES = 100
EARLY_FRAMES = 24
EARLY = 0.05
# What a frame keeps of the EVAL_SAMPLES generated samples per seed: QUANTILES of their order
# statistics (a histogram of equally weighted quantiles follows the samples' histogram within
# 1/QUANTILES of mass per bin), in a fixed shuffled order so that any prefix is an even subset
# (the D(G(z)) points show a prefix). D's weights likewise, as at most WEIGHT_QUANTILES values.
QUANTILES = 500
WEIGHT_QUANTILES = 257
_ORDER = np.random.default_rng(0).permutation(QUANTILES)
X_POINTS = 200  # the x grid D's curve is drawn on (every view's, not only the frames')
Z_POINTS = 121  # the latent line G's map is drawn on


def schedule(steps: int) -> np.ndarray:
    """The generator steps at which a run of `steps` records a frame: sorted, unique, from 0 to
    steps (both included)."""
    early = np.linspace(0, max(1.0, EARLY * steps), EARLY_FRAMES + 1)
    late = np.linspace(0, steps, FRAMES + 1)
    return np.unique(np.rint(np.concatenate([early, late])).astype(np.int64).clip(0, steps))


def picks(count: int, n: int) -> np.ndarray:
    """Indices into `count` sorted values of n quantile midpoints (order statistics at
    (i + ½)·count/n); all of them when count ≤ n."""
    if count <= n:
        return np.arange(count)
    return ((np.arange(n) + 0.5) * count / n).astype(np.int64)


def quantiles(values: np.ndarray, n: int) -> np.ndarray:
    """(K, N) -> (K, min(n, N)) float32: each row's n quantile midpoints, ascending."""
    v = np.sort(np.asarray(values, dtype=np.float64), axis=1)
    return v[:, picks(v.shape[1], n)].astype(np.float32)


@dataclass(frozen=True)
class Frame:
    """The moment-dependent part of a RunResult at one step, for every seed, in float32: the
    rest (history, evals up to the step, the data, the grids) the run can rebuild."""

    step: int
    wall_s: float
    diverged_at: np.ndarray  # (K,) −1 where that seed is fine
    samples: np.ndarray  # (K, QUANTILES) generated, quantiles in _ORDER
    d_on_samples: np.ndarray  # (K, QUANTILES) D or f at those samples
    d_on_x: np.ndarray  # (K, X) on the run's fixed x grid
    grad_on_x: np.ndarray  # (K, X)
    g_on_z: np.ndarray  # (K, Z) on the run's fixed latent line
    d_weights: np.ndarray  # (K, ≤ WEIGHT_QUANTILES) quantiles of D's parameters

    @property
    def nbytes(self) -> int:
        arrays = (self.samples, self.d_on_samples, self.d_on_x, self.grad_on_x, self.g_on_z)
        return sum(a.nbytes for a in arrays) + self.d_weights.nbytes + self.diverged_at.nbytes


def joined(frames: list[Frame]) -> Frame:
    """One moment of shards of a run (the same step), their seeds side by side; its training
    time is the slowest shard's."""
    assert len({f.step for f in frames}) == 1, "shards' frames of different steps"
    seeded = [f.name for f in fields(Frame) if f.name not in ("step", "wall_s")]  # (K, …) each
    return Frame(
        step=frames[0].step,
        wall_s=max(f.wall_s for f in frames),
        **{name: np.concatenate([getattr(f, name) for f in frames]) for name in seeded},
    )


def frame_bytes(k: int, d_params: int) -> int:
    """What one frame of K seeds holds (the cost model's number; Frame.nbytes measures it)."""
    per_seed = 2 * QUANTILES + 2 * X_POINTS + Z_POINTS + min(d_params, WEIGHT_QUANTILES)
    return 4 * k * per_seed + 8 * k


class Timeline:
    """The frames of one run, in step order: those on its schedule, plus the newest moment
    (`live`, replaced as training goes, never kept)."""

    def __init__(self, steps: int):
        self.schedule = schedule(steps)
        self.frames: list[Frame] = []
        self.live: Frame | None = None

    def due(self, step: int) -> bool:
        return bool(np.isin(step, self.schedule)) and (
            not self.frames or self.frames[-1].step < step
        )

    def next_step(self, step: int) -> int:
        """The first scheduled step after `step` (the budget's end when none is)."""
        i = int(np.searchsorted(self.schedule, step, side="right"))
        return int(self.schedule[min(i, len(self.schedule) - 1)])

    def add(self, frame: Frame) -> None:
        if not self.frames or frame.step > self.frames[-1].step:
            self.frames.append(frame)
        self.live = None

    def newest(self) -> Frame | None:
        last = self.frames[-1] if self.frames else None
        if self.live is not None and (last is None or self.live.step > last.step):
            return self.live
        return last

    def shown(self) -> list[Frame]:
        """What a replay offers: the recorded frames, and the newest moment if it is newer."""
        last = self.newest()
        if last is None or (self.frames and last is self.frames[-1]):
            return list(self.frames)
        return [*self.frames, last]

    @property
    def steps(self) -> list[int]:
        return [f.step for f in self.shown()]

    def at(self, step: int) -> Frame | None:
        """The last frame shown at or before `step` (the first one before any)."""
        frames = self.shown()
        if not frames:
            return None
        i = int(np.searchsorted([f.step for f in frames], step, side="right")) - 1
        return frames[max(i, 0)]

    @property
    def nbytes(self) -> int:
        return sum(f.nbytes for f in self.frames) + (self.live.nbytes if self.live else 0)
