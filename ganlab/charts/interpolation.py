"""Charts for latent paths: norms and log-density along lerp/slerp, the χ shell, the 2-D plane."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ganlab.charts import TARGET_COLOR
from ganlab.charts.sampling import histogram

# Okabe–Ito vermillion and sky blue: distinct from each other and from the variant colours.
METHOD_COLORS = {"lerp": "#D55E00", "slerp": "#56B4E9"}
SHELL_COLOR = TARGET_COLOR  # the χ shell is the "truth" the paths are measured against
HEIGHT = 340  # total, with axes and legend: leaves ≈ 210 px of plot


def _method_color(extra: dict[str, str] | None = None):
    colors = {**METHOD_COLORS, **(extra or {})}
    # symbolOpacity: the legend would otherwise copy the faint opacity of the band's area.
    return alt.Color(
        "method:N",
        scale=alt.Scale(domain=list(colors), range=list(colors.values())),
        legend=alt.Legend(title=None, orient="bottom", symbolOpacity=1, labelLimit=300),
    )


def path_frame(t, values: dict[str, np.ndarray], column: str) -> pd.DataFrame:
    """Long format (t, <column>, method) from {method: values along t}."""
    return pd.concat(
        [
            pd.DataFrame({"t": t, column: np.asarray(v, dtype=float), "method": m})
            for m, v in values.items()
        ],
        ignore_index=True,
    )


def norm_chart(frame: pd.DataFrame, band: tuple[float, float, float], d: int) -> alt.LayerChart:
    """‖z(t)‖ along the paths (frame: t, norm, method) over the χ_d band: `band` is
    (median, 5 %, 95 %) from interpolation.shell."""
    median, lo, hi = band
    shell_name = f"χ_{d} shell (median, 5–95 %)"
    color = _method_color({shell_name: SHELL_COLOR})
    y_title = "‖z(t)‖ along the path"
    y = alt.Y("norm:Q", title=y_title, scale=alt.Scale(zero=False))
    x = alt.X("t:Q", title="t (0 = z₁, 1 = z₂)")
    shell = pd.DataFrame(
        {
            "t": [0.0, 1.0],
            "norm": [median] * 2,
            "lo": [lo] * 2,
            "hi": [hi] * 2,
            "method": shell_name,
        }
    )
    area = (
        alt.Chart(shell)
        .mark_area(opacity=0.2)
        .encode(x=x, y=alt.Y("lo:Q", title=y_title), y2="hi:Q", color=color)
    )
    mid = alt.Chart(shell).mark_line(strokeDash=[5, 4]).encode(x=x, y=y, color=color)
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=x,
            y=y,
            color=color,
            tooltip=[
                "method:N",
                alt.Tooltip("t:Q", format=".2f"),
                alt.Tooltip("norm:Q", format=".3f"),
            ],
        )
    )
    return (area + mid + lines).properties(height=HEIGHT)


def log_density_chart(frame: pd.DataFrame, d: int) -> alt.Chart:
    """log N(z(t); 0, I_d) along the paths (frame: t, log_density, method)."""
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("t:Q", title="t (0 = z₁, 1 = z₂)"),
            y=alt.Y("log_density:Q", title=f"log N(z(t); 0, I_{d})", scale=alt.Scale(zero=False)),
            color=_method_color(),
            tooltip=[
                "method:N",
                alt.Tooltip("t:Q", format=".2f"),
                alt.Tooltip("log_density:Q", format=".1f"),
            ],
        )
        .properties(height=HEIGHT)
    )


def shell_chart(norms, edges, r, chi_pdf, marks: pd.DataFrame, d: int) -> alt.LayerChart:
    """Histogram of ‖z‖ for random draws with the χ_d pdf over it and vertical marks
    (marks: norm, method — e.g. the lerp and slerp midpoints of one pair)."""
    draws = f"‖z‖ of {len(np.ravel(norms)):,} draws"
    pdf_name = f"χ_{d} pdf"
    color = _method_color({draws: "#BBBBBB", pdf_name: SHELL_COLOR})
    x = alt.X("lo:Q", title="‖z‖ (distance from the origin)", scale=alt.Scale(zero=False))
    hist = histogram(norms, edges).assign(method=draws)
    bars = (
        alt.Chart(hist)
        .mark_rect()
        .encode(x=x, x2="hi:Q", y=alt.Y("density:Q", title="density"), y2=alt.datum(0), color=color)
    )
    curve = pd.DataFrame({"lo": r, "density": chi_pdf, "method": pdf_name})
    line = (
        alt.Chart(curve)
        .mark_line(clip=True)
        .encode(x=x, y=alt.Y("density:Q", title="density"), color=color)
    )
    rules = (
        alt.Chart(marks.rename(columns={"norm": "lo"}))
        .mark_rule(strokeWidth=3)
        .encode(
            x=x, color=color, tooltip=["label:N", alt.Tooltip("lo:Q", title="‖z‖", format=".2f")]
        )
    )
    return (bars + line + rules).properties(height=HEIGHT)


def plane_chart(frame: pd.DataFrame, size: int = 320) -> alt.LayerChart:
    """interpolation.plane_picture's curves (u, v, curve, order) on equal axes, so the shell
    is drawn as a circle and the chord's dip toward the origin is visible."""
    names = list(dict.fromkeys(frame["curve"]))
    colors = [METHOD_COLORS["lerp"], METHOD_COLORS["slerp"], SHELL_COLOR][: len(names)]
    extent = 1.1 * float(np.max(np.abs(frame[["u", "v"]].to_numpy())))
    scale = alt.Scale(domain=[-extent, extent], nice=False)
    ends = frame[frame["curve"] == names[0]].iloc[[0, -1]].assign(label=["z₁", "z₂"])
    lines = (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=alt.X("u:Q", title="along z₁ (u)", scale=scale),
            y=alt.Y("v:Q", title="toward z₂, ⟂ z₁ (v)", scale=scale),
            order="order:Q",
            color=alt.Color(
                "curve:N",
                scale=alt.Scale(domain=names, range=colors),
                legend=alt.Legend(title=None, orient="bottom", labelLimit=300),
            ),
            strokeDash=alt.StrokeDash(
                "curve:N",
                scale=alt.Scale(domain=names, range=[[1, 0], [1, 0], [4, 4]][: len(names)]),
                legend=None,
            ),
        )
    )
    labels = (
        alt.Chart(ends)
        .mark_text(dy=-10, fontWeight="bold")
        .encode(
            x=alt.X("u:Q", title="along z₁ (u)", scale=scale),
            y=alt.Y("v:Q", title="toward z₂, ⟂ z₁ (v)", scale=scale),
            text="label:N",
        )
    )
    # "pad": width and height are the plot itself, so the axes really are equal (Streamlit's
    # default "fit" would shrink the height more than the width to make room for the legend).
    return (lines + labels).properties(
        width=size, height=size, autosize=alt.AutoSizeParams(type="pad")
    )


def decoded_chart(frame: pd.DataFrame, x, pdf, x_range: tuple[float, float]) -> alt.HConcatChart:
    """G(z(t)) along each path (frame: t, x, method) beside the target density turned on its
    side, sharing the x-value axis, so one sees which parts of the target the path visits."""
    scale = alt.Scale(domain=list(x_range), nice=False)
    path = (
        alt.Chart(frame)
        .mark_line(point=True, clip=True)
        .encode(
            x=alt.X("t:Q", title="t along the latent path"),
            y=alt.Y("x:Q", title="G(z(t)) (generated value)", scale=scale),
            color=_method_color(),
            tooltip=[
                "method:N",
                alt.Tooltip("t:Q", format=".2f"),
                alt.Tooltip("x:Q", format=".3f"),
            ],
        )
        .properties(height=HEIGHT, width=420)
    )
    density = pd.DataFrame({"x": np.asarray(x, dtype=float), "pdf": np.asarray(pdf, dtype=float)})
    side = (
        alt.Chart(density)
        .mark_area(orient="horizontal", color=TARGET_COLOR, opacity=0.5, clip=True)
        .encode(
            x=alt.X("pdf:Q", title="target pdf"),
            y=alt.Y("x:Q", title="x", scale=scale),
        )
        .properties(height=HEIGHT, width=120)
    )
    return alt.hconcat(path, side).resolve_scale(y="shared")


def critic_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    """D(G(z(t))) or the critic score along the paths (frame: t, score, method)."""
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("t:Q", title="t along the latent path"),
            y=alt.Y("score:Q", title=title, scale=alt.Scale(zero=False)),
            color=_method_color(),
            tooltip=[
                "method:N",
                alt.Tooltip("t:Q", format=".2f"),
                alt.Tooltip("score:Q", format=".3f"),
            ],
        )
        .properties(height=HEIGHT)
    )
