"""A bounded record of per-step series: means over step-aligned windows that merge as it grows."""

from __future__ import annotations

import numpy as np
import pandas as pd

HISTORY_POINTS = 400  # per series; beyond it, neighbouring windows merge and the window doubles


def _combine(na, a, nb, b):
    """Mean of two sibling blocks holding na and nb recorded steps; a, b (..., series, K)."""
    # Full siblings (always, for a series recorded every step) take the plain (a + b) / 2; only
    # blocks with unrecorded steps (sparse series like the evals) need the weighted form, and
    # an empty block passes its sibling through untouched.
    weighted = (a * na + b * nb) / np.maximum(na + nb, 1)
    return np.where(na == nb, (a + b) / 2, np.where(na == 0, b, np.where(nb == 0, a, weighted)))


def _tree_mean(x: np.ndarray) -> np.ndarray:
    """(q, 2^j, series, K) -> (q, series, K): each block's mean by pairwise halving, the same
    fixed tree however the steps arrived, so the result is bit-identical for any slicing."""
    while x.shape[1] > 1:
        x = (x[:, 0::2] + x[:, 1::2]) / 2
    return x[:, 0]


class History:
    """Means of per-step series over windows (j·w, (j+1)·w] of absolute steps, each recorded at
    its last step; when more than HISTORY_POINTS windows are kept, sibling windows merge and
    w doubles, so a run of any length costs the same memory. A window with a NaN (a diverged
    seed) is NaN for that seed; the windows before it are kept."""

    def __init__(self, names: tuple[str, ...], k: int):
        self.names, self.k = names, k
        self.window = 1  # always a power of two
        self.steps: list[int] = []  # each kept window's last step
        self.values = np.empty((0, len(names), k))  # (windows, series, K)
        self._counts = np.empty(0, dtype=np.int64)  # recorded steps per kept window
        self._end = 0  # last step fed
        # The open window (last window's end, _end] as its aligned complete blocks, largest
        # first, like binary digits: (size, recorded steps, mean (series, K)).
        self._open: list[tuple[int, int, np.ndarray]] = []

    def append(self, last_step: int, rows: np.ndarray) -> None:
        """rows (n, series, K) for the n steps ending at `last_step`; steps skipped since the
        last call are unrecorded (the evals come once every eval_every steps)."""
        rows, last_step = np.asarray(rows, dtype=np.float64), int(last_step)
        first = last_step - len(rows)
        if (first, last_step) == (-1, 0) and not self.steps:
            # The initial state (the evals' step 0) lies in window (-w, 0] for every w, with no
            # other step: it stays a point of its own and never merges.
            self._keep([0], rows, np.ones(1, dtype=np.int64))
            return
        if first < self._end:
            raise ValueError(f"steps ({first}, {last_step}] overlap those already recorded")
        if first > self._end:
            self._feed(first, None)
        self._feed(last_step, rows)
        while len(self.steps) > HISTORY_POINTS:
            self._merge()

    def _feed(self, to: int, rows: np.ndarray | None) -> None:
        """Advance _end to `to` with rows for steps (_end, to], or none recorded."""
        w, shape = self.window, (len(self.names), self.k)
        while self._end < to:
            pos = self._end
            if not self._open and to - pos >= w:  # whole windows at once (pos is aligned)
                q = (to - pos) // w
                if rows is not None:
                    block = rows[pos - (to - len(rows)) :][: q * w].reshape(q, w, *shape)
                    self._keep(
                        list(range(pos + w, pos + q * w + 1, w)), _tree_mean(block), np.full(q, w)
                    )
                self._end += q * w
                continue
            # The largest aligned block starting at pos that fits: its size divides pos and is
            # at most the smallest open block, so the open blocks stay binary digits.
            size = min(pos & -pos or w, w, 1 << ((to - pos).bit_length() - 1))
            if rows is None:
                node = (size, 0, np.zeros(shape))
            else:
                i = pos - (to - len(rows))
                node = (size, size, _tree_mean(rows[i : i + size][None])[0])
            self._end += size
            while self._open and self._open[-1][0] == node[0]:  # carry, as in binary addition
                s, n, v = self._open.pop()
                both = (v + node[2]) / 2 if n == node[1] else _combine(n, v, node[1], node[2])
                node = (2 * s, n + node[1], both)
            if node[0] == w:
                if node[1]:
                    self._keep([self._end], node[2][None], np.array([node[1]]))
            else:
                self._open.append(node)

    def _keep(self, steps: list[int], values: np.ndarray, counts: np.ndarray) -> None:
        self.steps += steps
        self.values = np.concatenate([self.values, values])
        self._counts = np.concatenate([self._counts, counts])

    def _merge(self) -> None:
        """Double the window: sibling windows merge; a first half whose sibling is still open
        becomes the open window's first block."""
        w = self.window
        j = np.asarray(self.steps) // w - 1  # window indices
        if self._end // w % 2:  # the new open window's first half is complete
            last = bool(j[-1] == self._end // w - 1)
            value = self.values[-1] if last else np.zeros(self.values.shape[1:])
            self._open.insert(0, (w, int(self._counts[-1]) if last else 0, value))
            if last:
                j, self.values, self._counts = j[:-1], self.values[:-1], self._counts[:-1]
        second = np.r_[False, j[1:] // 2 == j[:-1] // 2]  # right sibling of the entry before
        first = ~second
        has_pair = np.r_[second[1:], False][first]
        v, n = self.values[first], self._counts[first]
        v2, n2 = self.values[second], self._counts[second]
        # Windows: (m, series, K); counts broadcast as (m, 1, 1).
        v[has_pair] = _combine(n[has_pair, None, None], v[has_pair], n2[:, None, None], v2)
        n[has_pair] += n2
        self.window = 2 * w
        self.values, self._counts = v, n
        self.steps = [int(s) for s in (j[first] // 2 + 1) * 2 * w]

    # --- seed shards (a slice trained on several processes: ganlab.training) ---------------------
    def take(self, a: int, b: int) -> History:
        """The history of seeds a..b−1 alone."""
        out = History(self.names, b - a)
        out.window, out.steps, out._end = self.window, list(self.steps), self._end
        out.values, out._counts = self.values[:, :, a:b].copy(), self._counts.copy()
        out._open = [(size, n, mean[:, a:b].copy()) for size, n, mean in self._open]
        return out

    @classmethod
    def joined(cls, parts: list[History]) -> History:
        """The histories of shards of one run (the same steps fed to each), seeds side by side."""
        first = parts[0]
        assert all(p.steps == first.steps and p._end == first._end for p in parts)
        out = cls(first.names, sum(p.k for p in parts))
        out.window, out.steps, out._end = first.window, list(first.steps), first._end
        out.values = np.concatenate([p.values for p in parts], axis=2)
        out._counts = first._counts.copy()
        out._open = [
            (size, n, np.concatenate([p._open[i][2] for p in parts], axis=-1))
            for i, (size, n, _) in enumerate(first._open)
        ]
        return out

    def frame(self, seeds: list[int]) -> pd.DataFrame:
        """Long format: step, seed, and one column per series."""
        n = len(self.steps)
        data = {"step": np.repeat(self.steps, self.k), "seed": np.tile(seeds, n)}
        for j, name in enumerate(self.names):
            data[name] = self.values[:, j, :].reshape(-1)
        return pd.DataFrame(data)
