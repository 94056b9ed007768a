"""A training run: K seeds of one variant advancing in chunks, with a bounded history."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from ganlab import metrics
from ganlab.config import TrainConfig
from ganlab.history import History
from ganlab.nets import BatchedMLP, mlp_sizes
from ganlab.optim import FlatOptimizer
from ganlab.variants import (
    G_LOSSES,
    VARIANTS,
    d_loss_gan,
    d_loss_wasserstein,
    g_loss_wasserstein,
    gradient_penalty,
    sides,
)

VOL_WINDOW = 200  # raw steps kept for loss volatility
EVAL_POINTS = 100  # W1 / mean / std checkpoints over the budget
EVAL_SAMPLES = 2000  # fixed latent draws per seed, so the W1 curve shows learning, not z noise
# Steps between divergence checks, on a fixed grid of steps (not of calls): short enough for
# advance(max_seconds=…) to return quickly, and aligned so that where a diverged seed is frozen
# never depends on timing.
CHUNK = 16
STREAMS = ("data", "g_init", "d_init", "batch", "noise", "eps", "eval")
SERIES = {  # what each step records, per seed
    "gan": ("d_loss", "g_loss", "d_real", "d_fake"),
    "wgan": ("d_loss", "g_loss", "w_estimate"),
    "wgan-gp": ("d_loss", "g_loss", "w_estimate", "gp", "grad_norm"),
}


def use_one_thread() -> None:
    """Tiny MLPs run fastest on one thread, and two threads under load can be 10× slower
    (bench/speed.py measures it). Process-wide, so set it where training starts."""
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)


@dataclass
class RunResult:
    """Plain data describing a run at one moment: everything charts and tables need, safe to
    cache and share (no tensors, no modules)."""

    config: TrainConfig
    step: int
    seeds: list[int]
    diverged_at: list[int]  # −1 where the seed is fine
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


class Run:
    """K seeds of one configuration. `advance` trains in chunks and can be called again and
    again (stop/resume loses nothing); `result` takes a plain-data snapshot."""

    def __init__(self, cfg: TrainConfig):
        use_one_thread()
        # Streamlit runs one script thread per visitor, but a stale rerun may still be inside
        # advance() when a new one calls result(): never let the two interleave.
        self.lock = threading.RLock()
        self.cfg = cfg
        self.variant = VARIANTS[cfg.variant]
        k = cfg.n_seeds
        spawned = [np.random.SeedSequence(s).spawn(len(STREAMS)) for s in cfg.seeds]
        self._rng = {name: [np.random.default_rng(ss[i]) for ss in spawned]
                     for i, name in enumerate(STREAMS)}
        self.data = np.stack([cfg.target.sample(cfg.data_size, r) for r in self._rng["data"]])
        # Standardise with each seed's own training data (never the true target): one learning
        # rate then suits targets at any location and scale.
        loc, scale = (self.data.mean(1), self.data.std(1)) if cfg.standardize else (0.0, 1.0)
        self._loc = torch.tensor(loc, dtype=torch.float32).expand(k).reshape(k, 1, 1)
        self._scale = torch.tensor(scale, dtype=torch.float32).expand(k).reshape(k, 1, 1)
        data = torch.tensor(self.data, dtype=torch.float32)
        self._data_std = (data - self._loc.view(k, 1)) / self._scale.view(k, 1)  # D's units
        self.G = BatchedMLP(mlp_sizes(cfg.latent_dim, 1, cfg.g_layers, cfg.g_width),
                            self._rng["g_init"], cfg.activation)
        self.D = BatchedMLP(mlp_sizes(1, 1, cfg.d_layers, cfg.d_width),
                            self._rng["d_init"], cfg.activation)
        betas = (cfg.beta1, cfg.beta2)
        self.g_opt = FlatOptimizer(cfg.g_opt, self.G.flat, cfg.lr_g, betas)
        self.d_opt = FlatOptimizer(cfg.d_opt, self.D.flat, cfg.lr_d, betas)
        self.g_ema = self.G.flat.clone() if cfg.ema > 0 else None
        self._g_updates = 0
        wasserstein = self.variant.wasserstein
        self._d_loss = d_loss_wasserstein if wasserstein else d_loss_gan
        self._g_loss = g_loss_wasserstein if wasserstein else G_LOSSES[cfg.g_loss]
        self._sides = sides(cfg.batch_size)
        self.series = SERIES[cfg.variant]
        self.step = 0
        self.wall_s = 0.0
        self.diverged_at = np.full(k, -1)
        self.history = History(self.series, k)
        self.evals = History(("w1", "mean", "std"), k)
        self.eval_every = max(1, cfg.steps // EVAL_POINTS)
        self._vol = np.full((VOL_WINDOW, 2, k), np.nan)  # ring of raw d_loss, g_loss
        self._eval_z = torch.from_numpy(np.stack([self._latent(r, (EVAL_SAMPLES,))
                                                  for r in self._rng["eval"]]))
        self._grid = torch.tensor(cfg.target.quantile_grid(EVAL_SAMPLES), dtype=torch.float32)
        self._evaluate()

    # --- the pieces of one step ----------------------------------------------------------------
    def _latent(self, rng: np.random.Generator, shape: tuple) -> np.ndarray:
        shape = (*shape, self.cfg.latent_dim)
        if self.cfg.latent == "uniform":
            return rng.random(shape, dtype=np.float32)
        return rng.standard_normal(shape, dtype=np.float32)

    def generate(self, z: torch.Tensor, flat: torch.Tensor | None = None) -> torch.Tensor:
        """z (K, B, latent) -> x (K, B, 1) in data units, with the weights everything shown to
        a user comes from: the EMA of G's weights when enabled (training passes G's own)."""
        if flat is None:
            flat = self.g_ema if self.g_ema is not None else self.G.flat
        return self._loc + self._scale * self.G(z, flat)

    def critic(self, x: torch.Tensor) -> torch.Tensor:
        """x (K, B, 1) in data units -> logit (vanilla) or critic score (K, B, 1)."""
        return self.D((x - self._loc) / self._scale)

    @property
    def alive(self) -> np.ndarray:
        return self.diverged_at < 0

    @property
    def finished(self) -> bool:
        return self.step >= self.cfg.steps or not self.alive.any()

    def _d_step(self, real, z, eps) -> list[torch.Tensor]:
        # real and fake are standardised ((x − m)/s): D's own input space, no round trip.
        fake = self.G(z)
        # Real and fake in one forward pass: half the kernel launches of two passes.
        tape = []
        out = self.D(torch.cat([real, fake], dim=1), tape=tape)  # (K, 2B, 1)
        loss, grad = self._d_loss(out, self._sides)
        self.D.backward(tape, grad)
        if not self.variant.wasserstein:
            extra = list(torch.sigmoid(out).view(out.shape[0], 2, -1).mean(2).T)  # D(real), D(fake)
        else:
            extra = [-loss]
            if self.variant.penalty:
                tape = []
                slope = self.D.slope(eps * real + (1 - eps) * fake, tape)
                gp, norms, grad = gradient_penalty(slope, self.cfg.gp_lambda, self._scale)
                self.D.slope_backward(tape, grad)
                loss = loss + gp
                extra += [gp, norms.mean(1)]
        self.d_opt.step(self.D.grad)
        if self.variant.clip:
            self.D.flat.clamp_(-self.cfg.clip, self.cfg.clip)
        return [loss, *extra]

    def _g_step(self, z) -> torch.Tensor:
        g_tape, d_tape = [], []
        out = self.D(self.G(z, tape=g_tape), tape=d_tape)  # (loc + s·G(z) − loc)/s = G(z)
        loss, grad = self._g_loss(out)
        # Through D to its input only: the G step never touches D's weights or gradient.
        self.G.backward(g_tape, self.D.backward(d_tape, grad, weights=False))
        self.g_opt.step(self.G.grad)
        if self.g_ema is not None:
            # Warm-up (as in many EMA implementations): early on, the average would otherwise
            # be dominated by the random initial weights.
            decay = min(self.cfg.ema, (1 + self._g_updates) / (10 + self._g_updates))
            self._g_updates += 1
            self.g_ema.lerp_(self.G.flat, 1.0 - decay)
        return loss

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
        if self.variant.penalty:
            eps = np.stack([r.random((m, nd, b, 1), dtype=np.float32)
                            for r in self._rng["eps"]], axis=2)
            eps = torch.from_numpy(eps)
        return real, torch.from_numpy(z), eps  # z: (m, nd+1, K, B, L)

    def _train_chunk(self, m: int) -> None:
        nd = self.cfg.d_steps
        saved = [t.clone() for t in self._state_tensors()]
        real, z, eps = self._draw(m)
        rows = []
        for s in range(m):
            if self.cfg.lr_decay < 1.0:
                self._set_lr_fraction(self.step + s)
            for j in range(nd):
                d_rec = self._d_step(real[s, j], z[s, j], None if eps is None else eps[s, j])
            g_loss = self._g_step(z[s, nd])
            rows.append(torch.stack([d_rec[0], g_loss, *d_rec[1:]]))
        rec = torch.stack(rows).numpy()  # (m, series, K)
        self._check_divergence(rec, saved)
        rec[:, :, ~self.alive] = np.nan
        self.step += m
        self.history.append(self.step, rec)
        self._vol = np.concatenate([self._vol, rec[:, :2]])[-VOL_WINDOW:]

    def _set_lr_fraction(self, step: int) -> None:
        # Per step, not per chunk, so the schedule does not depend on how advance() is called.
        frac = 1.0 - (1.0 - self.cfg.lr_decay) * step / self.cfg.steps
        self.g_opt.lr = self.cfg.lr_g * frac
        self.d_opt.lr = self.cfg.lr_d * frac

    def _state_tensors(self) -> list[torch.Tensor]:
        return [self.G.flat, self.D.flat] + ([self.g_ema] if self.g_ema is not None else [])

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
            rec[first[0] if first.size else 0:, :, i] = np.nan
        dead = torch.from_numpy(~self.alive)
        if dead.any():  # restore dead seeds every chunk, since the batch keeps computing them
            nets = [self.G, self.D] + ([self.G] if self.g_ema is not None else [])
            for net, now, before in zip(nets, self._state_tensors(), saved, strict=True):
                net.set_seed_params(net.seed_params(before), dead, flat=now)

    def _evaluate(self) -> None:
        x = self.generate(self._eval_z).squeeze(-1)  # (K, n)
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

    def _advance(self, n_steps, max_seconds) -> int:
        use_one_thread()
        n = self.cfg.steps - self.step if n_steps is None else min(n_steps,
                                                                   self.cfg.steps - self.step)
        t0 = time.perf_counter()
        done = 0
        while done < n and self.alive.any():
            m = min(n - done, CHUNK - self.step % CHUNK,
                    self.eval_every - self.step % self.eval_every)
            self._train_chunk(m)
            done += m
            if self.step % self.eval_every == 0 or self.step == self.cfg.steps:
                self._evaluate()
            if max_seconds is not None and time.perf_counter() - t0 >= max_seconds:
                break
        self.wall_s += time.perf_counter() - t0
        return done

    # --- looking at it --------------------------------------------------------------------
    def samples(self, n: int = 10_000, stream: int = 1) -> np.ndarray:
        """(K, n) generated samples from a fixed latent draw (same state ⇒ same samples)."""
        z = np.stack([self._latent(np.random.default_rng([s, stream]), (n,))
                      for s in self.cfg.seeds])
        with self.lock:
            return self.generate(torch.from_numpy(z)).squeeze(-1).double().numpy()

    def seed_metrics(self, n: int = 10_000) -> list[dict]:
        """Per seed: every distance to the target, divergence, and loss volatility."""
        out = []
        vol = self._vol
        for i, (seed, x) in enumerate(zip(self.cfg.seeds, self.samples(n), strict=True)):
            row = {"seed": seed, "diverged": bool(self.diverged_at[i] >= 0),
                   "diverged_at": int(self.diverged_at[i]), "step": self.step}
            if np.all(np.isfinite(x)):
                row.update(metrics.distances(x, self.cfg.target))
            row["d_volatility"] = metrics.loss_volatility(vol[:, 0, i])
            row["g_volatility"] = metrics.loss_volatility(vol[:, 1, i])
            out.append(row)
        return out

    def result(self, n_samples: int = 2000, n_grid: int = 200, with_metrics: bool = True):
        """A plain-data snapshot of the run now (see RunResult)."""
        with self.lock:
            return self._result(n_samples, n_grid, with_metrics)

    def _result(self, n_samples, n_grid, with_metrics) -> RunResult:
        if n_samples > EVAL_SAMPLES:
            raise ValueError(f"result() draws from {EVAL_SAMPLES} fixed latents; use samples(n) "
                             f"for more (asked for {n_samples})")
        k, cfg = self.cfg.n_seeds, self.cfg
        lo, hi = cfg.target.plot_range
        x = np.linspace(lo, hi, n_grid)
        u = (torch.tensor(x, dtype=torch.float32).view(1, -1, 1) - self._loc) / self._scale
        out = self.D(u)  # as self.critic(x), standardised once for both
        grad = self.D.slope(u) / self._scale  # df/dx in data units
        zmax = 3.0 if cfg.latent == "normal" else 1.0
        zmin = -zmax if cfg.latent == "normal" else 0.0
        z_line = np.linspace(zmin, zmax, 121)
        z = torch.zeros(k, len(z_line), cfg.latent_dim)
        if cfg.latent == "uniform":
            z += 0.5  # the other axes at the latent's centre
        z[:, :, 0] = torch.tensor(z_line, dtype=torch.float32)
        samples = self.generate(self._eval_z[:, :n_samples])
        d_samples = self.critic(samples)
        g_line = self.generate(z).squeeze(-1)
        if not self.variant.wasserstein:
            out, d_samples = torch.sigmoid(out), torch.sigmoid(d_samples)
        return RunResult(
            config=cfg, step=self.step, seeds=cfg.seeds,
            diverged_at=[int(d) for d in self.diverged_at], wall_s=self.wall_s,
            history=self.history.frame(cfg.seeds), evals=self.evals.frame(cfg.seeds),
            x=x, samples=samples.squeeze(-1).numpy().astype(float),
            data=self.data, d_on_x=out.squeeze(-1).numpy().astype(float),
            grad_on_x=grad.abs().squeeze(-1).numpy().astype(float),
            d_on_samples=d_samples.squeeze(-1).numpy().astype(float),
            z=z_line, g_on_z=g_line.numpy().astype(float),
            d_weights=self.D.seed_params().numpy().copy(),
            seed_metrics=self.seed_metrics() if with_metrics else [],
        )
