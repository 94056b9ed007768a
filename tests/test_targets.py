"""Targets against their own stated laws and against scipy; bad specs give the promised words."""

import numpy as np
import pytest
from scipy import stats

from ganlab import user_targets
from ganlab.targets import RATE_RANGE, TARGETS, TargetError, bisect, exponential_target
from ganlab.user_targets import empirical, mixture, parse_csv

# The table, written out independently of targets.py.
STATED = {
    "normal": (4.0, 0.5),
    "bimodal": (4.0, np.sqrt(0.4**2 + 2.0**2)),
    "uniform": (4.0, 4 / np.sqrt(12)),
    "exponential": (2.0, 2.0),
    "mixture": (
        (1.5 + 4 + 7) / 3,
        np.sqrt((0.3**2 + 0.4**2 + 0.25**2 + 1.5**2 + 4**2 + 7**2) / 3 - ((1.5 + 4 + 7) / 3) ** 2),
    ),
}


@pytest.mark.parametrize("name", list(TARGETS))
def test_sample_matches_own_cdf_and_stated_moments(name):
    t = TARGETS[name]
    x = t.sample(20_000, np.random.default_rng(1))
    assert stats.kstest(x, t.cdf).pvalue > 0.01
    mean, std = STATED[name]
    assert t.mean == pytest.approx(mean, rel=1e-9)
    assert t.std == pytest.approx(std, rel=1e-9)
    assert x.mean() == pytest.approx(mean, abs=4 * std / np.sqrt(len(x)))
    assert x.std() == pytest.approx(std, rel=0.03)


@pytest.mark.parametrize("name", list(TARGETS))
def test_ppf_inverts_cdf(name):
    t = TARGETS[name]
    lo, hi = t.plot_range
    x = np.linspace(lo, hi, 301)
    u = t.cdf(x)
    inside = (u > 1e-9) & (u < 1 - 1e-9)  # flat parts (outside U(2,6)) have no unique inverse
    assert np.allclose(t.ppf(u[inside]), x[inside], atol=1e-6)


def test_builtins_use_scipy_where_it_has_the_law():
    x = np.linspace(-1, 9, 50)
    assert np.allclose(TARGETS["normal"].pdf(x), stats.norm(4, 0.5).pdf(x))
    assert np.allclose(TARGETS["uniform"].cdf(x), stats.uniform(2, 4).cdf(x))
    assert np.allclose(
        TARGETS["exponential"].ppf(np.linspace(0.01, 0.99, 9)),
        stats.expon(scale=2).ppf(np.linspace(0.01, 0.99, 9)),
    )


def test_mixture_pdf_cdf_against_scipy_sum_and_ppf_to_1e6():
    t = TARGETS["mixture"]
    x = np.linspace(-1, 9, 200)
    comps = [(1 / 3, 1.5, 0.3), (1 / 3, 4.0, 0.4), (1 / 3, 7.0, 0.25)]
    assert np.allclose(t.pdf(x), sum(w * stats.norm(m, s).pdf(x) for w, m, s in comps))
    assert np.allclose(t.cdf(x), sum(w * stats.norm(m, s).cdf(x) for w, m, s in comps))
    u = np.linspace(1e-6, 1 - 1e-6, 2001)
    assert np.max(np.abs(t.cdf(t.ppf(u)) - u)) < 1e-9
    assert TARGETS["bimodal"].components == ((0.5, 2.0, 0.4), (0.5, 6.0, 0.4))


@pytest.mark.parametrize("name", ["bimodal", "mixture"])
@pytest.mark.parametrize("u", [1e-9, 0.05, 0.3, 0.5, 0.97, 1 - 1e-9])
def test_ppf_iterates_are_ppfs_own_bisection(name, u):
    t = TARGETS[name]
    it = t.ppf_iterates(u)
    lo, hi = it["lo"], it["hi"]
    assert lo.shape == hi.shape == it["f_mid"].shape == (61,)  # the bracket after 0 … 60 halvings
    assert (lo[0], hi[0]) == t.bracket
    # each halving keeps one half of the previous bracket: the one where F crosses u
    np.testing.assert_array_equal(np.diff(hi - lo) <= 0, True)
    assert np.all((lo[1:] == lo[:-1]) | (hi[1:] == hi[:-1]))
    mids = 0.5 * (lo + hi)
    # bit for bit what ppf returns, alone or among other u
    assert mids[-1] == float(t.ppf(u)) == t.ppf(np.array([0.2, u, 0.8]))[1]
    # f_mid is the true CDF (scipy's normal CDFs, summed) at each midpoint
    ref = sum(w * stats.norm(m, s).cdf(mids) for w, m, s in t.components)
    np.testing.assert_allclose(it["f_mid"], ref, rtol=1e-12, atol=1e-300)
    assert abs(it["f_mid"][-1] - u) < 1e-9


def test_bisect_finds_a_scipy_quantile_and_its_iterates_halve():
    u = np.array([0.01, 0.5, 0.99])
    x, it = bisect(stats.norm.cdf, u, -10.0, 10.0, steps=50, iterates=True)
    np.testing.assert_allclose(x, stats.norm.ppf(u), rtol=0, atol=1e-12)
    assert it["lo"].shape == (51, 3)
    widths = np.broadcast_to(20.0 / 2.0 ** np.arange(51)[:, None], (51, 3))
    np.testing.assert_allclose(it["hi"] - it["lo"], widths, rtol=1e-12)
    np.testing.assert_array_equal(bisect(stats.norm.cdf, u, -10.0, 10.0, steps=50), x)


@pytest.mark.parametrize("rate", [0.01, 0.3, 1.5, 100.0])
def test_exponential_target_is_scipy_expon(rate):
    t = exponential_target(rate)
    ref = stats.expon(scale=1 / rate)
    u = np.linspace(0.001, 0.999, 99)
    x = ref.ppf(u)
    np.testing.assert_allclose(t.ppf(u), x, rtol=1e-13)
    np.testing.assert_allclose(t.cdf(x), u, rtol=1e-13)
    np.testing.assert_allclose(t.pdf(x), ref.pdf(x), rtol=1e-13)
    assert t.mean == pytest.approx(1 / rate, rel=1e-12)
    assert t.std == pytest.approx(1 / rate, rel=1e-12)
    assert stats.kstest(t.sample(5000, np.random.default_rng(0)), ref.cdf).pvalue > 0.01
    back = user_targets.get(t.to_spec())  # a link to it names the same law
    assert (back.family, back.params, back.name) == (t.family, t.params, t.name)


def test_exponential_target_at_rate_half_is_the_builtin():
    assert exponential_target(0.5) is TARGETS["exponential"]  # shares runs with the built-in


@pytest.mark.parametrize("rate", [0.0, -1.0, float("nan"), float("inf"), 1e6, 0.005, None])
def test_bad_rate_is_refused_in_words(rate):
    lo, hi = RATE_RANGE
    with pytest.raises(TargetError, match=f"rate λ = .* must be between {lo:g} and {hi:g}"):
        exponential_target(rate)


def test_custom_mixture_normalises_weights():
    t = mixture([(2, 0, 1), (6, 5, 2)])
    assert t.weights == pytest.approx((0.25, 0.75))
    assert t.mean == pytest.approx(0.75 * 5)


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ([], "no components"),
        ([(1, 0, 1), (1, 2, 0)], "row 2: std 0 must be greater than 0"),
        ([(1, 0, 1), (-1, 2, 1)], "row 2: weight -1 is negative"),
        ([(0, 0, 1)], "all weights are 0"),
        ([(1, 0)], "row 1: needs weight, mean and std"),
        ([(1, "a", 1)], "row 1: weight, mean and std must be numbers"),
        ([(1, float("nan"), 1)], "row 1: weight, mean and std must be finite"),
    ],
)
def test_bad_mixtures_are_refused_with_the_row(rows, words):
    with pytest.raises(TargetError, match=words):
        mixture(rows)


def test_mixture_reports_every_problem_at_once():
    with pytest.raises(TargetError) as info:
        mixture([(1, 0, -1), (-2, 0, 1)])
    assert "row 1" in str(info.value) and "row 2" in str(info.value)


def test_empirical_target_is_consistent_and_matches_data():
    data = np.random.default_rng(3).gamma(2.0, 1.5, 5000)
    t = empirical(data)
    assert t.ppf(0.0) == data.min() and t.ppf(1.0) == data.max()
    assert np.allclose(t.ppf(0.5), np.quantile(data, 0.5))  # numpy's linear quantile
    assert t.mean == pytest.approx(data.mean(), rel=0.01)
    assert t.std == pytest.approx(data.std(), rel=0.01)
    x = t.sample(20_000, np.random.default_rng(4))
    assert stats.kstest(x, t.cdf).pvalue > 0.01
    assert np.allclose(t.pdf(np.array([2.0, 3.0])), stats.gaussian_kde(data)([2.0, 3.0]))


def test_parse_csv_with_and_without_header():
    assert parse_csv("value\n1\n2.5\n-3e1\n").tolist() == [1, 2.5, -30]
    assert parse_csv(b"a,b\n1,9\n2,8\n", column=1).tolist() == [9, 8]
    assert parse_csv("1 2\n3 4\n").tolist() == [1, 3]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "the file is empty"),
        (b"\x89PNG\x00\x00binary", "binary"),
        (b"\xff\xfe\xfa", "not UTF-8"),
        ("x\n1\n2\nabc\n", "line 4: 'abc' is not a number"),
        ("1\n2\nnan\n", "line 3: 'nan' is not a finite number"),
        ("1\ninf\n", "line 2: 'inf' is not a finite number"),
    ],
)
def test_bad_csv_gets_a_message_naming_the_place(data, words):
    with pytest.raises(TargetError, match=words):
        parse_csv(data)


@pytest.mark.parametrize(
    ("values", "words"),
    [
        (np.arange(5.0), "only 5 values; at least 20"),
        (np.full(50, 3.0), "all 50 values are 3"),
        (np.r_[np.arange(30.0), np.nan], "NaN or infinite"),
        (np.arange(200_001.0), "too many"),
    ],
)
def test_bad_data_is_refused(values, words):
    with pytest.raises(TargetError, match=words):
        empirical(values)


def test_specs_round_trip():
    for t in [
        *TARGETS.values(),
        mixture([(1, 0, 1), (1, 3, 0.5)]),
        empirical(np.arange(25.0)),
        user_targets.scipy_target("expon", {"scale": 0.25}),
    ]:
        assert user_targets.get(t.to_spec()) == t
    # A JSON spec names a law from a short list, never an arbitrary attribute of scipy.stats.
    with pytest.raises(TargetError, match="family '__class__' is not one of"):
        user_targets.get({"scipy": "__class__", "params": {}})
    with pytest.raises(TargetError, match="scale must be greater than 0"):
        user_targets.get({"scipy": "expon", "params": {"scale": -1}})
    with pytest.raises(TargetError, match="unknown target 'nope'"):
        user_targets.get("nope")


@pytest.mark.parametrize(
    "spec",
    [
        {"scipy": "norm", "params": []},
        {"mixture": 5},
        {"mixture": [[1, 0, 1], 5]},
        {"scipy": ["norm"]},
        {"data": "1,2,3"},
        {"builtin": 3},
        [1, 2],
    ],
)
def test_malformed_specs_from_json_get_words_not_a_traceback(spec):
    with pytest.raises(TargetError):
        user_targets.get(spec)


def test_a_long_bad_file_reports_a_few_lines_not_all():
    with pytest.raises(TargetError) as info:
        parse_csv("x\n" + "oops\n" * 100_000)
    assert len(str(info.value)) < 300 and "(and possibly more)" in str(info.value)
