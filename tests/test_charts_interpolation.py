"""Interpolation chart builders: valid Vega-Lite, titled axes, the χ band from scipy, equal axes."""

import numpy as np
import pandas as pd
import pytest
from chart_checks import datasets_with, titles, untitled_axes
from scipy import stats

from ganlab import interpolation
from ganlab.charts import interpolation as charts
from ganlab.targets import TARGETS

T = np.linspace(0.0, 1.0, 11)


def _pair(d, seed=0):
    return np.random.default_rng(seed).standard_normal((2, d))


@pytest.mark.parametrize("d", [1, 2, 512])
def test_norm_chart_band_is_scipy_chi(d):
    z1, z2 = _pair(d)
    norms = {m: np.linalg.norm(f(z1, z2, T), axis=-1) for m, f in interpolation.METHODS.items()}
    spec = charts.norm_chart(
        charts.path_frame(T, norms, "norm"), interpolation.shell(d), d
    ).to_dict()
    assert untitled_axes(spec) == []
    band = next(rows for rows in datasets_with(spec, "lo") if "hi" in rows[0])
    chi = stats.chi(d)
    assert band[0]["lo"] == pytest.approx(chi.ppf(0.05), rel=1e-12)
    assert band[0]["hi"] == pytest.approx(chi.ppf(0.95), rel=1e-12)
    assert band[0]["norm"] == pytest.approx(chi.median(), rel=1e-12)
    (lines,) = [
        rows for rows in datasets_with(spec, "method") if "t" in rows[0] and "lo" not in rows[0]
    ]
    assert {r["method"] for r in lines} == {"lerp", "slerp"} and len(lines) == 2 * len(T)


def test_log_density_chart():
    z1, z2 = _pair(8)
    dens = {m: interpolation.log_density(f(z1, z2, T)) for m, f in interpolation.METHODS.items()}
    spec = charts.log_density_chart(charts.path_frame(T, dens, "log_density"), 8).to_dict()
    assert untitled_axes(spec) == []
    (rows,) = datasets_with(spec, "log_density")
    ref = stats.multivariate_normal(np.zeros(8)).logpdf(interpolation.lerp(z1, z2, T))
    np.testing.assert_allclose([r["log_density"] for r in rows[: len(T)]], ref, rtol=1e-12)


def test_shell_chart_bins_and_marks():
    d = 64
    norms = np.linalg.norm(np.random.default_rng(3).standard_normal((2000, d)), axis=1)
    edges = np.linspace(4, 12, 41)
    r = np.linspace(4, 12, 50)
    marks = pd.DataFrame(
        {
            "norm": [5.6, 8.0],
            "method": ["lerp", "slerp"],
            "label": ["lerp midpoint", "slerp midpoint"],
        }
    )
    spec = charts.shell_chart(norms, edges, r, stats.chi(d).pdf(r), marks, d).to_dict()
    assert untitled_axes(spec) == []
    (bars,) = datasets_with(spec, "count")
    np.testing.assert_array_equal([b["count"] for b in bars], np.histogram(norms, edges)[0])
    (rules,) = datasets_with(spec, "label")
    assert [x["lo"] for x in rules] == [5.6, 8.0]


@pytest.mark.parametrize("d", [1, 3, 300])
def test_plane_chart_has_equal_axes(d):
    z1, z2 = _pair(d)
    spec = charts.plane_chart(interpolation.plane_picture(z1, z2)).to_dict()
    assert untitled_axes(spec) == []
    x_dom = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert x_dom == spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert spec["width"] == spec["height"]
    (labels,) = datasets_with(spec, "label")
    np.testing.assert_allclose(labels[0]["u"], np.linalg.norm(z1))  # z₁ sits on the u axis


def test_decoded_and_critic_charts():
    target = TARGETS["bimodal"]
    x = np.linspace(*target.plot_range, 60)
    frame = charts.path_frame(T, {"lerp": 2 + 4 * T, "slerp": 6 - 4 * T}, "x")
    spec = charts.decoded_chart(frame, x, target.pdf(x), target.plot_range).to_dict()
    assert untitled_axes(spec) == []
    assert spec["resolve"]["scale"]["y"] == "shared" and len(spec["hconcat"]) == 2
    critic = charts.critic_chart(
        charts.path_frame(T, {"lerp": T, "slerp": T}, "score"), "critic f(G(z(t)))"
    ).to_dict()
    assert untitled_axes(critic) == [] and titles(critic, "y") == {"critic f(G(z(t)))"}
    colors = critic["encoding"]["color"]["scale"]
    assert dict(zip(colors["domain"], colors["range"], strict=True)) == charts.METHOD_COLORS
