"""A plain textbook loop for every variant on one TrainConfig: the yardstick for bench/speed.py.

Written the way the "1D GAN Training Playground" post and most tutorials write it, on purpose:
  - one `nn.Sequential` per network (Linear + ReLU/LeakyReLU; vanilla D ends in nn.Sigmoid),
  - `nn.BCELoss` on the sigmoid output; the D loss is BCE(real, 1) + BCE(fake, 0) (summed, the
    post's convention, so the equilibrium is 2·log 2 like the engine's),
  - separate forward passes D(real) and D(fake.detach()),
  - weight clipping as `for p in D.parameters(): p.data.clamp_(-c, c)`,
  - the gradient penalty with its own forward pass on the interpolates and
    `torch.autograd.grad(..., create_graph=True)`,
  - LSGAN (0–1 coding) with `nn.MSELoss`: ½MSE(D(x), 1) + ½MSE(D(G(z)), 0), G ½MSE(D(G(z)), 1),
  - hinge as `relu(1 − D(x)).mean() + relu(1 + D(G(z))).mean()`, G −E D(G(z)),
  - NS-GAN + R1 as in Mescheder et al.'s GAN_stability code: `nn.BCEWithLogitsLoss` on D's
    logit, the real batch with `requires_grad_()`, and γ/2·E‖∇D(x)‖² from
    `torch.autograd.grad(D(x).sum(), x, create_graph=True)`,
  - RpGAN + R1 + R2 as in R3GAN's code: softplus(D(G(z)) − D(x)) on paired batches, R1 on the
    real and R2 on the (detached) fake batch the same way, G softplus(D(x) − D(G(z))) against the
    last D step's real batch,
  - `zero_grad()` / `backward()` / `step()` with `torch.optim` at its default flags,
  - batch indices from `torch.randint`, noise from `torch.randn` / `torch.rand`.

It does the same *work* as the engine for the same config: same layer sizes, activation,
latent size and law, batch size, data set size (drawn from the target), optimizers with the same
lr and betas (and linear lr decay), d_steps, clip / λ, G's weight EMA when cfg.ema > 0 (with
the engine's warm-up), and the same standardisation arithmetic (D sees (x − m)/s, G outputs
m + s·g, m and s from the training data). A fresh latent batch is drawn for the G step, as in
the engine.

Logging: the seed code logs the D and G losses every step with `.item()`; `log_every_step=True`
(the default) does the same, which is the counterpart of the engine recording its per-step
series. `log_every_step=False` drops it (bench/speed.py reports how much that is worth).
Not done here but done by the engine (so the comparison favours this loop slightly): periodic
W1 evaluation, divergence checks with state snapshots, and the extra per-step statistics.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ganlab.config import TrainConfig


def _mlp(n_in: int, n_out: int, layers: int, width: int, activation: str, sigmoid=False):
    act = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.2)}[activation]
    mods, fan_in = [], n_in
    for _ in range(layers):
        mods += [nn.Linear(fan_in, width), act()]
        fan_in = width
    mods.append(nn.Linear(fan_in, n_out))
    if sigmoid:
        mods.append(nn.Sigmoid())
    return nn.Sequential(*mods)


def _optimizer(kind: str, params, lr: float, betas: tuple[float, float]):
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas)
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    return torch.optim.SGD(params, lr=lr)


class ReferenceGAN:
    """One seed of `cfg`, trained by the textbook loop."""

    def __init__(self, cfg: TrainConfig, seed: int | None = None, log_every_step: bool = True):
        self.cfg = cfg
        seed = cfg.seed if seed is None else seed
        torch.manual_seed(seed)
        data = cfg.target.sample(cfg.data_size, np.random.default_rng(seed))
        self.data = torch.tensor(data, dtype=torch.float32).view(-1, 1)  # (N, 1)
        if cfg.standardize:
            self.m, self.s = float(data.mean()), float(data.std())
        else:
            self.m, self.s = 0.0, 1.0
        vanilla = cfg.variant == "gan"
        self.G = _mlp(cfg.latent_dim, 1, cfg.g_layers, cfg.g_width, cfg.activation)
        self.D = _mlp(1, 1, cfg.d_layers, cfg.d_width, cfg.activation, sigmoid=vanilla)
        betas = (cfg.beta1, cfg.beta2)
        self.opt_g = _optimizer(cfg.g_opt, self.G.parameters(), cfg.lr_g, betas)
        self.opt_d = _optimizer(cfg.d_opt, self.D.parameters(), cfg.lr_d, betas)
        # The engine's linear lr decay (TrainConfig.lr_decay), as a textbook LambdaLR per G step.
        decay = getattr(cfg, "lr_decay", 1.0)
        self.schedulers = (
            []
            if decay >= 1.0
            else [
                torch.optim.lr_scheduler.LambdaLR(
                    opt, lambda t: 1.0 - (1.0 - decay) * t / cfg.steps
                )
                for opt in (self.opt_g, self.opt_d)
            ]
        )
        self.G_ema = None
        if cfg.ema > 0:
            self.G_ema = _mlp(cfg.latent_dim, 1, cfg.g_layers, cfg.g_width, cfg.activation)
            self.G_ema.load_state_dict(self.G.state_dict())
        self.bce = nn.BCELoss()
        self.bce_logits = nn.BCEWithLogitsLoss()
        self.mse = nn.MSELoss()
        self.ones, self.zeros = torch.ones(cfg.batch_size, 1), torch.zeros(cfg.batch_size, 1)
        self.log_every_step = log_every_step
        self.d_losses: list[float] = []
        self.g_losses: list[float] = []
        self.step = 0

    def noise(self, n: int) -> torch.Tensor:
        if self.cfg.latent == "uniform":
            return torch.rand(n, self.cfg.latent_dim)
        return torch.randn(n, self.cfg.latent_dim)

    def generate(self, z: torch.Tensor, net: nn.Module | None = None) -> torch.Tensor:
        return self.m + self.s * (net or self.G)(z)

    def discriminate(self, x: torch.Tensor) -> torch.Tensor:
        return self.D((x - self.m) / self.s)

    def zero_centred(self, x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """γ/2·E‖∇D(x)‖² (R1 on real x, R2 on fake x): x must require grad, out = D(x)."""
        (grad,) = torch.autograd.grad(outputs=out.sum(), inputs=x, create_graph=True)
        return 0.5 * self.cfg.r1_gamma * grad.pow(2).sum(1).mean()

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        cfg, v = self.cfg, self.cfg.variant
        b, ones, zeros = real.shape[0], self.ones, self.zeros
        if v in ("r1", "rpgan"):
            real.requires_grad_(True)
        if v == "rpgan":
            fake.requires_grad_(True)
        d_real = self.discriminate(real)
        d_fake = self.discriminate(fake)
        if v == "gan":
            return self.bce(d_real, ones) + self.bce(d_fake, zeros)
        if v == "lsgan":
            return 0.5 * self.mse(d_real, ones) + 0.5 * self.mse(d_fake, zeros)
        if v == "hinge":
            return torch.relu(1 - d_real).mean() + torch.relu(1 + d_fake).mean()
        if v == "r1":
            loss = self.bce_logits(d_real, ones) + self.bce_logits(d_fake, zeros)
            return loss + self.zero_centred(real, d_real)
        if v == "rpgan":
            loss = nn.functional.softplus(d_fake - d_real).mean()
            return loss + self.zero_centred(real, d_real) + self.zero_centred(fake, d_fake)
        loss = -(d_real.mean() - d_fake.mean())
        if v == "wgan-gp":
            alpha = torch.rand(b, 1)
            x_hat = alpha * real + (1 - alpha) * fake
            x_hat.requires_grad_(True)
            out = self.discriminate(x_hat)
            (grad,) = torch.autograd.grad(
                outputs=out,
                inputs=x_hat,
                grad_outputs=torch.ones_like(out),
                create_graph=True,
                retain_graph=True,
            )
            loss = loss + cfg.gp_lambda * ((grad.norm(2, dim=1) - 1) ** 2).mean()
        return loss

    def g_loss(self, out: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        cfg, v = self.cfg, self.cfg.variant
        ones = self.ones
        if v == "gan":
            if cfg.g_loss == "non-saturating":
                return self.bce(out, ones)  # −log D(G(z))
            return -self.bce(out, self.zeros)  # log(1 − D(G(z)))
        if v == "lsgan":
            return 0.5 * self.mse(out, ones)
        if v == "r1":
            return self.bce_logits(out, ones)  # non-saturating, on the logit
        if v == "rpgan":
            d_real = self.discriminate(real.detach())
            return nn.functional.softplus(d_real - out).mean()
        return -out.mean()  # WGAN, WGAN-GP, hinge

    def train(self, n_steps: int) -> None:
        cfg, b = self.cfg, self.cfg.batch_size
        for _ in range(n_steps):
            # --- D / critic: d_steps updates ---
            for _ in range(cfg.d_steps):
                real = self.data[torch.randint(0, cfg.data_size, (b,))]
                fake = self.generate(self.noise(b)).detach()
                loss_d = self.d_loss(real, fake)
                self.opt_d.zero_grad()
                loss_d.backward()
                self.opt_d.step()
                if cfg.variant == "wgan":
                    for p in self.D.parameters():
                        p.data.clamp_(-cfg.clip, cfg.clip)
            # --- G: one update ---
            out = self.discriminate(self.generate(self.noise(b)))
            loss_g = self.g_loss(out, real)
            self.opt_g.zero_grad()
            loss_g.backward()
            self.opt_g.step()
            if self.G_ema is not None:
                decay = min(cfg.ema, (1 + self.step) / (10 + self.step))
                with torch.no_grad():
                    for pe, p in zip(self.G_ema.parameters(), self.G.parameters(), strict=True):
                        pe.lerp_(p, 1.0 - decay)
            for sched in self.schedulers:
                sched.step()
            self.step += 1
            if self.log_every_step:
                self.d_losses.append(loss_d.item())
                self.g_losses.append(loss_g.item())

    @torch.no_grad()
    def samples(self, n: int = 10_000) -> np.ndarray:
        return self.generate(self.noise(n), self.G_ema).squeeze(1).double().numpy()
