"""The three GAN variants as data plus loss functions, chosen from the VARIANTS registry."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.nn import functional as F

LOG2 = math.log(2.0)


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    # Conceptual facts shown beside the measured table on the compare page.
    minimises: str
    d_loss_text: str
    output: str
    lipschitz: str
    typical_lr: str
    # Behaviour used by the training loop.
    wasserstein: bool  # critic output is a score, not a probability
    clip: bool  # clamp critic weights to [-c, c] after each critic step
    penalty: bool  # gradient penalty on real/fake interpolates
    d_name: str  # "discriminator" or "critic", for labels


VARIANTS: dict[str, Variant] = {
    "gan": Variant(
        "gan", "Vanilla GAN", "Jensen–Shannon divergence", "binary cross-entropy on D(x)",
        "sigmoid (probability real)", "none", "k = 1; Adam 2e-4 … 1e-3",
        wasserstein=False, clip=False, penalty=False, d_name="discriminator",
    ),
    "wgan": Variant(
        "wgan", "WGAN (clip)", "Wasserstein-1 (Kantorovich–Rubinstein dual)",
        "E[f(fake)] − E[f(real)]", "linear (unbounded score)", "weights clipped to [−c, c]",
        "n_critic = 5; RMSprop 5e-5",
        wasserstein=True, clip=True, penalty=False, d_name="critic",
    ),
    "wgan-gp": Variant(
        "wgan-gp", "WGAN-GP", "Wasserstein-1 (Kantorovich–Rubinstein dual)",
        "E[f(fake)] − E[f(real)] + λ·E[(‖∇f(x̂)‖ − 1)²]", "linear (unbounded score)",
        "gradient penalty (soft, on interpolates)", "n_critic = 5; Adam 1e-4, β = (0.5, 0.9)",
        wasserstein=True, clip=False, penalty=True, d_name="critic",
    ),
}


# --- losses, per seed: scores (K, ·, 1) -> (loss (K,), ∂loss/∂scores) -------------------------
# The D/critic losses take the B real scores then the B fake ones in one tensor, with `sides`
# (1, 2B, 1) holding −1 for real and +1 for fake. Vanilla losses are *summed* BCE over the real
# and fake halves (the seed material's convention): at D ≡ ½ the D loss is 2·log 2, the
# non-saturating G loss log 2, the saturating one −log 2. Gradients are written out by hand
# (the engine keeps no autograd graph); tests check them against autograd.

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


LossFn = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]
G_LOSSES: dict[str, LossFn] = {
    "non-saturating": g_loss_non_saturating,
    "saturating": g_loss_saturating,
}


def gradient_penalty(slope: torch.Tensor, lam: float, scale: torch.Tensor | None = None):
    """λ·E[(‖∇ₓf(x̂)‖ − 1)²] per seed, from the critic's slopes f'(x̂) (K, B, 1) on the
    interpolates (inputs are 1-D, so the norm is |f'(x̂)|). Returns the penalty (K,), the
    gradient norms (K, B) and ∂penalty/∂slope (K, B, 1)."""
    norms = slope.abs()
    if scale is not None:  # x̂ standardised: |df/dx| = |df/du| / s in data units
        norms = norms / scale
    dev = norms - 1.0
    n = slope.shape[1]
    grad = dev * torch.sign(slope) * (2.0 * lam / n)
    if scale is not None:
        grad = grad / scale
    return lam * (dev * dev).sum((1, 2)) / n, norms.squeeze(-1), grad


def optimal_losses(variant: Variant, g_loss: str) -> dict[str, float]:
    """Where the losses settle when G matches the data and D can no longer tell (D ≡ ½ for
    vanilla; for the Wasserstein variants the estimate E f(real) − E f(fake) goes to 0)."""
    if not variant.wasserstein:
        return {"d_loss": 2 * LOG2, "g_loss": LOG2 if g_loss == "non-saturating" else -LOG2}
    return {"w_estimate": 0.0}
