"""Sampling chart builders: valid Vega-Lite, titled axes, and data that match numpy/scipy."""

import numpy as np
import pandas as pd
import pytest
from chart_checks import datasets_with, untitled_axes
from scipy import stats

from ganlab import sampling
from ganlab.charts import sampling as charts
from ganlab.targets import TARGETS


def test_histogram_matches_numpy():
    x = np.random.default_rng(0).normal(size=5000)
    edges = np.linspace(-2, 2, 17)  # some mass falls outside on purpose
    frame = charts.histogram(x, edges)
    ref, _ = np.histogram(x, edges)
    np.testing.assert_array_equal(frame["count"], ref)
    np.testing.assert_allclose(frame["lo"], edges[:-1])
    # density is over all values, so its integral is the share inside the edges
    inside = np.mean((x >= -2) & (x <= 2))
    assert np.sum(frame["density"] * (frame["hi"] - frame["lo"])) == pytest.approx(inside)


def test_uniform_chart_bins_the_draws():
    u = np.random.default_rng(1).random(3000)
    spec = charts.uniform_chart(u, bins=20).to_dict()
    assert untitled_axes(spec) == []
    (rows,) = datasets_with(spec, "count")
    np.testing.assert_array_equal(
        [r["count"] for r in rows], np.histogram(u, np.linspace(0, 1, 21))[0]
    )


@pytest.mark.parametrize("name", ["exponential", "bimodal"])
def test_inverse_cdf_chart_traces_land_at_ppf(name):
    target = TARGETS[name]
    lo, hi = target.plot_range
    x = np.linspace(lo, hi, 200)
    u = np.array([0.1, 0.5, 0.9])
    spec = charts.inverse_cdf_chart(x, target.cdf(x), u, target.ppf(u)).to_dict()
    assert untitled_axes(spec) == []
    (traces,) = datasets_with(spec, "x0")
    np.testing.assert_allclose(
        [r["x"] for r in traces],
        stats.expon(scale=2).ppf(u) if name == "exponential" else target.ppf(u),
    )
    (curve,) = [d for d in datasets_with(spec, "u") if "x0" not in d[0]]
    np.testing.assert_allclose([r["u"] for r in curve], target.cdf(x))


def test_histogram_vs_pdf():
    target = TARGETS["normal"]
    _, x = sampling.inverse_transform(target, 4000, np.random.default_rng(2))
    grid = np.linspace(*target.plot_range, 100)
    edges = np.linspace(*target.plot_range, 31)
    spec = charts.histogram_vs_pdf(x, edges, grid, target.pdf(grid)).to_dict()
    assert untitled_axes(spec) == []
    (bars,) = datasets_with(spec, "count")
    np.testing.assert_array_equal([r["count"] for r in bars], np.histogram(x, edges)[0])
    legend = spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert legend == ["inverse-transform samples", "target pdf"]


def test_learned_map_chart():
    target = TARGETS["bimodal"]
    z = np.linspace(-2, 2, 41)
    t = sampling.optimal_map(target, z)
    spec = charts.learned_map_chart(z, t, t[::-1], t + 0.1, "wgan-gp").to_dict()
    assert untitled_axes(spec) == []
    (rows,) = datasets_with(spec, "series")
    frame = pd.DataFrame(rows)
    assert frame["series"].nunique() == 3 and len(frame) == 3 * len(z)
    assert spec["encoding"]["color"]["scale"]["range"][-1] == "#009E73"  # wgan-gp's colour
