"""Compare-page charts: one panel per variant on shared axes, the W1 curves together, a figure."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import vl_convert

from ganlab.charts import TARGET_COLOR, Layered
from ganlab.charts.training import BINS, binned, loss_chart, over_seeds
from ganlab.result import RunResult
from ganlab.variants import VARIANTS

# Streamlit fits a stretched chart's *whole* height (title, axes, legend) into this, so leave room
# for the plot; the exported figure sets its own plot size (FIGURE_PANEL).
HEIGHT = 320
FIGURE_PANEL = {"width": 260, "height": 180}
Y_CAP = 3.0  # density axis tops out at this × the target's peak, so one spike can't flatten all


def _legend() -> alt.Legend:
    return alt.Legend(title=None, orient="bottom", symbolOpacity=1, symbolStrokeWidth=3)


def density_ymax(results: dict[str, RunResult], bins: int = BINS) -> tuple[float, float]:
    """(shared top of the density axis, tallest generated bar): the same y for every panel."""
    r0 = next(iter(results.values()))
    lo, hi = r0.config.target.plot_range
    edges = np.linspace(lo, hi, bins + 1)
    peak_pdf = float(np.max(r0.config.target.pdf(r0.x)))
    tallest = max(
        (binned(r.samples, edges, "")["density"].max() for r in results.values()), default=0.0
    )
    return min(max(tallest, peak_pdf) * 1.05, Y_CAP * peak_pdf), float(tallest)


def density_panel(result: RunResult, y_max: float, bins: int = BINS) -> Layered:
    """Generated samples of all seeds pooled (bars) under the target pdf (line), on the target's
    plot range and a given density axis, so panels of different variants line up."""
    cfg = result.config
    v = cfg.variant
    lo, hi = cfg.target.plot_range
    edges = np.linspace(lo, hi, bins + 1)
    k = len(result.seeds)
    gen_name = f"generated ({k} seeds pooled)" if k > 1 else "generated"
    bars = binned(result.samples, edges, gen_name)
    pdf = pd.DataFrame({"x": result.x, "density": cfg.target.pdf(result.x), "series": "target pdf"})
    color = alt.Color(
        "series:N",
        scale=alt.Scale(domain=[gen_name, "target pdf"], range=[VARIANTS[v].color, TARGET_COLOR]),
        legend=_legend(),
    )
    x = alt.X("x0:Q", title="x", scale=alt.Scale(domain=[lo, hi]))
    y = alt.Y("density:Q", title="density", scale=alt.Scale(domain=[0, y_max], clamp=True))
    hist = (
        alt.Chart(bars)
        .mark_bar(binSpacing=0, opacity=0.7)
        .encode(
            x=x,
            x2="x1:Q",
            y=y,
            y2=alt.datum(0),
            color=color,
            tooltip=[
                alt.Tooltip("x0:Q", format=".3g"),
                alt.Tooltip("x1:Q", format=".3g"),
                "count:Q",
            ],
        )
    )
    line = (
        alt.Chart(pdf)
        .mark_line(strokeWidth=2, clip=True)
        .encode(
            x=alt.X("x:Q", title="x"),
            y=alt.Y("density:Q", title="density", scale=alt.Scale(domain=[0, y_max], clamp=True)),
            color=color,
        )
    )
    title = f"{VARIANTS[v].label} — step {result.step:,}"
    if bars["density"].max() > y_max:
        title += f" (peak {bars['density'].max():.2g} cut off)"
    return alt.layer(hist, line).properties(title=title, height=HEIGHT)


def density_panels(results: dict[str, RunResult]) -> dict[str, Layered]:
    y_max, _ = density_ymax(results)
    return {v: density_panel(r, y_max) for v, r in results.items()}


def loss_panels(results: dict[str, RunResult]) -> dict[str, Layered]:
    """Each variant's loss chart (the variant page's), titled, on a shared step axis: an
    invisible rule spans 0 … budget so a run stopped early is not stretched to full width."""
    out = {}
    for v, r in results.items():
        span = pd.DataFrame({"step": [0, r.config.steps]})
        rule = (
            alt.Chart(span).mark_rule(opacity=0).encode(x=alt.X("step:Q", title="generator step"))
        )
        out[v] = alt.layer(loss_chart(r), rule).properties(title=VARIANTS[v].label, height=HEIGHT)
    return out


def w1_chart(results: dict[str, RunResult], floor: float | None = None) -> Layered:
    """W1 to the target over training, one line per variant (median over seeds, min–max band),
    on one log axis, with the sampling noise floor dashed."""
    frames = []
    for v, r in results.items():
        f = over_seeds(r.evals, {"w1": VARIANTS[v].label})
        f = f[f["median"] > 0]  # a log axis cannot show 0
        frames.append(f.assign(lo=np.maximum(f["lo"], f["median"] / 1000)))
    data = pd.concat(frames) if frames else pd.DataFrame(columns=["step", "series", "median"])
    domain = [VARIANTS[v].label for v in results]
    color = alt.Color(
        "series:N",
        legend=_legend(),
        scale=alt.Scale(domain=domain, range=[VARIANTS[v].color for v in results]),
    )
    steps = max((r.config.steps for r in results.values()), default=1)
    base = alt.Chart(data).encode(
        x=alt.X("step:Q", title="generator step", scale=alt.Scale(domain=[0, steps])), color=color
    )
    title, log = "W1 to the target (units of x, log scale)", alt.Scale(type="log")
    y = alt.Y("median:Q", title=title, scale=log)
    layers = [
        base.mark_area(opacity=0.15).encode(y=alt.Y("lo:Q", title=title, scale=log), y2="hi:Q"),
        base.mark_line(strokeWidth=2).encode(
            y=y, tooltip=["series:N", "step:Q", alt.Tooltip("median:Q", format=".3g")]
        ),
    ]
    if floor is not None and floor > 0:
        ref = pd.DataFrame({"value": [floor], "kind": ["sampling noise floor"]})
        layers.append(
            alt.Chart(ref)
            .mark_rule(strokeDash=[6, 4], color=TARGET_COLOR)
            .encode(
                y=alt.Y("value:Q", title=title),
                strokeDash=alt.StrokeDash(
                    "kind:N", legend=_legend(), scale=alt.Scale(range=[[6, 4]])
                ),
            )
        )
    return alt.layer(*layers).properties(height=HEIGHT + 40)


def figure(results: dict[str, RunResult], floor: float | None = None) -> alt.VConcatChart:
    """The small multiples as one chart for export: densities in a row, losses in a row, and
    the W1 curves of all variants below."""
    dens = alt.hconcat(*[c.properties(**FIGURE_PANEL) for c in density_panels(results).values()])
    loss = alt.hconcat(*[c.properties(**FIGURE_PANEL) for c in loss_panels(results).values()])
    w1 = w1_chart(results, floor).properties(
        width=3 * FIGURE_PANEL["width"] + 60, height=220, title="W1 to the target"
    )
    return alt.vconcat(
        dens.resolve_scale(color="independent"),
        loss.resolve_scale(color="independent", strokeDash="independent"),
        w1,
    ).resolve_scale(color="independent", strokeDash="independent")


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """PNG bytes through vl-convert (no browser needed)."""
    return vl_convert.vegalite_to_png(chart.to_json(), scale=scale)


def to_svg(chart: alt.TopLevelMixin) -> str:
    return vl_convert.vegalite_to_svg(chart.to_json())
