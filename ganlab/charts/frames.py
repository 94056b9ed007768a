"""The timeline's charts as plain Vega-Lite specs: one run at one moment, built in about a
millisecond each (Altair's objects cost ~60–120 ms a chart to build and serialise, too slow to
redraw a live view several times a second or to scrub), with axes fixed over the whole run so
that a replay moves the picture, not the axes. Data go in `datasets` as DataFrames; `inline`
makes a spec self-contained (for vl-convert)."""

from __future__ import annotations

import copy
import functools
from typing import Any

import numpy as np
import pandas as pd

from ganlab.charts import (
    LEGEND_LABEL_LIMIT,
    PROJECTOR_TEXT,
    SIG,
    TARGET_COLOR,
    outside_note,
    share_outside,
    shown_range,
)
from ganlab.charts import quantitative as _q

# the same colours as the Altair charts; MARK_COLOR also marks the shown step on the curves
from ganlab.charts.training import MARK_COLOR, REAL_COLOR, SERIES_COLORS, binned, over_seeds
from ganlab.result import RunResult
from ganlab.sampling import optimal_map
from ganlab.variants import VARIANTS

Spec = dict[str, Any]
# Charts draw on canvas: redrawing hundreds of SVG nodes four times a second costs the browser
# more than the picture is worth (bench/live.py). The density keeps SVG, so its moment label
# ("seed S · step N") stays text on the page, for screen readers and the browser tests.
CANVAS = {"embedOptions": {"renderer": "canvas"}}
SVG = {"embedOptions": {"renderer": "svg"}}
BINS = 60
MAX_POINTS = 200  # D(G(z)) points drawn: a prefix of the frame's evenly shuffled quantiles
HEIGHT = 340  # the whole chart: Streamlit fits title, subtitle, axes and legend in it
DETAIL_HEIGHT = 240


# --- spec pieces ----------------------------------------------------------------------------------
def _color(domain: list[str], colors: list[str], symbol: str = "stroke") -> dict:
    legend = {
        "title": None,
        "orient": "bottom",
        "symbolType": symbol,
        "symbolOpacity": 1,
        "symbolStrokeWidth": 3,
        "labelLimit": LEGEND_LABEL_LIMIT,
    }
    if len(domain) > 2 and sum(len(d) + 6 for d in domain) > 40:  # a row past a 440 px column
        legend["columns"] = 2
    return {
        "field": "series",
        "type": "nominal",
        "scale": {"domain": domain, "range": colors},
        "legend": legend,
    }


def _layer(data: str, mark: dict, **encoding) -> dict:
    return {"data": {"name": data}, "mark": mark, "encoding": encoding}


def _spec(title, layers: list[dict], datasets: dict[str, pd.DataFrame], **more) -> Spec:
    spec = {"height": HEIGHT, "layer": layers, "datasets": datasets, **more}
    spec.setdefault("usermeta", CANVAS)
    return {"title": title, **spec} if title else spec


def _step_rule(step: int | None) -> tuple[list[dict], dict[str, pd.DataFrame]]:
    """The scrubbed step as a red vertical rule on a history chart (nothing when None)."""
    if step is None:
        return [], {}
    rule = _layer(
        "now",
        {"type": "rule", "color": MARK_COLOR, "strokeWidth": 2},
        x=_q("step", None),
        tooltip=[{"field": "step", "type": "quantitative", "title": "shown step"}],
    )
    return [rule], {"now": pd.DataFrame({"step": [step]})}


def inline(spec: Spec) -> Spec:
    """The spec with its datasets as JSON rows (for vl-convert, or to save)."""
    out = copy.copy(spec)
    out["datasets"] = {
        k: v.astype(object).where(v.notna(), None).to_dict("records")
        if isinstance(v, pd.DataFrame)
        else v
        for k, v in spec.get("datasets", {}).items()
    }
    return out


# --- the range a run's density is drawn on ---------------------------------------------------
def x_range(result: RunResult, extra_samples=()) -> tuple[float, float]:
    """The target's plot range widened to where the generated samples are (see
    charts.shown_range); pass every frame's samples as extra_samples to fix it for a replay."""
    pool = [np.ravel(result.samples)] + [np.ravel(s) for s in extra_samples]
    plot = result.config.target.plot_range
    lo, hi = shown_range(plot, np.concatenate(pool))
    # Widened ends snap outwards to tenths of the plot range: a range that moves a hair with
    # every live frame would make the browser build the chart anew instead of updating it.
    tenth = (plot[1] - plot[0]) / 10
    return (
        lo if lo >= plot[0] else float(np.floor(lo / tenth) * tenth),
        hi if hi <= plot[1] else float(np.ceil(hi / tenth) * tenth),
    )


@functools.lru_cache(maxsize=64)
def _optimal_maps(target, latent: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The optimal map and its mirror on the latent line of n points (RunResult.z): the same
    for every frame of a run, and a ppf by bisection costs ~30 ms."""
    z0, z1 = (-3.0, 3.0) if latent == "normal" else (0.0, 1.0)
    z = np.linspace(z0, z1, n)
    mirrored = -z if latent == "normal" else 1.0 - z
    return optimal_map(target, z, latent), optimal_map(target, mirrored, latent)


# --- the moment: density, D / critic, G map ---------------------------------------------------
def density(result: RunResult, i: int, x_domain: tuple[float, float], large: bool = False) -> Spec:
    """Real data and generated samples as bars over the target's pdf; `large`: the moment's
    label in projector-sized text (charts.for_projector sets the rest)."""
    cfg, v = result.config, VARIANTS[result.config.variant]
    lo, hi = x_domain
    edges = np.linspace(lo, hi, BINS + 1)
    bars = pd.concat(
        [binned(result.data[i], edges, "real data"), binned(result.samples[i], edges, "generated")]
    )
    grid = np.linspace(lo, hi, 240)
    pdf = pd.DataFrame({"x": grid, "density": cfg.target.pdf(grid), "series": "target pdf"})
    color = _color(
        ["target pdf", "real data", "generated"], [TARGET_COLOR, REAL_COLOR, v.color], "square"
    )
    layers = [
        _layer(
            "bars",
            {"type": "bar", "binSpacing": 0},
            x=_q("x0", "x", x_domain),
            x2={"field": "x1"},
            y=_q("density", "density", stack=None),
            y2={"datum": 0},
            color=color,
            opacity={
                "condition": {"test": "datum.series === 'real data'", "value": 0.45},
                "value": 0.7,
            },
        ),
        _layer(
            "pdf",
            {"type": "line", "strokeWidth": 2},
            x=_q("x", "x"),
            y=_q("density", None),
            color=color,
        ),
    ]
    # The moment's label is data, not the title: a spec that stays the same from frame to frame
    # lets the browser update the chart's data in place instead of building a new chart.
    note = outside_note(share_outside(result.samples[i], lo, hi))
    label = [f"seed {result.seeds[i]} · step {result.step:,}", note or ""]
    size = PROJECTOR_TEXT if large else 13
    layers.append(
        _layer(
            "label",
            {"type": "text", "align": "left", "baseline": "top", "dx": 6, "fontSize": size},
            x={"value": 0},
            y={"field": "row", "type": "quantitative", "scale": None},
            text={"field": "text"},
            fontWeight={
                "condition": {"test": "datum.row === 4", "value": "bold"},
                "value": "normal",
            },
        )
    )
    rows = pd.DataFrame({"row": [4, 9 + size], "text": label})
    return _spec(None, layers, {"bars": bars, "pdf": pdf, "label": rows}, usermeta=SVG)


def critic(result: RunResult, i: int, x_domain: tuple[float, float], marker=None) -> Spec:
    v = VARIANTS[result.config.variant]
    f = v.d_symbol
    curve = pd.DataFrame({"x": result.x, "score": result.d_on_x[i], "series": f"{f}(x)"})
    pts = pd.DataFrame(
        {
            "x": result.samples[i][:MAX_POINTS],
            "score": result.d_on_samples[i][:MAX_POINTS],
            "series": f"{f}(G(z))",
        }
    )
    domain, colors = [f"{f}(x)", f"{f}(G(z))"], [SERIES_COLORS[0], v.color]
    y = _q("score", v.score_title, v.score_domain)
    x = _q("x", "x", x_domain)
    layers = [
        _layer("curve", {"type": "line", "strokeWidth": 2, "clip": True}, x=x, y=y),
        _layer(
            "points",
            {"type": "circle", "size": 18, "opacity": 0.5, "clip": True},
            x=x,
            y=y,
            tooltip=[_q("x", "x", format=SIG), _q("score", f, format=SIG)],
        ),
    ]
    data = {"curve": curve, "points": pts}
    if v.neutral_score is not None:
        half = f"{f} = ½: can't tell" if v.neutral_score == 0.5 else f"{f} = {v.neutral_score}"
        domain, colors = [*domain, half], [*colors, TARGET_COLOR]
        layers.append(
            _layer("neutral", {"type": "rule", "strokeDash": [6, 4]}, y=_q("score", None))
        )
        data["neutral"] = pd.DataFrame({"score": [v.neutral_score], "series": [half]})
    if marker is not None:
        domain, colors = [*domain, "your z"], [*colors, MARK_COLOR]
        layers.append(_diamond("marker", x, y))
        data["marker"] = pd.DataFrame({"x": [marker[0]], "score": [marker[1]], "series": "your z"})
    color = _color(domain, colors)
    for layer in layers:
        layer["encoding"]["color"] = color
    return _spec(f"seed {result.seeds[i]}", layers, data)


def critic_detail(result: RunResult, i: int) -> Spec | None:
    """What keeps the critic in check: |∂f/∂x| against the norm its penalty pulls towards, or
    the weights against ±c for clipping; None for a variant without such a constraint."""
    cfg, v = result.config, VARIANTS[result.config.variant]
    if v.penalty is not None:
        goal = f"target norm {v.penalty.target_norm:g}"
        slope = f"|∂{v.d_symbol}/∂x|"
        color = _color([slope, goal], [SERIES_COLORS[0], TARGET_COLOR])
        grad = pd.DataFrame({"x": result.x, "v": result.grad_on_x[i], "series": slope})
        y = _q("v", slope)
        layers = [
            _layer("grad", {"type": "line"}, x=_q("x", "x"), y=y, color=color),
            _layer("goal", {"type": "rule", "strokeDash": [6, 4]}, y=y, color=color),
        ]
        goal_row = pd.DataFrame({"v": [v.penalty.target_norm], "series": [goal]})
        return {**_spec(None, layers, {"grad": grad, "goal": goal_row}), "height": DETAIL_HEIGHT}
    if v.clip:
        c = cfg.clip
        edges = np.linspace(-1.1 * c, 1.1 * c, 45)
        w = np.asarray(result.d_weights[i], dtype=float)
        share = np.histogram(w, edges)[0] / max(len(w), 1)  # the weights' quantiles: shares
        bars = pd.DataFrame({"x0": edges[:-1], "x1": edges[1:], "v": share, "series": "weights"})
        color = _color(["weights", "±c"], [SERIES_COLORS[0], TARGET_COLOR])
        x = _q("x0", "critic weight value", (edges[0], edges[-1]))
        layers = [
            _layer(
                "bars",
                {"type": "bar", "binSpacing": 0},
                x=x,
                x2={"field": "x1"},
                y=_q("v", "share of weights"),
                color=color,
            ),
            _layer("bounds", {"type": "rule", "strokeDash": [6, 4]}, x=_q("x0", None), color=color),
        ]
        bounds = pd.DataFrame({"x0": [-c, c], "series": "±c"})
        return {**_spec(None, layers, {"bars": bars, "bounds": bounds}), "height": DETAIL_HEIGHT}
    return None


def _diamond(data: str, x: dict, y: dict) -> dict:
    mark = {"type": "point", "shape": "diamond", "size": 160, "filled": True, "opacity": 1}
    return _layer(data, {**mark, "clip": True}, x=x, y=y)


def generator_map(result: RunResult, i: int, marker=None, x_domain=None) -> Spec:
    cfg = result.config
    z, g = result.z, result.g_on_z[i]
    rows = [pd.DataFrame({"z": z, "x": g, "series": "G(z)"})]
    domain, colors = ["G(z)"], [VARIANTS[cfg.variant].color]
    title = f"seed {result.seeds[i]}"
    if cfg.latent_dim == 1:
        up, down = _optimal_maps(cfg.target, cfg.latent, len(z))
        # The mirrored map pushes the latent onto the target as well (sampling.map_distance).
        flip = bool(np.all(np.isfinite(g))) and np.mean(abs(g - down)) < np.mean(abs(g - up))
        name = "mirrored optimal map" if flip else "optimal map F⁻¹(Φ(z))"
        rows.append(pd.DataFrame({"z": z, "x": down if flip else up, "series": name}))
        domain, colors = [*domain, name], [*colors, TARGET_COLOR]
    else:
        title += f": latent axes 2…{cfg.latent_dim} fixed"
    x, y = _q("z", "latent z (axis 1)"), _q("x", "x = G(z)", x_domain)
    layers = [
        _layer(
            "lines",
            {"type": "line", "strokeWidth": 2, "clip": True},
            x=x,
            y=y,
            strokeDash={
                "condition": {"test": "datum.series === 'G(z)'", "value": [1, 0]},
                "value": [6, 4],
            },
        )
    ]
    data = {"lines": pd.concat(rows)}
    if marker is not None:
        domain, colors = [*domain, "your z"], [*colors, MARK_COLOR]
        layers.append(_diamond("marker", x, y))
        data["marker"] = pd.DataFrame({"z": [marker[0]], "x": [marker[1]], "series": "your z"})
    color = _color(domain, colors)
    for layer in layers:
        layer["encoding"]["color"] = color
    return _spec(title, layers, data)


# --- over training: losses, W1, moments, with the shown step marked ---------------------------
def _history(
    data: pd.DataFrame,
    refs: pd.DataFrame | None,
    color: dict,
    y_title: str,
    steps: int,
    seeds: int,
    ref_label: str,
    log: bool = False,
) -> list[dict]:
    x = _q("step", "generator step", (0, max(steps, 1)))
    y_scale = {"type": "log"} if log else {"zero": False}
    y = {**_q("median", y_title), "scale": y_scale}
    dash = {
        "field": "kind",
        "type": "nominal",
        "scale": {"domain": ["measured", ref_label], "range": [[1, 0], [6, 4]]},
        "legend": {"title": None, "orient": "bottom", "columns": 1, "symbolStrokeWidth": 3},
    }
    layers = []
    if seeds > 1:
        band = _layer(
            "curves",
            {"type": "area", "opacity": 0.2},
            x=x,
            y={**y, "field": "lo"},
            y2={"field": "hi"},
            color=color,
        )
        layers.append(band)
    line = _layer(
        "curves",
        {"type": "line", "clip": True},
        x=x,
        y=y,
        color=color,
        strokeDash=dash,
        tooltip=[
            {"field": "series", "type": "nominal"},
            _q("step", "step"),
            _q("median", y_title, format=SIG),
        ],
    )
    line["transform"] = [{"calculate": "'measured'", "as": "kind"}]
    layers.append(line)
    if refs is not None and len(refs):
        ref = _layer(
            "refs", {"type": "rule"}, y={**y, "field": "value"}, color=color, strokeDash=dash
        )
        ref["transform"] = [{"calculate": f"'{ref_label}'", "as": "kind"}]
        layers.append(ref)
    return layers


def losses(result: RunResult, step: int | None = None) -> Spec:
    cfg, v = result.config, VARIANTS[result.config.variant]
    names = {
        k: v.series_label(k) for k in ("d_loss", "g_loss", "w_estimate") if k in result.history
    }
    optimum = v.equilibrium(cfg.g_loss)
    refs = pd.DataFrame({"series": [names[k] for k in optimum], "value": list(optimum.values())})
    color = _color(list(names.values()), SERIES_COLORS[: len(names)])
    data = over_seeds(result.history, names)
    k = len(result.seeds)
    rule, now = _step_rule(step)
    if not v.g_level_arbitrary:
        layers = _history(data, refs, color, "loss", cfg.steps, k, "equilibrium") + rule
        return _spec(None, layers, {"curves": data, "refs": refs, **now})
    left_title = " / ".join(n for n in names.values() if n != "G loss")
    left = _history(data, refs, color, left_title, cfg.steps, k, "equilibrium")
    right = _history(data, None, color, "G loss (level arbitrary)", cfg.steps, 1, "equilibrium")
    for layer in left:
        layer.setdefault("transform", []).insert(0, {"filter": "datum.series !== 'G loss'"})
    for layer in right:
        layer.setdefault("transform", []).insert(0, {"filter": "datum.series === 'G loss'"})
    spec = _spec(
        None,
        [{"layer": left + rule}, {"layer": right}],
        {"curves": data, "refs": refs, **now},
    )
    spec["resolve"] = {"scale": {"y": "independent"}}
    return spec


def distance(result: RunResult, floor: float | None, step: int | None = None) -> Spec:
    data = over_seeds(result.evals, {"w1": "W1 to target"})
    data = data[data["median"] > 0]  # a log axis cannot show 0
    refs = None if floor is None else pd.DataFrame({"series": ["W1 to target"], "value": [floor]})
    color = _color(["W1 to target"], [VARIANTS[result.config.variant].color])
    layers = _history(
        data,
        refs,
        color,
        "W1 to target (log)",
        result.config.steps,
        len(result.seeds),
        "sampling noise floor",
        log=True,
    )
    rule, now = _step_rule(step)
    datasets = {"curves": data, **now, **({"refs": refs} if refs is not None else {})}
    return _spec(None, layers + rule, datasets)


def moments(result: RunResult, step: int | None = None) -> Spec:
    target = result.config.target
    data = over_seeds(result.evals, {"mean": "mean", "std": "std"})
    refs = pd.DataFrame({"series": ["mean", "std"], "value": [target.mean, target.std]})
    color = _color(["mean", "std"], SERIES_COLORS[:2])
    layers = _history(
        data, refs, color, "value (units of x)", result.config.steps, len(result.seeds), "target"
    )
    rule, now = _step_rule(step)
    return _spec(None, layers + rule, {"curves": data, "refs": refs, **now})
