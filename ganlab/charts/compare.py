"""Compare-page charts: one panel per variant on shared axes, the W1 curves together, a figure;
for any number of variants (1 to all of them), each in its colour from the registry."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd
import vl_convert

from ganlab.charts import (
    LEGEND_LABEL_LIMIT,
    SIG,
    TARGET_COLOR,
    Layered,
    outside_note,
    share_outside,
    shown_range,
)
from ganlab.charts.training import BINS, binned, loss_chart, over_seeds
from ganlab.report import number
from ganlab.result import RunResult
from ganlab.variants import VARIANTS

# Streamlit fits a stretched chart's *whole* height (title, axes, legend) into this, so leave room
# for the plot; the exported figure sets its own plot size (FIGURE_PANEL).
HEIGHT = 320
FIGURE_PANEL = {"width": 260, "height": 180}
FIGURE_COLUMNS = 3  # panels a row in the exported figure: seven in one row would be 2,000 px
LEGEND_ROW = 30  # px a legend row takes under a chart (14 px labels, padding)
Y_CAP = 3.0  # density axis tops out at this × the target's peak, so one spike can't flatten all


def _legend(columns: int = 0) -> alt.Legend:
    """A legend under the chart, `columns` wide (0 = one row), labels never cut."""
    return alt.Legend(
        title=None,
        orient="bottom",
        symbolOpacity=1,
        symbolStrokeWidth=3,
        labelLimit=LEGEND_LABEL_LIMIT,
        columns=columns or alt.Undefined,
    )


def x_range(results: dict[str, RunResult]) -> tuple[float, float]:
    """The x range every density panel shares: the target's plot range, widened to where the
    generated samples of every variant are (`shown_range` over all of them pooled)."""
    r0 = next(iter(results.values()))
    pooled = np.concatenate([np.ravel(r.samples) for r in results.values()])
    return shown_range(r0.config.target.plot_range, pooled)


def density_ymax(results: dict[str, RunResult], bins: int = BINS) -> tuple[float, float]:
    """(shared top of the density axis, tallest generated bar): the same y for every panel."""
    r0 = next(iter(results.values()))
    lo, hi = x_range(results)
    edges = np.linspace(lo, hi, bins + 1)
    peak_pdf = float(np.max(r0.config.target.pdf(r0.x)))
    tallest = max(
        (binned(r.samples, edges, "")["density"].max() for r in results.values()), default=0.0
    )
    return min(max(tallest, peak_pdf) * 1.05, Y_CAP * peak_pdf), float(tallest)


def density_panel(
    result: RunResult, y_max: float, bins: int = BINS, x: tuple[float, float] | None = None
) -> Layered:
    """Generated samples of all seeds pooled (bars) under the target pdf (line), on a given x
    range (default: the plot range widened to this run's samples) and density axis, so panels
    of different variants line up."""
    cfg = result.config
    v = cfg.variant
    lo, hi = x if x is not None else shown_range(cfg.target.plot_range, result.samples)
    edges = np.linspace(lo, hi, bins + 1)
    k = len(result.seeds)
    bars = binned(result.samples, edges, "generated")
    grid = result.x if (lo, hi) == cfg.target.plot_range else np.linspace(lo, hi, 401)
    pdf = pd.DataFrame({"x": grid, "density": cfg.target.pdf(grid), "series": "target pdf"})
    color = alt.Color(
        "series:N",
        scale=alt.Scale(
            domain=["generated", "target pdf"], range=[VARIANTS[v].color, TARGET_COLOR]
        ),
        legend=_legend(),
    )
    x_enc = alt.X("x0:Q", title="x", scale=alt.Scale(domain=[lo, hi]))
    y = alt.Y("density:Q", title="density", scale=alt.Scale(domain=[0, y_max], clamp=True))
    hist = (
        alt.Chart(bars)
        .mark_bar(binSpacing=0, opacity=0.7)
        .encode(
            x=x_enc,
            x2="x1:Q",
            y=y,
            y2=alt.datum(0),
            color=color,
            tooltip=[
                alt.Tooltip("x0:Q", format=SIG),
                alt.Tooltip("x1:Q", format=SIG),
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
    # Short lines: a panel is a third of the page wide, and a long title is cut at its edge.
    notes = [f"{k} seeds pooled"] if k > 1 else []
    if bars["density"].max() > y_max:
        notes.append(f"peak {number(bars['density'].max())} cut off")
    outside = outside_note(share_outside(result.samples, lo, hi))
    if outside:
        notes.append(outside)
    text = f"{VARIANTS[v].label}, step {result.step:,}"
    title = alt.Title(text, subtitle=notes) if notes else alt.Title(text)
    return alt.layer(hist, line).properties(title=title, height=HEIGHT)


def density_panels(results: dict[str, RunResult]) -> dict[str, Layered]:
    y_max, _ = density_ymax(results)
    x = x_range(results)
    return {v: density_panel(r, y_max, x=x) for v, r in results.items()}


def loss_panels(results: dict[str, RunResult]) -> dict[str, Layered]:
    """Each variant's loss chart (the variant page's), titled, on a shared step axis: an
    invisible rule spans 0 … budget so a run stopped early is not stretched to full width."""
    out = {}
    for v, r in results.items():
        span = pd.DataFrame({"step": [0, r.config.steps]})
        rule = (
            alt.Chart(span).mark_rule(opacity=0).encode(x=alt.X("step:Q", title="generator step"))
        )
        chart = loss_chart(r, legend_columns=1)  # a third of the page: one entry per row
        # Taller than a density panel: the one-column legend takes three rows.
        out[v] = alt.layer(chart, rule).properties(title=VARIANTS[v].label, height=HEIGHT + 60)
    return out


def w1_chart(
    results: dict[str, RunResult], floor: float | None = None, panel: bool = False
) -> Layered:
    """W1 to the target over training, one line per variant (median over seeds, min–max band),
    on one log axis, with the sampling noise floor dashed. Taller as the legend gets rows. As a
    `panel` beside the densities (a projector's row), titled like them, with a short axis title."""
    frames = []
    for v, r in results.items():
        f = over_seeds(r.evals, {"w1": VARIANTS[v].label})
        f = f[f["median"] > 0]  # a log axis cannot show 0
        frames.append(f.assign(lo=np.maximum(f["lo"], f["median"] / 1000)))
    data = pd.concat(frames) if frames else pd.DataFrame(columns=["step", "series", "median"])
    domain = [VARIANTS[v].label for v in results]
    color = alt.Color(
        "series:N",
        legend=_legend(columns=2),  # beside the noise floor's entry: one row would be 560 px
        scale=alt.Scale(domain=domain, range=[VARIANTS[v].color for v in results]),
    )
    steps = max((r.config.steps for r in results.values()), default=1)
    base = alt.Chart(data).encode(
        x=alt.X("step:Q", title="generator step", scale=alt.Scale(domain=[0, steps])), color=color
    )
    title = "units of x, log scale" if panel else "W1 to the target (units of x, log scale)"
    log = alt.Scale(type="log")
    y = alt.Y("median:Q", title=title, scale=log)
    layers = [
        base.mark_area(opacity=0.15).encode(y=alt.Y("lo:Q", title=title, scale=log), y2="hi:Q"),
        base.mark_line(strokeWidth=2).encode(
            y=y, tooltip=["series:N", "step:Q", alt.Tooltip("median:Q", format=SIG)]
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
    rows = math.ceil(len(results) / 2)  # the variants' legend, two a row (the floor beside)
    chart = alt.layer(*layers).properties(height=HEIGHT + LEGEND_ROW * max(rows, 2))
    return chart.properties(title="W1 to the target") if panel else chart


def figure(results: dict[str, RunResult], floor: float | None = None) -> alt.VConcatChart:
    """The small multiples as one chart for export: the densities, then the losses, each in rows
    of at most FIGURE_COLUMNS panels, and the W1 curves of all variants below."""
    columns = min(len(results), FIGURE_COLUMNS)
    dens = alt.concat(
        *[c.properties(**FIGURE_PANEL) for c in density_panels(results).values()],
        columns=columns,
    )
    loss = alt.concat(
        *[c.properties(**FIGURE_PANEL) for c in loss_panels(results).values()], columns=columns
    )
    w1 = w1_chart(results, floor).properties(
        width=max(columns, 2) * FIGURE_PANEL["width"] + 60, height=220, title="W1 to the target"
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
