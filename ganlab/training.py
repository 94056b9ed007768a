"""A training run: K seeds of one variant advancing in chunks, with a bounded history."""

from __future__ import annotations

import threading
import time

import numpy as np
import torch

from ganlab.config import TrainConfig
from ganlab.history import History
from ganlab.nets import BatchedMLP
from ganlab.result import RunResult
from ganlab.snapshots import EVAL_SAMPLES, METRIC_SAMPLES, Views
from ganlab.steps import Trainer

__all__ = ["CHUNK", "EVAL_SAMPLES", "METRIC_SAMPLES", "Run", "RunResult", "use_one_thread"]

VOL_WINDOW = 200  # raw steps kept for loss volatility
EVAL_POINTS = 100  # W1 / mean / std checkpoints over the budget
# Steps between divergence checks, on a fixed grid of steps (not of calls): short enough for
# advance(max_seconds=…) to return quickly, and aligned so that where a diverged seed is frozen
# never depends on timing.
CHUNK = 16
STREAMS = ("data", "g_init", "d_init", "batch", "noise", "eps", "eval")


def use_one_thread() -> None:
    """Tiny MLPs run fastest on one thread, and two threads under load can be 10× slower
    (bench/speed.py measures it). Process-wide, so set it where training starts."""
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)


class Run(Views):
    """K seeds of one configuration. `advance` trains in chunks and can be called again and
    again (stop/resume loses nothing); the Views methods read it as plain data."""

    def __init__(self, cfg: TrainConfig):
        use_one_thread()
        # Streamlit runs one script thread per visitor, but a stale rerun may still be inside
        # advance() when a new one calls result(): never let the two interleave.
        self.lock = threading.RLock()
        self.cfg = cfg
        k = cfg.n_seeds
        spawned = [np.random.SeedSequence(s).spawn(len(STREAMS)) for s in cfg.seeds]
        self._rng = {
            name: [np.random.default_rng(ss[i]) for ss in spawned] for i, name in enumerate(STREAMS)
        }
        self.data = np.stack([cfg.target.sample(cfg.data_size, r) for r in self._rng["data"]])
        # Standardise with each seed's own training data (never the true target): one learning
        # rate then suits targets at any location and scale.
        loc, scale = (self.data.mean(1), self.data.std(1)) if cfg.standardize else (0.0, 1.0)
        loc_t = torch.tensor(loc, dtype=torch.float32).expand(k).reshape(k, 1, 1)
        scale_t = torch.tensor(scale, dtype=torch.float32).expand(k).reshape(k, 1, 1)
        data = torch.tensor(self.data, dtype=torch.float32)
        self._data_std = (data - loc_t.view(k, 1)) / scale_t.view(k, 1)  # D's units
        self.trainer = Trainer(cfg, loc_t, scale_t, self._rng["g_init"], self._rng["d_init"])
        self.variant = self.trainer.variant
        self.series = self.variant.series
        self.step = 0
        self.wall_s = 0.0
        self.diverged_at = np.full(k, -1)
        self.history = History(self.series, k)
        self.evals = History(("w1", "mean", "std"), k)
        self.eval_every = max(1, cfg.steps // EVAL_POINTS)
        self._vol = np.full((VOL_WINDOW, 2, k), np.nan)  # ring of raw d_loss, g_loss
        self._memo = None  # (step, n, diverged) and the seed metrics then
        self._eval_z = torch.from_numpy(
            np.stack([self._latent(r, (EVAL_SAMPLES,)) for r in self._rng["eval"]])
        )
        self._grid = torch.tensor(cfg.target.quantile_grid(EVAL_SAMPLES), dtype=torch.float32)
        self._evaluate()

    @property
    def G(self) -> BatchedMLP:
        return self.trainer.G

    @property
    def D(self) -> BatchedMLP:
        return self.trainer.D

    @property
    def alive(self) -> np.ndarray:
        return self.diverged_at < 0

    @property
    def finished(self) -> bool:
        return self.step >= self.cfg.steps or not self.alive.any()

    # --- chunks ---------------------------------------------------------------------------
    def _draw(self, m: int):
        """All randomness for m steps, from each seed's own streams (order-independent of m)."""
        cfg, k = self.cfg, self.cfg.n_seeds
        nd, b = cfg.d_steps, cfg.batch_size
        idx = np.stack([r.integers(0, cfg.data_size, (m, nd, b)) for r in self._rng["batch"]])
        real = torch.gather(self._data_std, 1, torch.from_numpy(idx.reshape(k, -1)))
        real = real.view(k, m, nd, b).permute(1, 2, 0, 3).unsqueeze(-1)  # (m, nd, K, B, 1)
        z = np.stack([self._latent(r, (m, nd + 1, b)) for r in self._rng["noise"]], axis=2)
        eps = None
        if self.variant.penalty is not None:
            eps_np = np.stack(
                [r.random((m, nd, b, 1), dtype=np.float32) for r in self._rng["eps"]], axis=2
            )
            eps = torch.from_numpy(eps_np)
        return real, torch.from_numpy(z), eps  # z: (m, nd+1, K, B, L)

    def _train_chunk(self, m: int) -> None:
        saved = [t.clone() for t in self.trainer.state()]
        rec = self.trainer.steps(self.step, *self._draw(m))  # (m, series, K)
        self._check_divergence(rec, saved)
        rec[:, :, ~self.alive] = np.nan
        self.step += m
        self.history.append(self.step, rec)
        self._vol = np.concatenate([self._vol, rec[:, :2]])[-VOL_WINDOW:]

    def _check_divergence(self, rec: np.ndarray, saved: list[torch.Tensor]) -> None:
        """A seed whose losses or weights went NaN/inf is frozen at its state before this chunk,
        with the step where it happened; the other seeds go on."""
        bad_row = ~np.isfinite(rec).all(axis=1)  # (m, K)
        bad_w = np.zeros(self.cfg.n_seeds, dtype=bool)
        for net in (self.G, self.D):
            bad_w |= ~torch.isfinite(net.seed_params()).all(1).numpy()
        newly = self.alive & (bad_row.any(0) | bad_w)
        for i in np.flatnonzero(newly):
            first = np.flatnonzero(bad_row[:, i])
            self.diverged_at[i] = self.step + (first[0] + 1 if first.size else len(rec))
            rec[first[0] if first.size else 0 :, :, i] = np.nan
        dead = torch.from_numpy(~self.alive)
        if dead.any():  # restore dead seeds every chunk, since the batch keeps computing them
            for net, now, before in zip(
                self.trainer.nets(), self.trainer.state(), saved, strict=True
            ):
                net.set_seed_params(net.seed_params(before), dead, flat=now)

    def _evaluate(self) -> None:
        x = self.trainer.generate(self._eval_z).squeeze(-1)  # (K, n)
        xs, _ = torch.sort(x, dim=1)
        # W1 between n samples and the target's n quantile midpoints is the mean gap between
        # matched order statistics (1-D optimal transport), exact for equal sizes.
        w1 = (xs - self._grid).abs().mean(1)
        row = torch.stack([w1, x.mean(1), x.std(1, correction=0)]).numpy()[None]
        row[:, :, ~self.alive] = np.nan
        self.evals.append(self.step, row)

    def advance(self, n_steps: int | None = None, max_seconds: float | None = None) -> int:
        """Train up to n_steps more generator steps (default: to the end of the budget), or
        until max_seconds have passed; returns the steps done. Safe to call repeatedly."""
        with self.lock:
            return self._advance(n_steps, max_seconds)

    def _advance(self, n_steps: int | None, max_seconds: float | None) -> int:
        use_one_thread()
        left = self.cfg.steps - self.step
        n = left if n_steps is None else min(n_steps, left)
        t0 = time.perf_counter()
        done = 0
        while done < n and self.alive.any():
            m = min(
                n - done, CHUNK - self.step % CHUNK, self.eval_every - self.step % self.eval_every
            )
            self._train_chunk(m)
            done += m
            if self.step % self.eval_every == 0 or self.step == self.cfg.steps:
                self._evaluate()
            if max_seconds is not None and time.perf_counter() - t0 >= max_seconds:
                break
        self.wall_s += time.perf_counter() - t0
        return done
