"""The losses and penalties the variants are built from, with hand-written gradients, named in
registries that a Variant refers to by key (the engine keeps no autograd graph)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.nn import functional as F

# --- losses, per seed: scores (K, ·, 1) -> (loss (K,), ∂loss/∂scores) -------------------------
# The D/critic losses take the B real scores then the B fake ones in one tensor, with `sides`
# (1, 2B, 1) holding −1 for real and +1 for fake. Vanilla losses are *summed* BCE over the real
# and fake halves (the convention of the "1D GAN Training Playground" post): at D ≡ ½ the D loss is
# 2·log 2, the non-saturating G loss log 2, the saturating one −log 2. Gradients are written out
# by hand (the engine keeps no autograd graph); tests check them against autograd.


def sides(b: int) -> torch.Tensor:
    """(1, 2B, 1): −1 for the B real scores, +1 for the B fake ones."""
    return torch.cat([-torch.ones(1, b, 1), torch.ones(1, b, 1)], dim=1)


def _softplus_loss(out: torch.Tensor, sign, n: int):
    # Σ softplus(sign·l) / n, and its gradient sign·σ(sign·l) / n. −log σ(l) = softplus(−l) and
    # −log(1 − σ(l)) = softplus(l): stable for any logit.
    z = out * sign
    return F.softplus(z).sum((1, 2)) / n, torch.sigmoid(z) * (sign / n)


def d_loss_gan(out: torch.Tensor, sign: torch.Tensor):
    return _softplus_loss(out, sign, out.shape[1] // 2)


def g_loss_non_saturating(fake: torch.Tensor):
    return _softplus_loss(fake, -1.0, fake.shape[1])  # −log D(G(z))


def g_loss_saturating(fake: torch.Tensor):
    loss, grad = _softplus_loss(fake, 1.0, fake.shape[1])
    return -loss, -grad  # log(1 − D(G(z))), minimised by G


def d_loss_wasserstein(out: torch.Tensor, sign: torch.Tensor):
    n = out.shape[1] // 2
    return (out * sign).sum((1, 2)) / n, (sign / n).expand_as(out)  # E f(fake) − E f(real)


def g_loss_wasserstein(fake: torch.Tensor):
    n = fake.shape[1]
    return -fake.sum((1, 2)) / n, torch.full_like(fake, -1.0 / n)  # −E f(fake)


def d_loss_least_squares(out: torch.Tensor, sign: torch.Tensor):
    """LSGAN with the 0–1 coding (Mao et al., 2017, eq. 9: a = 0, b = c = 1):
    ½E[(D(x) − 1)²] + ½E[D(G(z))²]."""
    n = out.shape[1] // 2
    dev = out - (1.0 - sign) / 2  # the real half aims at 1, the fake half at 0
    return 0.5 * (dev * dev).sum((1, 2)) / n, dev / n


def g_loss_least_squares(fake: torch.Tensor):
    dev = fake - 1.0  # ½E[(D(G(z)) − c)²], c = 1
    return 0.5 * (dev * dev).sum((1, 2)) / fake.shape[1], dev / fake.shape[1]


def d_loss_hinge(out: torch.Tensor, sign: torch.Tensor):
    """E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))] (Lim & Ye, 2017; SNGAN, BigGAN)."""
    n = out.shape[1] // 2
    margin = 1.0 + sign * out
    return F.relu(margin).sum((1, 2)) / n, (margin > 0) * (sign / n)


def d_loss_relativistic(out: torch.Tensor, sign: torch.Tensor):
    """RpGAN: E[softplus(D(G(z_i)) − D(x_i))], the i-th real paired with the i-th fake."""
    n = out.shape[1] // 2
    real, fake = out[:, :n], out[:, n:]
    gap = fake - real
    g = torch.sigmoid(gap) / n
    return F.softplus(gap).sum((1, 2)) / n, torch.cat([-g, g], dim=1)


def g_loss_relativistic(fake: torch.Tensor, real: torch.Tensor):
    """RpGAN's G: E[softplus(D(x_i) − D(G(z_i)))], the real scores fixed."""
    n = fake.shape[1]
    gap = real - fake
    return F.softplus(gap).sum((1, 2)) / n, -torch.sigmoid(gap) / n


@dataclass(frozen=True)
class _FakeOnly:
    """A G loss of the fake scores alone, called as the engine calls every G loss (and, unlike a
    closure, pickled with the run's state for a training process)."""

    fn: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]

    def __call__(self, fake: torch.Tensor, real: torch.Tensor | None = None):
        return self.fn(fake)


# A G loss takes D's scores on the fake batch and, for a relativistic loss, on a real batch
# (None otherwise); variants.PAIRED_G_LOSSES names the losses that need the real scores.
GLossFn = Callable[[torch.Tensor, torch.Tensor | None], tuple[torch.Tensor, torch.Tensor]]
G_LOSSES: dict[str, GLossFn] = {
    "non-saturating": _FakeOnly(g_loss_non_saturating),
    "saturating": _FakeOnly(g_loss_saturating),
    "critic": _FakeOnly(g_loss_wasserstein),
    "least-squares": _FakeOnly(g_loss_least_squares),
    "hinge": _FakeOnly(g_loss_wasserstein),  # −E[D(G(z))], as for a critic
    "relativistic": g_loss_relativistic,  # type: ignore[dict-item]
}


def gradient_penalty(
    slope: torch.Tensor,
    lam: float,
    scale: torch.Tensor | None = None,
    target: float = 1.0,
    per: int | None = None,
):
    """λ·Σ(‖∇ₓf(x̂)‖ − target)²/per per seed, from the critic's slopes f'(x̂) (K, N, 1) (inputs
    are 1-D, so the norm is |f'(x̂)|); per = N (the default) makes it λ·E[…], per = B with
    N = 2B points (real then fake) the sum of the two sets' expectations (R1 + R2). Returns the
    penalty (K,), the gradient norms (K, N) and ∂penalty/∂slope (K, N, 1)."""
    norms = slope.abs()
    if scale is not None:  # x̂ standardised: |df/dx| = |df/du| / s in data units
        norms = norms / scale
    dev = norms - target
    n = per or slope.shape[1]
    grad = dev * torch.sign(slope) * (2.0 * lam / n)
    if scale is not None:
        grad = grad / scale
    return lam * (dev * dev).sum((1, 2)) / n, norms.squeeze(-1), grad


def _mean_probabilities(out: torch.Tensor, loss: torch.Tensor) -> list[torch.Tensor]:
    """Mean D(real) and D(fake) per seed, from the logits of the real then the fake half."""
    return list(torch.sigmoid(out.view(out.shape[0], 2, -1)).mean(2).T)


def _mean_scores(out: torch.Tensor, loss: torch.Tensor) -> list[torch.Tensor]:
    """Mean D(real) and D(fake) per seed, D's raw scores (LSGAN, hinge, RpGAN)."""
    return list(out.view(out.shape[0], 2, -1).mean(2).T)


def _estimate(out: torch.Tensor, loss: torch.Tensor) -> list[torch.Tensor]:
    return [-loss]  # the critic loss is E f(fake) − E f(real): its negative is the W estimate


RecordFn = Callable[[torch.Tensor, torch.Tensor], list[torch.Tensor]]
DLossFn = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


@dataclass(frozen=True)
class DLoss:
    """A D/critic loss and what a D step records beside it (Variant.records names them)."""

    fn: DLossFn
    record: RecordFn


D_LOSSES: dict[str, DLoss] = {
    "bce": DLoss(d_loss_gan, _mean_probabilities),
    "wasserstein": DLoss(d_loss_wasserstein, _estimate),
    "least-squares": DLoss(d_loss_least_squares, _mean_scores),
    "hinge": DLoss(d_loss_hinge, _mean_scores),
    "relativistic": DLoss(d_loss_relativistic, _mean_scores),
}


def show(probability: bool, raw: torch.Tensor) -> torch.Tensor:
    """D's raw output (K, n, 1) as pages show it: a probability σ(l) or the critic's score
    itself. σ goes seed by seed: over all K at once its kernel's vector loop runs across seed
    boundaries, and where n is no multiple of its width (the 200-point x grid) a seed's last
    bits would depend on K (a run split into seed shards must draw the batch's numbers)."""
    return torch.stack([torch.sigmoid(r) for r in raw]) if probability else raw
