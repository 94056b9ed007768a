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


# --- losses, per seed: inputs (K, B, 1) logits/scores, outputs (K,) ----------------------------
# Vanilla losses are *summed* BCE over the real and fake halves (the seed material's convention):
# at D ≡ ½ the D loss is 2·log 2, the non-saturating G loss log 2, the saturating one −log 2.

def d_loss_gan(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    # −log σ(l) = softplus(−l) and −log(1 − σ(l)) = softplus(l): stable for any logit.
    return F.softplus(-real).mean((1, 2)) + F.softplus(fake).mean((1, 2))


def g_loss_non_saturating(fake: torch.Tensor) -> torch.Tensor:
    return F.softplus(-fake).mean((1, 2))  # −log D(G(z))


def g_loss_saturating(fake: torch.Tensor) -> torch.Tensor:
    return -F.softplus(fake).mean((1, 2))  # log(1 − D(G(z))), minimised by G


def d_loss_wasserstein(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    return fake.mean((1, 2)) - real.mean((1, 2))


def g_loss_wasserstein(fake: torch.Tensor) -> torch.Tensor:
    return -fake.mean((1, 2))


G_LOSSES: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "non-saturating": g_loss_non_saturating,
    "saturating": g_loss_saturating,
}


def gradient_penalty(critic: Callable, x_hat: torch.Tensor, lam: float, scale=None):
    """λ·E[(‖∇ₓf(x̂)‖ − 1)²] per seed, differentiable in the critic's weights
    (create_graph=True). Returns (penalty (K,), gradient norms (K, B))."""
    x_hat = x_hat.detach().requires_grad_(True)
    out = critic(x_hat)
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)
    norms = grad.norm(dim=2)  # (K, B): inputs are 1-D, so this is |f'(x̂)|
    if scale is not None:  # x̂ standardised: |df/dx| = |df/du| / s in data units
        norms = norms / scale.view(-1, 1)
    return lam * ((norms - 1.0) ** 2).mean(1), norms


def optimal_losses(variant: Variant, g_loss: str) -> dict[str, float]:
    """Where the losses settle when G matches the data and D can no longer tell (D ≡ ½ for
    vanilla; for the Wasserstein variants the estimate E f(real) − E f(fake) goes to 0)."""
    if not variant.wasserstein:
        return {"d_loss": 2 * LOG2, "g_loss": LOG2 if g_loss == "non-saturating" else -LOG2}
    return {"w_estimate": 0.0}
