"""One run's configuration: a frozen dataclass, its allowed ranges, and validation in words."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from ganlab import user_targets
from ganlab.targets import TARGETS, Target, TargetError, float32_problem
from ganlab.user_targets import excerpt
from ganlab.variants import VARIANTS


class ConfigError(ValueError):
    """Every problem with a configuration, listed at once in the user's words."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class TrainConfig:
    variant: str = "gan"  # a key of VARIANTS
    target: Target = TARGETS["bimodal"]  # two far modes: the classic mode-collapse test
    data_size: int = 2048  # training samples (the playground post offers 512–4096)
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
    r1_gamma: float = 1.0  # γ of the zero-centred penalties R1 (and R2): γ/2·E‖∇D‖²
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


# --- presets ------------------------------------------------------------------------------------
# The vanilla GAN's 1-D tuned recipe, the starting point the newer variants were tuned from.
VANILLA_TUNED = dict(
    g_opt="adam",
    d_opt="adam",
    lr_g=1e-3,
    lr_d=1e-3,
    beta1=0.0,
    beta2=0.999,
    d_steps=1,
    g_loss="non-saturating",
    batch_size=512,
    data_size=10_000,
    ema=0.999,
    lr_decay=0.1,
)
# "paper": the published settings. "tuned": measured here on the built-in targets
# (bench/quality.py); see README for the table behind them.
PRESETS: dict[str, dict[str, dict]] = {
    "gan": {
        "paper": dict(
            g_opt="adam",
            d_opt="adam",
            lr_g=2e-4,
            lr_d=2e-4,
            beta1=0.5,
            beta2=0.999,
            d_steps=1,
            g_loss="non-saturating",
        ),
        # β₁ = 0 and a decaying lr gave the lowest W1 on bimodal (0.12 vs 0.19 for the
        # constant-lr default); a two-time-scale lr made vanilla D win and collapse modes.
        # Batch 512 beat 256 on all five targets at 6000 steps (mixture 0.090 vs 0.121).
        "tuned": VANILLA_TUNED,
    },
    "wgan": {
        "paper": dict(g_opt="rmsprop", d_opt="rmsprop", lr_g=5e-5, lr_d=5e-5, d_steps=5, clip=0.01),
        # c = 0.1 lets the critic bend; lr 1e-3 decaying to 1e-4 settles it (W1 0.09 on bimodal).
        "tuned": dict(
            g_opt="rmsprop",
            d_opt="rmsprop",
            lr_g=1e-3,
            lr_d=1e-3,
            d_steps=5,
            clip=0.1,
            data_size=10_000,
            ema=0.999,
            lr_decay=0.1,
        ),
    },
    "wgan-gp": {
        "paper": dict(
            g_opt="adam",
            d_opt="adam",
            lr_g=1e-4,
            lr_d=1e-4,
            beta1=0.5,
            beta2=0.9,
            d_steps=5,
            gp_lambda=10.0,
        ),
        # Critic 4× faster than G (TTUR) and batch 512 took bimodal from W1 0.20 to 0.06: the
        # critic's estimate needs less noise. Then, median W1 on mixture over 16 seeds × 6000
        # steps: β₁ 0.5 → 0 0.065 → 0.054; lr decay to 30 % rather than 10 % 0.049; λ 0.1 → 0.02
        # 0.041 (the authors' own 1-D toy uses 0.1; λ = 1 doubled W1, and the paper's 10
        # oscillates). lr 2e-3/8e-3 and n_critic 3 were worse. Then 8 seeds, seeds 0-7 / 8-15:
        # critic 2 × 64 and 50 000 samples 0.0305 / 0.0335; 3 × 64 0.0303 / 0.0277; lr decay
        # to 50 % with it 0.0286 / 0.0274 (with batch 256 0.0296 / 0.0338, with 3 or 2 critic
        # steps 0.034, 0.036), and a 3 × 48 critic 0.0270 / 0.0268 (3 × 32 0.031, 3 × 48 with
        # batch 256 0.0338). Its step costs 2-3× the 2 × 32 critic's (README, "Quality").
        "tuned": dict(
            g_opt="adam",
            d_opt="adam",
            lr_g=1e-3,
            lr_d=4e-3,
            beta1=0.0,
            beta2=0.9,
            d_steps=5,
            gp_lambda=0.02,
            batch_size=512,
            data_size=50_000,
            d_layers=3,
            d_width=48,
            ema=0.999,
            lr_decay=0.5,
        ),
    },
    # Mao et al. (2017): Adam 2e-4, β₁ = 0.5, one D step (their LSUN setting).
    "lsgan": {
        "paper": dict(g_opt="adam", d_opt="adam", lr_g=2e-4, lr_d=2e-4, beta1=0.5, d_steps=1),
        # From vanilla's recipe, median W1 over 4 seeds × 6000 steps on bimodal / mixture: D 4×
        # faster than G (TTUR) 0.126 / 0.113 → 0.079 / 0.078; 5 D steps 0.177 / 0.089 (a seed lost
        # a mode); lr decay to 30 % rather than 10 % 0.079 / 0.113 (a seed lost a mode). Then 8
        # seeds: normal 0.006, bimodal 0.103, uniform 0.017, exponential 0.034, mixture 0.080.
        "tuned": {**VANILLA_TUNED, "lr_d": 4e-3},
    },
    # SNGAN's hinge setting (Miyato et al., 2018): Adam 2e-4, β = (0, 0.9), n_dis = 5; their
    # spectral normalisation is not part of this variant.
    "hinge": {
        "paper": dict(
            g_opt="adam", d_opt="adam", lr_g=2e-4, lr_d=2e-4, beta1=0.0, beta2=0.9, d_steps=5
        ),
        # From vanilla's recipe, median W1 over 4 seeds × 6000 steps on bimodal / mixture: D 4×
        # faster than G 0.107 / 0.083 → 0.075 / 0.071; n_dis = 5 (SNGAN's) 0.143 / 0.085; lr
        # decay to 30 % rather than 10 % 0.074 / 0.085. Then 8 seeds: normal 0.008, bimodal 0.076,
        # uniform 0.018, exponential 0.040, mixture 0.072.
        "tuned": {**VANILLA_TUNED, "lr_d": 4e-3, "beta2": 0.9},
    },
    # Mescheder et al. (2018), GAN_stability's configs: RMSprop 1e-4, γ = 10, one D step.
    "r1": {
        "paper": dict(g_opt="rmsprop", d_opt="rmsprop", lr_g=1e-4, lr_d=1e-4, r1_gamma=10.0),
        # Vanilla's recipe plus R1; median W1 over 4 seeds × 6000 steps on bimodal / mixture:
        # γ 0.1 0.093 / 0.077, γ 1 0.057 / 0.078, γ 10 0.045 / 0.065, γ 50 0.048 / 0.060 (a
        # tie: the paper's 10 kept); D 4× faster than G 0.044 / 0.072 at γ 1, 0.049 / 0.061 at
        # γ 10. Then 8 seeds: normal 0.007, bimodal 0.040, uniform 0.013, exponential 0.036,
        # mixture 0.055.
        "tuned": {**VANILLA_TUNED, "r1_gamma": 10.0},
    },
    # Huang et al. (2024), R3GAN: Adam 2e-4, β = (0, 0.99), one D step; γ = 0.05 as in their
    # CIFAR-10 configuration.
    "rpgan": {
        "paper": dict(
            g_opt="adam",
            d_opt="adam",
            lr_g=2e-4,
            lr_d=2e-4,
            beta1=0.0,
            beta2=0.99,
            d_steps=1,
            r1_gamma=0.05,
        ),
        # Vanilla's recipe with R3GAN's β₂; median W1 over 4 seeds × 6000 steps on bimodal /
        # mixture: γ 0.1 0.105 / 0.083, γ 1 0.058 / 0.068, γ 10 0.036 / 0.060, γ 50 0.026 /
        # 0.056, γ 100 0.030 / 0.062; D 4× faster than G 0.064 / 0.064 at γ 1, 0.046 / 0.083 at
        # γ 10. Then 8 seeds: normal 0.006, bimodal 0.026, uniform 0.018, exponential 0.034,
        # mixture 0.046. A training set of 50 000 rather than 10 000 samples per seed (the set
        # alone is W1 0.028 from `exponential`'s law at 10 000), 8 seeds: normal 0.007, bimodal
        # 0.029, uniform 0.013, exponential 0.026, mixture 0.047 (20 000: exponential 0.030,
        # bimodal 0.029).
        "tuned": {**VANILLA_TUNED, "beta2": 0.99, "r1_gamma": 50.0, "data_size": 50_000},
    },
}


# --- the one declaration of every field ---------------------------------------------------------
# Its label, help, allowed range or choices, the grid a widget offers and its name in links and on
# the command line (tensorflow/playground's state.ts keeps one such list). The sidebars, the
# Compare page, the CLI, validation and links all read this table.
@dataclass(frozen=True)
class Field:
    name: str
    label: str
    # "grid" (select slider over `grid`), "slider", "number", "radio", "select", "toggle";
    # "" for fields only presets set (Adam's betas).
    widget: str
    group: str = ""  # sidebar section: Data, Networks, Training, Run, More; "" = a variant knob
    help: str | None = None
    range: tuple[float, float] | None = None
    choices: tuple[str, ...] | None = None
    grid: tuple = ()
    step: int = 1  # a number input's +/− step
    url: str = ""  # short name in links; the field's own name when empty

    @property
    def key(self) -> str:
        return self.url or self.name

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


def _within(lo: float, hi: float, values) -> tuple:
    return tuple(v for v in values if lo <= v <= hi)


def _grid_125(lo: float, hi: float) -> tuple[float, ...]:
    """1, 2, 5 × 10^k between lo and hi: a log scale with round numbers."""
    return tuple(m * 10.0**e for e in range(-6, 3) for m in (1, 2, 5) if lo <= m * 10.0**e <= hi)


def _ranged(name, label, widget, lo, hi, grid=(), **kw) -> Field:
    return Field(name, label, widget, range=(lo, hi), grid=_within(lo, hi, grid), **kw)


LR_HELP = "{}'s optimiser step size, on a log scale."
# 1-2-5 steps over the whole span (the WGAN paper's 5e-5, the divergence lesson's 1.0) and every
# preset's own rate (WGAN-GP's two-time-scale 4e-3): a test keeps each preset on its grid.
LR_GRID = tuple(
    sorted(
        {
            *_grid_125(1e-5, 1.0),
            *(
                p[f]
                for by in PRESETS.values()
                for p in by.values()
                for f in ("lr_g", "lr_d")
                if f in p
            ),
        }
    )
)
SEED_MAX = 2**31 - 1  # the largest first seed (a run's others follow it)
FIELDS: dict[str, Field] = {
    f.name: f
    for f in [
        Field("variant", "variant", "", choices=tuple(VARIANTS)),
        Field("target", "target", ""),
        _ranged(
            "data_size",
            "data set size",
            "grid",
            256,
            50_000,
            (256, 512, 1024, 2048, 4096, 8192, 10_000, 20_000, 50_000),
            group="Data",
        ),
        _ranged("batch_size", "batch size", "grid", 32, 512, (32, 64, 128, 256, 512), group="Data"),
        _ranged("latent_dim", "latent dimension", "slider", 1, 32, group="Networks"),
        _ranged("g_layers", "G layers", "slider", 1, 4, group="Networks"),
        _ranged("g_width", "G width", "grid", 8, 128, (8, 16, 32, 48, 64, 128), group="Networks"),
        _ranged("d_layers", "D layers", "slider", 1, 4, group="Networks"),
        _ranged("d_width", "D width", "grid", 8, 128, (8, 16, 32, 48, 64, 128), group="Networks"),
        Field(
            "latent", "latent distribution", "radio", group="More", choices=("normal", "uniform")
        ),
        # ganlab.nets.ACTIVATIONS implements each (a test holds the two together).
        Field(
            "activation",
            "activation",
            "radio",
            group="More",
            choices=("relu", "leaky_relu", "silu", "elu", "tanh"),
        ),
        Field("g_opt", "G optimizer", "select", group="More", choices=("adam", "rmsprop", "sgd")),
        Field("d_opt", "D optimizer", "select", group="More", choices=("adam", "rmsprop", "sgd")),
        _ranged(
            "lr_g",
            "G learning rate",
            "grid",
            1e-5,
            1.0,
            LR_GRID,
            group="Training",
            help=LR_HELP.format("G"),
        ),
        _ranged(
            "lr_d",
            "D learning rate",
            "grid",
            1e-5,
            1.0,
            LR_GRID,
            group="Training",
            help="D's (critic's) step size; a larger one than G's is the "
            "two-time-scale rule (TTUR).",
        ),
        _ranged("beta1", "Adam β₁", "", 0.0, 0.999),
        _ranged("beta2", "Adam β₂", "", 0.0, 0.9999),
        _ranged("d_steps", "D steps per G step", "slider", 1, 10),
        Field(
            "g_loss",
            "G loss",
            "radio",
            url="loss",
            choices=tuple(
                dict.fromkeys(
                    g for v in VARIANTS.values() if len(v.g_losses) > 1 for g in v.g_losses
                )
            ),
            help="saturating = the original minimax log(1 − D(G(z))); non-saturating = "
            "−log D(G(z)).",
        ),
        _ranged(
            "clip",
            "clip value c",
            "grid",
            1e-4,
            10.0,
            (1e-4, 1e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10),
            help="WGAN clamps every critic weight to [−c, c] after each critic step.",
        ),
        _ranged(
            "gp_lambda",
            "λ",
            "grid",
            0.0,
            100.0,
            (0.0, 0.01, 0.02, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100),
            url="lambda",
            help="Weight of the gradient penalty (‖∇f‖ − 1)²; the paper uses 10, its 1-D toy 0.1.",
        ),
        _ranged(
            "r1_gamma",
            "γ",
            "grid",
            0.0,
            100.0,
            (0.0, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100),
            url="gamma",
            help="Weight of the zero-centred penalty γ/2·E‖∇D‖² on real data (R1) — and on "
            "generated data too (R2) for RpGAN. 0 turns it off.",
        ),
        _ranged(
            "ema",
            "EMA decay",
            "grid",
            0.0,
            0.9999,
            (0.0, 0.9, 0.99, 0.999, 0.9999),
            group="More",
            help="Sample from an exponential moving average of G's weights (0 = off). It warms "
            "up: after t steps the decay is at most (1 + t)/(10 + t), so in a 6 000-step "
            "run any value above 0.9985 acts the same.",
        ),
        _ranged(
            "lr_decay",
            "final learning-rate fraction",
            "grid",
            0.0,
            1.0,
            (0.0, 0.1, 0.3, 0.5, 1.0),
            group="More",
            help="The learning rate falls linearly to this fraction by the end (1 = constant).",
        ),
        Field(
            "standardize",
            "standardize the data for the networks",
            "toggle",
            group="More",
            help="D sees (x − m)/s and G outputs m + s·g, with m, s from the training data.",
        ),
        _ranged(
            "steps",
            "steps",
            "number",
            1,
            1_000_000,
            group="Run",
            step=500,
            help="Generator updates in the budget. A new budget means a new run.",
        ),
        _ranged("seed", "seed", "number", 0, SEED_MAX, group="Run"),
        _ranged(
            "n_seeds",
            "number of seeds",
            "slider",
            1,
            32,
            group="Run",
            url="seeds",
            help="Seeds train together as one batched program; charts show the median and range.",
        ),
    ]
}
RANGES: dict[str, tuple[float, float]] = {n: f.range for n, f in FIELDS.items() if f.range}
CHOICES: dict[str, tuple[str, ...]] = {n: f.choices for n, f in FIELDS.items() if f.choices}
INTEGER_FIELDS = {f.name for f in dataclasses.fields(TrainConfig) if f.type == "int"}
GROUPS = ("Data", "Networks", "Training", "Run", "More")


def label(name: str, variant: str | None = None) -> str:
    """A field's name in words; a variant's own name for its D steps (k, n_critic)."""
    if name == "d_steps" and variant is not None:
        return VARIANTS[variant].steps_label
    return FIELDS[name].label if name in FIELDS else name.replace("_", " ")


def fmt(v) -> str:
    """A setting's value in words: 10,000 · 0.001 · on/off · a target's name."""
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:g}"
    return getattr(v, "name", str(v))


def changes(old: TrainConfig, new: TrainConfig) -> list[str]:
    """What differs between two configs, in words: 'G learning rate 0.001 → 0.01'."""
    out = []
    for f in dataclasses.fields(old):
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a == b:
            continue
        if f.name == "target" and a.name == b.name:
            out.append(f"target {a.name} → {b.name} (edited)")
        else:
            out.append(f"{label(f.name)} {fmt(a)} → {fmt(b)}")
    return out


def validate(cfg: TrainConfig) -> list[str]:
    """Every problem with `cfg`, in words a student understands; empty when it can run."""
    problems: list[str] = []
    for name, allowed in CHOICES.items():
        value = getattr(cfg, name)
        if value not in allowed:
            problems.append(f"{label(name)} '{excerpt(value)}' is not one of: {', '.join(allowed)}")
    for name, (lo, hi) in RANGES.items():
        value = getattr(cfg, name)
        if name in INTEGER_FIELDS and (isinstance(value, bool) or not isinstance(value, int)):
            problems.append(f"{label(name)} must be a whole number (got {excerpt(value)})")
        elif not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(f"{label(name)} must be a number (got {excerpt(value)})")
        elif not lo <= value <= hi:
            problems.append(f"{label(name)} {excerpt(fmt(value))} is outside {fmt(lo)} … {fmt(hi)}")
    target: object = cfg.target  # __post_init__ checks whatever a caller passed, typed or not
    if not isinstance(target, Target):
        problems.append("target must be a built-in name, a custom mixture or uploaded data")
    elif (why := float32_problem(target)) is not None:  # however the target was built
        problems.append(f"target {excerpt(target.name)}: {why}")
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
    problems = [f"unknown setting '{excerpt(u)}'" for u in unknown[:3]]
    if len(unknown) > 3:  # a pasted file of 100 000 keys gets a short message
        problems.append(f"and {len(unknown) - 3:,} more unknown settings")
    if "target" in fields:
        try:
            fields["target"] = user_targets.get(fields["target"])
        except TargetError as exc:
            problems.append(f"target: {exc}")
    if problems:
        raise ConfigError(problems)
    return TrainConfig(**fields)


def load_json(text: str):
    """json.loads, with every way it fails said in words as a ConfigError."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError([f"not valid JSON ({exc.msg} at line {exc.lineno})"]) from None
    except RecursionError:  # json's C parser recurses once per [ or {
        raise ConfigError(["the JSON is nested too deeply to read"]) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise ConfigError([f"not valid JSON ({excerpt(str(exc))})"]) from None


def from_json(text: str) -> TrainConfig:
    """A config saved with `to_json`, validated like any other; never executed or unpickled."""
    data = load_json(text)
    if not isinstance(data, dict):
        raise ConfigError(["the JSON must be an object of settings"])
    return make(**data)


# What a preset sets: the whole optimisation recipe (a field it does not name goes back to the
# TrainConfig default, so "paper" after "tuned" drops the EMA), plus the data and network sizes
# it was measured with when it names them (WGAN-GP's tuned critic). Target, seeds, budget and
# every size a preset does not name stay the user's.
RECIPE = (
    "g_opt",
    "d_opt",
    "lr_g",
    "lr_d",
    "beta1",
    "beta2",
    "d_steps",
    "g_loss",
    "clip",
    "gp_lambda",
    "r1_gamma",
    "ema",
    "lr_decay",
)
MEASURED_WITH = ("batch_size", "data_size", "d_layers", "d_width")


def preset(variant: str, name: str = "tuned", **overrides) -> TrainConfig:
    """The named preset of a variant from the defaults, with any further overrides."""
    return make(variant=variant, **{**_preset_fields(variant, name), **overrides})


def apply_preset(cfg: TrainConfig, name: str) -> TrainConfig:
    """cfg with the named preset of its variant applied: every RECIPE field, and the
    MEASURED_WITH fields the preset names; every other field as cfg has it."""
    fields = _preset_fields(cfg.variant, name)
    recipe = {f: fields.get(f, getattr(TrainConfig, f)) for f in RECIPE}
    return cfg.replace(**recipe, **preset_sizes(cfg.variant, name))


def preset_sizes(variant: str, name: str) -> dict:
    """The MEASURED_WITH fields a preset names (the data and network sizes it was measured
    with), which applying it sets; a size it does not name stays the user's."""
    fields = _preset_fields(variant, name)
    return {f: fields[f] for f in MEASURED_WITH if f in fields}


def _preset_fields(variant: str, name: str) -> dict:
    if variant not in PRESETS:
        raise ConfigError([f"variant '{variant}' is not one of: {', '.join(PRESETS)}"])
    if name not in PRESETS[variant]:
        raise ConfigError([f"preset '{name}' is not one of: {', '.join(PRESETS[variant])}"])
    return PRESETS[variant][name]
