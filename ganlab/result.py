"""A run as plain data at one moment (no torch): what charts, tables and caches need."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ganlab.config import TrainConfig


@dataclass
class RunResult:
    """Plain data describing a run at one moment: everything charts and tables need, safe to
    cache and share (no tensors, no modules)."""

    config: TrainConfig
    step: int
    seeds: list[int]
    diverged_at: list[int]  # −1 where that seed is fine
    wall_s: float
    history: pd.DataFrame  # step, seed, series…
    evals: pd.DataFrame  # step, seed, w1, mean, std
    x: np.ndarray  # (X,) grid over the plot range
    samples: np.ndarray  # (K, n) generated, from fixed latent draws
    data: np.ndarray  # (K, N) each seed's training set
    d_on_x: np.ndarray  # (K, X) D(x) as a probability (vanilla) or critic score f(x)
    grad_on_x: np.ndarray  # (K, X) |d f/dx| (|d logit/dx| for vanilla)
    d_on_samples: np.ndarray  # (K, n) D or f at the generated samples
    z: np.ndarray  # (Z,) latent grid along axis 0, other axes at 0
    g_on_z: np.ndarray  # (K, Z) generator output along that axis
    d_weights: np.ndarray  # (K, P) all critic/discriminator parameters
    seed_metrics: list[dict] = field(default_factory=list)

    @property
    def steps_per_s(self) -> float:
        return self.step / self.wall_s if self.wall_s > 0 else float("nan")

    @property
    def diverged(self) -> list[bool]:
        return [d >= 0 for d in self.diverged_at]

    @property
    def divergence(self) -> str | None:
        return divergence_message(self.seeds, self.diverged_at)


def divergence_message(seeds, diverged_at) -> str | None:
    """The one sentence every page and the CLI print when seeds diverged; None when none did."""
    bad = [(s, int(d)) for s, d in zip(seeds, diverged_at, strict=True) if d >= 0]
    if not bad:
        return None
    where = ", ".join(f"seed {s} at step {d:,}" for s, d in bad)
    everyone = len(bad) == len(seeds)
    return (
        f"Training diverged ({where}): losses or weights became NaN/inf. "
        + (
            "Every seed stopped there, so training stopped. "
            if everyone
            else "Those seeds stopped there; the others go on. "
        )
        + "Each keeps its last good weights. A smaller learning rate usually helps."
    )
