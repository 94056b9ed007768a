"""Inverse-transform sampling and the optimal 1-D map, checked against scipy and closed forms."""

import numpy as np
import pytest
from scipy import stats

from ganlab import metrics
from ganlab.config import preset
from ganlab.sampling import (
    closed_form_ppf,
    exponential_cdf,
    exponential_ppf,
    generator_rows,
    inverse_transform,
    latent_quantiles,
    map_distance,
    mirror,
    optimal_map,
    ppf_method,
    sample_row,
    sampler_benchmark,
)
from ganlab.targets import TARGETS, exponential_target
from ganlab.training import Run
from ganlab.user_targets import empirical, mixture, scipy_target

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
    assert closed_form_ppf(exponential_target(1.5)) == "−ln(1 − u)/λ = −ln(1 − u)/1.5"
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
        "method",
        "w1",
        "ks_statistic",
        "ks_pvalue",
        "mean_error",
        "std_error",
        "samples_per_s",
    ]
    assert (table["w1"] < 0.05).all()
    assert (table["samples_per_s"] > 0).all()
    # the inverse-transform row is exactly what inverse_transform draws at that seed
    _, x = inverse_transform(TARGETS["normal"], 20_000, np.random.default_rng(0))
    assert table["w1"].iloc[0] == stats.wasserstein_distance(x, TARGETS["normal"].quantile_grid())
    assert table["mean_error"].iloc[0] == pytest.approx(x.mean() - 4.0, abs=1e-12)


def test_sample_row_is_scipy():
    target = TARGETS["bimodal"]
    x = np.random.default_rng(0).normal(4, 2, 3000)
    row = sample_row("x", x, target, seconds=0.5, n_made=3000)
    ks = stats.kstest(x, target.cdf)
    assert (row["ks_statistic"], row["ks_pvalue"]) == (ks.statistic, ks.pvalue)
    assert row["w1"] == stats.wasserstein_distance(x, target.quantile_grid())
    assert row["mean_error"] == pytest.approx(np.mean(x) - 4.0, abs=1e-12)
    assert row["std_error"] == pytest.approx(np.std(x) - np.sqrt(0.4**2 + 2**2), abs=1e-12)
    assert row["samples_per_s"] == 6000


def test_generator_rows_measure_trained_runs_on_this_target():
    target = TARGETS["normal"]
    trained = Run(preset("gan", "tuned", latent_dim=1, steps=10, target="normal", n_seeds=2))
    trained.advance()
    untrained = Run(preset("gan", "tuned", latent_dim=1, steps=10, target="normal"))
    elsewhere = Run(preset("gan", "tuned", latent_dim=1, steps=10, target="bimodal"))
    elsewhere.advance()
    rows = generator_rows([untrained, trained, elsewhere], target, n=2000, repeats=2)
    assert [r["method"] for r in rows] == ["GAN: gan, latent 1, step 10"]
    # distances from the first seed's samples, against scipy directly
    x = trained.samples(2000)[0]
    assert rows[0]["w1"] == stats.wasserstein_distance(x, target.quantile_grid())
    assert rows[0]["ks_statistic"] == stats.kstest(x, target.cdf).statistic
    assert rows[0]["samples_per_s"] > 0


def test_latent_quantiles_and_mirror():
    z = latent_quantiles("normal", 201)
    np.testing.assert_array_equal(z, stats.norm.ppf((np.arange(201) + 0.5) / 201))
    np.testing.assert_allclose(mirror(z), z[::-1], rtol=1e-14)  # symmetric grid
    u = latent_quantiles("uniform", 4)
    np.testing.assert_array_equal(u, [0.125, 0.375, 0.625, 0.875])
    np.testing.assert_array_equal(mirror(u, "uniform"), 1 - u)
    with pytest.raises(ValueError):
        latent_quantiles("cauchy")


# --- the noise floor the sampling and variant pages share (metrics.noise_floor_cached) -------


def test_noise_floor_cached_is_noise_floor_and_cannot_be_mutated():
    target = TARGETS["exponential"]
    first = metrics.noise_floor_cached(target, 1000)
    assert first == metrics.noise_floor(target, 1000)  # default reps and seed
    first["w1"] = -1.0
    again = metrics.noise_floor_cached(target, 1000)
    assert again["w1"] > 0 and again is not first
    # equal targets share an entry: a data set under another name is the same law
    data = np.random.default_rng(1).gamma(2.0, size=300)
    a = metrics.noise_floor_cached(empirical(data, name="a"), 500)
    assert metrics.noise_floor_cached(empirical(data, name="b"), 500) == a
    assert a == metrics.noise_floor(empirical(data), 500)


def test_every_kind_of_target_can_key_the_floor_cache():
    # user targets arrive as numpy arrays and lists; the constructors store tuples
    kinds = [
        *TARGETS.values(),
        mixture(np.array([[1.0, 0.0, 1.0], [2.0, 3.0, 0.5]])),
        empirical(np.arange(25.0)),
        scipy_target("expon", {"scale": 0.25}),
    ]
    for t in kinds:
        assert hash(t) == hash(type(t)(**{f: getattr(t, f) for f in t.__dataclass_fields__}))
