"""lerp/slerp against closed forms and scipy: norms, end points, edge cases, the χ shell."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import special, stats

from ganlab import interpolation
from ganlab.interpolation import (
    compare_paths,
    lerp,
    log_density,
    path_stats,
    plane_picture,
    shell,
    shell_norms,
    slerp,
)

T = np.linspace(0.0, 1.0, 11)


def _row_norms(z, t):
    """‖z_i‖ repeated along t: (n, T), for comparing with norms along paths."""
    return np.repeat(np.linalg.norm(z, axis=-1)[:, None], len(t), axis=1)


def _pairs(d, n=200, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal((n, d))


@pytest.mark.parametrize("d", [2, 3, 512])
def test_slerp_keeps_equal_norms(d):
    z1, z2 = _pairs(d)
    z2 *= np.linalg.norm(z1, axis=1, keepdims=True) / np.linalg.norm(z2, axis=1, keepdims=True)
    norms = np.linalg.norm(slerp(z1, z2, T), axis=-1)  # (n, T)
    np.testing.assert_allclose(norms, _row_norms(z1, T), rtol=1e-12)


def test_slerp_in_1d_is_lerp():
    # Equal norms in 1-D mean z2 = ±z1: same sign keeps the norm (the path stays put);
    # opposite signs have no circle to walk on, so the documented fallback is lerp through 0.
    z1 = np.random.default_rng(1).standard_normal((50, 1))
    np.testing.assert_allclose(np.abs(slerp(z1, z1, T))[..., 0], _row_norms(z1, T), rtol=1e-15)
    np.testing.assert_array_equal(slerp(z1, -z1, T), lerp(z1, -z1, T))
    z2 = np.random.default_rng(2).standard_normal((50, 1))
    np.testing.assert_array_equal(slerp(z1, z2, T), lerp(z1, z2, T))


@pytest.mark.parametrize("method", [lerp, slerp])
@pytest.mark.parametrize("d", [1, 2, 512])
def test_end_points_exact(method, d):
    z1, z2 = _pairs(d, n=20)
    path = method(z1, z2, T)
    np.testing.assert_allclose(path[:, 0], z1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(path[:, -1], z2, rtol=0, atol=1e-12)
    # ... also on the antipodal branch, where the path is built from directions and a radius
    path = method(z1, -2 * z1, T)
    np.testing.assert_allclose(path[:, 0], z1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(path[:, -1], -2 * z1, rtol=0, atol=1e-12)


def test_lerp_midpoint_of_orthogonal_unit_vectors():
    e1, e2 = np.eye(5)[0], np.eye(5)[3]
    assert np.linalg.norm(lerp(e1, e2, 0.5)) == pytest.approx(1 / np.sqrt(2), rel=1e-15)
    assert np.linalg.norm(slerp(e1, e2, 0.5)) == pytest.approx(1.0, rel=1e-15)
    # slerp of orthogonal unit vectors is cos(tπ/2)·e1 + sin(tπ/2)·e2
    np.testing.assert_allclose(
        slerp(e1, e2, T),
        np.cos(T * np.pi / 2)[:, None] * e1 + np.sin(T * np.pi / 2)[:, None] * e2,
        atol=1e-15,
    )


@pytest.mark.parametrize("d", [2, 3, 512])
def test_antipodal_is_finite_and_keeps_the_norm(d):
    z1, _ = _pairs(d, n=10)
    # exact, within 1e-6 rad of antipodal (special branch), and 1e-5 rad off (the formula)
    for eps in (0.0, 1e-9, 1e-4):
        z2 = -z1 + eps * np.eye(d)[0]
        z2 *= np.linalg.norm(z1, axis=1, keepdims=True) / np.linalg.norm(z2, axis=1, keepdims=True)
        path = slerp(z1, z2, T)
        assert np.all(np.isfinite(path))
        np.testing.assert_allclose(np.linalg.norm(path, axis=-1), _row_norms(z1, T), rtol=1e-9)
    # unequal norms: the radius goes linearly from ‖z1‖ to ‖z2‖
    path = slerp(z1, -3 * z1, T)
    np.testing.assert_allclose(
        np.linalg.norm(path, axis=-1), _row_norms(z1, T) * (1 + 2 * T), rtol=1e-12
    )


def test_parallel_and_zero_fall_back_to_lerp():
    z = np.array([0.3, -1.2, 2.0])
    cases = [(z, 2 * z), (z, z), (z, z * (1 + 1e-13)), (0 * z, z), (z, 0 * z), (0 * z, 0 * z)]
    for z1, z2 in cases:
        path = slerp(z1, z2, T)
        assert np.all(np.isfinite(path))
        np.testing.assert_allclose(path, lerp(z1, z2, T), atol=1e-12)


def test_shapes():
    z1, z2 = _pairs(7, n=4)
    assert lerp(z1[0], z2[0], 0.3).shape == slerp(z1[0], z2[0], 0.3).shape == (7,)
    assert lerp(z1[0], z2[0], T).shape == slerp(z1[0], z2[0], T).shape == (11, 7)
    assert lerp(z1, z2, 0.3).shape == slerp(z1, z2, 0.3).shape == (4, 7)
    assert lerp(z1, z2, T).shape == slerp(z1, z2, T).shape == (4, 11, 7)
    # batched rows are the unbatched answers
    np.testing.assert_allclose(slerp(z1, z2, T)[2], slerp(z1[2], z2[2], T), rtol=1e-15)
    with pytest.raises(ValueError):
        slerp(z1, z2[:, :3], T)


@pytest.mark.parametrize("d", [1, 2, 10, 512])
def test_shell_is_scipy_chi(d):
    med, lo, hi = shell(d, 0.05, 0.95)
    chi = stats.chi(d)
    assert med == chi.median() and lo == chi.ppf(0.05) and hi == chi.ppf(0.95)
    # and χ(d) is the law of ‖z‖: its quantiles are those of sqrt(χ²(d))
    assert med == pytest.approx(np.sqrt(stats.chi2(d).median()), rel=1e-12)


@pytest.mark.parametrize("d", [1, 3, 64, 4096])
def test_shell_norms_are_scipy_chi(d):
    n = 3000
    norms = shell_norms(d, n, seed=0)  # d = 4096: drawn in blocks of 128
    chi = stats.chi(d)
    assert norms.shape == (n,)
    assert stats.kstest(norms, chi.cdf).pvalue > 0.01
    # χ(d)'s stated moments: mean √2·Γ((d+1)/2)/Γ(d/2), variance d − mean²
    mean = np.sqrt(2) * np.exp(special.gammaln((d + 1) / 2) - special.gammaln(d / 2))
    assert mean == pytest.approx(chi.mean(), rel=1e-9)
    sd = np.sqrt(d - mean**2)
    assert abs(norms.mean() - mean) < 4 * sd / np.sqrt(n)
    _, lo, hi = shell(d)
    inside = np.mean((norms > lo) & (norms < hi))
    assert abs(inside - 0.9) < 4 * np.sqrt(0.9 * 0.1 / n)


def test_shell_norms_in_blocks_equal_one_draw():
    d, n = 4096, 300
    ref = np.linalg.norm(np.random.default_rng([5, 3]).standard_normal((n, d)), axis=1)
    np.testing.assert_array_equal(shell_norms(d, n, seed=5), ref)
    assert shell_norms(8, 0).shape == (0,)


def test_lerp_midpoints_fall_inside_the_shell_in_high_d():
    d = 512
    z1, z2 = _pairs(d, n=2000, seed=3)
    mid = np.linalg.norm(lerp(z1, z2, 0.5), axis=-1)
    # (z1 + z2)/2 ~ N(0, I/2), so ‖mid‖ ~ χ(d)/√2 with mean Γ((d+1)/2)/Γ(d/2) ≈ √(d/2)
    expected = np.exp(special.gammaln((d + 1) / 2) - special.gammaln(d / 2))
    assert expected == pytest.approx(np.sqrt(d / 2), rel=1e-3)
    se = stats.chi(d).std() / np.sqrt(2) / np.sqrt(len(mid))
    assert abs(mid.mean() - expected) < 4 * se
    med, lo, _ = shell(d)
    assert 1 - mid.mean() / med == pytest.approx(1 - 1 / np.sqrt(2), abs=0.003)  # ≈ 29 % inside
    assert np.all(mid < lo)  # not one midpoint is a typical sample


@pytest.mark.parametrize("d", [1, 2, 5])
def test_log_density_is_scipy_multivariate_normal(d):
    z = np.random.default_rng(4).standard_normal((3, 4, d)) * 2
    ref = stats.multivariate_normal(np.zeros(d), np.eye(d)).logpdf(z.reshape(-1, d))
    np.testing.assert_allclose(log_density(z), ref.reshape(3, 4), rtol=1e-12)


def test_path_stats_and_compare_paths():
    z1, z2 = _pairs(64, n=30)
    s = path_stats(z1, z2, n_points=9, method="lerp")
    assert s.norms.shape == (30, 9) and s.norm_deviation.shape == (30,)
    np.testing.assert_allclose(s.min_log_density, log_density(np.stack([z1, z2], 1)).min(1))
    table = compare_paths(d=256, n_pairs=100, n_points=11, seed=0)
    assert list(table["method"]) == ["lerp", "slerp"]
    assert set(table.columns) == {
        "method",
        "norm_deviation",
        "norm_deviation_std",
        "min_log_density",
        "min_log_density_std",
        "outside_shell",
        "outside_shell_std",
    }
    lerp_row, slerp_row = table.iloc[0], table.iloc[1]
    assert lerp_row.outside_shell > 0.6 > 0.2 > slerp_row.outside_shell
    assert lerp_row.norm_deviation > 3 * slerp_row.norm_deviation
    assert compare_paths(d=8, n_pairs=5, seed=1).equals(compare_paths(d=8, n_pairs=5, seed=1))


@pytest.mark.parametrize("method", ["lerp", "slerp"])
def test_path_stats_in_blocks_equals_all_at_once(method, monkeypatch):
    # path_stats walks pairs in blocks to bound memory; the blocks must not change any number.
    z1, z2 = _pairs(16, n=7)
    whole = path_stats(z1, z2, n_points=5, method=method)
    monkeypatch.setattr(interpolation, "_BLOCK", 2 * 5 * 16)  # two pairs per block
    parts = path_stats(z1, z2, n_points=5, method=method)
    for name in ("norms", "norm_deviation", "min_log_density", "outside_shell"):
        np.testing.assert_array_equal(getattr(parts, name), getattr(whole, name))
    # one (d,) vector against many pairs still broadcasts
    assert path_stats(z1[0], z2, n_points=5, method=method).norms.shape == (7, 5)


@pytest.mark.parametrize("d", [1, 2, 40])
def test_plane_picture(d):
    z1, z2 = _pairs(d, n=1, seed=5)
    pic = plane_picture(z1[0], z2[0], n_points=21)
    assert set(pic["curve"]) == {"lerp (chord)", "slerp (arc)", "shell (χ median)"}
    by = {name: g.sort_values("order") for name, g in pic.groupby("curve")}
    circle = by["shell (χ median)"]
    np.testing.assert_allclose(np.hypot(circle.u, circle.v), stats.chi(d).median(), rtol=1e-12)
    # the basis is orthonormal and the plane holds both paths, so norms survive projection
    t = np.linspace(0.0, 1.0, 21)
    for name, method in [("lerp (chord)", lerp), ("slerp (arc)", slerp)]:
        xy = by[name]
        norms = np.linalg.norm(method(z1[0], z2[0], t), axis=-1)
        np.testing.assert_allclose(np.hypot(xy.u, xy.v), norms, rtol=1e-9)
    assert np.allclose(by["lerp (chord)"][["u", "v"]].iloc[0], [np.linalg.norm(z1), 0.0])


# --- properties -------------------------------------------------------------------------

vectors = st.integers(2, 6).flatmap(
    lambda d: st.tuples(*[arrays(float, d, elements=st.floats(-10, 10)) for _ in range(2)])
)


@pytest.mark.slow  # ~3 s: 200 hypothesis examples
@settings(max_examples=200, deadline=None)
@given(vectors, st.floats(0, 1))
def test_slerp_with_equal_norms_stays_on_the_sphere(pair, t):
    z1, z2 = pair
    n1, n2 = np.linalg.norm(z1), np.linalg.norm(z2)
    assume(n1 > 1e-3 and n2 > 1e-3)
    z2 = z2 * (n1 / n2)
    assert np.linalg.norm(slerp(z1, z2, t)) == pytest.approx(n1, rel=1e-9)


@pytest.mark.slow  # ~3 s: 200 hypothesis examples
@settings(max_examples=200, deadline=None)
@given(vectors, st.floats(0, 1))
def test_slerp_norm_between_end_norms_for_acute_angles(pair, t):
    # With a = sin((1−t)θ)/sin θ, b = sin(tθ)/sin θ we have a² + b² + 2ab·cos θ = 1 (the
    # equal-norm case), and for cos θ ≥ 0 every term is ≥ 0, so ‖z(t)‖ lies between the
    # end norms. For obtuse θ this fails (see the next test), so the property is stated here.
    z1, z2 = pair
    assume(np.linalg.norm(z1) > 1e-3 and np.linalg.norm(z2) > 1e-3)
    if z1 @ z2 < 0:
        z2 = -z2
    n = np.linalg.norm(slerp(z1, z2, t))
    lo, hi = sorted([np.linalg.norm(z1), np.linalg.norm(z2)])
    assert lo * (1 - 1e-9) <= n <= hi * (1 + 1e-9)
    # lerp never leaves the ball of the larger end (the norm is convex)
    assert np.linalg.norm(lerp(z1, z2, t)) <= hi * (1 + 1e-12)


def test_slerp_overshoots_for_obtuse_angles_and_unequal_norms():
    # θ = 3π/4, ‖z1‖ = 1, ‖z2‖ = 0.1: the standard formula leaves the [0.1, 1] band
    z1 = np.array([1.0, 0.0])
    z2 = 0.1 * np.array([np.cos(3 * np.pi / 4), np.sin(3 * np.pi / 4)])
    assert np.linalg.norm(slerp(z1, z2, T), axis=-1).max() > 1.05
