"""Lesson presets that reliably show a known failure, and the "experiments to try" of the blog
post this app grew from (its in-browser "1D GAN Training Playground")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ganlab.config import TrainConfig, make


@dataclass(frozen=True)
class Lesson:
    """A configuration that shows one phenomenon, the sentence the UI displays, and the rule
    (on one seed's metrics) that says whether that seed showed it: bench/lessons.py counts it."""

    key: str
    title: str
    sentence: str
    variant: str
    settings: dict = field(default_factory=dict)
    shows: Callable[[dict], bool] = lambda m: False
    rule: str = ""

    def config(self, **overrides) -> TrainConfig:
        return make(variant=self.variant, **{**self.settings, **overrides})


LESSONS: dict[str, Lesson] = {
    lesson.key: lesson
    for lesson in [
        Lesson(
            "saturating-stall",
            "Saturating loss stalls",
            "With the original minimax loss log(1 − D(G(z))), G gets almost no gradient once D "
            "confidently rejects its samples, so it stalls far from the data (G uses plain SGD "
            "here, so the vanishing gradient is not rescaled away as Adam would).",
            "gan",
            dict(
                target="normal",
                g_loss="saturating",
                standardize=False,
                g_opt="sgd",
                lr_g=0.01,
                d_opt="adam",
                lr_d=1e-3,
                d_steps=5,
                steps=2000,
            ),
            shows=lambda m: m.get("diverged") or m["w1"] > 1.0,
            rule="W1 stays above 1.0 after the budget",
        ),
        Lesson(
            "clip-too-small",
            "WGAN: clip value too small",
            "With c = 0.001 the critic is too weak to measure the distance, so G learns slowly "
            "and underfits the target.",
            "wgan",
            dict(
                target="bimodal",
                g_opt="rmsprop",
                d_opt="rmsprop",
                lr_g=5e-5,
                lr_d=5e-5,
                d_steps=5,
                clip=0.001,
                steps=2000,
            ),
            shows=lambda m: m.get("diverged") or m["w1"] > 0.5,
            rule="W1 stays above 0.5 after the budget",
        ),
        Lesson(
            "clip-too-large",
            "WGAN: clip value too large",
            "With c = 1 the clipping no longer bounds the critic: its scores grow without limit "
            "and G's updates swing instead of settling.",
            "wgan",
            dict(
                target="bimodal",
                g_opt="rmsprop",
                d_opt="rmsprop",
                lr_g=1e-3,
                lr_d=1e-3,
                d_steps=5,
                clip=1.0,
                steps=2000,
            ),
            shows=lambda m: m.get("diverged") or m["w1"] > 0.3 or m["g_volatility"] > 1.0,
            rule="W1 above 0.3 or G-loss volatility above 1.0",
        ),
        Lesson(
            "strong-d-collapse",
            "Strong D, weak G: mode collapse",
            "A discriminator far stronger than the generator pushes G from one mode to the other "
            "instead of covering both: the generated density has one peak.",
            "gan",
            dict(
                target="bimodal",
                d_layers=4,
                d_width=128,
                g_layers=1,
                g_width=8,
                d_steps=5,
                lr_d=1e-3,
                lr_g=1e-3,
                steps=2000,
            ),
            shows=lambda m: m.get("diverged") or m.get("modes_covered", 2) < 2,
            rule="fewer than 2 modes covered",
        ),
        Lesson(
            "lr-diverges",
            "Learning rate too high",
            "With no gradient penalty (λ = 0) nothing bounds the critic, and plain SGD at "
            "learning rate 0.001 with 10 critic steps per G step lets each step grow its scores "
            "further: the losses climb by a factor of a thousand or more over some 30 to 150 "
            "steps, until the weights overflow and the run stops itself, saying at which step. "
            "G barely moves (learning rate 1e-5), so the critic's runaway is all you see.",
            "wgan-gp",
            # Measured on seeds 0-7 (1000 steps): seeds 0-2 and 4-7 diverge at steps 158, 50,
            # 44, 35, 30, 59, 31 with |loss| up ×10³-10⁵ from its start; seed 3 peaks ×10⁴
            # and falls back without overflowing. leaky_relu: a ReLU critic's big SGD steps
            # often kill all its units, which freezes it instead of letting it diverge.
            dict(
                target="normal",
                g_opt="sgd",
                d_opt="sgd",
                lr_g=1e-5,
                lr_d=1e-3,
                d_steps=10,
                gp_lambda=0.0,
                activation="leaky_relu",
                standardize=False,
                steps=1000,
            ),
            shows=lambda m: bool(m.get("diverged")),
            rule="the seed diverged (NaN/inf)",
        ),
        Lesson(
            "r1-off",
            "R1 off (γ = 0): no settling",
            "With γ = 0 nothing keeps D flat on the data, and at this high learning rate (Adam "
            "5e-3, β₁ = 0.5, a 3×64 D) G's samples swing around the target instead of settling "
            "(W1 jumps between about 0.02 and 0.2 over the run); in most seeds D ends up flat "
            "where the samples are, so G gets no gradient and freezes wherever it was, often too "
            "narrow. Set γ to 10 and the same run settles on the target.",
            "r1",
            # Measured on seeds 0-7 (2000 steps): W1 0.076-0.21 with γ = 0, 0.013-0.047 with
            # γ = 10 (0.028-0.155 with γ = 1). In 6 of 8 γ = 0 seeds G's loss volatility ends
            # below 1e-7 (D flat where the samples are; seeds 0-1: D's slope on the data 0 over
            # the last quarter of the run, G's std frozen at 0.3 against the target's 0.5).
            dict(
                target="normal",
                d_layers=3,
                d_width=64,
                lr_g=5e-3,
                lr_d=5e-3,
                beta1=0.5,
                r1_gamma=0.0,
                steps=2000,
            ),
            shows=lambda m: m.get("diverged") or m["w1"] > 0.06,
            rule="W1 stays above 0.06 after the budget",
        ),
    ]
}


@dataclass(frozen=True)
class Experiment:
    """One of the playground post's "experiments to try": a question and the settings it takes."""

    key: str
    title: str
    question: str
    settings: dict


EXPERIMENTS: dict[str, Experiment] = {
    e.key: e
    for e in [
        Experiment(
            "bimodal",
            "Bimodal target",
            "Can G learn both modes, or only one?",
            dict(target="bimodal"),
        ),
        Experiment(
            "deep-g-mixture",
            "Deeper G on the 3-mixture",
            "Does a deeper generator (4 layers) separate three modes better than 2?",
            dict(target="mixture", g_layers=4),
        ),
        Experiment(
            "strong-d",
            "D much stronger than G",
            "What happens when D (4×128) easily beats a small G (1×8)?",
            dict(d_layers=4, d_width=128, g_layers=1, g_width=8),
        ),
        Experiment(
            "strong-g",
            "G much stronger than D",
            "Can a small D (1×8) still guide a big G (4×128)?",
            dict(g_layers=4, g_width=128, d_layers=1, d_width=8),
        ),
        Experiment(
            "small-data",
            "A 512-sample data set",
            "With only 512 real samples, does G learn the target or memorise the data?",
            dict(data_size=512),
        ),
        Experiment(
            "latent-16",
            "Latent dimension 16 instead of 1",
            "Does a 16-D latent help a 1-D output, or only make the map harder to read?",
            dict(latent_dim=16),
        ),
    ]
}
