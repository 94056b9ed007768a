"""Latent-space paths: lerp, slerp, norms along them, and the χ shell where N(0, I_d) lives."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

# Below this angle (or this close to π) sin θ is too small to divide by: the slerp weights
# lose ~1e-16/sin θ of accuracy, i.e. ~1e-10 here, so we switch to a stable path instead.
_ANGLE_EPS = 1e-6
# Floats per block when walking many paths (path_stats): a few MB, whatever n, T and d are.
_BLOCK = 1 << 19


def _prepare(z1, z2, t):
    """Broadcast to (*batch, T, d) pieces; the returned flag says whether t was a scalar."""
    z1, z2 = np.asarray(z1, dtype=float), np.asarray(z2, dtype=float)
    if z1.ndim not in (1, 2) or z2.ndim not in (1, 2) or z1.shape[-1] != z2.shape[-1]:
        raise ValueError(
            f"z1 and z2 must be (d,) or (n, d) with the same d; got {z1.shape} and {z2.shape}"
        )
    t = np.asarray(t, dtype=float)
    if t.ndim > 1:
        raise ValueError(f"t must be a scalar or a 1-D array; got shape {t.shape}")
    return z1[..., None, :], z2[..., None, :], np.atleast_1d(t)[:, None], t.ndim == 0


def _finish(out, scalar_t):
    return out[..., 0, :] if scalar_t else out


def _norm(x):
    return np.linalg.norm(x, axis=-1, keepdims=True)


def _angle(a, b):
    """Angle between unit vectors; Kahan's 2·atan2(‖a−b‖, ‖a+b‖) is accurate near 0 and π,
    where arccos of the dot product loses half the digits."""
    return 2.0 * np.arctan2(_norm(a - b), _norm(a + b))


def _arc(a, b, theta, t):
    """The standard slerp combination; callers guarantee sin θ is not tiny."""
    return (np.sin((1.0 - t) * theta) * a + np.sin(t * theta) * b) / np.sin(theta)


def _orthogonal(e):
    """A deterministic unit vector ⟂ e (d ≥ 2): the coordinate axis least aligned with e,
    Gram–Schmidt'ed against it. |e_k| ≤ 1/√d keeps the result's pre-norm ≥ 1/√2."""
    k = np.argmin(np.abs(e), axis=-1)[..., None]  # (..., 1)
    axis = (np.arange(e.shape[-1]) == k).astype(float)
    w = axis - np.take_along_axis(e, k, axis=-1) * e
    return w / _norm(w)


def lerp(z1, z2, t):
    """Linear interpolation (1 − t)·z1 + t·z2.

    Shapes: z1, z2 are (d,) or (n, d) (broadcast against each other); t is a scalar or a 1-D
    array of T points. Output: (d,) | (T, d) for unbatched, (n, d) | (n, T, d) for batched, the
    first of each pair for scalar t. t = 0 and t = 1 give z1 and z2 exactly.
    """
    a, b, tt, scalar = _prepare(z1, z2, t)
    return _finish((1.0 - tt) * a + tt * b, scalar)


def slerp(z1, z2, t):
    """Spherical interpolation sin((1−t)θ)/sin θ·z1 + sin(tθ)/sin θ·z2, θ = ∠(z1, z2)
    (Shoemake 1985; for GAN latents, Tom White, "Sampling Generative Networks", 2016).

    Shapes as in `lerp`. The formula keeps the norm only when ‖z1‖ = ‖z2‖. For θ ≤ π/2 the
    norm stays between the end norms; with unequal norms and an obtuse θ it can exceed the
    larger one, growing like |‖z2‖ − ‖z1‖|/sin θ as θ → π (so no limit exists there, and the
    antipodal path below is a choice, not a limit). Edge cases, each finite:
    - a zero vector, or nearly parallel vectors (θ < 1e-6): lerp (the arc is the chord there);
    - antipodal vectors (π − θ < 1e-6, d ≥ 2), where every great circle through z1 and z2 is
      as good and the formula is 0/0: the path turns from z1/‖z1‖ to w over t ∈ [0, ½] and from
      w to z2/‖z2‖ over [½, 1], w being `_orthogonal(z1/‖z1‖)` (the coordinate axis least
      aligned with z1, made orthogonal to it); the radius goes linearly from ‖z1‖ to ‖z2‖, so
      equal norms are kept;
    - d = 1: directions are ±1, there is no circle to walk on; same sign is the parallel case,
      opposite signs fall back to lerp (through 0), so slerp == lerp in 1-D.
    """
    a, b, tt, scalar = _prepare(z1, z2, t)
    n1, n2 = _norm(a), _norm(b)  # (*batch, 1, 1)
    zero = ~((n1 > 0) & (n2 > 0))
    e1 = a / np.where(n1 > 0, n1, 1.0)
    e2 = b / np.where(n2 > 0, n2, 1.0)
    theta = _angle(e1, e2)
    near_pi = np.pi - theta < _ANGLE_EPS
    general = ~(zero | (theta < _ANGLE_EPS) | near_pi)
    antipodal = near_pi & ~zero & (a.shape[-1] >= 2)

    out = (1.0 - tt) * a + tt * b  # lerp: the fallback for everything not handled below
    safe_theta = np.where(general, theta, np.pi / 2)  # never divide by a tiny sin θ
    out = np.where(general, _arc(a, b, safe_theta, tt), out)
    if np.any(antipodal):
        w = _orthogonal(e1)
        phi = np.where(antipodal, _angle(w, e2), np.pi / 2)  # ≈ π/2: well conditioned
        first = _arc(e1, w, np.pi / 2, 2.0 * tt)
        second = _arc(w, e2, phi, 2.0 * tt - 1.0)
        radius = (1.0 - tt) * n1 + tt * n2
        out = np.where(antipodal, radius * np.where(tt <= 0.5, first, second), out)
    return _finish(out, scalar)


METHODS = {"lerp": lerp, "slerp": slerp}


def shell(d: int, lo: float = 0.05, hi: float = 0.95) -> tuple[float, float, float]:
    """(median, lo-quantile, hi-quantile) of ‖z‖ for z ~ N(0, I_d): ‖z‖ ~ χ(d), whose mass
    concentrates near √d — the "shell" where almost every sample lies for large d."""
    chi = stats.chi(d)
    return float(chi.median()), float(chi.ppf(lo)), float(chi.ppf(hi))


def shell_norms(d: int, n: int, seed: int = 0) -> np.ndarray:
    """‖z‖ of n draws z ~ N(0, I_d) (χ(d)-distributed), from the stream [seed, 3]: the same
    norms as one (n, d) draw, but drawn in blocks of about _BLOCK floats so d = 4096 never
    holds n·d of them."""
    rng = np.random.default_rng([seed, 3])
    block = max(1, _BLOCK // d)
    return np.concatenate(
        [np.empty(0)]
        + [
            np.linalg.norm(rng.standard_normal((min(block, n - i), d)), axis=1)
            for i in range(0, n, block)
        ]
    )


def log_density(z) -> np.ndarray:
    """log N(z; 0, I_d) = −‖z‖²/2 − (d/2)·log 2π for z of shape (..., d); returns shape (...)."""
    z = np.asarray(z, dtype=float)
    return -0.5 * np.sum(z * z, axis=-1) - 0.5 * z.shape[-1] * np.log(2 * np.pi)


@dataclass(frozen=True, eq=False)
class PathStats:
    """Numbers along n paths, each walked at T points of t ∈ [0, 1]."""

    t: np.ndarray  # (T,)
    norms: np.ndarray  # (n, T) ‖z(t)‖
    norm_deviation: np.ndarray  # (n,) mean over t of |‖z(t)‖ − m| / m, m the χ(d) median
    min_log_density: np.ndarray  # (n,) lowest log N(z(t); 0, I) along the path
    outside_shell: np.ndarray  # (n,) share of path points with ‖z(t)‖ outside the 5–95 % band


def path_stats(z1, z2, n_points: int = 21, method: str = "slerp") -> PathStats:
    """Walk each pair (rows of z1, z2: (n, d) or (d,)) with METHODS[method] and measure it."""
    if method not in METHODS:
        raise ValueError(f"unknown method '{method}'; choose one of {', '.join(METHODS)}")
    z1, z2 = np.broadcast_arrays(np.atleast_2d(z1), np.atleast_2d(z2))
    t = np.linspace(0.0, 1.0, n_points)
    d = z1.shape[-1]
    # Walk the pairs in blocks of about _BLOCK floats: the whole (n, T, d) path at once is
    # 200 × 41 × 4096 doubles = 270 MB per temporary (~1 GB peak), too much for a hosted app.
    block = max(1, _BLOCK // (n_points * d))
    norm_blocks: list[np.ndarray] = []
    min_log: list[np.ndarray] = []
    for i in range(0, len(z1), block):
        path = METHODS[method](z1[i : i + block], z2[i : i + block], t)  # (b, T, d)
        norm_blocks.append(np.linalg.norm(path, axis=-1))  # (b, T)
        min_log.append(np.min(log_density(path), axis=1))
    norms = np.concatenate(norm_blocks)
    median, lo, hi = shell(d)
    return PathStats(
        t=t,
        norms=norms,
        norm_deviation=np.mean(np.abs(norms - median) / median, axis=1),
        min_log_density=np.concatenate(min_log),
        outside_shell=np.mean((norms < lo) | (norms > hi), axis=1),
    )


def compare_paths(d: int, n_pairs: int = 200, n_points: int = 21, seed: int = 0) -> pd.DataFrame:
    """lerp vs slerp on the same n_pairs random pairs z1, z2 ~ N(0, I_d), one row per method.

    Columns: `method`; `norm_deviation` (mean relative distance of ‖z(t)‖ from the χ median),
    `min_log_density` (lowest log-density along the path), `outside_shell` (share of path
    points outside the 5–95 % χ band), each averaged over pairs, and their standard deviation
    over pairs in `<column>_std`. N(0, I)'s density peaks at 0, so lerp's shrunken midpoints
    have *higher* density, not lower: the lowest density sits at the end points for both methods.
    What goes wrong with lerp is typicality (off the shell), which the other two columns show.
    Memory is bounded (paths are walked in blocks); the pairs themselves are 2·n_pairs·d floats.
    """
    rng = np.random.default_rng(seed)
    z1 = rng.standard_normal((n_pairs, d))
    z2 = rng.standard_normal((n_pairs, d))
    rows = []
    for method in METHODS:
        s = path_stats(z1, z2, n_points, method)
        row: dict[str, str | float] = {"method": method}
        for col in ("norm_deviation", "min_log_density", "outside_shell"):
            values = getattr(s, col)
            row[col] = float(np.mean(values))
            row[f"{col}_std"] = float(np.std(values))
        rows.append(row)
    return pd.DataFrame(rows)


def _plane_basis(z1, z2):
    """Orthonormal (u, v) of span(z1, z2); where that span is a line, v is the same direction
    `slerp` turns through, so the drawn arc stays in the picture."""
    u = z1 if np.linalg.norm(z1) > 0 else z2
    u = u / np.linalg.norm(u) if np.linalg.norm(u) > 0 else np.eye(len(z1))[0]
    if len(z1) == 1:
        return u, np.zeros(1)  # 1-D: no plane, everything lies on the u axis
    v = z2 - (z2 @ u) * u
    if np.linalg.norm(v) <= _ANGLE_EPS * np.linalg.norm(z2):
        return u, _orthogonal(u)
    return u, v / np.linalg.norm(v)


def plane_picture(z1, z2, n_points: int = 101) -> pd.DataFrame:
    """The plane spanned by one pair z1, z2 (each (d,)): the lerp chord, the slerp arc and the
    circle of radius median χ(d), in an orthonormal basis (u along z1). Columns `u`, `v`,
    `curve` ("lerp (chord)", "slerp (arc)", "shell (χ median)") and `order` (draw order).
    For d = 1 there is no plane: v = 0 on both paths, and the 1-D shell is where the circle
    crosses v = 0."""
    z1, z2 = np.asarray(z1, dtype=float), np.asarray(z2, dtype=float)
    if z1.ndim != 1 or z1.shape != z2.shape:
        raise ValueError(
            f"plane_picture takes one pair of (d,) vectors; got {z1.shape}, {z2.shape}"
        )
    u, v = _plane_basis(z1, z2)
    t = np.linspace(0.0, 1.0, n_points)
    radius = shell(len(z1))[0]
    angle = np.linspace(0.0, 2 * np.pi, n_points)
    curves = {
        "lerp (chord)": lerp(z1, z2, t) @ np.stack([u, v], axis=1),  # (T, 2)
        "slerp (arc)": slerp(z1, z2, t) @ np.stack([u, v], axis=1),
        "shell (χ median)": radius * np.stack([np.cos(angle), np.sin(angle)], axis=1),
    }
    return pd.concat(
        [
            pd.DataFrame({"u": xy[:, 0], "v": xy[:, 1], "curve": name, "order": np.arange(len(xy))})
            for name, xy in curves.items()
        ],
        ignore_index=True,
    )
