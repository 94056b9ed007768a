"""Looking at a run in plain data: decode latents, samples, metrics per step, RunResult."""

from __future__ import annotations

import threading

import numpy as np
import torch

from ganlab import metrics
from ganlab.budget import EVAL_SAMPLES, METRIC_SAMPLES, VIEW_BLOCK
from ganlab.config import TrainConfig
from ganlab.history import History
from ganlab.result import RunResult
from ganlab.steps import Trainer
from ganlab.timeline import (
    _ORDER,
    QUANTILES,
    WEIGHT_QUANTILES,
    X_POINTS,
    Z_POINTS,
    Frame,
    picks,
    quantiles,
)

# EVAL_SAMPLES: fixed latent draws per seed, so the W1 curve shows learning, not z noise.
# METRIC_SAMPLES: samples per seed behind every table's distances. Both set what a run costs, so
# they are declared with the cost model (ganlab.budget). VIEW_BLOCK: samples per forward pass
# here, which bounds the views' transient memory (at 32 seeds × 4 × 128 networks, one pass over
# 10 000 samples allocated ~1.3 GB); a block's numbers equal the whole pass's, bit for bit.
__all__ = ["EVAL_SAMPLES", "METRIC_SAMPLES", "Views"]


class Views:
    """The read side of a Run (mixed into it): numpy in, numpy out, under the run's lock, with
    the weights samples come from (G's EMA when enabled)."""

    cfg: TrainConfig
    lock: threading.RLock
    trainer: Trainer
    step: int
    wall_s: float
    diverged_at: np.ndarray
    data: np.ndarray
    history: History
    evals: History
    _eval_z: torch.Tensor | None  # None once compacted: _eval_latents() draws them again
    _vol: np.ndarray
    _memo: tuple | None

    def _eval_latents(self) -> torch.Tensor:
        raise NotImplementedError

    def _generate(self, z: torch.Tensor) -> torch.Tensor:
        """trainer.generate on z (K, n, L), VIEW_BLOCK samples at a time: (K, n, 1)."""
        n, gen = z.shape[1], self.trainer.generate
        if n <= VIEW_BLOCK:
            return gen(z)
        return torch.cat([gen(z[:, i : i + VIEW_BLOCK]) for i in range(0, n, VIEW_BLOCK)], 1)

    def _critic(self, x: torch.Tensor) -> torch.Tensor:
        """trainer.critic on x (K, n, 1), VIEW_BLOCK samples at a time."""
        n, critic = x.shape[1], self.trainer.critic
        if n <= VIEW_BLOCK:
            return critic(x)
        return torch.cat([critic(x[:, i : i + VIEW_BLOCK]) for i in range(0, n, VIEW_BLOCK)], 1)

    def _latent(self, rng: np.random.Generator, shape: tuple) -> np.ndarray:
        shape = (*shape, self.cfg.latent_dim)
        if self.cfg.latent == "uniform":
            return rng.random(shape, dtype=np.float32)
        return rng.standard_normal(shape, dtype=np.float32)

    def latent_line(self, values) -> np.ndarray:
        """Latent points along axis 1 with the other axes at the latent's centre: (n, L)."""
        z = np.full(
            (len(values), self.cfg.latent_dim),
            0.5 if self.cfg.latent == "uniform" else 0.0,
            dtype=np.float32,
        )
        z[:, 0] = values
        return z

    def decode(self, z) -> tuple[np.ndarray, np.ndarray]:
        """Latent points -> (x, score) for every seed. z is (n, L), shared by all seeds, or
        (K, n, L). Returns x (K, n) in data units and what the D/critic says there, (K, n): D's
        probability for vanilla, the critic's score for the Wasserstein variants."""
        zt = torch.as_tensor(np.asarray(z, dtype=np.float32))
        if zt.dim() == 2:
            zt = zt.unsqueeze(0).expand(self.cfg.n_seeds, -1, -1)
        with self.lock:
            x = self._generate(zt)
            score = self.trainer.show(self._critic(x))
        return x.squeeze(-1).double().numpy(), score.squeeze(-1).double().numpy()

    def samples(self, n: int = METRIC_SAMPLES, stream: int = 1) -> np.ndarray:
        """(K, n) generated samples from a fixed latent draw (same state ⇒ same samples)."""
        rngs = [np.random.default_rng([s, stream]) for s in self.cfg.seeds]
        out = np.empty((self.cfg.n_seeds, n))
        with self.lock:
            # Each seed's latents drawn VIEW_BLOCK rows at a time: the same numbers as one draw.
            for i in range(0, n, VIEW_BLOCK):
                z = np.stack([self._latent(r, (min(VIEW_BLOCK, n - i),)) for r in rngs])
                out[:, i : i + VIEW_BLOCK] = self.trainer.generate(torch.from_numpy(z))[..., 0]
        return out

    def seed_metrics(self, n: int = METRIC_SAMPLES) -> list[dict]:
        """Per seed: every distance to the target, divergence and loss volatility; computed
        once per (step, n) — it costs ~50–200 ms per seed — and handed out as copies."""
        with self.lock:
            key = (self.step, n, tuple(self.diverged_at))
            if self._memo is None or self._memo[0] != key:
                self._memo = (key, self._seed_metrics(n))
            return [dict(m) for m in self._memo[1]]

    def _seed_metrics(self, n: int) -> list[dict]:
        out = []
        for i, (seed, x) in enumerate(zip(self.cfg.seeds, self.samples(n), strict=True)):
            row: dict[str, int | float | bool] = {
                "seed": seed,
                "diverged": bool(self.diverged_at[i] >= 0),
                "diverged_at": int(self.diverged_at[i]),
                "step": self.step,
            }
            if np.all(np.isfinite(x)):
                row.update(metrics.distances(x, self.cfg.target))
            row["d_volatility"] = metrics.loss_volatility(self._vol[:, 0, i])
            row["g_volatility"] = metrics.loss_volatility(self._vol[:, 1, i])
            out.append(row)
        return out

    def result(self, n_samples: int = EVAL_SAMPLES, with_metrics: bool = True) -> RunResult:
        """A plain-data snapshot of the run now (see RunResult)."""
        if n_samples > EVAL_SAMPLES:
            raise ValueError(
                f"result() draws from {EVAL_SAMPLES} fixed latents; use samples(n) "
                f"for more (asked for {n_samples})"
            )
        with self.lock:
            return self._result(n_samples, with_metrics)

    def _grids(self) -> tuple[np.ndarray, np.ndarray]:
        """The x grid over the plot range and the latent line (axis 1) every view draws on."""
        cfg = self.cfg
        lo, hi = cfg.target.plot_range
        z0, z1 = (-3.0, 3.0) if cfg.latent == "normal" else (0.0, 1.0)
        return np.linspace(lo, hi, X_POINTS), np.linspace(z0, z1, Z_POINTS)

    def _moment(self, n_samples: int) -> dict[str, torch.Tensor]:
        """The arrays of this moment that the charts draw, as (K, …) float32 tensors."""
        cfg, t = self.cfg, self.trainer
        x, z_line = self._grids()
        u = (torch.tensor(x, dtype=torch.float32).view(1, -1, 1) - t.loc) / t.scale
        out = t.D(u)  # as t.critic(x), standardised once for both
        grad = t.D.slope(u) / t.scale  # df/dx in data units
        z = torch.from_numpy(self.latent_line(z_line)).expand(cfg.n_seeds, -1, -1)
        eval_z = self._eval_z if self._eval_z is not None else self._eval_latents()
        samples = self._generate(eval_z[:, :n_samples])
        return {
            "samples": samples.squeeze(-1),
            "d_on_samples": t.show(self._critic(samples)).squeeze(-1),
            "d_on_x": t.show(out).squeeze(-1),
            "grad_on_x": grad.abs().squeeze(-1),
            "g_on_z": t.generate(z).squeeze(-1),
            "d_weights": t.D.seed_params(),
        }

    def _result(self, n_samples: int, with_metrics: bool) -> RunResult:
        m = self._moment(n_samples)
        return self._as_result(
            self.step,
            self.wall_s,
            self.diverged_at,
            {k: v.numpy().astype(float) for k, v in m.items()},
            with_metrics,
        )

    def _as_result(
        self, step, wall_s, diverged_at, arrays, with_metrics=False, upto=True
    ) -> RunResult:
        cfg = self.cfg
        x, z_line = self._grids()
        history, evals = self.history.frame(cfg.seeds), self.evals.frame(cfg.seeds)
        if upto and step < self.step:  # a past moment sees the history up to its step
            history, evals = history[history.step <= step], evals[evals.step <= step]
        return RunResult(
            config=cfg,
            step=step,
            seeds=cfg.seeds,
            diverged_at=[int(d) for d in diverged_at],
            wall_s=wall_s,
            history=history.reset_index(drop=True),
            evals=evals.reset_index(drop=True),
            x=x,
            data=self.data,
            z=z_line,
            seed_metrics=self.seed_metrics() if with_metrics else [],
            **arrays,
        )

    # --- the timeline ---------------------------------------------------------------------------
    def frame(self) -> Frame:
        """This moment, compact, for the timeline (see ganlab.timeline.Frame)."""
        with self.lock:
            m = {k: v.numpy() for k, v in self._moment(EVAL_SAMPLES).items()}
            order = np.argsort(m["samples"], axis=1, kind="stable")
            at = order[:, picks(order.shape[1], QUANTILES)][:, _ORDER]  # with each one's D score
            return Frame(
                step=self.step,
                wall_s=self.wall_s,
                diverged_at=self.diverged_at.copy(),
                samples=np.take_along_axis(m["samples"], at, 1).astype(np.float32),
                d_on_samples=np.take_along_axis(m["d_on_samples"], at, 1).astype(np.float32),
                d_on_x=m["d_on_x"].astype(np.float32),
                grad_on_x=m["grad_on_x"].astype(np.float32),
                g_on_z=m["g_on_z"].astype(np.float32),
                d_weights=quantiles(m["d_weights"], WEIGHT_QUANTILES),
            )

    def result_at(self, frame: Frame, full_history: bool = False) -> RunResult:
        """The RunResult of a recorded moment: its frame, and the history up to its step (all
        of it so far with full_history, for charts that mark the moment on the whole curve)."""
        arrays = {
            k: getattr(frame, k).astype(float)
            for k in ("samples", "d_on_samples", "d_on_x", "grad_on_x", "g_on_z", "d_weights")
        }
        with self.lock:
            return self._as_result(
                frame.step, frame.wall_s, frame.diverged_at, arrays, upto=not full_history
            )
