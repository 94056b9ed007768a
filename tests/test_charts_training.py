"""Training chart builders: valid Vega-Lite, titled axes, binned data, values against numpy."""

from __future__ import annotations

import dataclasses
import math

import altair as alt
import numpy as np
import pandas as pd
import pytest

from ganlab import config
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
    lo, hi = res.config.target.plot_range
    edges = np.linspace(lo, hi, ct.BINS + 1)
    gen = bars[bars.series == "generated"]
    np.testing.assert_array_equal(gen["count"], np.histogram(res.samples[1], edges)[0])
    real = bars[bars.series == "real data"]
    np.testing.assert_array_equal(real["count"], np.histogram(res.data[1], edges)[0])
    pdf = layer_frames(chart)[1]
    np.testing.assert_allclose(pdf["density"], res.config.target.pdf(res.x))


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
