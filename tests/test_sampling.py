"""Inverse-transform sampling and the optimal 1-D map, checked against scipy and closed forms."""

import numpy as np
import pytest
from scipy import stats

from ganlab.sampling import (
    closed_form_ppf,
    exponential_cdf,
    exponential_ppf,
    inverse_transform,
    map_distance,
    optimal_map,
    ppf_method,
    sampler_benchmark,
)
from ganlab.targets import TARGETS
from ganlab.user_targets import empirical, mixture

U = np.concatenate([[0.0, 1e-12, 1e-6], np.linspace(0.001, 0.999, 199), [1 - 1e-6]])


@pytest.mark.parametrize("rate", [0.5, 1.0, 3.0])
def test_exponential_closed_form_is_scipy(rate):
    ref = stats.expon(scale=1 / rate)
    np.testing.assert_allclose(exponential_ppf(U, rate), ref.ppf(U), rtol=1e-13, atol=0)
    x = ref.ppf(U)
    np.testing.assert_allclose(exponential_cdf(x, rate), ref.cdf(x), rtol=1e-13, atol=0)
    assert exponential_cdf(-1.0, rate) == 0.0


@pytest.mark.parametrize("name", list(TARGETS))
def test_inverse_transform_samples_follow_the_target(name):
    target = TARGETS[name]
    n = 20_000
    u, x = inverse_transform(target, n, np.random.default_rng(123))
    assert u.shape == x.shape == (n,) and np.all((u >= 0) & (u < 1))
    assert stats.kstest(x, target.cdf).pvalue > 0.01
    # mean and std within 4 standard errors of the target's stated moments; the std's standard
    # error σ·√((κ − 1)/4n) is at most σ·√(2/n) for kurtosis κ ≤ 9 (the exponential's)
    assert abs(x.mean() - target.mean) < 4 * target.std / np.sqrt(n)
    assert abs(x.std() - target.std) < 4 * target.std * np.sqrt(2 / n)


@pytest.mark.parametrize("name", ["bimodal", "mixture"])
def test_mixture_ppf_inverts_its_cdf(name):
    target = TARGETS[name]
    u = np.linspace(1e-6, 1 - 1e-6, 2001)
    np.testing.assert_allclose(target.cdf(target.ppf(u)), u, rtol=0, atol=1e-6)
    # and the cdf itself is the weighted sum of scipy normal cdfs
    x = np.linspace(0, 8, 17)
    ref = sum(w * stats.norm(m, s).cdf(x) for w, m, s in target.components)
    np.testing.assert_allclose(target.cdf(x), ref, rtol=1e-12)


def test_closed_form_formulas():
    assert closed_form_ppf(TARGETS["normal"]) == "μ + σ·Φ⁻¹(u) = 4 + 0.5·Φ⁻¹(u)"
    assert closed_form_ppf(TARGETS["uniform"]) == "a + (b − a)·u = 2 + 4·u"
    assert closed_form_ppf(TARGETS["exponential"]) == "−ln(1 − u)/λ = −ln(1 − u)/0.5"
    assert closed_form_ppf(TARGETS["bimodal"]) is None
    assert closed_form_ppf(mixture([(1, 0, 1)])) is None  # a one-row mixture is still numeric
    data = empirical(np.arange(30.0))
    assert closed_form_ppf(data) is None
    assert "bisection" in ppf_method(TARGETS["mixture"])
    assert "empirical" in ppf_method(data)


def test_optimal_map_for_the_normal_target_is_affine():
    z = np.linspace(-6, 6, 1201)
    # F⁻¹(Φ(z)) = 4 + 0.5·z; not bit-exact because Φ(z) near 1 is stored to ±1e-16 absolute,
    # which at z = 6 is ~1e-7 relative to 1 − Φ(z).
    np.testing.assert_allclose(optimal_map(TARGETS["normal"], z), 4 + 0.5 * z, rtol=0, atol=1e-8)
    # uniform latent: T = F⁻¹ itself
    u = np.linspace(0.01, 0.99, 99)
    np.testing.assert_allclose(
        optimal_map(TARGETS["normal"], u, latent="uniform"), stats.norm(4, 0.5).ppf(u), rtol=1e-14
    )
    # the tails are clipped, never infinite
    assert np.all(np.isfinite(optimal_map(TARGETS["exponential"], np.array([-50.0, 50.0]))))
    assert np.all(np.isfinite(optimal_map(TARGETS["normal"], np.array([0.0, 1.0]), "uniform")))
    with pytest.raises(ValueError):
        optimal_map(TARGETS["normal"], z, latent="cauchy")


def test_optimal_map_pushes_the_latent_onto_the_target():
    target = TARGETS["mixture"]
    z = np.random.default_rng(7).standard_normal(20_000)
    assert stats.kstest(optimal_map(target, z), target.cdf).pvalue > 0.01


@pytest.mark.parametrize("latent", ["normal", "uniform"])
def test_map_distance_recognises_the_mirrored_map(latent):
    target = TARGETS["bimodal"]
    z = np.linspace(-3, 3, 301) if latent == "normal" else np.linspace(0.005, 0.995, 301)
    mirror = -z if latent == "normal" else 1 - z
    decreasing = optimal_map(target, mirror, latent)
    out = map_distance(decreasing, z, target, latent)
    assert out["closer"] == "decreasing"
    assert out["to_decreasing"] == out["distance"] == 0.0
    assert out["to_increasing"] > 1.0  # the two modes are 4 apart
    shifted = optimal_map(target, z, latent) + 0.25
    out = map_distance(shifted, z, target, latent)
    assert out["closer"] == "increasing"
    assert out["distance"] == pytest.approx(0.25, rel=1e-12)


def test_sampler_benchmark():
    table = sampler_benchmark(TARGETS["normal"], n=20_000, seed=0, repeats=2)
    assert list(table["method"]) == ["inverse transform", "library sampler"]
    assert list(table.columns) == [
        "method", "w1", "ks_statistic", "ks_pvalue", "mean_error", "std_error", "samples_per_s"
    ]
    assert (table["w1"] < 0.05).all()
    assert (table["samples_per_s"] > 0).all()
    # the inverse-transform row is exactly what inverse_transform draws at that seed
    _, x = inverse_transform(TARGETS["normal"], 20_000, np.random.default_rng(0))
    assert table["w1"].iloc[0] == stats.wasserstein_distance(x, TARGETS["normal"].quantile_grid())
    assert table["mean_error"].iloc[0] == pytest.approx(x.mean() - 4.0, abs=1e-12)
