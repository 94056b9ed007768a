"""The step math: K seeds' generator and D/critic, their optimisers, and one training step."""

from __future__ import annotations

import numpy as np
import torch

from ganlab.config import TrainConfig
from ganlab.losses import D_LOSSES, G_LOSSES, gradient_penalty, show, sides
from ganlab.nets import BatchedMLP, mlp_sizes
from ganlab.optim import FlatOptimizer
from ganlab.variants import PAIRED_G_LOSSES, VARIANTS


class Trainer:
    """G and D of K seeds with their optimisers (and G's EMA). Works in D's standardised units
    u = (x − m)/s; `generate` and `critic` speak data units."""

    def __init__(
        self,
        cfg: TrainConfig,
        loc: torch.Tensor,
        scale: torch.Tensor,
        g_rngs: list[np.random.Generator],
        d_rngs: list[np.random.Generator],
    ):
        self.cfg = cfg
        self.variant = VARIANTS[cfg.variant]
        self.loc, self.scale = loc, scale  # (K, 1, 1) each
        self.G = BatchedMLP(
            mlp_sizes(cfg.latent_dim, 1, cfg.g_layers, cfg.g_width), g_rngs, cfg.activation
        )
        self.D = BatchedMLP(mlp_sizes(1, 1, cfg.d_layers, cfg.d_width), d_rngs, cfg.activation)
        betas = (cfg.beta1, cfg.beta2)
        self.g_opt = FlatOptimizer(cfg.g_opt, self.G.flat, cfg.lr_g, betas)
        self.d_opt = FlatOptimizer(cfg.d_opt, self.D.flat, cfg.lr_d, betas)
        self.g_ema = self.G.flat.clone() if cfg.ema > 0 else None
        self._g_updates = 0
        self._d_loss = D_LOSSES[self.variant.d_loss]
        g_loss = self.variant.g_loss(cfg.g_loss)
        self._g_loss = G_LOSSES[g_loss]
        self._paired = g_loss in PAIRED_G_LOSSES  # G's loss also reads D on a real batch (RpGAN)
        self._sides = sides(cfg.batch_size)

    def generate(self, z: torch.Tensor, flat: torch.Tensor | None = None) -> torch.Tensor:
        """z (K, B, latent) -> x (K, B, 1) in data units, with the weights everything shown to
        a user comes from: the EMA of G's weights when enabled (training passes G's own)."""
        if flat is None:
            flat = self.g_ema if self.g_ema is not None else self.G.flat
        return self.loc + self.scale * self.G(z, flat)

    def critic(self, x: torch.Tensor) -> torch.Tensor:
        """x (K, B, 1) in data units -> logit (vanilla) or critic score (K, B, 1)."""
        return self.D((x - self.loc) / self.scale)

    def show(self, raw: torch.Tensor) -> torch.Tensor:
        """D's raw output as pages show it: P(real) for a discriminator, a critic's score."""
        return show(self.variant.probability, raw)

    def state(self) -> list[torch.Tensor]:
        """Every tensor that a step changes (to restore a diverged seed)."""
        return [self.G.flat, self.D.flat] + ([self.g_ema] if self.g_ema is not None else [])

    def nets(self) -> list[BatchedMLP]:
        """The network each tensor of state() belongs to (the EMA is G-shaped)."""
        return [self.G, self.D] + ([self.G] if self.g_ema is not None else [])

    def keep_seeds(self, cfg: TrainConfig, a: int, b: int) -> None:
        """Become the trainer of seeds a..b−1 alone (`cfg` is theirs): no op mixes seeds
        (ganlab.nets), so it trains them with the whole batch's numbers, bit for bit."""
        self.cfg = cfg
        self.loc, self.scale = self.loc[a:b].clone(), self.scale[a:b].clone()
        if self.g_ema is not None:
            self.g_ema = self.G.take(self.g_ema, a, b)
        for opt, net in ((self.g_opt, self.G), (self.d_opt, self.D)):
            opt._m, opt._v = net.take(opt._m, a, b), net.take(opt._v, a, b)
            net.keep_seeds(a, b)
            opt.param = net.flat

    def join_seeds(self, parts: list[Trainer]) -> None:
        """Take back, in place, the weights, optimiser state and EMA of trainers that each
        trained some of our seeds (in order: together, all of them)."""
        for opt, net, opts in (
            (self.g_opt, self.G, [p.g_opt for p in parts]),
            (self.d_opt, self.D, [p.d_opt for p in parts]),
        ):
            net.flat.copy_(net.join([o.param for o in opts]))
            opt._m.copy_(net.join([o._m for o in opts]))
            opt._v.copy_(net.join([o._v for o in opts]))
            opt._n, opt.lr = opts[0]._n, opts[0].lr
        if self.g_ema is not None:
            self.g_ema.copy_(self.G.join([p.g_ema for p in parts if p.g_ema is not None]))
        self._g_updates = parts[0]._g_updates

    def set_lr_fraction(self, step: int) -> None:
        # Per step, not per chunk, so the schedule does not depend on how a run is advanced.
        frac = 1.0 - (1.0 - self.cfg.lr_decay) * step / self.cfg.steps
        self.g_opt.lr = self.cfg.lr_g * frac
        self.d_opt.lr = self.cfg.lr_d * frac

    def d_step(self, real, z, eps) -> list[torch.Tensor]:
        """One D/critic step; returns [loss, *variant records, *penalty records], each (K,)."""
        # real and fake are standardised ((x − m)/s): D's own input space, no round trip.
        fake = self.G(z)
        # Real and fake in one forward pass: half the kernel launches of two passes.
        tape: list = []
        out = self.D(torch.cat([real, fake], dim=1), tape=tape)  # (K, 2B, 1)
        loss, grad = self._d_loss.fn(out, self._sides)
        self.D.backward(tape, grad)
        extra = self._d_loss.record(out, loss)
        penalty = self.variant.penalty
        if penalty is not None:
            tape = []
            if penalty.on == "interpolates":
                points = eps * real + (1 - eps) * fake
            elif penalty.on == "real":
                points = real
            else:  # "real+fake": one pass over both sets, each set's mean summed (per = B)
                points = torch.cat([real, fake], dim=1)
            slope = self.D.slope(points, tape)
            weight = penalty.factor * getattr(self.cfg, penalty.weight)
            gp, norms, grad = gradient_penalty(
                slope, weight, self.scale, penalty.target_norm, per=real.shape[1]
            )
            self.D.slope_backward(tape, grad)
            loss = loss + gp
            extra += [gp, norms.mean(1)]
        self.d_opt.step(self.D.grad)
        if self.variant.clip:
            self.D.flat.clamp_(-self.cfg.clip, self.cfg.clip)
        return [loss, *extra]

    def g_step(self, z, real=None) -> torch.Tensor:
        """One generator step; returns G's loss (K,). `real` (standardised, (K, B, 1)) is the
        batch a relativistic G loss pairs its fakes with."""
        g_tape: list = []
        d_tape: list = []
        out = self.D(self.G(z, tape=g_tape), tape=d_tape)  # (loc + s·G(z) − loc)/s = G(z)
        real_out = self.D(real) if self._paired else None  # constants for G's gradient
        loss, grad = self._g_loss(out, real_out)
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

    def steps(self, first: int, real, z, eps) -> np.ndarray:
        """m generator steps from step `first` on pre-drawn randomness (real (m, nd, K, B, 1),
        z (m, nd+1, K, B, L), eps (m, nd, K, B, 1) or None); returns the records
        (m, series, K)."""
        nd = self.cfg.d_steps
        rows = []
        for s in range(len(real)):
            if self.cfg.lr_decay < 1.0:
                self.set_lr_fraction(first + s)
            for j in range(nd):
                d_rec = self.d_step(real[s, j], z[s, j], None if eps is None else eps[s, j])
            # a relativistic G pairs its fakes with the last D step's real batch
            g_loss = self.g_step(z[s, nd], real[s, nd - 1])
            rows.append(torch.stack([d_rec[0], g_loss, *d_rec[1:]]))
        return torch.stack(rows).numpy()
