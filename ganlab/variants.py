"""The GAN variants as plugins: each Variant names its losses and constraint and carries its
recorded series, knobs and words; a new variant is one VARIANTS entry + its presets (+ any new
loss in ganlab.losses). Torch-free, so charts and tables can read it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

LOG2 = math.log(2.0)


@dataclass(frozen=True)
class Penalty:
    """A soft constraint on |∂f/∂x|: weight·E[(|f'(x̂)| − target_norm)²] on random interpolates
    between real and generated points (WGAN-GP: target 1)."""

    weight: str  # the config field that weighs it
    target_norm: float = 1.0


@dataclass(frozen=True)
class Variant:
    """One GAN variant: what the engine runs, and the words and symbols every page shows."""

    key: str
    label: str
    color: str  # one per variant on every chart (Okabe–Ito: colour-blind safe)
    url: str  # short prefix of its settings in links (WGAN-GP's λ: gp_lambda=…)
    # --- behaviour ---
    d_loss: str  # a key of ganlab.losses.D_LOSSES
    g_losses: tuple[str, ...]  # keys of ganlab.losses.G_LOSSES; TrainConfig.g_loss picks one
    probability: bool  # D outputs a logit shown as P(real) = σ(l); else an unbounded score
    knobs: tuple[str, ...]  # the config fields that define the variant, shown in its sidebar
    equilibrium: Callable[[str], dict[str, float]]  # G-loss name -> {series: settled value}
    records: tuple[str, ...] = ("d_real", "d_fake")  # what its D loss records beside itself
    clip: bool = False  # clamp every D weight to [−c, c] after each D step (TrainConfig.clip)
    penalty: Penalty | None = None
    # --- words ---
    d_name: str = "discriminator"
    d_symbol: str = "D"
    steps_label: str = "k — D steps per G step"  # the papers' own names for d_steps
    steps_url: str = "k"
    minimises: str = ""
    d_loss_text: str = ""
    output: str = ""
    lipschitz: str = "none"
    typical_lr: str = ""
    loss_caption: str = ""
    critic_caption: str = ""

    def g_loss(self, name: str) -> str:
        """The G loss a config asks for, or the variant's only one."""
        return name if name in self.g_losses else self.g_losses[0]

    @property
    def series(self) -> tuple[str, ...]:
        """What each step records, per seed: the losses, `records`, then the penalty's own."""
        return ("d_loss", "g_loss", *self.records, *(("gp", "grad_norm") if self.penalty else ()))

    @property
    def score_title(self) -> str:
        return "D(x) = P(real)" if self.probability else f"critic {self.d_symbol}(x)"

    @property
    def score_domain(self) -> tuple[float, float] | None:
        return (0.0, 1.0) if self.probability else None

    @property
    def neutral_score(self) -> float | None:
        """The score where D cannot tell real from fake, if it has one (½ for a probability)."""
        return 0.5 if self.probability else None

    @property
    def g_level_arbitrary(self) -> bool:
        """A critic's G loss −E f(G(z)) moves with any constant added to f: only its trend
        means anything, so charts give it an axis of its own."""
        return not self.probability

    def series_label(self, name: str) -> str:
        return {
            "d_loss": f"{'D' if self.probability else 'critic'} loss",
            "g_loss": "G loss",
            "w_estimate": "W estimate",
            "d_real": "D(real)",
            "d_fake": "D(fake)",
            "gp": "gradient penalty",
            "grad_norm": "|∂f/∂x| on interpolates",
        }[name]


def _vanilla_equilibrium(g_loss: str) -> dict[str, float]:
    # D ≡ ½ once G matches the data: summed BCE 2·log 2; G's loss ±log 2.
    return {"d_loss": 2 * LOG2, "g_loss": LOG2 if g_loss == "non-saturating" else -LOG2}


def _wasserstein_equilibrium(g_loss: str) -> dict[str, float]:
    return {"w_estimate": 0.0}  # E f(real) − E f(fake) → 0 as G matches the data


_CRITIC_LOSS_CAPTION = (
    "The W estimate E f(real) − E f(fake) should fall towards 0 as G "
    "improves; G loss's level is arbitrary (right axis), only its trend "
    "matters."
)
_CRITIC_RISES = "The critic rises where real data outweighs generated; G moves its points uphill. "


class _CriticFields(TypedDict):
    """The Variant fields every Wasserstein variant shares (its critic, losses and words)."""

    d_loss: str
    g_losses: tuple[str, ...]
    probability: bool
    records: tuple[str, ...]
    equilibrium: Callable[[str], dict[str, float]]
    d_name: str
    d_symbol: str
    steps_label: str
    steps_url: str
    minimises: str
    output: str
    loss_caption: str


_WASSERSTEIN = _CriticFields(
    d_loss="wasserstein",
    g_losses=("critic",),
    probability=False,
    records=("w_estimate",),
    equilibrium=_wasserstein_equilibrium,
    d_name="critic",
    d_symbol="f",
    steps_label="n_critic — critic steps per G step",
    steps_url="ncritic",
    minimises="Wasserstein-1 (Kantorovich–Rubinstein dual)",
    output="linear (unbounded score)",
    loss_caption=_CRITIC_LOSS_CAPTION,
)

VARIANTS: dict[str, Variant] = {
    "gan": Variant(
        "gan",
        "Vanilla GAN",
        "#0072B2",
        "gan",
        d_loss="bce",
        g_losses=("non-saturating", "saturating"),
        probability=True,
        knobs=("g_loss", "d_steps"),
        equilibrium=_vanilla_equilibrium,
        minimises="Jensen–Shannon divergence",
        d_loss_text="binary cross-entropy on D(x)",
        output="sigmoid (probability real)",
        typical_lr="k = 1; Adam 2e-4 … 1e-3",
        loss_caption="Both losses settle at their dashed equilibrium (D → 2·log 2, G → ±log 2) "
        "once D can no longer tell real from fake. Flat losses alone do not prove "
        "the fit: see W1.",
        critic_caption="D is ½ (dashed) where it cannot tell; a dip marks where it catches "
        "fakes, and the generated points (dots) are pushed uphill along D.",
    ),
    "wgan": Variant(
        "wgan",
        "WGAN (clip)",
        "#E69F00",
        "wgan",
        knobs=("clip", "d_steps"),
        clip=True,
        d_loss_text="E[f(fake)] − E[f(real)]",
        lipschitz="weights clipped to [−c, c]",
        typical_lr="n_critic = 5; RMSprop 5e-5",
        critic_caption=_CRITIC_RISES + "Below: weights piled up at ±c mean the clip, not the "
        "data, shapes the critic.",
        **_WASSERSTEIN,
    ),
    "wgan-gp": Variant(
        "wgan-gp",
        "WGAN-GP",
        "#009E73",
        "gp",
        knobs=("gp_lambda", "d_steps"),
        penalty=Penalty("gp_lambda", target_norm=1.0),
        d_loss_text="E[f(fake)] − E[f(real)] + λ·E[(‖∇f(x̂)‖ − 1)²]",
        lipschitz="gradient penalty (soft, on interpolates)",
        typical_lr="n_critic = 5; Adam 1e-4, β = (0.5, 0.9)",
        critic_caption=_CRITIC_RISES + "Below: |∂f/∂x|, pulled towards 1 (dashed) between "
        "real and generated points as hard as λ says: the "
        "paper's λ = 10 holds it there, the tuned 0.02 lets it "
        "stray.",
        **_WASSERSTEIN,
    ),
}


def optimal_losses(variant: Variant, g_loss: str) -> dict[str, float]:
    """Where the losses settle when G matches the data and D can no longer tell."""
    return variant.equilibrium(g_loss)
