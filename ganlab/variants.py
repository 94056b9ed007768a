"""The GAN variants as plugins: each Variant names its losses and constraint and carries its
recorded series, knobs and words; a new variant is one VARIANTS entry + its presets (+ any new
loss in ganlab.losses). Torch-free, so charts and tables can read it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

LOG2 = math.log(2.0)
# G losses that pair each fake with a real sample, so a G step also reads D on a real batch
PAIRED_G_LOSSES = frozenset({"relativistic"})


@dataclass(frozen=True)
class Penalty:
    """A soft constraint on |∂f/∂x|: factor·weight·Σ E[(|f'(x)| − target_norm)²], the expectation
    over the points `on` names, each set's own mean:
    - WGAN-GP: on "interpolates" (random points between real and generated), target 1, factor 1;
    - R1 (Mescheder et al., 2018): on "real" data, target 0, factor ½: γ/2·E‖∇D(x)‖²;
    - R1 + R2 (Huang et al., 2024): on "real+fake", target 0, factor ½: the two zero-centred
      penalties γ/2·E_real‖∇D‖² + γ/2·E_fake‖∇D‖²."""

    weight: str  # the config field that weighs it
    target_norm: float = 1.0
    on: str = "interpolates"  # "interpolates", "real" or "real+fake"
    factor: float = 1.0

    @property
    def draws_eps(self) -> bool:
        """Whether each D step draws ε ~ U(0, 1) per point for its interpolates."""
        return self.on == "interpolates"

    @property
    def batches(self) -> int:
        """How many batches its slope pass runs on: two for real and fake, else one."""
        return 2 if self.on == "real+fake" else 1

    @property
    def name(self) -> str:
        if self.target_norm:
            return "gradient penalty"
        return {"real": "R1 penalty", "real+fake": "R1 + R2 penalty"}.get(self.on, "penalty")

    @property
    def where(self) -> str:
        return {"interpolates": "interpolates", "real": "real data", "real+fake": "real and fake"}[
            self.on
        ]


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
    # D's score where it cannot tell real from fake, if it has one (½ for a probability)
    neutral_score: float | None = None
    # G's loss level means nothing (a critic's −E f(G(z)) moves with any constant added to f):
    # charts give it an axis of its own, where only its trend is read
    g_level_arbitrary: bool = False
    score_name: str = ""  # the chart's title for D's output, when not a probability or critic
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
        if self.score_name:
            return self.score_name
        return "D(x) = P(real)" if self.probability else f"critic {self.d_symbol}(x)"

    @property
    def score_domain(self) -> tuple[float, float] | None:
        return (0.0, 1.0) if self.probability else None

    def series_label(self, name: str) -> str:
        return {
            "d_loss": f"{'critic' if self.d_name == 'critic' else 'D'} loss",
            "g_loss": "G loss",
            "w_estimate": "W estimate",
            "d_real": "D(real)",
            "d_fake": "D(fake)",
            "gp": self.penalty.name if self.penalty else "penalty",
            "grad_norm": f"|∂{self.d_symbol}/∂x| on {self.penalty.where if self.penalty else 'x'}",
        }[name]


def _vanilla_equilibrium(g_loss: str) -> dict[str, float]:
    # D ≡ ½ once G matches the data: summed BCE 2·log 2; G's loss ±log 2.
    return {"d_loss": 2 * LOG2, "g_loss": LOG2 if g_loss == "non-saturating" else -LOG2}


def _non_saturating_equilibrium(g_loss: str) -> dict[str, float]:
    return _vanilla_equilibrium("non-saturating")  # its only G loss


def _wasserstein_equilibrium(g_loss: str) -> dict[str, float]:
    return {"w_estimate": 0.0}  # E f(real) − E f(fake) → 0 as G matches the data


def _lsgan_equilibrium(g_loss: str) -> dict[str, float]:
    # a = 0, b = c = 1: the best D is p/(p + q) = ½ once q = p; ½·(½ − 1)² + ½·(½)² and ½·(½ − 1)²
    return {"d_loss": 0.25, "g_loss": 0.125}


def _hinge_equilibrium(g_loss: str) -> dict[str, float]:
    # once q = p, relu(1 − D) + relu(1 + D) = 2 for every D in [−1, 1], and no D does better
    return {"d_loss": 2.0}


def _relativistic_equilibrium(g_loss: str) -> dict[str, float]:
    # D(G(z)) − D(x) = 0 in every pair: softplus(0) = log 2 for both players (penalties → 0)
    return {"d_loss": LOG2, "g_loss": LOG2}


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
    g_level_arbitrary: bool
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
    g_level_arbitrary=True,
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
        neutral_score=0.5,
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
    "lsgan": Variant(
        "lsgan",
        "LSGAN",
        "#882255",
        "ls",
        d_loss="least-squares",
        g_losses=("least-squares",),
        probability=False,
        knobs=("d_steps",),
        equilibrium=_lsgan_equilibrium,
        neutral_score=0.5,
        score_name="D(x), least-squares score",
        minimises="a least-squares fit of D (Pearson χ² with the −1/1/0 coding; here 0/1/1)",
        d_loss_text="½E[(D(x) − 1)²] + ½E[D(G(z))²]; G: ½E[(D(G(z)) − 1)²]",
        output="linear score (real → 1, fake → 0)",
        typical_lr="k = 1; Adam 2e-4, β₁ = 0.5",
        loss_caption="Least squares with the 0–1 coding (a = 0 fake, b = 1 real, G aims at "
        "c = 1): once D can no longer tell, D ≡ ½ and the losses settle at ¼ and ⅛ (dashed). "
        "A sample far on the right side of D still pays, so G gets a gradient where the "
        "saturating loss gives none.",
        critic_caption="D is a plain score: ½ (dashed) where it cannot tell; G moves its points "
        "(dots) towards where D says 1.",
    ),
    "hinge": Variant(
        "hinge",
        "Hinge GAN",
        "#332288",
        "hinge",
        d_loss="hinge",
        g_losses=("hinge",),
        probability=False,
        knobs=("d_steps",),
        equilibrium=_hinge_equilibrium,
        g_level_arbitrary=True,
        d_symbol="D",
        steps_label="n_dis — D steps per G step",
        steps_url="ndis",
        minimises="a margin between real and fake scores (the SVM hinge; SNGAN, BigGAN)",
        d_loss_text="E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))]; G: −E[D(G(z))]",
        output="linear (unbounded score)",
        typical_lr="n_dis = 5; Adam 2e-4, β = (0, 0.9) (SNGAN, with spectral norm: not here)",
        loss_caption="D stops pushing a sample once its score is past the margin (real ≥ 1, "
        "fake ≤ −1): the D loss settles at 2 (dashed) once the two cannot be told apart. G's "
        "loss −E D(G(z)) has no fixed level (right axis): read its trend.",
        critic_caption="Scores beyond ±1 cost D nothing, so D is flat there; G moves its points "
        "(dots) uphill.",
    ),
    "r1": Variant(
        "r1",
        "NS-GAN + R1",
        "#999933",
        "r1",
        d_loss="bce",
        g_losses=("non-saturating",),
        probability=True,
        knobs=("r1_gamma", "d_steps"),
        equilibrium=_non_saturating_equilibrium,
        penalty=Penalty("r1_gamma", target_norm=0.0, on="real", factor=0.5),
        neutral_score=0.5,
        minimises="Jensen–Shannon divergence, with D kept flat on the data",
        d_loss_text="binary cross-entropy + γ/2·E‖∇D(x)‖² on real x",
        lipschitz="zero-centred gradient penalty on real data (R1)",
        typical_lr="k = 1; RMSprop 1e-4, γ = 10 (Mescheder et al., 2018)",
        loss_caption="The non-saturating game; the D loss includes R1, which is 0 once D is "
        "flat on the data, so both settle at their dashed equilibrium (2·log 2, log 2).",
        critic_caption="R1 pushes D's slope on real data to 0: at the equilibrium D is flat ½ "
        "there, and the game stops circling. Below: |∂D/∂x| on real data, pulled towards 0.",
    ),
    "rpgan": Variant(
        "rpgan",
        "RpGAN + R1 + R2",
        "#CC6677",
        "rp",
        d_loss="relativistic",
        g_losses=("relativistic",),
        probability=False,
        knobs=("r1_gamma", "d_steps"),
        equilibrium=_relativistic_equilibrium,
        penalty=Penalty("r1_gamma", target_norm=0.0, on="real+fake", factor=0.5),
        score_name="D(x), relativistic score",
        minimises="a relativistic pairing loss: each real x against one fake G(z)",
        d_loss_text="E[softplus(D(G(z)) − D(x))] + γ/2·(E‖∇D(x)‖² + E‖∇D(G(z))‖²)",
        lipschitz="zero-centred gradient penalties on real (R1) and fake (R2) data",
        typical_lr="k = 1; Adam 2e-4, β = (0, 0.99) (Huang et al., 2024)",
        loss_caption="Each real sample is paired with a fake one, and only their score "
        "difference counts: both losses settle at log 2 (dashed) once no pair can be told "
        "apart. The D loss includes R1 + R2, which go to 0 as D flattens.",
        critic_caption="Only differences of D matter (its level is arbitrary); G moves its "
        "points uphill towards the real ones. Below: |∂D/∂x| on real and fake data, pulled "
        "towards 0 by R1 + R2.",
    ),
}
# The three a seminar starts with: the pages of their own, the Compare page's default.
CLASSICS = ("gan", "wgan", "wgan-gp")


def optimal_losses(variant: Variant, g_loss: str) -> dict[str, float]:
    """Where the losses settle when G matches the data and D can no longer tell."""
    return variant.equilibrium(g_loss)
