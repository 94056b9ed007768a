"""Altair chart builders: plain data (DataFrames, RunResult) in, alt.Chart out."""

from __future__ import annotations

import copy
import re
from typing import TypeAlias

import altair as alt
import numpy as np

from ganlab.report import number
from ganlab.variants import VARIANTS

# What `alt.layer(...)` returns, so what every builder that layers charts returns: a LayerChart,
# or a FacetChart when all its layers share a row/column/facet encoding (altair hoists it).
Layered: TypeAlias = alt.LayerChart | alt.FacetChart

# Each variant's colour, the same on every page and chart (the registry holds it).
VARIANT_COLORS = {key: v.color for key, v in VARIANTS.items()}
TARGET_COLOR = "#555555"
# Every number a chart prints (tooltips): three significant digits like `report.number`, never
# fixed decimals (".3f" prints a critic estimate of 0.0004 as 0.000); "~" drops trailing zeros.
SIG = ".3~g"


def quantitative(field: str, title: str | None, domain=None, **more) -> dict:
    """A plain Vega-Lite encoding of a quantitative field, on a fixed domain when given (the
    frame and DiracGAN charts are dict specs, not Altair)."""
    enc: dict = {"field": field, "type": "quantitative", "title": title}
    if domain is not None:
        enc["scale"] = {"domain": [float(domain[0]), float(domain[1])], "nice": False}
    enc.update(more)
    return enc


# Widths the charts must fit (px, the whole chart: axes, title and legend included). A variant
# page's two columns are ~600 px on a 1400 px window and ~560 px on a 1280×720 projector; the
# Compare page's three columns ~360 px there.
COLUMN_WIDTH = 560
THIRD_WIDTH = 320
# A chart's title and legend labels are cut at these lengths by nothing but the width: keep
# chart titles short and put the explanation in the page's caption.
LEGEND_LABEL_LIMIT = 400  # px; Vega's default of 160 px cuts "sampling noise floor"-long labels

# Streamlit's chart theme (1.67, frontend CustomTheme) in the sizes that decide whether text
# fits: a stretched chart is laid out with autosize "fit" at the column's width, titles 16 px
# bold on the left, legend labels 14 px with wide padding, axis labels 12 px. Liberation Sans
# (Arial's metrics) is a little wider than Streamlit's Source Sans, so a chart that fits here
# fits there. Subtitles keep Vega's own size in Streamlit; 13 px here errs on the safe side.
STREAMLIT_LIKE: dict = {
    "font": "Liberation Sans",
    "autosize": {"type": "fit", "contains": "padding"},
    "title": {
        "anchor": "start",
        "fontSize": 16,
        "fontWeight": "bold",
        "offset": 26,
        "subtitleFontSize": 13,
    },
    "axis": {
        "labelFontSize": 12,
        "titleFontSize": 14,
        "labelPadding": 16,
        "titlePadding": 16,
        "ticks": False,
    },
    "legend": {
        "labelFontSize": 14,
        "titleFontSize": 14,
        "labelPadding": 16,
        "columnPadding": 8,
        "rowPadding": 2,
        "padding": 8,
    },
}


# --- text for a projector (presentation mode) --------------------------------------------------
# Streamlit's theme draws axis and legend text 12–14 px in grey #808495: 3.7:1 on white, below
# WCAG AA's 4.5:1, and washed out further by a projector. In presentation mode every text of a
# chart is at least PROJECTOR_TEXT px and in ink chosen from the chart's own background, which
# Streamlit sets to the theme's: Vega's `luminance` of its `background` signal picks dark ink on
# a light theme and light ink on a dark one, so one spec reads in both, switched in the browser.
PROJECTOR_TEXT = 16
INK_ON_LIGHT = "#1F2328"  # the light theme's text colour (.streamlit/config.toml)
INK_ON_DARK = "#E6EAF1"  # Streamlit's own light grey for chart text on dark backgrounds
INK = {"expr": f"luminance(background) > 0.5 ? '{INK_ON_LIGHT}' : '{INK_ON_DARK}'"}
_BIG = PROJECTOR_TEXT
PROJECTOR_CONFIG: dict = {
    "title": {
        "fontSize": _BIG + 2,
        "color": INK,
        "subtitleFontSize": _BIG,
        "subtitleColor": INK,
        "offset": 8,
    },
    "axis": {
        "labelFontSize": _BIG,
        "titleFontSize": _BIG,
        "labelColor": INK,
        "titleColor": INK,
        "labelPadding": 6,
        "titlePadding": 8,
        "labelLimit": 160,
    },
    "legend": {
        "labelFontSize": _BIG,
        "titleFontSize": _BIG,
        "labelColor": INK,
        "titleColor": INK,
        "labelPadding": 6,
        "symbolSize": 120,
        "columnPadding": 12,
        "rowPadding": 2,
        "padding": 0,
        "offset": 8,  # the legend is under the plot: keep the plot's share of a short chart
    },
    "text": {"fontSize": _BIG, "color": INK},
}


# The target's grey (#555555) is 2.5:1 on a dark background: on the projector it follows the
# background too (Streamlit's #A3A8B8 on dark grounds, 7.8:1 on #0E1117).
TARGET_INK = {"expr": f"luminance(background) > 0.5 ? '{TARGET_COLOR}' : '#A3A8B8'"}


def for_projector(spec: dict, height: int | None = None) -> dict:
    """`spec` (a plain Vega-Lite dict) at `height` px (None: its own) with the projector's text
    and the target's grey following the theme; its own config otherwise kept. Copies only what
    it changes (the chart's data are shared), so it costs nothing next to building the chart."""
    out = {**_ink_target(spec), "config": {**spec.get("config", {}), **PROJECTOR_CONFIG}}
    if height is not None:
        out["height"] = height
    return out


def _ink_target(part: dict) -> dict:
    out = dict(part)
    if "layer" in part:
        out["layer"] = [_ink_target(layer) for layer in part["layer"]]
    enc: dict = part.get("encoding") or {}
    color = enc.get("color")
    scale: dict = (color.get("scale") if isinstance(color, dict) else None) or {}
    colors = scale.get("range")
    if isinstance(color, dict) and isinstance(colors, list) and TARGET_COLOR in colors:
        inked = [TARGET_INK if c == TARGET_COLOR else c for c in colors]
        out["encoding"] = {**enc, "color": {**color, "scale": {**scale, "range": inked}}}
    return out


def shown_range(
    plot_range: tuple[float, float], samples, central: float = 0.99, reach: float = 4.0
) -> tuple[float, float]:
    """The x range a density is drawn on: the target's plot range, widened to hold the central
    `central` share of the generated samples (0.5–99.5 % quantiles) plus a 5 % margin, so a
    generator far from the data is seen, not silently dropped. The widening stops `reach`
    plot-range widths beyond either end, so one run-away generator cannot shrink the target to
    a sliver. Finite samples only; none: the plot range."""
    lo, hi = float(plot_range[0]), float(plot_range[1])
    v = np.asarray(samples, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return lo, hi
    tail = (1.0 - central) / 2
    q_lo, q_hi = (float(q) for q in np.quantile(v, [tail, 1.0 - tail]))
    new_lo, new_hi = min(lo, q_lo), max(hi, q_hi)
    margin = 0.05 * (new_hi - new_lo)
    new_lo = new_lo - margin if new_lo < lo else lo
    new_hi = new_hi + margin if new_hi > hi else hi
    span = hi - lo
    return max(new_lo, lo - reach * span), min(new_hi, hi + reach * span)


def share_outside(samples, lo: float, hi: float) -> float:
    """The share of samples (non-finite ones included) that a chart over [lo, hi] cannot show."""
    v = np.asarray(samples, dtype=float).ravel()
    if v.size == 0:
        return 0.0
    return float(np.mean(~((v >= lo) & (v <= hi))))


def percent(share: float) -> str:
    """A share as a percentage with significant digits (0.4 %, 12 %, 99.7 %)."""
    return f"{number(100 * share)} %"


def outside_note(share: float, what: str = "generated samples") -> str | None:
    """The subtitle that says how many generated samples a chart's range leaves out."""
    return f"{percent(share)} of {what} lie outside this range" if share > 0 else None


def cut_text(chart: alt.TopLevelMixin | dict, width: int = COLUMN_WIDTH) -> list[str]:
    """What would not be shown whole if Streamlit drew `chart` stretched to `width` px and its
    own height (empty: everything fits). Vega's own layout decides, through vl-convert, with
    Streamlit's theme and autosize "fit": a long title or legend squeezes the plot, so the plot
    must keep 40 % of the width and of the height (two y axes in a 320 px column leave about
    half); laid out at that plot size, the chart must need no more than width × height (more
    is cut off at the column's edge); and no label may end in the ellipsis of a label limit."""
    import vl_convert as vlc  # only the checks and exports need it

    if isinstance(chart, dict):  # a plain spec (charts.frames): its datasets as JSON rows
        data = chart.get("datasets", {})
        spec = copy.deepcopy({k: v for k, v in chart.items() if k != "datasets"})
        spec["datasets"] = {
            k: v.astype(object).where(v.notna(), None).to_dict("records")
            if hasattr(v, "to_dict")
            else v
            for k, v in data.items()
        }
    else:
        spec = copy.deepcopy(chart.to_dict())
    spec["width"] = width
    height = int(spec.get("height", 300))  # what Streamlit fits the chart into, title included
    fitted = vlc.vegalite_to_scenegraph(spec, config=STREAMLIT_LIKE)
    view = fitted["scenegraph"]["items"][0]
    plot, plot_h = int(view.get("width", 0)), int(view.get("height", 0))
    problems = []
    if plot < 0.4 * width:
        problems.append(f"the plot is squeezed to {plot} px of {width} px")
    if plot_h < 0.4 * height:
        problems.append(f"the plot is squeezed to {plot_h} px of {height} px high")
    spec["width"], spec["height"] = max(plot, 1), max(plot_h, 1)
    padded = {**STREAMLIT_LIKE, "autosize": {"type": "pad"}}
    svg = vlc.vegalite_to_svg(spec, config=padded)
    size = re.search(r'<svg[^>]* width="([\d.]+)" height="([\d.]+)"', svg)
    need_w, need_h = (float(size.group(1)), float(size.group(2))) if size else (0.0, 0.0)
    if need_w > width + 1:
        problems.append(f"it needs {need_w:.0f} px, {need_w - width:.0f} px more than {width} px")
    if need_h > height + 1:
        problems.append(
            f"it needs {need_h:.0f} px high, {need_h - height:.0f} px more than {height}"
        )
    for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg):
        if text.endswith("…"):
            problems.append(f"label cut: {text!r}")
    return problems
