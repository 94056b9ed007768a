"""Inverse-transform sampling and the 1-D optimal transport map T(z) = F⁻¹(Φ(z))."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from scipy import stats

from ganlab.targets import EmpiricalTarget, MixtureTarget, ScipyTarget, Target

LATENTS = ("normal", "uniform")

# Φ(z) is clipped to [ε, 1 − ε] before F⁻¹ so unbounded targets stay finite in the tails:
# |z| beyond ≈ 7 (normal latent) maps to the target's 1e-12 / 1 − 1e-12 quantile.
_U_EPS = 1e-12


def inverse_transform(target: Target, n: int, rng: np.random.Generator):
    """(u, x): u ~ Uniform[0, 1) from `rng`, x = F⁻¹(u). If U is uniform, F⁻¹(U) has CDF F —
    the whole idea a 1-D generator rediscovers. (u = 0 has probability 2⁻⁵³.)"""
    u = rng.random(n)
    return u, np.asarray(target.ppf(u), dtype=float)


def exponential_ppf(u, rate: float = 1.0):
    """F⁻¹(u) = −ln(1 − u)/λ; log1p keeps the digits for small u, where 1 − u rounds."""
    return -np.log1p(-np.asarray(u, dtype=float)) / rate


def exponential_cdf(x, rate: float = 1.0):
    """F(x) = 1 − e^(−λx) for x ≥ 0, else 0; expm1 keeps the digits for small x."""
    x = np.asarray(x, dtype=float)
    return np.where(x >= 0, -np.expm1(-rate * np.maximum(x, 0.0)), 0.0)


def _param(target: ScipyTarget, name: str, default: float) -> float:
    return float(dict(target.params).get(name, default))


def _normal_formula(t):
    loc, scale = _param(t, "loc", 0.0), _param(t, "scale", 1.0)
    return f"μ + σ·Φ⁻¹(u) = {loc:g} + {scale:g}·Φ⁻¹(u)"


def _uniform_formula(t):
    loc, scale = _param(t, "loc", 0.0), _param(t, "scale", 1.0)
    return f"a + (b − a)·u = {loc:g} + {scale:g}·u"


def _exponential_formula(t):
    loc, rate = _param(t, "loc", 0.0), 1.0 / _param(t, "scale", 1.0)
    if loc:
        return f"x₀ − ln(1 − u)/λ = {loc:g} − ln(1 − u)/{rate:g}"
    return f"−ln(1 − u)/λ = −ln(1 − u)/{rate:g}"


# Keyed by scipy.stats family name: the families whose quantile function is elementary.
_FORMULAS = {"norm": _normal_formula, "uniform": _uniform_formula, "expon": _exponential_formula}


def closed_form_ppf(target: Target) -> str | None:
    """A readable formula for F⁻¹(u), with the target's numbers filled in, or None when there
    is none (mixtures are inverted numerically, data sets use empirical quantiles)."""
    if isinstance(target, ScipyTarget) and target.family in _FORMULAS:
        return _FORMULAS[target.family](target)
    return None


def ppf_method(target: Target) -> str:
    """How `target.ppf` is computed, in words: the formula, or how it is done without one."""
    formula = closed_form_ppf(target)
    if formula is not None:
        return f"closed form: {formula}"
    if isinstance(target, MixtureTarget):
        return "numeric inversion of the CDF (bisection)"
    if isinstance(target, EmpiricalTarget):
        return "empirical quantiles (linear between order statistics)"
    return "scipy's quantile function"


def _check_latent(latent: str) -> None:
    if latent not in LATENTS:
        raise ValueError(f"unknown latent '{latent}'; choose one of {', '.join(LATENTS)}")


def latent_quantiles(latent: str = "normal", m: int = 201) -> np.ndarray:
    """m latent values at the quantile midpoints (i + ½)/m: equally likely points, so a mean
    over them is an expectation over the latent (for a monotone G, mean |G − T| is then W1)."""
    _check_latent(latent)
    u = (np.arange(m) + 0.5) / m
    return stats.norm.ppf(u) if latent == "normal" else u


def mirror(z, latent: str = "normal") -> np.ndarray:
    """The latent reflected about its centre, −z for N(0, 1) and 1 − z for U(0, 1): it has the
    same law, so T(mirror(z)) is the other (decreasing) map onto the target."""
    _check_latent(latent)
    z = np.asarray(z, dtype=float)
    return -z if latent == "normal" else 1.0 - z


def optimal_map(target: Target, z, latent: str = "normal") -> np.ndarray:
    """T(z) = F⁻¹(Φ(z)) for z ~ N(0, 1), or F⁻¹(z) for z ~ U(0, 1): the increasing map that
    pushes the latent onto the target, and the one moving mass least (1-D optimal transport).
    A generator with latent dim 1 that fits the target perfectly is this map or its mirror."""
    _check_latent(latent)
    z = np.asarray(z, dtype=float)
    u = stats.norm.cdf(z) if latent == "normal" else z
    return np.asarray(target.ppf(np.clip(u, _U_EPS, 1 - _U_EPS)), dtype=float)


def map_distance(g_of_z, z, target: Target, latent: str = "normal") -> dict:
    """How far a learned 1-D map G is from the optimal maps, on the grid z.

    Returns {"to_increasing": mean |G(z) − T(z)|, "to_decreasing": mean |G(z) − T̃(z)|,
    "closer": "increasing" | "decreasing", "distance": the smaller of the two}, where
    T̃(z) = T(−z) for a normal latent and F⁻¹(1 − z) for a uniform one. Both push the latent onto
    the target (the latent is symmetric), so a generator that learned T̃ is just as good. With z
    drawn from the latent and G monotone, the matching distance is W1(G's law, target)."""
    _check_latent(latent)
    z = np.asarray(z, dtype=float)
    g = np.asarray(g_of_z, dtype=float).reshape(z.shape)
    to_inc = float(np.mean(np.abs(g - optimal_map(target, z, latent))))
    to_dec = float(np.mean(np.abs(g - optimal_map(target, mirror(z, latent), latent))))
    closer = "increasing" if to_inc <= to_dec else "decreasing"
    return {
        "to_increasing": to_inc,
        "to_decreasing": to_dec,
        "closer": closer,
        "distance": min(to_inc, to_dec),
    }


def _best_time(draw, seed: int, repeats: int):
    """Best wall time of `repeats` draws (the least disturbed by other work) and the samples;
    each repeat reseeds, so every repeat draws the same numbers."""
    best, x = np.inf, None
    for _ in range(repeats):
        rng = np.random.default_rng(seed)
        start = time.perf_counter()
        x = draw(rng)
        best = min(best, time.perf_counter() - start)
    return best, np.asarray(x, dtype=float)


def sample_row(method: str, x, target: Target, seconds: float, n_made: int) -> dict:
    """One row of the sampler comparison (columns as in `sampler_benchmark`): distances of the
    samples x to the target, and speed as n_made samples in `seconds`."""
    x = np.asarray(x, dtype=float)
    ks = stats.kstest(x, target.cdf)
    return {
        "method": method,
        "w1": float(stats.wasserstein_distance(x, target.quantile_grid())),
        "ks_statistic": float(ks.statistic),
        "ks_pvalue": float(ks.pvalue),
        "mean_error": float(np.mean(x) - target.mean),
        "std_error": float(np.std(x) - target.std),
        "samples_per_s": n_made / max(seconds, 1e-9),
    }


def sampler_benchmark(
    target: Target, n: int = 20_000, seed: int = 0, repeats: int = 3
) -> pd.DataFrame:
    """Compare "inverse transform" (F⁻¹ of uniforms) with "library sampler" (`target.sample`).

    Columns: `method`; `w1` (scipy W1 to the target's quantile grid), `ks_statistic` and
    `ks_pvalue` (scipy `kstest` against the target's CDF), `mean_error` and `std_error`
    (sample minus target, signed), `samples_per_s` (n / best of `repeats` timings). For an
    empirical target the library sampler *is* inverse transform, so the rows agree. At a fixed
    seed the inverse-transform KS statistic is the same for every continuous target: KS is
    invariant under the increasing map F⁻¹, so it only ever measures the uniforms.
    """
    samplers = {
        "inverse transform": lambda rng: inverse_transform(target, n, rng)[1],
        "library sampler": lambda rng: target.sample(n, rng),
    }
    rows = []
    for method, draw in samplers.items():
        seconds, x = _best_time(draw, seed, repeats)
        rows.append(sample_row(method, x, target, seconds, n))
    return pd.DataFrame(rows)


def generator_rows(runs, target: Target, n: int = 20_000, repeats: int = 3) -> list[dict]:
    """`sample_row`s for the trained generators among `runs` (training.Run) on this target:
    distances from the first seed's n samples, speed over all K seeds' (best of `repeats`, as
    `sampler_benchmark` times the samplers). Untrained runs, and runs whose first seed gives
    non-finite samples (diverged), get no row."""
    rows = []
    for run in runs:
        if run.cfg.target != target or run.step == 0:
            continue
        # Run.samples draws from a fixed latent, so the reseeded rng goes unused.
        seconds, x = _best_time(lambda _rng, run=run: run.samples(n), 0, repeats)  # (K, n)
        if np.all(np.isfinite(x[0])):
            name = f"GAN: {run.cfg.variant}, latent {run.cfg.latent_dim}, step {run.step:,}"
            rows.append(sample_row(name, x[0], target, seconds, x.size))
    return rows
