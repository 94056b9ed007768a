"""A study's search space: each sampled setting declared once with its distribution, checked
against the field declaration (config.FIELDS), and seeded sampling of configurations from it."""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np

from ganlab.config import CHOICES, FIELDS, INTEGER_FIELDS, RANGES, ConfigError, TrainConfig, make
from ganlab.user_targets import excerpt
from ganlab.variants import VARIANTS

DISTS = ("log-uniform", "uniform", "int-uniform", "choice")
# Settings a study fixes for every task rather than samples: what is compared, and the budget.
NOT_SAMPLED = ("variant", "target", "steps", "seed", "n_seeds")
# A setting that some variant lists among its knobs (clip, λ, γ, the G loss) is sampled only
# for the variants that list it; every other setting (learning rates, widths) for all of them.
KNOB_FIELDS = frozenset(k for v in VARIANTS.values() for k in v.knobs)
MAX_DIMS = 40
MAX_CHOICES = 50


class SpaceError(ValueError):
    """Every problem with a search space, in words, listed at once."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Dim:
    """One sampled setting: a config field and how its values are drawn."""

    field: str
    dist: str  # one of DISTS
    low: float = 0.0  # log-uniform, uniform, int-uniform: the closed interval [low, high]
    high: float = 0.0
    values: tuple = ()  # choice: drawn with equal probability

    def relevant(self, variant: str) -> bool:
        """Whether the variant has this setting: a knob field counts only for its variants."""
        return self.field not in KNOB_FIELDS or self.field in VARIANTS[variant].knobs

    def draw(self, rng: np.random.Generator):
        if self.dist == "choice":
            return self.values[int(rng.integers(len(self.values)))]
        if self.dist == "int-uniform":
            return int(rng.integers(int(self.low), int(self.high) + 1))
        if self.dist == "log-uniform":
            x = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            x = float(rng.uniform(self.low, self.high))
        # Three significant digits keep configurations readable (lr 0.00123) and change no
        # outcome measurably; clamped, so rounding never leaves the declared interval.
        return min(max(float(f"{x:.3g}"), self.low), self.high)

    def to_dict(self) -> dict:
        if self.dist == "choice":
            return {"field": self.field, "dist": self.dist, "values": list(self.values)}
        return {"field": self.field, "dist": self.dist, "low": self.low, "high": self.high}

    def words(self) -> str:
        if self.dist == "choice":
            return f"{self.field} ∈ {{{', '.join(str(v) for v in self.values)}}}"
        return f"{self.field} ~ {self.dist}[{self.low:g}, {self.high:g}]"


@dataclass(frozen=True)
class Space:
    """The sampled dims and the fixed settings every configuration shares."""

    dims: tuple[Dim, ...]
    fixed: tuple[tuple[str, object], ...] = ()  # sorted (field, value) pairs

    def to_dict(self) -> dict:
        return {"dims": [d.to_dict() for d in self.dims], "fixed": dict(self.fixed)}

    def for_variant(self, variant: str) -> tuple[Dim, ...]:
        return tuple(d for d in self.dims if d.relevant(variant))


# The default space, after Lucic et al. (2018)'s "wide" one scaled to 1-D: learning rates
# log-uniform over two decades (theirs 1e-5 … 1e-2; below 1e-4 nothing moves in a few thousand
# steps here), β₁ uniform, β₂ one of the values the papers use, D steps 1–5, each variant's
# own weight (clip, λ, γ) log-uniform over the span where it goes from no effect to dominating,
# widths and batches around the presets' (batch 512 left out: it doubles a study's cost).
DEFAULT_SPACE = Space(
    dims=(
        Dim("lr_g", "log-uniform", 1e-4, 1e-2),
        Dim("lr_d", "log-uniform", 1e-4, 1e-2),
        Dim("beta1", "uniform", 0.0, 0.9),
        Dim("beta2", "choice", values=(0.9, 0.99, 0.999)),
        Dim("d_steps", "int-uniform", 1, 5),
        Dim("clip", "log-uniform", 1e-3, 1.0),
        Dim("gp_lambda", "log-uniform", 1e-2, 100.0),
        Dim("r1_gamma", "log-uniform", 1e-2, 100.0),
        Dim("g_width", "choice", values=(16, 32, 64)),
        Dim("d_width", "choice", values=(16, 32, 64)),
        Dim("batch_size", "choice", values=(64, 128, 256)),
    ),
    # Shared by every variant, so only the sampled settings differ: Adam for all (as Lucic et
    # al.), a large data set and EMA sampling (both helped every variant in bench/quality.py).
    fixed=(("data_size", 10_000), ("ema", 0.999)),
)


def _number(field: str, v, what: str, problems: list[str]) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        problems.append(f"{field}: {what} must be a finite number (got {excerpt(v)})")
        return None
    if field in INTEGER_FIELDS and v != int(v):
        problems.append(f"{field}: {what} must be a whole number (got {excerpt(v)})")
        return None
    lo, hi = RANGES[field]
    if not lo <= v <= hi:
        problems.append(f"{field}: {what} {v:g} is outside the allowed range {lo:g} … {hi:g}")
        return None
    return int(v) if field in INTEGER_FIELDS else float(v)


def _dim(raw, problems: list[str]) -> Dim | None:
    if not isinstance(raw, dict):
        problems.append(f"a dim is an object {{field, dist, …}} (got {excerpt(raw)})")
        return None
    extra = sorted(set(raw) - {"field", "dist", "low", "high", "values"})
    field, dist = raw.get("field"), raw.get("dist")
    if not isinstance(field, str) or field not in FIELDS:
        problems.append(f"'{excerpt(field)}' is not a setting (see python -m ganlab train --help)")
        return None
    if field in NOT_SAMPLED:
        problems.append(f"{field} is fixed by the study (its own flag), not sampled")
        return None
    if extra:
        problems.append(f"{field}: unknown key '{excerpt(extra[0])}'")
        return None
    if dist not in DISTS:
        problems.append(f"{field}: dist '{excerpt(dist)}' is not one of {', '.join(DISTS)}")
        return None
    if dist == "choice":
        values = raw.get("values")
        if not isinstance(values, list) or not 1 <= len(values) <= MAX_CHOICES:
            problems.append(f"{field}: choice needs a list of 1 to {MAX_CHOICES} values")
            return None
        if field in CHOICES:
            bad = [v for v in values if v not in CHOICES[field]]
            if bad:
                problems.append(
                    f"{field}: '{excerpt(bad[0])}' is not one of {', '.join(CHOICES[field])}"
                )
                return None
            return Dim(field, dist, values=tuple(values))
        if field not in RANGES:
            problems.append(f"{field} is on/off: give it as a fixed setting")
            return None
        n = len(problems)
        clean = [_number(field, v, "a value", problems) for v in values]
        return None if len(problems) > n else Dim(field, dist, values=tuple(clean))
    if field not in RANGES:
        problems.append(f"{field} takes named values: use dist 'choice'")
        return None
    if dist == "int-uniform" and field not in INTEGER_FIELDS:
        problems.append(f"{field} is not a whole-number setting: use uniform or log-uniform")
        return None
    if field in INTEGER_FIELDS and dist != "int-uniform":
        problems.append(f"{field} is a whole number: use int-uniform or choice")
        return None
    n = len(problems)
    lo = _number(field, raw.get("low"), "low", problems)
    hi = _number(field, raw.get("high"), "high", problems)
    if len(problems) > n or lo is None or hi is None:
        return None
    if lo > hi:
        problems.append(f"{field}: low {lo:g} is above high {hi:g}")
        return None
    if dist == "log-uniform" and lo <= 0:
        problems.append(f"{field}: a log-uniform range must start above 0 (low {lo:g})")
        return None
    return Dim(field, dist, lo, hi)


def space_from_dict(raw) -> Space:
    """A Space from plain JSON data ({"dims": [...], "fixed": {...}}), every problem named;
    JSON only, never executed."""
    if not isinstance(raw, dict) or not isinstance(raw.get("dims"), list):
        raise SpaceError(['a search space is an object {"dims": [...], "fixed": {...}}'])
    extra = sorted(set(raw) - {"dims", "fixed"})
    problems = [f"search space: unknown key '{excerpt(k)}'" for k in extra[:1]]
    if not 1 <= len(raw["dims"]) <= MAX_DIMS:
        raise SpaceError([f"a search space needs 1 to {MAX_DIMS} dims (got {len(raw['dims'])})"])
    dims = [d for d in (_dim(r, problems) for r in raw["dims"]) if d is not None]
    names = [d.field for d in dims]
    twice = [f for f in dict.fromkeys(names) if names.count(f) > 1]
    problems += [f"{f} is declared twice" for f in twice[:1]]
    fixed = raw.get("fixed", {})
    if not isinstance(fixed, dict):
        problems.append("fixed must be an object of settings")
        fixed = {}
    for name in sorted(set(fixed) & (set(names) | set(NOT_SAMPLED))):
        problems.append(f"{excerpt(name)} is both fixed and sampled (or set by the study)")
    if problems:
        raise SpaceError(problems)
    space = Space(tuple(dims), tuple(sorted(fixed.items())))
    check(space)
    return space


def check(space: Space) -> None:
    """Every variant can build a valid config from the space's corners (fixed settings wrong,
    a batch larger than the data set): raises SpaceError before anything trains."""
    for variant in VARIANTS:
        for corner in (min, max):
            values = {
                d.field: corner(d.values) if d.dist == "choice" else corner(d.low, d.high)
                for d in space.for_variant(variant)
                if d.field not in CHOICES
            }
            try:
                make(variant=variant, **{**dict(space.fixed), **values})
            except ConfigError as exc:
                raise SpaceError([f"{variant}: {p}" for p in exc.problems]) from None


def _rng(study_seed: int, variant: str, index: int) -> np.random.Generator:
    # Configuration i of a variant depends on nothing else: a larger budget extends a study, and
    # adding a variant changes no other variant's draws.
    return np.random.default_rng([study_seed, zlib.crc32(variant.encode()), index])


def sample(space: Space, variant: str, index: int, study_seed: int) -> dict:
    """Configuration `index` of `variant`: {field: value} for each relevant dim, in order."""
    rng = _rng(study_seed, variant, index)
    return {d.field: d.draw(rng) for d in space.for_variant(variant)}


def config(space: Space, variant: str, sampled: dict, **fixed) -> TrainConfig:
    """The TrainConfig of a sampled configuration (fixed: target, steps, seed, n_seeds)."""
    return make(variant=variant, **{**dict(space.fixed), **sampled, **fixed})
