"""Target distributions: 1-D laws with sample, pdf, cdf, ppf, moments and a plot range."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import stats


class TargetError(ValueError):
    """A target specification or uploaded data set that cannot be used, said in plain words."""


@dataclass(frozen=True)
class Target:
    """Common interface; subclasses are frozen so a target can key a cache by value."""

    name: str

    # --- the five things every target answers -------------------------------------------
    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self.ppf(rng.random(n))

    def pdf(self, x):
        raise NotImplementedError

    def cdf(self, x):
        raise NotImplementedError

    def ppf(self, u):
        raise NotImplementedError

    @property
    def mean(self) -> float:
        raise NotImplementedError

    @property
    def std(self) -> float:
        raise NotImplementedError

    @property
    def description(self) -> str:
        """The law in words, for captions ("N(4, 0.5): one mode, the easy case"); subclasses
        keep it as a field."""
        raise NotImplementedError

    # --- derived ------------------------------------------------------------------------
    @property
    def components(self) -> tuple[tuple[float, float, float], ...] | None:
        """(weight, mean, std) of each mixture component, or None for a single-law target."""
        return None

    @cached_property
    def plot_range(self) -> tuple[float, float]:
        """Where nearly all the mass is, padded by 10% each side, so charts share one x axis
        (kept: a ppf by bisection costs ~20 ms, and a live view asks several times a second)."""
        lo, hi = (float(v) for v in self.ppf(np.array([5e-4, 1 - 5e-4])))
        pad = 0.1 * (hi - lo)
        return lo - pad, hi + pad

    def quantile_grid(self, m: int = 10_000) -> np.ndarray:
        """m equally weighted points at the quantile midpoints: the target as a sample with no
        sampling noise (W1 between it and the true law is O(1/m))."""
        return _quantile_grid(self, m)

    def to_spec(self) -> dict:
        """A JSON-able description that `target_from_spec` turns back into this target."""
        raise NotImplementedError


_GRID_CACHE: dict[tuple[Target, int], np.ndarray] = {}


def _quantile_grid(target: Target, m: int) -> np.ndarray:
    key = (target, m)
    if key not in _GRID_CACHE:
        if len(_GRID_CACHE) > 64:  # bounded: user targets come and go
            _GRID_CACHE.clear()
        grid = target.ppf((np.arange(m) + 0.5) / m)
        grid.setflags(write=False)
        _GRID_CACHE[key] = grid
    return _GRID_CACHE[key]


# The CDF is strictly increasing, so halving the bracket always converges: 60 halvings of the
# widest allowed bracket (≈ 8.2e7: |μ|, σ ≤ 1e6 (MAX_ABS), ±40σ) reach 7e-11, far inside the 1e-6
# asked for; relative to the narrowest std allowed beside it (MIN_STD_RATIO) the bracket ends
# below 1e-12 of a std.
BISECTIONS = 60


def bisect(cdf, u, lo: float, hi: float, steps: int = BISECTIONS, iterates: bool = False):
    """x with cdf(x) = u for an increasing cdf, by halving [lo, hi] `steps` times (vectorised
    over u); x is the last bracket's midpoint. With iterates=True returns (x, iterates), where
    iterates holds arrays of shape (steps + 1, *u.shape): `lo`, `hi` and `f_mid` = cdf(midpoint)
    of the bracket after 0, 1, …, steps halvings (the last costs one extra cdf evaluation)."""
    u = np.asarray(u, dtype=float)
    left, right = np.full(u.shape, float(lo)), np.full(u.shape, float(hi))  # the bracket, per u
    seen: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for _ in range(steps):
        mid = 0.5 * (left + right)
        f_mid = cdf(mid)
        if iterates:
            seen.append((left, right, f_mid))
        below = f_mid < u
        left = np.where(below, mid, left)
        right = np.where(below, right, mid)
    x = 0.5 * (left + right)
    if not iterates:
        return x
    seen.append((left, right, cdf(x)))
    los, his, f_mids = zip(*seen, strict=True)
    return x, {"lo": np.stack(los), "hi": np.stack(his), "f_mid": np.stack(f_mids)}


@dataclass(frozen=True)
class ScipyTarget(Target):
    """A law scipy.stats already knows; the formulas are scipy's, not ours."""

    family: str = "norm"
    params: tuple[tuple[str, float], ...] = ()
    description: str = ""
    builtin: bool = field(default=False, compare=False)

    @cached_property
    def dist(self):
        return getattr(stats, self.family)(**dict(self.params))

    def sample(self, n, rng):
        return self.dist.rvs(size=n, random_state=rng)

    def pdf(self, x):
        return self.dist.pdf(x)

    def cdf(self, x):
        return self.dist.cdf(x)

    def ppf(self, u):
        return self.dist.ppf(u)

    @property
    def mean(self):
        return float(self.dist.mean())

    @property
    def std(self):
        return float(self.dist.std())

    def to_spec(self):
        if self.builtin:
            return {"builtin": self.name}
        return {"scipy": self.family, "params": dict(self.params), "name": self.name}


@dataclass(frozen=True)
class MixtureTarget(Target):
    """Σ wₖ·N(μₖ, σₖ); ppf inverts the CDF numerically (vectorised bisection)."""

    weights: tuple[float, ...] = (1.0,)
    means: tuple[float, ...] = (0.0,)
    stds: tuple[float, ...] = (1.0,)
    description: str = ""
    builtin: bool = field(default=False, compare=False)

    @property
    def components(self):
        return tuple(zip(self.weights, self.means, self.stds, strict=True))

    @cached_property
    def _arrays(self):
        return np.array(self.weights), np.array(self.means), np.array(self.stds)

    def sample(self, n, rng):
        w, m, s = self._arrays
        k = rng.choice(len(w), size=n, p=w)
        return rng.normal(m[k], s[k])

    def pdf(self, x):
        w, m, s = self._arrays
        x = np.asarray(x, dtype=float)
        return np.sum(w * stats.norm.pdf(x[..., None], m, s), axis=-1)

    def cdf(self, x):
        w, m, s = self._arrays
        x = np.asarray(x, dtype=float)
        return np.sum(w * stats.norm.cdf(x[..., None], m, s), axis=-1)

    @property
    def bracket(self) -> tuple[float, float]:
        """Where ppf's bisection starts: 40σ beyond the outermost components, where F is 0 and 1
        to double precision, so every u in (0, 1) starts inside it."""
        _, m, s = self._arrays
        return float(np.min(m - 40 * s)), float(np.max(m + 40 * s))

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        x = bisect(self.cdf, u, *self.bracket)
        x = np.where(u <= 0, -np.inf, x)
        return np.where(u >= 1, np.inf, x)

    def ppf_iterates(self, u: float) -> dict[str, np.ndarray]:
        """ppf's own bisection for one u, bracket by bracket (see `bisect`): the teaching
        picture, and its last midpoint is ppf(u) to the bit."""
        return bisect(self.cdf, u, *self.bracket, iterates=True)[1]

    @property
    def mean(self):
        w, m, _ = self._arrays
        return float(np.sum(w * m))

    @property
    def std(self):
        w, m, s = self._arrays
        second = np.sum(w * (s**2 + m**2))
        return float(math.sqrt(second - self.mean**2))

    def to_spec(self):
        if self.builtin:
            return {"builtin": self.name}
        return {"mixture": [list(c) for c in self.components]}


@dataclass(frozen=True)
class EmpiricalTarget(Target):
    """The law of a data set: ppf is the empirical quantile function (linear between order
    statistics), cdf its inverse, pdf a Gaussian KDE for drawing."""

    values: tuple[float, ...] = ()
    description: str = ""

    @cached_property
    def _sorted(self) -> np.ndarray:
        return np.sort(np.array(self.values, dtype=float))

    @cached_property
    def _u(self) -> np.ndarray:
        return np.linspace(0.0, 1.0, len(self.values))

    @cached_property
    def _kde(self):
        return stats.gaussian_kde(self._sorted)

    def pdf(self, x):
        x = np.asarray(x, dtype=float)
        return self._kde(x.ravel()).reshape(x.shape)

    def cdf(self, x):
        return np.interp(x, self._sorted, self._u, left=0.0, right=1.0)

    def ppf(self, u):
        return np.interp(u, self._u, self._sorted)

    @property
    def mean(self):
        # The law whose quantile function is piecewise linear: n-1 uniform pieces of equal mass.
        a, b = self._sorted[:-1], self._sorted[1:]
        return float(np.mean((a + b) / 2))

    @property
    def std(self):
        return self._std

    @cached_property
    def _std(self) -> float:  # config.validate asks for it on every config: computed once
        # Each piece is uniform on [a, b]: E[(X − μ)²] = mean of (a'² + a'b' + b'²)/3 with
        # a' = a − μ. Centred and scaled by the largest |a'| first, so neither values near 1e5
        # (cancellation) nor values near 1e-300 (squares underflow) lose the spread.
        a, b = self._sorted[:-1] - self.mean, self._sorted[1:] - self.mean
        r = float(max(np.max(np.abs(a)), np.max(np.abs(b)))) or 1.0
        a, b = a / r, b / r
        return r * float(math.sqrt(np.mean((a * a + a * b + b * b) / 3)))

    @property
    def plot_range(self):
        lo, hi = float(self._sorted[0]), float(self._sorted[-1])
        pad = 0.1 * (hi - lo)
        return lo - pad, hi + pad

    def to_spec(self):
        return {"data": list(self.values)}


# --- what 32-bit training can represent ----------------------------------------------------------
# The engine trains in float32: about 7 significant digits, normal numbers from 1.2e-38 up to
# 3.4e38. It standardises the data as (x − mean)/std in float32, so a value's rounding error is
# ≈ |x|·6e-8; a std ≥ 1e-4·|x| keeps that under 0.1 % of a std, far below the sampling noise of
# every distance shown (W1's floor is ≈ 1 % of a std at 10 000 samples). The absolute bounds
# keep the rest finite with room to spare: with standardize off D sees raw x (|x| ≤ 1e6), and
# WGAN-GP's penalty measures slopes in data units, (slope/std)² with 1/std ≤ 1e6.
MAX_ABS = 1e6
MIN_STD = 1e-6
MIN_STD_RATIO = 1e-4
F32 = "cannot be trained in 32-bit floats"


def values_problem(size: float, std: float, where: str = "") -> str | None:
    """Why values up to `size` (largest |x|) with standard deviation `std` cannot be trained in
    float32, in words; None when they can. `where` names the largest value ("value 51")."""
    at = f" ({where})" if where else ""
    if not size <= MAX_ABS:  # NaN and inf too
        return (
            f"values up to {size:.3g}{at} {F32}: keep every |x| ≤ {MAX_ABS:g} "
            f"and the spread (std) ≥ {MIN_STD:g}, e.g. by changing the unit"
        )
    if not std >= MIN_STD:
        return (
            f"a spread (std) of {std:.3g} {F32}: keep it ≥ {MIN_STD:g} and every |x| ≤ "
            f"{MAX_ABS:g}, e.g. by changing the unit"
        )
    if std < MIN_STD_RATIO * size * (1 - 1e-9):  # the bound itself passes, rounding aside
        return (
            f"a spread (std) of {std:.3g} around values up to {size:.3g}{at} {F32}, which keep "
            f"about 7 digits: keep the std ≥ {MIN_STD_RATIO:g} × the largest |x|, e.g. by "
            "subtracting a constant near the values first"
        )
    return None


def component_problems(components) -> list[str]:
    """Why the (weight, mean, std) rows of a mixture cannot be trained in float32, one message
    per row (counted from 1); rows of weight 0 are left out of training, so out of the check.
    Each std must resolve at the scale of the whole mixture (its largest |mean| or std), since
    training standardises by the mixture's spread."""
    rows = [(i, float(m), float(s)) for i, (w, m, s) in enumerate(components, start=1) if w != 0]
    problems: list[str] = []
    for i, m, s in rows:
        if not (math.isfinite(m) and math.isfinite(s)):
            problems.append(f"row {i}: mean and std must be finite numbers")
        elif abs(m) > MAX_ABS:
            problems.append(f"row {i}: mean {m:.3g} {F32}: keep |mean| ≤ {MAX_ABS:g}")
        elif not MIN_STD <= s <= MAX_ABS:
            problems.append(
                f"row {i}: std {s:.3g} {F32}: keep it between {MIN_STD:g} and {MAX_ABS:g}"
            )
    if problems or not rows:
        return problems
    scale = max(max(abs(m), s) for _, m, s in rows)
    for i, _, s in rows:
        if s < MIN_STD_RATIO * scale * (1 - 1e-9):
            problems.append(
                f"row {i}: std {s:.3g} next to means or stds up to {scale:.3g} {F32}, which keep "
                f"about 7 digits: keep each std ≥ {MIN_STD_RATIO:g} × {scale:.3g} = "
                f"{MIN_STD_RATIO * scale:.3g}"
            )
    return problems


def float32_problem(target: Target) -> str | None:
    """Why float32 training cannot represent `target`, in words; None when it can. The check
    `config.validate` runs on every target, however it was built."""
    with np.errstate(all="ignore"):
        if isinstance(target, MixtureTarget):
            w = np.array(target.weights, dtype=float)
            if not (np.isfinite(w).all() and (w >= 0).all() and abs(w.sum() - 1) < 1e-9):
                return "the mixture's weights must be ≥ 0 and add up to 1"
            problems = component_problems(target.components)
            return "; ".join(problems) if problems else None
        if isinstance(target, EmpiricalTarget):
            x = target._sorted
            if x.size < 2 or not np.isfinite(x).all():
                return "the data must be at least two finite numbers"
            return values_problem(max(abs(x[0]), abs(x[-1])), target.std)
        try:
            mean, std = target.mean, target.std
        except (ValueError, ArithmeticError, TypeError):
            return f"its mean and std cannot be computed, so it {F32}"
        return values_problem(max(abs(mean), std), std)


def _builtin_mixture(name, rows, description):
    w, m, s = zip(*rows, strict=True)
    return MixtureTarget(name, w, m, s, description=description, builtin=True)


# Rates an exponential target accepts: its mean 1/λ then stays within 0.01 … 100.
RATE_RANGE = (0.01, 100.0)


def exponential_target(rate) -> Target:
    """Exponential(rate λ) as a target; raises TargetError in words for an unusable rate. Rate
    0.5 is the built-in target itself, so runs trained on it elsewhere count as the same."""
    lo, hi = RATE_RANGE
    if rate is None or not math.isfinite(rate) or not lo <= rate <= hi:
        shown = "empty" if rate is None else f"{rate:g}"
        raise TargetError(
            f"rate λ = {shown} must be between {lo:g} and {hi:g} "
            "(λ > 0 so that the mean 1/λ is a positive number)"
        )
    if math.isclose(rate, 0.5):
        return TARGETS["exponential"]
    return ScipyTarget(
        f"exponential (rate {rate:g})",
        "expon",
        (("scale", 1.0 / rate),),
        description=f"Exponential(rate {rate:g}): mean {1 / rate:g}, long tail",
    )


TARGETS: dict[str, Target] = {
    "normal": ScipyTarget(
        "normal",
        "norm",
        (("loc", 4.0), ("scale", 0.5)),
        "N(4, 0.5): one mode, the easy case",
        builtin=True,
    ),
    "bimodal": _builtin_mixture(
        "bimodal", [(0.5, 2.0, 0.4), (0.5, 6.0, 0.4)], "½·N(2, 0.4) + ½·N(6, 0.4): two far modes"
    ),
    "uniform": ScipyTarget(
        "uniform",
        "uniform",
        (("loc", 2.0), ("scale", 4.0)),
        "U(2, 6): flat, with hard edges",
        builtin=True,
    ),
    "exponential": ScipyTarget(
        "exponential",
        "expon",
        (("scale", 2.0),),
        "Exponential(rate 0.5): skewed, long tail",
        builtin=True,
    ),
    "mixture": _builtin_mixture(
        "mixture",
        [(1 / 3, 1.5, 0.3), (1 / 3, 4.0, 0.4), (1 / 3, 7.0, 0.25)],
        "⅓·N(1.5, 0.3) + ⅓·N(4, 0.4) + ⅓·N(7, 0.25): three modes of different widths",
    ),
}
