"""Compare-page charts: shared axes, titled axes and legends, data that match the runs, export."""

import dataclasses
import json

import numpy as np
import pytest
from chart_checks import datasets_with, untitled_axes, views

from ganlab import compare
from ganlab.charts import COLUMN_WIDTH, THIRD_WIDTH, VARIANT_COLORS, cut_text
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


def drawn_range(plot_range, samples, reach=4.0):
    """The range by its definition, in numpy: plot range ∪ the 0.5–99.5 % quantiles of all
    generated samples + 5 % margin on a widened side, at most `reach` plot widths past it."""
    lo, hi = plot_range
    v = samples[np.isfinite(samples)]
    q_lo, q_hi = np.percentile(v, [0.5, 99.5])
    a, b = min(lo, q_lo), max(hi, q_hi)
    m = 0.05 * (b - a)
    a, b = (a - m if a < lo else lo), (b + m if b > hi else hi)
    return max(a, lo - reach * (hi - lo)), min(b, hi + reach * (hi - lo))


def test_density_panels_share_both_axes_and_count_every_seed(results):
    panels = charts.density_panels(results)
    pooled = np.concatenate([r.samples.ravel() for r in results.values()])
    lo, hi = drawn_range(results["gan"].config.target.plot_range, pooled)
    tops = set()
    for v, chart in panels.items():
        spec = chart.to_dict()
        assert untitled_axes(spec) == []
        bars = spec["layer"][0]["encoding"]
        assert bars["x"]["scale"]["domain"] == pytest.approx([lo, hi])
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
    assert line["color"]["scale"]["range"] == [VARIANT_COLORS[v] for v in results]
    assert line["y"]["scale"]["type"] == "log"
    (rows,) = datasets_with(spec, "median")
    assert {r["series"] for r in rows} == {compare.label(v) for v in results}
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


def test_density_panels_widen_to_a_generator_far_from_the_target(results):
    # One variant's G far to the left: every panel widens alike, and nothing is silently lost.
    lo, hi = results["gan"].config.target.plot_range
    far = dict(results)
    far["wgan"] = dataclasses.replace(results["wgan"], samples=results["wgan"].samples - 20.0)
    pooled = np.concatenate([r.samples.ravel() for r in far.values()])
    a, b = drawn_range((lo, hi), pooled)
    assert a < lo - 10
    for v, chart in charts.density_panels(far).items():
        spec = chart.to_dict()
        assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == pytest.approx([a, b])
        (rows,) = datasets_with(spec, "count")
        s = far[v].samples
        assert sum(r["count"] for r in rows) == np.sum((s >= a) & (s <= b))
        share = np.mean((s < a) | (s > b))
        said = [t for t in spec["title"].get("subtitle", []) if "outside" in t]
        assert said == (
            [f"{100 * share:.3g} % of generated samples lie outside this range"] if share else []
        )


@pytest.mark.slow
def test_every_panel_fits_a_third_of_the_page_and_the_w1_chart_a_column(results):
    # Vega's own layout at Streamlit's theme: no legend or title runs past the column's edge
    # ("equili…", "target p…" in the audit), no label ends in "…", the plot keeps its room.
    for v, chart in {**charts.density_panels(results), **charts.loss_panels(results)}.items():
        assert cut_text(chart, THIRD_WIDTH) == [], v
    assert cut_text(charts.w1_chart(results, floor=0.03), COLUMN_WIDTH) == []


def test_compare_tooltips_print_significant_digits(results):
    specs = [c.to_dict() for c in charts.density_panels(results).values()]
    specs.append(charts.w1_chart(results, floor=0.03).to_dict())
    tips = [
        t
        for spec in specs
        for view in views(spec)
        for t in view["encoding"].get("tooltip", [])
        if t.get("type") == "quantitative" and t["field"] not in ("step", "count")
    ]
    assert tips and all(t["format"].endswith("g") and "f" not in t["format"] for t in tips)


# --- any subset of the variants -----------------------------------------------------------------
@pytest.fixture(scope="module")
def every():
    """A tiny run of every registered variant (2 seeds, 20 steps), in registry order."""
    out = {}
    for v, cfg in compare.build("bimodal", 2, 20, 0, {}, compare.ORDER).items():
        run = Run(cfg)
        run.advance()
        out[v] = run.result(with_metrics=False)
    return out


SUBSETS = [("rpgan",), ("gan", "lsgan", "rpgan"), ("wgan", "hinge", "r1", "rpgan"), compare.ORDER]


@pytest.mark.parametrize("names", SUBSETS, ids=lambda n: ",".join(n))
def test_every_chart_has_a_panel_or_a_line_per_chosen_variant_in_its_registry_colour(every, names):
    chosen = {v: every[v] for v in names}
    panels = charts.density_panels(chosen)
    assert list(panels) == list(names)
    for v, chart in panels.items():
        bars = chart.to_dict()["layer"][0]["encoding"]
        assert bars["color"]["scale"]["range"][0] == VARIANT_COLORS[v]
    assert [c.to_dict()["title"] for c in charts.loss_panels(chosen).values()] == [
        compare.label(v) for v in names
    ]
    spec = charts.w1_chart(chosen, floor=0.03).to_dict()
    line = spec["layer"][1]["encoding"]
    assert line["color"]["scale"]["domain"] == [compare.label(v) for v in names]
    assert line["color"]["scale"]["range"] == [VARIANT_COLORS[v] for v in names]
    (rows,) = datasets_with(spec, "median")
    assert {r["series"] for r in rows} == {compare.label(v) for v in names}


def test_the_w1_chart_grows_with_its_legend_so_the_plot_keeps_its_height(every):
    three = charts.w1_chart({v: every[v] for v in compare.ORDER[:3]}).to_dict()["height"]
    seven = charts.w1_chart(every).to_dict()["height"]
    assert seven - three == 2 * charts.LEGEND_ROW  # four legend rows instead of two


@pytest.mark.parametrize("names", SUBSETS, ids=lambda n: ",".join(n))
def test_the_figure_wraps_its_panels_in_rows_of_three(every, names):
    spec = charts.figure({v: every[v] for v in names}, floor=0.03).to_dict()
    dens, loss, w1 = spec["vconcat"]
    columns = min(len(names), charts.FIGURE_COLUMNS)
    for row in (dens, loss):
        assert row["columns"] == columns and len(row["concat"]) == len(names)
    assert w1["width"] == max(columns, 2) * charts.FIGURE_PANEL["width"] + 60


@pytest.mark.slow
def test_every_variants_panels_fit_a_third_of_the_page_and_all_w1_curves_a_column(every):
    for v, chart in {**charts.density_panels(every), **charts.loss_panels(every)}.items():
        assert cut_text(chart, THIRD_WIDTH) == [], v
    assert cut_text(charts.w1_chart(every, floor=0.03), COLUMN_WIDTH) == []


@pytest.mark.slow
def test_a_figure_of_every_variant_exports_without_a_browser(every):
    svg = charts.to_svg(charts.figure(every, floor=0.03))
    assert svg.lstrip().startswith("<svg")
    assert all(compare.label(v) in svg for v in every)
