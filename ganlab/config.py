"""One run's configuration: a frozen dataclass, its allowed ranges, and validation in words."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from ganlab import user_targets
from ganlab.nets import ACTIVATIONS
from ganlab.targets import TARGETS, Target, TargetError
from ganlab.variants import G_LOSSES, VARIANTS


class ConfigError(ValueError):
    """Every problem with a configuration, listed at once in the user's words."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class TrainConfig:
    variant: str = "gan"  # a key of VARIANTS
    target: Target = TARGETS["bimodal"]  # two far modes: the classic mode-collapse test
    data_size: int = 2048  # training samples (the seed playground offers 512–4096)
    batch_size: int = 128  # per D/critic step; an epoch is data_size / batch_size D batches
    latent_dim: int = 1  # 1 makes G a plottable map z -> x, ideally an inverse CDF
    latent: str = "normal"  # z ~ N(0, 1) or U(0, 1)
    g_layers: int = 2
    g_width: int = 32  # 2×32 is enough to bend a 1-D map into several modes
    d_layers: int = 2
    d_width: int = 32
    activation: str = "relu"  # or leaky_relu (slope 0.2)
    g_opt: str = "adam"
    d_opt: str = "adam"
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    beta1: float = 0.5  # DCGAN's β₁: less momentum damps the G/D oscillation
    beta2: float = 0.999
    d_steps: int = 1  # k for vanilla, n_critic for the Wasserstein variants
    g_loss: str = "non-saturating"  # vanilla only; "saturating" is the original minimax form
    clip: float = 0.01  # WGAN weight clipping c (paper: 0.01)
    gp_lambda: float = 10.0  # WGAN-GP λ (paper: 10)
    ema: float = 0.0  # EMA decay of G's weights used for sampling; 0 = off
    lr_decay: float = 1.0  # final lr as a fraction of the initial (linear); 1 = constant
    standardize: bool = True  # D sees (x − m)/s, G outputs m + s·g; m, s from the training data
    # Generator updates in the budget: by here the best tuned variant per built-in target reaches
    # median W1 ≤ 0.05 (bench/quality.py); WGAN-GP on `mixture` needs it (0.085–0.11 at 3000).
    steps: int = 6000
    seed: int = 0  # seeds are seed, seed+1, …, seed+n_seeds−1
    n_seeds: int = 1  # K seeds train together as one batched program

    def __post_init__(self):
        problems = validate(self)
        if problems:
            raise ConfigError(problems)

    @property
    def seeds(self) -> list[int]:
        return list(range(self.seed, self.seed + self.n_seeds))

    @property
    def steps_per_epoch(self) -> int:
        """Generator steps that use data_size / batch_size D batches (at least one)."""
        d_batches = max(1, self.data_size // self.batch_size)
        return max(1, -(-d_batches // self.d_steps))

    def replace(self, **changes) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["target"] = self.target.to_spec()
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


# name -> (low, high, unit-free description) for the numeric fields; the UI and the CLI use
# these same ranges, so a value the UI offers is always valid and the messages agree.
RANGES: dict[str, tuple[float, float]] = {
    "data_size": (256, 10_000),
    "batch_size": (32, 512),
    "latent_dim": (1, 32),
    "g_layers": (1, 4),
    "g_width": (8, 128),
    "d_layers": (1, 4),
    "d_width": (8, 128),
    "lr_g": (1e-5, 1.0),
    "lr_d": (1e-5, 1.0),
    "beta1": (0.0, 0.999),
    "beta2": (0.0, 0.9999),
    "d_steps": (1, 10),
    "clip": (1e-4, 10.0),
    "gp_lambda": (0.0, 100.0),
    "ema": (0.0, 0.9999),
    "lr_decay": (0.0, 1.0),
    "steps": (1, 1_000_000),
    "seed": (0, 2**31 - 1),
    "n_seeds": (1, 32),
}
CHOICES: dict[str, tuple[str, ...]] = {
    "variant": tuple(VARIANTS),
    "latent": ("normal", "uniform"),
    "activation": tuple(ACTIVATIONS),
    "g_opt": ("adam", "rmsprop", "sgd"),
    "d_opt": ("adam", "rmsprop", "sgd"),
    "g_loss": tuple(G_LOSSES),
}
INTEGER_FIELDS = {f.name for f in dataclasses.fields(TrainConfig) if f.type == "int"}
LABELS = {
    "data_size": "data set size", "batch_size": "batch size", "latent_dim": "latent dimension",
    "g_layers": "G layers", "g_width": "G width", "d_layers": "D layers", "d_width": "D width",
    "lr_g": "G learning rate", "lr_d": "D learning rate", "d_steps": "D steps per G step",
    "clip": "clip value c", "gp_lambda": "λ", "ema": "EMA decay",
    "lr_decay": "final learning-rate fraction", "n_seeds": "number of seeds",
}


def label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " "))


def fmt(v) -> str:
    return f"{v:,}" if isinstance(v, int) else f"{v:g}"


def validate(cfg: TrainConfig) -> list[str]:
    """Every problem with `cfg`, in words a student understands; empty when it can run."""
    problems = []
    for name, allowed in CHOICES.items():
        value = getattr(cfg, name)
        if value not in allowed:
            problems.append(f"{label(name)} '{value}' is not one of: {', '.join(allowed)}")
    for name, (lo, hi) in RANGES.items():
        value = getattr(cfg, name)
        if name in INTEGER_FIELDS and (isinstance(value, bool) or not isinstance(value, int)):
            problems.append(f"{label(name)} must be a whole number (got {value!r})")
        elif not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(f"{label(name)} must be a number (got {value!r})")
        elif not lo <= value <= hi:
            problems.append(f"{label(name)} {fmt(value)} is outside {fmt(lo)} … {fmt(hi)}")
    if not isinstance(cfg.target, Target):
        problems.append("target must be a built-in name, a custom mixture or uploaded data")
    if not problems and cfg.batch_size > cfg.data_size:
        problems.append(
            f"batch size {cfg.batch_size} is larger than the data set ({cfg.data_size} samples)"
        )
    return problems


def make(**fields) -> TrainConfig:
    """A TrainConfig from plain values (target as a name or spec); raises ConfigError listing
    every problem, including an unknown field or a bad target."""
    known = {f.name for f in dataclasses.fields(TrainConfig)}
    unknown = sorted(set(fields) - known)
    problems = [f"unknown setting '{u}'" for u in unknown]
    if "target" in fields:
        try:
            fields["target"] = user_targets.get(fields["target"])
        except TargetError as exc:
            problems.append(f"target: {exc}")
    if problems:
        raise ConfigError(problems)
    return TrainConfig(**fields)


def from_json(text: str) -> TrainConfig:
    """A config saved with `to_json`, validated like any other; never executed or unpickled."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError([f"not valid JSON ({exc.msg} at line {exc.lineno})"]) from None
    if not isinstance(data, dict):
        raise ConfigError(["the JSON must be an object of settings"])
    return make(**data)


# --- presets ------------------------------------------------------------------------------------
# "paper": the published settings. "tuned": measured here on the built-in targets
# (bench/quality.py); see README for the table behind them.
PRESETS: dict[str, dict[str, dict]] = {
    "gan": {
        "paper": dict(g_opt="adam", d_opt="adam", lr_g=2e-4, lr_d=2e-4, beta1=0.5, beta2=0.999,
                      d_steps=1, g_loss="non-saturating"),
        # β₁ = 0 and a decaying lr gave the lowest W1 on bimodal (0.12 vs 0.19 for the
        # constant-lr default); a two-time-scale lr made vanilla D win and collapse modes.
        # Batch 512 beat 256 on all five targets at 6000 steps (mixture 0.090 vs 0.121).
        "tuned": dict(g_opt="adam", d_opt="adam", lr_g=1e-3, lr_d=1e-3, beta1=0.0, beta2=0.999,
                      d_steps=1, g_loss="non-saturating", batch_size=512, data_size=10_000,
                      ema=0.999, lr_decay=0.1),
    },
    "wgan": {
        "paper": dict(g_opt="rmsprop", d_opt="rmsprop", lr_g=5e-5, lr_d=5e-5, d_steps=5,
                      clip=0.01),
        # c = 0.1 lets the critic bend; lr 1e-3 decaying to 1e-4 settles it (W1 0.09 on bimodal).
        "tuned": dict(g_opt="rmsprop", d_opt="rmsprop", lr_g=1e-3, lr_d=1e-3, d_steps=5,
                      clip=0.1, data_size=10_000, ema=0.999, lr_decay=0.1),
    },
    "wgan-gp": {
        "paper": dict(g_opt="adam", d_opt="adam", lr_g=1e-4, lr_d=1e-4, beta1=0.5, beta2=0.9,
                      d_steps=5, gp_lambda=10.0),
        # Critic 4× faster than G (TTUR) and batch 512 took bimodal from W1 0.20 to 0.06: the
        # critic's estimate needs less noise. Then, median W1 on mixture over 16 seeds × 6000
        # steps: β₁ 0.5 → 0 0.065 → 0.054; lr decay to 30 % rather than 10 % 0.049; λ 0.1 → 0.02
        # 0.041 (the authors' own 1-D toy uses 0.1; λ = 1 doubled W1, and the paper's 10
        # oscillates). lr 2e-3/8e-3 and n_critic 3 were worse.
        "tuned": dict(g_opt="adam", d_opt="adam", lr_g=1e-3, lr_d=4e-3, beta1=0.0, beta2=0.9,
                      d_steps=5, gp_lambda=0.02, batch_size=512, data_size=10_000, ema=0.999,
                      lr_decay=0.3),
    },
}


def preset(variant: str, name: str = "tuned", **overrides) -> TrainConfig:
    """The named preset of a variant, with any further overrides."""
    if variant not in PRESETS:
        raise ConfigError([f"variant '{variant}' is not one of: {', '.join(PRESETS)}"])
    if name not in PRESETS[variant]:
        raise ConfigError([f"preset '{name}' is not one of: {', '.join(PRESETS[variant])}"])
    return make(variant=variant, **{**PRESETS[variant][name], **overrides})
