"""Distances between generated samples and a target, against the true law where it is known."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

from ganlab.targets import EmpiricalTarget, Target

JS_BINS = 60
# Reference grid size: W1 and energy against the true law, not against another noisy sample.
GRID = 20_000
# A mode counts as covered when it holds at least this fraction of its own weight.
COVER_SHARE = 0.2
# A sample is "high quality" within this many stds of some component (Unrolled GAN, VEEGAN).
HQ_SIGMAS = 3.0
# A seed has collapsed when it misses a mode or its spread shrinks below this fraction.
COLLAPSE_STD_RATIO = 0.5


def bin_edges(target: Target, n_bins: int = JS_BINS) -> np.ndarray:
    lo, hi = target.plot_range
    return np.linspace(lo, hi, n_bins + 1)


def _binned(samples: np.ndarray, target: Target, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Bin probabilities of the samples and of the true target, with one overflow bin each
    side so mass outside the plot range counts as a difference instead of vanishing."""
    edges = np.concatenate([[-np.inf], bin_edges(target, n_bins), [np.inf]])
    p = np.histogram(samples, edges)[0] / len(samples)
    q = np.diff(target.cdf(edges))
    return p, q


def mode_stats(samples: np.ndarray, target: Target) -> dict | None:
    """Mode coverage for mixtures. A sample belongs to the component nearest in units of that
    component's std, |x − μₖ|/σₖ (PacGAN's rule), and counts only within 3σₖ of it."""
    comps = target.components
    if comps is None:
        return None
    w, m, s = (np.array(c) for c in zip(*comps, strict=True))
    z = np.abs(samples[:, None] - m) / s  # (n, K)
    nearest = np.argmin(z, axis=1)
    good = z[np.arange(len(samples)), nearest] <= HQ_SIGMAS
    shares = np.bincount(nearest[good], minlength=len(w)) / len(samples)
    return {
        "mode_shares": shares.tolist(),
        "mode_coverage": float(np.minimum(shares, w).sum()),
        "modes_covered": int(np.sum(shares >= COVER_SHARE * w)),
        "n_modes": len(w),
        "high_quality": float(good.mean()),
    }


def distances(samples, target: Target) -> dict:
    """Every distance from one sample set to the target, as plain floats."""
    x = np.asarray(samples, dtype=float).ravel()
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError("samples must be a non-empty array of finite numbers")
    grid = target.quantile_grid(GRID)
    mu, sd = float(x.mean()), float(x.std())
    p, q = _binned(x, target, JS_BINS)
    out = {
        "w1": float(stats.wasserstein_distance(x, grid)),
        "ks": float(stats.kstest(x, target.cdf).statistic),
        "js": float(jensenshannon(p, q, base=2) ** 2),
        "energy": float(stats.energy_distance(x, grid)),
        "frechet": (mu - target.mean) ** 2 + (sd - target.std) ** 2,
        "mean": mu,
        "std": sd,
        "mean_err": abs(mu - target.mean),
        "std_err": abs(sd - target.std),
    }
    modes = mode_stats(x, target)
    if modes is not None:
        out.update(modes)
    out["collapsed"] = is_collapsed(out, target)
    return out


def is_collapsed(d: dict, target: Target) -> bool:
    """The one rule for "collapsed": a mode is missing, or the spread is far below the target's."""
    missing = "modes_covered" in d and d["modes_covered"] < d["n_modes"]
    return bool(missing or d["std"] < COLLAPSE_STD_RATIO * target.std)


COLLAPSE_RULE = (
    f"collapsed = a mode holds < {COVER_SHARE:.0%} of its weight, "
    f"or std < {COLLAPSE_STD_RATIO:g} × the target's std"
)


def noise_floor(target: Target, n: int, reps: int = 7, seed: int = 0) -> dict:
    """What a perfect generator scores with n samples: the median distances of true samples.
    Shown beside measured distances so sampling noise is not read as a difference."""
    rng = np.random.default_rng(seed)
    rows = [distances(target.sample(n, rng), target) for _ in range(reps)]
    return {k: float(np.median([r[k] for r in rows])) for k in ("w1", "ks", "js", "energy")}


# One floor per (target, n), shared by every page and visitor in the process (a floor costs
# 7 full metric evaluations): least recently used first out, so memory stays bounded.
_FLOORS: OrderedDict[tuple, dict[str, float]] = OrderedDict()
_FLOORS_SIZE = 64
_FLOORS_LOCK = threading.Lock()  # Streamlit serves each visitor from its own thread


def noise_floor_cached(target: Target, n: int) -> dict[str, float]:
    """`noise_floor(target, n)` with its default reps and seed, computed once per (target, n):
    the one floor every page shows beside its distances. Returns a fresh dict each call."""
    law: tuple[str, str] | Target
    if isinstance(target, EmpiricalTarget):
        # Keyed by a digest of the data (up to 200 000 values), so the cache never holds them.
        data = np.asarray(target.values, dtype=float).tobytes()
        law = ("data", hashlib.sha256(data).hexdigest())
    else:
        law = target  # frozen dataclasses of tuples: equal and hashed by value
    key = (law, int(n))
    with _FLOORS_LOCK:
        if key in _FLOORS:
            _FLOORS.move_to_end(key)
            return dict(_FLOORS[key])
    floor = noise_floor(target, int(n))  # outside the lock: other visitors need not wait
    with _FLOORS_LOCK:
        _FLOORS[key] = floor
        while len(_FLOORS) > _FLOORS_SIZE:
            _FLOORS.popitem(last=False)
    return dict(floor)


def loss_volatility(curve, window: int = 200) -> float:
    """Std of the last `window` points of a loss curve: how much it still swings."""
    tail = np.asarray(curve, dtype=float)[-window:]
    tail = tail[np.isfinite(tail)]
    return float(tail.std()) if tail.size > 1 else float("nan")


def summarize(values) -> dict:
    """Median and spread (min–max) over seeds, ignoring diverged seeds' NaNs."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return {"median": np.nan, "lo": np.nan, "hi": np.nan, "n": 0}
    return {"median": float(np.median(v)), "lo": float(v.min()), "hi": float(v.max()), "n": v.size}
