"""Training chart builders: valid Vega-Lite, titled axes, binned data, values against numpy."""

from __future__ import annotations

import dataclasses
import math

import altair as alt
import numpy as np
import pandas as pd
import pytest

from ganlab import config
from ganlab.charts import COLUMN_WIDTH, cut_text, percent
from ganlab.charts import training as ct
from ganlab.sampling import optimal_map
from ganlab.training import Run

VARIANTS = ("gan", "wgan", "wgan-gp")


@pytest.fixture(scope="module")
def results():
    """One tiny two-seed run per variant (small nets, 60 steps: a fraction of a second each)."""
    out = {}
    for v in VARIANTS:
        cfg = config.preset(v, "tuned", target="bimodal", steps=60, n_seeds=2, g_width=8, d_width=8)
        run = Run(cfg)
        run.advance()
        out[v] = run.result(with_metrics=False)
    return out


def all_charts(res) -> dict[str, alt.TopLevelMixin]:
    charts = {
        "density": ct.density_chart(res, 1),
        "loss": ct.loss_chart(res),
        "critic": ct.critic_chart(res, 0, marker=(3.0, 0.4)),
        "detail": ct.critic_detail_chart(res, 0),
        "moments": ct.moments_chart(res),
        "distance": ct.distance_chart(res, floor=0.05),
        "map": ct.map_chart(res, 0, marker=(0.5, 4.0)),
    }
    return {k: c for k, c in charts.items() if c is not None}


def views(spec: dict):
    """Every unit view (one with an 'encoding') of a layered spec."""
    if "encoding" in spec:
        yield spec
    for sub in spec.get("layer", []):
        yield from views(sub)


def layer_frames(chart) -> list[pd.DataFrame]:
    """The DataFrames a (nested) layer chart carries, in drawing order."""
    own = [chart.data] if isinstance(chart.data, pd.DataFrame) else []  # altair hoists shared data
    if isinstance(chart, alt.LayerChart):
        return own + [f for sub in chart.layer for f in layer_frames(sub)]
    return own


@pytest.mark.parametrize("v", VARIANTS)
def test_every_chart_is_valid_vega_lite_with_titled_axes_and_a_legend(results, v):
    charts = all_charts(results[v])
    assert ("detail" in charts) == (v != "gan")  # |f'| for GP, weights for clipping
    for name, chart in charts.items():
        spec = chart.to_dict()  # altair validates against the Vega-Lite schema here
        for view in views(spec):
            for ch in ("x", "y"):
                enc = view["encoding"].get(ch)
                if isinstance(enc, dict) and "field" in enc:
                    assert enc.get("title"), f"{name}: untitled {ch} axis"
        colors = [vw["encoding"]["color"] for vw in views(spec) if "color" in vw["encoding"]]
        assert colors and all(c.get("legend") is not None for c in colors), name
        # the legend names every series: colours, plus measured vs reference where dashed
        dashes = [
            vw["encoding"]["strokeDash"]
            for vw in views(spec)
            if "field" in vw["encoding"].get("strokeDash", {})
        ]
        entries = len(colors[0]["scale"]["domain"]) + (2 if dashes else 0)
        assert entries > 1, f"{name}: a legend needs several series"


def test_binned_matches_numpy_histogram():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(0, 1, 5000), [np.nan, np.inf, 50.0]])
    edges = np.linspace(-4, 4, 41)
    frame = ct.binned(values, edges, "generated")
    finite = values[np.isfinite(values)]
    counts, _ = np.histogram(finite, edges)
    np.testing.assert_array_equal(frame["count"], counts)
    # density over all finite values: the bars hold exactly the mass inside the range
    mass = float((frame["density"] * (frame["x1"] - frame["x0"])).sum())
    assert mass == pytest.approx(np.mean((finite >= -4) & (finite <= 4)))
    assert mass < 1.0  # the value at 50 lowers the bars instead of being spread over them


def test_density_chart_sends_bins_not_samples(results):
    res = results["gan"]
    chart = ct.density_chart(res, seed_index=1)
    bars = layer_frames(chart)[0]
    assert len(bars) == 2 * ct.BINS  # real + generated, whatever the sample count
    lo, hi = expected_range(res.config.target.plot_range, res.samples[1])
    edges = np.linspace(lo, hi, ct.BINS + 1)
    gen = bars[bars.series == "generated"]
    np.testing.assert_array_equal(gen["count"], np.histogram(res.samples[1], edges)[0])
    real = bars[bars.series == "real data"]
    np.testing.assert_array_equal(real["count"], np.histogram(res.data[1], edges)[0])
    pdf = layer_frames(chart)[1]
    np.testing.assert_allclose(pdf["density"], res.config.target.pdf(pdf["x"].to_numpy()))
    assert pdf["x"].min() == pytest.approx(lo) and pdf["x"].max() == pytest.approx(hi)


def test_over_seeds_is_median_and_range_per_step(results):
    frame = results["wgan"].history
    summary = ct.over_seeds(frame, {"d_loss": "critic loss"})
    last = frame.step.max()
    row = summary[summary.step == last].iloc[0]
    vals = frame.loc[frame.step == last, "d_loss"]
    assert row["median"] == pytest.approx(np.median(vals))
    assert (row["lo"], row["hi"]) == pytest.approx((vals.min(), vals.max()))
    assert row["series"] == "critic loss"


def test_over_seeds_leaves_out_diverged_seeds():
    frame = pd.DataFrame(
        {"step": [1, 1, 2, 2], "seed": [0, 1, 0, 1], "w1": [1.0, 3.0, 0.5, np.nan]}
    )
    s = ct.over_seeds(frame, {"w1": "W1"}).set_index("step")
    assert s.loc[1, "median"] == 2.0 and s.loc[2, "median"] == 0.5 and s.loc[2, "hi"] == 0.5


def rules(chart) -> dict[str, float]:
    """series -> value of the dashed reference lines (frames with a 'value' column)."""
    return {r.series: r.value for f in layer_frames(chart) if "value" in f for r in f.itertuples()}


def test_loss_references_are_the_equilibrium_values(results):
    assert rules(ct.loss_chart(results["gan"])) == pytest.approx(
        {"D loss": 2 * math.log(2), "G loss": math.log(2)}
    )
    sat = dataclasses.replace(
        results["gan"], config=results["gan"].config.replace(g_loss="saturating")
    )
    assert rules(ct.loss_chart(sat))["G loss"] == pytest.approx(-math.log(2))
    for v in ("wgan", "wgan-gp"):
        assert rules(ct.loss_chart(results[v])) == {"W estimate": 0.0}


def test_moments_and_distance_references(results):
    res = results["gan"]
    target = res.config.target
    assert rules(ct.moments_chart(res)) == pytest.approx({"mean": target.mean, "std": target.std})
    assert rules(ct.distance_chart(res, floor=0.05)) == {"W1 to target": 0.05}


def test_map_chart_compares_with_the_optimal_transport_map(results):
    res = results["gan"]
    frame = layer_frames(ct.map_chart(res, 0))[0]
    g = frame[frame.series == "G(z)"]
    np.testing.assert_allclose(g["x"], res.g_on_z[0])
    ref = frame[frame.series != "G(z)"]
    mirrored = ref.series.iloc[0].startswith("mirrored")
    z = -res.z if mirrored else res.z
    np.testing.assert_allclose(ref["x"], optimal_map(res.config.target, z, "normal"))


def test_critic_detail_shows_the_constraint(results):
    wgan = results["wgan"]
    weights = layer_frames(ct.critic_detail_chart(wgan, 0))[0]
    assert weights["count"].sum() == wgan.d_weights.shape[1]  # every weight is within ±c
    assert rules(ct.critic_detail_chart(wgan, 0)) == {"±c": wgan.config.clip}
    assert rules(ct.critic_detail_chart(results["wgan-gp"], 0)) == {"target norm 1": 1.0}
    assert ct.critic_detail_chart(results["gan"], 0) is None


# --- what fits on the screen: Vega's own layout at Streamlit's theme and a column's width -------
# 440 px: a variant page's column on a 1280-px projector with the sidebar open (560 without).
NARROW = 440


def far_result(res, shift: float):
    """The run with every generated sample (and G's map) moved by `shift`: a generator that
    sits far from the target, as in the saturating-loss lesson."""
    return dataclasses.replace(res, samples=res.samples + shift, g_on_z=res.g_on_z + shift)


def expected_range(plot_range, samples, reach=4.0):
    """The drawn range by its definition: plot range ∪ the 0.5–99.5 % quantiles + 5 % margin on
    a widened side, at most `reach` plot widths past either end (numpy only)."""
    lo, hi = plot_range
    v = samples[np.isfinite(samples)]
    q_lo, q_hi = np.percentile(v, [0.5, 99.5])
    a, b = min(lo, q_lo), max(hi, q_hi)
    m = 0.05 * (b - a)
    a, b = (a - m if a < lo else lo), (b + m if b > hi else hi)
    return max(a, lo - reach * (hi - lo)), min(b, hi + reach * (hi - lo))


@pytest.mark.slow
def test_the_fit_check_sees_a_long_title_and_a_long_legend():
    # The check itself against charts that do not fit: the audit's cut title and legend.
    df = pd.DataFrame({"x": [1.0, 2.0], "y": [1.0, 2.0], "s": ["target pdf", "x" * 40]})
    base = alt.Chart(df).mark_line().encode(x="x:Q", y="y:Q").properties(height=260)
    long_title = base.properties(title="seed 0, step 2,000 — " + "12 % of generated samples " * 2)
    assert any("px more than" in p for p in cut_text(long_title, NARROW))
    legend = alt.Legend(orient="bottom", title=None)  # Vega's default 160 px label limit
    cut = base.encode(color=alt.Color("s:N", legend=legend))
    assert any(p.startswith("label cut") for p in cut_text(cut, NARROW))
    assert cut_text(base.properties(title="seed 0"), NARROW) == []


@pytest.mark.slow
@pytest.mark.parametrize("v", VARIANTS)
@pytest.mark.parametrize("width", [NARROW, COLUMN_WIDTH])
def test_every_chart_fits_a_column_with_nothing_cut(results, v, width):
    charts = all_charts(results[v])
    far = far_result(results[v], -12.0)  # subtitles about a widened range and what it leaves out
    charts |= {"far density": ct.density_chart(far, 0), "far critic": ct.critic_chart(far, 0)}
    for name, chart in charts.items():
        assert cut_text(chart, width) == [], name


def test_density_chart_widens_its_range_to_far_generated_samples(results):
    res = results["gan"]
    lo, hi = res.config.target.plot_range
    far = far_result(res, lo - 20.0)  # every sample well left of the plot range
    spec = ct.density_chart(far, 1).to_dict()
    a, b = expected_range((lo, hi), far.samples[1])
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == pytest.approx([a, b])
    assert a < lo - 15 and b == hi  # widened on the left only
    bars = layer_frames(ct.density_chart(far, 1))[0]
    gen = bars[bars.series == "generated"]
    edges = np.linspace(a, b, ct.BINS + 1)
    np.testing.assert_array_equal(gen["count"], np.histogram(far.samples[1], edges)[0])
    inside = np.mean((far.samples[1] >= a) & (far.samples[1] <= b))
    assert gen["count"].sum() == pytest.approx(inside * far.samples.shape[1])
    assert inside > 0.99  # the bars show (nearly) all of G's samples
    assert "x range widened" in spec["title"]["subtitle"][0]


def test_samples_beyond_the_widening_are_counted_in_the_subtitle(results):
    res = results["gan"]
    lo, hi = res.config.target.plot_range
    far = far_result(res, 1000.0 * (hi - lo))  # farther than the range may widen
    spec = ct.density_chart(far, 0).to_dict()
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == pytest.approx(
        [lo, hi + 4 * (hi - lo)]
    )
    assert spec["title"]["subtitle"] == [
        "x range widened to show G's samples; 100 % of them lie outside"
    ]
    # Half the samples pushed out: the subtitle's share is numpy's count.
    half = res.samples.copy()
    half[0, ::2] += 1000.0 * (hi - lo)
    spec = ct.density_chart(dataclasses.replace(res, samples=half), 0).to_dict()
    a, b = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    share = np.mean((half[0] < a) | (half[0] > b))
    assert 0.45 < share <= 0.5
    assert f"{100 * share:.3g} % of them lie outside" in spec["title"]["subtitle"][0]


def test_critic_chart_draws_far_points_where_they_are(results):
    res = results["wgan"]
    lo, hi = res.config.target.plot_range
    far = far_result(res, hi - lo)  # one plot width to the right
    chart = ct.critic_chart(far, 0)
    spec = chart.to_dict()
    pts = layer_frames(chart)[1]
    np.testing.assert_allclose(pts["x"], far.samples[0][: ct.MAX_POINTS])  # none dropped
    a, b = spec["layer"][1]["encoding"]["x"]["scale"]["domain"]
    assert (a, b) == pytest.approx(expected_range((lo, hi), far.samples[0]))
    assert np.mean((pts["x"] >= a) & (pts["x"] <= b)) > 0.95
    np.testing.assert_allclose(layer_frames(chart)[0]["x"], far.x)  # f(x) on its own grid


def quantitative_tooltips(spec: dict):
    for view in views(spec):
        tips = view["encoding"].get("tooltip", [])
        for tip in tips if isinstance(tips, list) else [tips]:
            if tip.get("type") == "quantitative":
                yield tip


@pytest.mark.parametrize("v", VARIANTS)
def test_every_number_a_chart_prints_has_significant_digits(results, v):
    # Fixed decimals (".3f") print a critic estimate of 0.0004 as 0.000; integers (step,
    # count) need no format.
    for name, chart in all_charts(results[v]).items():
        for tip in quantitative_tooltips(chart.to_dict()):
            if tip["field"] in ("step", "count"):
                continue
            fmt = tip.get("format", "")
            assert fmt.endswith("g") and "f" not in fmt, (name, tip)
    assert percent(0.0004) == "0.04 %" and percent(0.12) == "12 %" and percent(0.997) == "99.7 %"
