"""Compare-page charts: shared axes, titled axes and legends, data that match the runs, export."""

import json

import numpy as np
import pytest
from chart_checks import datasets_with, untitled_axes, views

from ganlab import compare
from ganlab.charts import VARIANT_COLORS
from ganlab.charts import compare as charts
from ganlab.training import Run


@pytest.fixture(scope="module")
def results():
    cfgs = compare.build("bimodal", 2, 20, 0, {})
    out = {}
    for v, cfg in cfgs.items():
        run = Run(cfg)
        run.advance()
        out[v] = run.result(with_metrics=False)
    return out


def test_density_panels_share_both_axes_and_count_every_seed(results):
    panels = charts.density_panels(results)
    lo, hi = results["gan"].config.target.plot_range
    tops = set()
    for v, chart in panels.items():
        spec = chart.to_dict()
        assert untitled_axes(spec) == []
        bars = spec["layer"][0]["encoding"]
        assert bars["x"]["scale"]["domain"] == [lo, hi]
        tops.add(tuple(bars["y"]["scale"]["domain"]))
        assert bars["color"]["scale"]["range"][0] == VARIANT_COLORS[v]
        assert bars["color"]["legend"] is not None
        (rows,) = datasets_with(spec, "count")
        inside = np.sum((results[v].samples >= lo) & (results[v].samples <= hi))
        assert sum(r["count"] for r in rows) == inside  # both seeds pooled
    assert len(tops) == 1  # one density axis for all three


def test_w1_chart_has_one_line_per_variant_and_the_noise_floor(results):
    spec = charts.w1_chart(results, floor=0.03).to_dict()
    assert untitled_axes(spec) == []
    line = spec["layer"][1]["encoding"]
    assert line["color"]["scale"]["range"] == [VARIANT_COLORS[v] for v in compare.ORDER]
    assert line["y"]["scale"]["type"] == "log"
    (rows,) = datasets_with(spec, "median")
    assert {r["series"] for r in rows} == {compare.label(v) for v in compare.ORDER}
    assert any(r.get("value") == 0.03 for d in spec["datasets"].values() for r in d)


def test_loss_panels_span_the_whole_budget(results):
    for v, chart in charts.loss_panels(results).items():
        spec = chart.to_dict()
        assert spec["title"] == compare.label(v)
        assert untitled_axes(spec) == []
        assert any(r.get("step") == 20 for d in datasets_with(spec, "step") for r in d)


@pytest.mark.slow
def test_figure_exports_as_png_and_svg_without_a_browser(results):
    fig = charts.figure(results, floor=0.03)
    assert len(list(views(json.loads(fig.to_json())))) >= 9
    png = charts.to_png(fig, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = charts.to_svg(fig)
    assert svg.lstrip().startswith("<svg") and "WGAN-GP" in svg
