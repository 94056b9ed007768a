"""The DiracGAN page's charts as plain Vega-Lite specs (as charts.frames builds them): the
vector field in the (θ, ψ) plane with a trajectory, the distance to the equilibrium on a log
axis, and the eigenvalues in the complex plane. Plain arrays in, a dict out; data go in
`datasets` as DataFrames."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ganlab.charts import LEGEND_LABEL_LIMIT, SIG
from ganlab.charts import quantitative as _q

Spec = dict[str, Any]
SVG = {"embedOptions": {"renderer": "svg"}}
# Streamlit lays a chart out with autosize "fit": width and height then hold axes, titles and
# legend too, and the plot is squeezed unevenly. "pad" keeps the plot at width × height exactly,
# which an equal-aspect plane needs (drawn with width="content").
PAD = {"type": "pad"}
SIZE = 320  # px, the square plot of the plane: equal aspect needs equal width and height
HEIGHT = 300
# Okabe–Ito (colour-blind safe), none of them a variant's colour: on this page blue or orange
# would read as "the vanilla GAN" or "WGAN" (ganlab.variants gives each variant its own).
FIELD_COLOR = "#999999"
MODE_COLORS = {"simultaneous": "#D55E00", "alternating": "#56B4E9"}
START_COLOR = "#000000"
EQ_COLOR = "#000000"
GUIDE_COLOR = "#666666"
CONT_COLOR = "#666666"
DISC_COLOR = "#CC79A7"


def _color(domain: list[str], colors: list[str], columns: int = 2) -> dict:
    return {
        "field": "series",
        "type": "nominal",
        "scale": {"domain": domain, "range": colors},
        "legend": {
            "title": None,
            "orient": "bottom",
            "columns": columns,
            "symbolOpacity": 1,
            "labelLimit": LEGEND_LABEL_LIMIT,
        },
    }


def _layer(data: str, mark: dict, **encoding) -> dict:
    return {"data": {"name": data}, "mark": mark, "encoding": encoding}


def plane_half_width(path: np.ndarray, least: float = 2.0, most: float = 6.0) -> float:
    """Half the side of the square shown: the notebook's [−2, 2]², widened (in steps of ½) to
    hold the trajectory, but never past ±`most` (a run-away path leaves the picture)."""
    reach = float(np.max(np.abs(path))) if len(path) else 0.0
    return float(min(most, max(least, np.ceil(reach * 1.05 * 2) / 2)))


def arrows(theta, psi, v1, v2, spacing: float) -> pd.DataFrame:
    """Arrows on the grid: unit direction, length ∝ √(speed / top speed) so slow regions still
    show their direction, at most 85 % of the grid spacing. Zero speed: no arrow."""
    t, p, a, b = (np.ravel(np.asarray(x, dtype=float)) for x in (theta, psi, v1, v2))
    speed = np.hypot(a, b)
    top = float(np.max(speed)) if speed.size and np.max(speed) > 0 else 1.0
    keep = speed > 0
    t, p, a, b, speed = t[keep], p[keep], a[keep], b[keep], speed[keep]
    length = 0.85 * spacing * np.sqrt(speed / top)
    ux, uy = a / speed, b / speed
    return pd.DataFrame(
        {
            "theta": t,
            "psi": p,
            "theta2": t + length * ux,
            "psi2": p + length * uy,
            # a triangle points up at angle 0 and turns clockwise
            "angle": 90.0 - np.degrees(np.arctan2(uy, ux)),
            "v1": a,
            "v2": b,
            "series": "field: direction of a step",
        }
    )


def vector_field(
    field: pd.DataFrame,
    path: np.ndarray,
    mode: str,
    half: float,
    guides: list[tuple[float, str]] | None = None,
) -> Spec:
    """The field's arrows (from `arrows`), the trajectory `path` ((n, 2): θ, ψ) with its start,
    the equilibrium (0, 0) and horizontal guides (ψ, label) in a square plot."""
    dom = (-half, half)
    x, y = (
        _q("theta", "θ (generator: where G puts its mass)", dom),
        _q("psi", "ψ (discriminator slope)", dom),
    )
    step = f"{mode} steps"
    guides = guides or []
    labels = sorted({label for _, label in guides})
    domain = ["field: direction of a step", step, "start", "equilibrium (0, 0)", *labels]
    line = MODE_COLORS.get(mode, MODE_COLORS["simultaneous"])
    colors = [FIELD_COLOR, line, START_COLOR, EQ_COLOR]
    colors += [GUIDE_COLOR] * len(labels)
    color = _color(domain, colors)
    p = np.asarray(path, dtype=float).reshape(-1, 2)
    traj = pd.DataFrame({"theta": p[:, 0], "psi": p[:, 1], "k": np.arange(len(p)), "series": step})
    tip = [_q("theta", "θ", format=SIG), _q("psi", "ψ", format=SIG)]
    layers = [
        _layer(
            "arrows",
            {"type": "rule", "strokeWidth": 1.5, "clip": True},
            x=x,
            y=y,
            x2={"field": "theta2"},
            y2={"field": "psi2"},
            color=color,
        ),
        _layer(
            "arrows",
            {"type": "point", "shape": "triangle", "filled": True, "size": 36, "clip": True},
            x={**x, "field": "theta2"},
            y={**y, "field": "psi2"},
            angle={"field": "angle", "type": "quantitative", "scale": None},
            color=color,
            tooltip=[*tip, _q("v1", "v_θ", format=SIG), _q("v2", "v_ψ", format=SIG)],
        ),
        _layer(
            "path",
            {"type": "line", "strokeWidth": 2, "clip": True, "point": False},
            x=x,
            y=y,
            order={"field": "k", "type": "quantitative"},
            color=color,
        ),
        _layer(
            "path",
            {"type": "circle", "size": 14, "clip": True},
            x=x,
            y=y,
            color=color,
            tooltip=[{"field": "k", "type": "quantitative", "title": "iteration"}, *tip],
        ),
        _layer(
            "start",
            {"type": "point", "shape": "circle", "size": 140, "filled": True, "clip": True},
            x=x,
            y=y,
            color=color,
            tooltip=tip,
        ),
        _layer(
            "eq",
            {"type": "point", "shape": "cross", "size": 180, "filled": True},
            x=x,
            y=y,
            color=color,
        ),
    ]
    data = {
        "arrows": field,
        "path": traj,
        "start": traj.head(1).assign(series="start"),
        "eq": pd.DataFrame({"theta": [0.0], "psi": [0.0], "series": ["equilibrium (0, 0)"]}),
    }
    inside = [(v, label) for v, label in guides if -half <= v <= half]
    if inside:
        layers.append(
            _layer(
                "guides",
                {"type": "rule", "strokeDash": [6, 4], "strokeWidth": 1.5},
                y={**y, "field": "psi"},
                color=color,
            )
        )
        data["guides"] = pd.DataFrame(
            {"psi": [v for v, _ in inside], "series": [label for _, label in inside]}
        )
    return {
        "width": SIZE,
        "height": SIZE,
        "autosize": PAD,
        "layer": layers,
        "datasets": data,
        "usermeta": SVG,
    }


def distance(curves: dict[str, np.ndarray]) -> Spec:
    """‖(θ, ψ)‖ per iteration for each update mode, on a log axis (zeros cannot be drawn)."""
    rows = []
    for mode, d in curves.items():
        d = np.asarray(d, dtype=float)
        k = np.arange(len(d))
        ok = np.isfinite(d) & (d > 0)
        rows.append(pd.DataFrame({"k": k[ok], "d": d[ok], "series": f"{mode} steps"}))
    data = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["k", "d"])
    domain = [f"{m} steps" for m in curves]
    color = _color(domain, [MODE_COLORS.get(m, MODE_COLORS["simultaneous"]) for m in curves])
    layer = _layer(
        "curves",
        {"type": "line", "strokeWidth": 2, "clip": True},
        x=_q("k", "iteration (generator steps)"),
        y={**_q("d", "distance to (0, 0), log scale"), "scale": {"type": "log"}},
        color=color,
        tooltip=[
            {"field": "series", "type": "nominal", "title": "update"},
            _q("k", "iteration"),
            _q("d", "distance", format=SIG),
        ],
    )
    return {"height": HEIGHT, "layer": [layer], "datasets": {"curves": data}, "usermeta": SVG}


def _plane(name: str, values: np.ndarray, label: str, x_title: str, y_title: str, least: float):
    """One complex plane: the values as diamonds, square, ±(largest |value| + 15 %)."""
    v = np.asarray(values, dtype=complex)
    data = pd.DataFrame({"re": v.real, "im": v.imag, "series": label})
    finite = np.abs(v[np.isfinite(v)])
    reach = max(least, float(np.max(finite)) * 1.15 if finite.size else least)
    x, y = _q("re", x_title, (-reach, reach)), _q("im", y_title, (-reach, reach))
    points = _layer(
        name,
        {"type": "point", "shape": "diamond", "size": 150, "filled": True, "clip": True},
        x=x,
        y=y,
        tooltip=[_q("re", "real part", format=SIG), _q("im", "imaginary part", format=SIG)],
    )
    return data, x, y, points


def eigenvalues(continuous: np.ndarray, discrete: np.ndarray, label: str, step_label: str) -> Spec:
    """Two square panels: λ of the Jacobian with the imaginary axis (Re λ = 0, the edge of
    stability in continuous time) marked, and μ of the linearised step with the unit circle."""
    lam, x1, _, p1 = _plane("lam", continuous, label, "Re λ (continuous time)", "Im λ", 1.2)
    mu, x2, y2, p2 = _plane("mu", discrete, step_label, "Re μ (one step)", "Im μ", 1.3)
    # Small steps put μ near 1: zoom onto them and the stretch of the circle next to them, so
    # which side of the circle they lie on can be seen.
    m = np.asarray(discrete, dtype=complex)
    m = m[np.isfinite(m)]
    lo_re = min(float(np.min(m.real)), 1.0) if m.size else -1.0
    hi_re = max(float(np.max(m.real)), 1.0) if m.size else 1.0
    top = float(np.max(np.abs(m.imag))) if m.size else 1.0
    half = 0.65 * max(hi_re - lo_re, 2 * top, 0.3)
    mid = (lo_re + hi_re) / 2
    x2["scale"]["domain"] = [mid - half, mid + half]
    y2["scale"]["domain"] = [-half, half]
    edge = "Re λ = 0: stability edge"
    circle_label = "|μ| = 1: unit circle"
    color = _color(
        [label, edge, step_label, circle_label], [CONT_COLOR, EQ_COLOR, DISC_COLOR, EQ_COLOR], 1
    )
    for layer in (p1, p2):
        layer["encoding"]["color"] = color
    axis = _layer(
        "axis",
        {"type": "rule", "strokeDash": [6, 4]},
        x={**x1, "field": "re"},
        color=color,
    )
    # from −π to π: the arc near μ = 1, the one worth zooming onto, is one unbroken stretch
    a = np.linspace(-np.pi, np.pi, 1441)
    circle = pd.DataFrame({"re": np.cos(a), "im": np.sin(a), "k": np.arange(a.size)})
    shown = (np.abs(circle["re"] - mid) <= 1.05 * half) & (np.abs(circle["im"]) <= 1.05 * half)
    circle = circle[shown]
    ring = _layer(
        "circle",
        {"type": "line", "strokeDash": [6, 4], "strokeWidth": 1.5, "clip": True},
        x=x2,
        y=y2,
        order={"field": "k", "type": "quantitative"},
        color=color,
    )
    side = 240
    left = {"width": side, "height": side, "layer": [axis, p1]}
    right = {"width": side, "height": side, "layer": [ring, p2]}
    return {
        "hconcat": [left, right],
        "datasets": {
            "lam": lam,
            "mu": mu,
            "axis": pd.DataFrame({"re": [0.0], "series": [edge]}),
            "circle": circle.assign(series=circle_label),
        },
        "resolve": {"scale": {"x": "independent", "y": "independent"}},
        "autosize": PAD,
        "usermeta": SVG,
    }
