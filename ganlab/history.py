"""A bounded record of per-step series: window means that merge as the run grows."""

from __future__ import annotations

import numpy as np
import pandas as pd

HISTORY_POINTS = 400  # per series; beyond it, neighbouring windows merge (means of means)


class History:
    """Window means of per-step series, at most HISTORY_POINTS of them: when full, neighbours
    merge and the window doubles, so a run of any length costs the same memory."""

    def __init__(self, names: tuple[str, ...], k: int):
        self.names, self.k = names, k
        self.window = 1
        self.steps: list[int] = []
        self.values = np.empty((0, len(names), k))
        self._pending = np.empty((0, len(names), k))
        self._pending_end = 0

    def append(self, last_step: int, rows: np.ndarray) -> None:
        """rows (n, series, K) for the n steps ending at `last_step`."""
        self._pending = np.concatenate([self._pending, rows])
        self._pending_end = last_step
        full = len(self._pending) // self.window
        if full:
            used = full * self.window
            means = self._pending[:used].reshape(full, self.window, *rows.shape[1:])
            # A window that holds a divergence becomes NaN; the windows before it are kept.
            self.values = np.concatenate([self.values, means.mean(1)])
            first = last_step - len(self._pending) + self.window
            self.steps += list(range(first, first + used, self.window))
            self._pending = self._pending[used:]
        while len(self.steps) > HISTORY_POINTS:
            n = len(self.steps) // 2 * 2
            merged = self.values[:n].reshape(n // 2, 2, *self.values.shape[1:]).mean(1)
            self.values = np.concatenate([merged, self.values[n:]])
            self.steps = self.steps[1:n:2] + self.steps[n:]
            self.window *= 2

    def frame(self, seeds: list[int]) -> pd.DataFrame:
        """Long format: step, seed, and one column per series."""
        n = len(self.steps)
        data = {"step": np.repeat(self.steps, self.k), "seed": np.tile(seeds, n)}
        for j, name in enumerate(self.names):
            data[name] = self.values[:, j, :].reshape(-1)
        return pd.DataFrame(data)
