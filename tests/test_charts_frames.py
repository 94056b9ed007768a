"""The timeline's plain Vega-Lite charts: their data against numpy and sampling's references,
fixed axes, the shown step marked, and nothing cut at a column's width."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ganlab.charts import SIG, cut_text
from ganlab.charts import frames as F
from ganlab.config import preset
from ganlab.sampling import map_distance, optimal_map
from ganlab.training import Run


@pytest.fixture(scope="module", params=["gan", "wgan", "wgan-gp"])
def moment(request):
    cfg = preset(request.param, "tuned", steps=200, n_seeds=3, data_size=512, batch_size=64)
    run = Run(cfg)
    run.advance()
    frame = run.timeline.at(100)
    return run, run.result_at(frame, full_history=True)


def _layers(spec):
    for layer in spec["layer"]:
        yield from _layers(layer) if "layer" in layer else [layer]


def test_density_bars_are_numpys_histogram_on_the_fixed_range(moment):
    _run, res = moment
    dom = (-1.0, 9.0)
    spec = F.density(res, 1, dom)
    bars = spec["datasets"]["bars"]
    edges = np.linspace(*dom, F.BINS + 1)
    for series, values in (("generated", res.samples[1]), ("real data", res.data[1])):
        counts, _ = np.histogram(values, edges)
        got = bars[bars.series == series].density.to_numpy()
        assert np.allclose(got, counts / (len(values) * np.diff(edges)))
    x = next(_layers(spec))["encoding"]["x"]
    assert x["scale"]["domain"] == [-1.0, 9.0]  # every frame of a replay on the same axis
    # the moment is labelled in the data (the spec stays the same from frame to frame)
    assert spec["datasets"]["label"].text.iloc[0] == f"seed {res.seeds[1]} · step {res.step:,}"
    assert "title" not in spec


def test_the_replay_range_holds_every_frames_samples(moment):
    run, res = moment
    all_samples = [f.samples for f in run.timeline.frames]
    lo, hi = F.x_range(res, all_samples)
    t_lo, t_hi = res.config.target.plot_range
    pooled = np.concatenate([np.ravel(s) for s in all_samples])
    q_lo, q_hi = np.quantile(pooled, [0.005, 0.995])
    assert lo <= min(t_lo, q_lo) and hi >= max(t_hi, q_hi)


def test_history_curves_are_the_median_and_range_over_seeds(moment):
    run, res = moment
    spec = F.losses(res, step=100)
    curves = spec["datasets"]["curves"]
    h = res.history
    k = len(res.seeds)
    for col in ("d_loss", "g_loss"):
        v = h[col].to_numpy().reshape(-1, k)
        name = run.variant.series_label(col)
        got = curves[curves.series == name]
        assert np.allclose(got["median"], np.median(v, 1))
        assert np.allclose(got["lo"], v.min(1)) and np.allclose(got["hi"], v.max(1))
    assert spec["datasets"]["now"].step.tolist() == [100]  # the shown step, marked
    assert "now" not in F.losses(res)["datasets"]
    w1 = F.distance(res, 0.03, step=100)["datasets"]["curves"]
    ev = res.evals.w1.to_numpy().reshape(-1, k)
    assert np.allclose(w1["median"], np.median(ev, 1)[np.median(ev, 1) > 0])


def test_critic_points_are_the_samples_with_their_scores(moment):
    run, res = moment
    spec = F.critic(res, 0, (-1.0, 9.0), marker=(4.0, 0.3))
    pts = spec["datasets"]["points"]
    assert np.array_equal(pts.x, res.samples[0][: F.MAX_POINTS])
    assert np.array_equal(pts.score, res.d_on_samples[0][: F.MAX_POINTS])
    has_half = "neutral" in spec["datasets"]
    assert has_half == (run.cfg.variant == "gan")  # D = ½ only where D is a probability
    assert spec["datasets"]["marker"][["x", "score"]].values.tolist() == [[4.0, 0.3]]


def test_the_map_shows_the_optimal_map_or_its_mirror_as_sampling_measures_it(moment):
    _run, res = moment
    cfg = res.config.replace(latent_dim=1)
    res1 = dataclasses.replace(res, config=cfg)
    for mirrored in (False, True):
        zz = -res1.z if mirrored else res1.z
        g = optimal_map(cfg.target, zz, cfg.latent) + 0.01
        one = dataclasses.replace(res1, g_on_z=np.stack([g] * len(res.seeds)))
        lines = F.generator_map(one, 0)["datasets"]["lines"]
        ref = lines[lines.series != "G(z)"]
        closer = map_distance(g, res1.z, cfg.target, cfg.latent)["closer"]
        assert (closer == "decreasing") == mirrored
        assert ref.series.iloc[0] == (
            "mirrored optimal map" if mirrored else "optimal map F⁻¹(Φ(z))"
        )
        assert np.allclose(ref.x, optimal_map(cfg.target, zz, cfg.latent))


def test_every_number_a_chart_prints_has_significant_digits(moment):
    _run, res = moment
    specs = [F.critic(res, 0, (0, 8)), F.losses(res, 5), F.distance(res, 0.02, 5), F.moments(res)]
    for spec in specs:
        for layer in _layers(spec):
            for tip in layer["encoding"].get("tooltip", []):
                if tip.get("type") == "quantitative" and tip["field"] != "step":
                    assert tip.get("format") == SIG


@pytest.mark.slow  # ~10–20 s: vl-convert lays out every chart at two widths
@pytest.mark.parametrize("width", [440, 560])
def test_every_chart_fits_a_column_with_nothing_cut(moment, width):
    _run, res = moment
    dom = F.x_range(res)
    specs = {
        "density": F.density(res, 0, dom),
        "critic": F.critic(res, 0, dom, marker=(0.1, 0.2)),
        "map": F.generator_map(res, 0, marker=(0.1, 0.2)),
        "losses": F.losses(res, 50),
        "distance": F.distance(res, 0.02, 50),
        "moments": F.moments(res, 50),
    }
    detail = F.critic_detail(res, 0)
    if detail is not None:
        specs["detail"] = detail
    for name, spec in specs.items():
        assert cut_text(spec, width) == [], name
