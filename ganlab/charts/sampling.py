"""Charts for inverse-transform sampling: uniform draws, F and F⁻¹ with traced draws, histograms."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ganlab.charts import TARGET_COLOR, VARIANT_COLORS

DRAW_COLOR = "#CC79A7"  # Okabe–Ito reddish purple: inverse-transform draws, unlike any variant
HEIGHT = 340  # total, with axes and legend: leaves ≈ 210 px of plot


def histogram(values, edges) -> pd.DataFrame:
    """Bins of `values` on fixed `edges`: columns lo, hi, count, density. Density divides by
    *all* values, so mass outside the edges shows as missing area instead of being rescaled."""
    values = np.asarray(values, dtype=float).ravel()
    edges = np.asarray(edges, dtype=float)
    counts, _ = np.histogram(values, edges)
    width = np.diff(edges)
    return pd.DataFrame(
        {
            "lo": edges[:-1],
            "hi": edges[1:],
            "count": counts,
            "density": counts / max(len(values), 1) / width,
        }
    )


def _series_color(domain: list[str], colors: list[str], title: str | None = None):
    return alt.Color(
        "series:N",
        scale=alt.Scale(domain=domain, range=colors),
        legend=alt.Legend(title=title, orient="bottom"),
    )


def _bars(bins: pd.DataFrame, name: str, x_title: str, color: list[str], domain: list[str]):
    data = bins.assign(series=name)
    return (
        alt.Chart(data)
        .mark_rect(opacity=0.6)
        .encode(
            x=alt.X("lo:Q", title=x_title),
            x2="hi:Q",
            y=alt.Y("density:Q", title="density"),
            y2=alt.datum(0),
            color=_series_color(domain, color),
            tooltip=[
                alt.Tooltip("lo:Q", format=".3g"),
                alt.Tooltip("hi:Q", format=".3g"),
                "count:Q",
            ],
        )
    )


def _line(frame: pd.DataFrame, x: str, y: str, domain, colors, x_title: str, y_title: str):
    return (
        alt.Chart(frame)
        .mark_line(clip=True)
        .encode(
            x=alt.X(f"{x}:Q", title=x_title),
            y=alt.Y(f"{y}:Q", title=y_title),
            color=_series_color(domain, colors),
        )
    )


def uniform_chart(u, bins: int = 20) -> alt.LayerChart:
    """Histogram of the uniform draws u against the flat Uniform(0, 1) density."""
    hist = histogram(u, np.linspace(0.0, 1.0, bins + 1))
    domain = [f"{len(np.ravel(u)):,} draws of U", "Uniform(0, 1) density"]
    flat = pd.DataFrame({"u": [0.0, 1.0], "density": [1.0, 1.0], "series": domain[1]})
    colors = [DRAW_COLOR, TARGET_COLOR]
    bars = _bars(hist, domain[0], "u (uniform draw)", colors, domain)
    line = _line(flat, "u", "density", domain, colors, "u (uniform draw)", "density")
    return (bars + line).properties(height=HEIGHT)


def inverse_cdf_chart(x, cdf, u_traced, x_traced) -> alt.LayerChart:
    """The CDF u = F(x) with draws traced from the u axis across to the curve and down to the
    x axis: reading the curve backwards is F⁻¹, so each u lands at x = F⁻¹(u)."""
    x, cdf = np.asarray(x, dtype=float), np.asarray(cdf, dtype=float)
    lo, hi = float(x[0]), float(x[-1])
    curve = pd.DataFrame({"x": x, "u": cdf, "series": "CDF F(x)"})
    traces = pd.DataFrame(
        {
            "u": np.ravel(u_traced),
            "x": np.clip(np.ravel(x_traced), lo, hi),
            "x0": lo,
            "u0": 0.0,
            "series": "a draw: u → F⁻¹(u)",
        }
    )
    domain, colors = ["CDF F(x)", "a draw: u → F⁻¹(u)"], [TARGET_COLOR, DRAW_COLOR]
    color = _series_color(domain, colors)
    # Every layer names its axes: Vega-Lite would otherwise join the field names ("x, x0").
    xs, us = alt.Scale(domain=[lo, hi], nice=False), alt.Scale(domain=[0, 1])

    def ax(field):
        return alt.X(f"{field}:Q", title="x (sample value)", scale=xs)

    def ay(field):
        return alt.Y(f"{field}:Q", title="u = F(x)", scale=us)

    line = alt.Chart(curve).mark_line().encode(x=ax("x"), y=ay("u"), color=color)
    base = alt.Chart(traces)
    across = base.mark_rule(strokeDash=[4, 3]).encode(x=ax("x0"), x2="x:Q", y=ay("u"), color=color)
    down = base.mark_rule(strokeDash=[4, 3]).encode(x=ax("x"), y=ay("u0"), y2="u:Q", color=color)
    on_u = base.mark_point(filled=True, size=50).encode(x=ax("x0"), y=ay("u"), color=color)
    on_x = base.mark_point(filled=True, size=50, shape="triangle-down").encode(
        x=ax("x"),
        y=ay("u0"),
        color=color,
        tooltip=[alt.Tooltip("u:Q", format=".3f"), alt.Tooltip("x:Q", format=".3f")],
    )
    return (line + across + down + on_u + on_x).properties(height=HEIGHT)


def histogram_vs_pdf(samples, edges, x, pdf, label: str = "inverse-transform samples"):
    """Histogram of samples (density scale) against the target's pdf."""
    hist = histogram(samples, edges)
    domain, colors = [label, "target pdf"], [DRAW_COLOR, TARGET_COLOR]
    curve = pd.DataFrame(
        {
            "x": np.asarray(x, dtype=float),
            "density": np.asarray(pdf, dtype=float),
            "series": domain[1],
        }
    )
    bars = _bars(hist, label, "x (sample value)", colors, domain)
    line = _line(curve, "x", "density", domain, colors, "x (sample value)", "density")
    return (bars + line).properties(height=HEIGHT)


def learned_map_chart(z, optimal, mirrored, g, variant: str, latent: str = "normal"):
    """G(z) of a latent-1 generator against the two optimal maps T(z) and its mirror T̃(z)."""
    z_title = "z (latent, N(0, 1))" if latent == "normal" else "z (latent, U(0, 1))"
    names = [
        "T(z) = F⁻¹(Φ(z)), increasing" if latent == "normal" else "T(z) = F⁻¹(z), increasing",
        "mirror T̃(z), decreasing",
        f"G(z), learned by {variant}",
    ]
    frame = pd.concat(
        [
            pd.DataFrame({"z": z, "x": np.asarray(v, dtype=float), "series": n})
            for n, v in zip(names, (optimal, mirrored, g), strict=True)
        ]
    )
    colors = [TARGET_COLOR, TARGET_COLOR, VARIANT_COLORS.get(variant, DRAW_COLOR)]
    return (
        alt.Chart(frame)
        .mark_line(clip=True)
        .encode(
            x=alt.X("z:Q", title=z_title),
            y=alt.Y("x:Q", title="x = map(z)"),
            color=_series_color(names, colors),
            strokeDash=alt.StrokeDash(
                "series:N",
                scale=alt.Scale(domain=names, range=[[1, 0], [5, 4], [1, 0]]),
                legend=None,
            ),
            strokeWidth=alt.StrokeWidth(
                "series:N", scale=alt.Scale(domain=names, range=[2, 1.5, 3]), legend=None
            ),
        )
        .properties(height=HEIGHT)
    )
