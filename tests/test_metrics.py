"""Each metric against an independent computation: scipy or a closed form."""

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from ganlab import metrics
from ganlab.targets import TARGETS
from ganlab.user_targets import mixture

RNG = np.random.default_rng(0)


def test_w1_between_shifted_normals_is_the_shift():
    t = mixture([(1, 0.0, 1.0)])
    x = RNG.normal(0.7, 1.0, 50_000)
    assert metrics.distances(x, t)["w1"] == pytest.approx(0.7, abs=0.02)


def test_w1_and_energy_match_scipy_against_a_large_true_sample():
    t = TARGETS["exponential"]
    x = RNG.normal(2.5, 1.0, 20_000)
    ref = t.sample(400_000, np.random.default_rng(1))
    d = metrics.distances(x, t)
    assert d["w1"] == pytest.approx(stats.wasserstein_distance(x, ref), rel=0.02)
    assert d["energy"] == pytest.approx(stats.energy_distance(x, ref), rel=0.05)


def test_ks_of_a_shifted_sample_matches_closed_form():
    # KS between N(δ, 1) and N(0, 1) is 2Φ(δ/2) − 1 at x = δ/2.
    t = mixture([(1, 0.0, 1.0)])
    x = RNG.normal(0.5, 1.0, 100_000)
    assert metrics.distances(x, t)["ks"] == pytest.approx(2 * stats.norm.cdf(0.25) - 1, abs=0.01)


def test_js_uses_true_bin_probabilities():
    t = TARGETS["uniform"]
    x = RNG.uniform(2, 6, 10_000)
    # Written out independently: U(2, 6) padded by 10% of its 0.05–99.95% range each side,
    # 60 equal bins, and an overflow bin at each end.
    lo, hi = 2 + 4 * 5e-4, 6 - 4 * 5e-4
    pad = 0.1 * (hi - lo)
    edges = np.r_[-np.inf, np.linspace(lo - pad, hi + pad, 61), np.inf]
    p = np.histogram(x, edges)[0] / len(x)
    q = np.diff(stats.uniform(2, 4).cdf(edges))
    assert metrics.distances(x, t)["js"] == pytest.approx(jensenshannon(p, q, base=2) ** 2)
    # Half the mass moved far outside the range: JS between (½, ½) and (1, 0) on two cells is
    # H(¾, ¼) − ½·H(½, ½) bits, with H the entropy in bits.
    half = np.r_[x[:5000], np.full(5000, 100.0)]
    h = lambda *ps: -sum(v * np.log2(v) for v in ps if v > 0)  # noqa: E731
    assert metrics.distances(half, t)["js"] == pytest.approx(
        h(0.75, 0.25) - 0.5 * h(0.5, 0.5), abs=0.01
    )
    # Disjoint supports: the divergence reaches its maximum, 1 bit.
    far = RNG.uniform(100, 101, 1000)
    assert metrics.distances(far, t)["js"] == pytest.approx(1.0)


def test_frechet_is_the_1d_fid_formula_and_blind_to_shape():
    t = TARGETS["bimodal"]
    x = RNG.normal(t.mean, t.std, 50_000)  # moment-matched, one mode
    d = metrics.distances(x, t)
    assert d["frechet"] == pytest.approx((x.mean() - 4) ** 2 + (x.std() - t.std) ** 2)
    assert d["frechet"] < 1e-3 and d["w1"] > 0.5


def test_mode_coverage_sees_a_missing_mode():
    t = TARGETS["bimodal"]
    one_mode = RNG.normal(2.0, 0.4, 10_000)
    d = metrics.distances(one_mode, t)
    assert d["modes_covered"] == 1 and d["n_modes"] == 2
    assert d["mode_coverage"] == pytest.approx(0.5, abs=0.01)
    assert d["mode_shares"][1] == 0
    assert d["collapsed"]
    both = t.sample(10_000, RNG)
    d = metrics.distances(both, t)
    assert d["modes_covered"] == 2 and d["mode_coverage"] > 0.97
    # 3σ holds 99.73% of a normal.
    assert d["high_quality"] == pytest.approx(0.9973, abs=0.002)
    assert not d["collapsed"]


def test_mode_assignment_uses_distance_in_component_stds():
    # x = 3.7 is 2.93σ from N(1.5, 0.75) and 3σ from N(4, 0.1): PacGAN's rule picks the wide
    # component, although the narrow one has the higher responsibility there.
    t = mixture([(0.5, 1.5, 0.75), (0.5, 4.0, 0.1)])
    resp = [0.5 * stats.norm(1.5, 0.75).pdf(3.7), 0.5 * stats.norm(4.0, 0.1).pdf(3.7)]
    assert resp[1] > resp[0]
    assert metrics.mode_stats(np.array([3.7]), t)["mode_shares"] == [1.0, 0.0]


def test_noise_floor_matches_design_facts():
    # DESIGN.md: W1 floor between two 10k samples of `normal` ≈ 0.010; against the true law it
    # is smaller (one noisy side instead of two), roughly 1/√2 of that.
    floor = metrics.noise_floor(TARGETS["normal"], 10_000)
    assert 0.004 < floor["w1"] < 0.010


def test_loss_volatility_is_std_of_the_tail():
    curve = np.r_[np.full(500, 10.0), RNG.normal(0, 0.3, 200)]
    assert metrics.loss_volatility(curve, window=200) == pytest.approx(np.std(curve[-200:]))


def test_distances_refuse_non_finite_samples():
    with pytest.raises(ValueError, match="finite"):
        metrics.distances(np.array([1.0, np.nan]), TARGETS["normal"])
