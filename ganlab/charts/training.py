"""Training charts: what one run has learned and how it got there (RunResult in, alt.Chart out)."""

from __future__ import annotations

import warnings

import altair as alt
import numpy as np
import pandas as pd

from ganlab.charts import (
    LEGEND_LABEL_LIMIT,
    SIG,
    TARGET_COLOR,
    Layered,
    outside_note,
    percent,
    share_outside,
    shown_range,
)
from ganlab.result import RunResult
from ganlab.sampling import map_distance, optimal_map
from ganlab.variants import VARIANTS

BINS = 60  # histogram bins over the drawn range (the JS metric's count over the plot range)
MAX_POINTS = 200  # generated points on D(x): the first of fixed random draws, a fair subset
HEIGHT = 300  # the whole chart: Streamlit fits title, axes and legend in it (a 260 px
# chart left a ~95 px plot under a title, subtitle and two-row legend, and cut its y titles)
DETAIL_HEIGHT = 240  # Streamlit counts axes and the legend in the height: much less leaves no plot
REAL_COLOR = "#BBBBBB"  # real data: a faint grey under the generated bars
MARK_COLOR = "#CC0000"  # the z-slider's point, the same on every chart
# Okabe–Ito colours not used by the variants, so a series never looks like another variant.
SERIES_COLORS = ["#D55E00", "#56B4E9", "#CC79A7", "#F0E442"]


# --- data shaping (pure pandas/numpy, tested against numpy directly) ---------------------------
def binned(values, edges: np.ndarray, series: str) -> pd.DataFrame:
    """A histogram as rows x0, x1, count, density, series. Density divides by *all* finite
    values, so mass outside the edges lowers the bars instead of being spread over the range."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    counts, _ = np.histogram(v, edges)
    density = counts / (max(len(v), 1) * np.diff(edges))
    return pd.DataFrame(
        {"x0": edges[:-1], "x1": edges[1:], "count": counts, "density": density, "series": series}
    )


def over_seeds(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Median and min–max over seeds at each step, long format (step, series, median, lo, hi).
    `names` maps the frame's columns to legend names. Diverged seeds (NaN) are left out. The
    frame holds one row per seed a step, in blocks (History.frame): numpy, not a groupby, so a
    live view can afford it several times a second."""
    k = max(int(frame["seed"].nunique()), 1) if len(frame) else 1
    steps = frame["step"].to_numpy()[::k]
    parts = []
    with warnings.catch_warnings():  # a step where every seed is NaN is dropped below
        warnings.simplefilter("ignore", RuntimeWarning)
        for col in (c for c in names if c in frame):
            v = frame[col].to_numpy(dtype=float).reshape(-1, k)
            med = np.nanmedian(v, 1)
            ok = np.isfinite(med)
            part = {"step": steps[ok], "median": med[ok]}
            part.update(lo=np.nanmin(v, 1)[ok], hi=np.nanmax(v, 1)[ok])
            parts.append(pd.DataFrame(part).assign(series=names[col]))
    if not parts:
        return pd.DataFrame(columns=["step", "series", "median", "lo", "hi"])
    return pd.concat(parts, ignore_index=True)


# --- shared pieces --------------------------------------------------------------------------
def _legend(symbol: str = "stroke", columns: int = 0) -> alt.Legend:
    """A legend under the chart. Vega never wraps a legend to the chart's width: `columns`
    (0 = one row) keeps it inside a narrow column, and a generous label limit keeps every
    label whole instead of Vega's 160 px cut ("sampling noise fl…")."""
    # Full-strength stroke symbols: otherwise the legend copies the faint band's colour.
    return alt.Legend(
        title=None,
        orient="bottom",
        symbolType=symbol,
        symbolOpacity=1,
        symbolStrokeWidth=3,
        labelLimit=LEGEND_LABEL_LIMIT,
        columns=columns or alt.Undefined,
    )


def _color(
    domain: list[str], colors: list[str], symbol: str = "stroke", columns: int = 0
) -> alt.Color:
    return alt.Color(
        "series:N", scale=alt.Scale(domain=domain, range=colors), legend=_legend(symbol, columns)
    )


def _over_training(
    data: pd.DataFrame,
    color: alt.Color,
    y_title: str,
    refs: pd.DataFrame | None = None,
    seeds: int = 1,
    ref_label: str = "reference",
    log: bool = False,
) -> Layered:
    """Median curves (with a min–max band when there are several seeds) and dashed reference
    lines in the colour of the series they belong to; the dash legend names the reference."""
    dash = alt.Scale(domain=["measured", ref_label], range=[[1, 0], [6, 4]])
    scale = alt.Scale(type="log") if log else alt.Undefined

    def y(field: str) -> alt.Y:  # every layer titles its axis: the one drawn is never blank
        return alt.Y(f"{field}:Q", title=y_title, scale=scale)

    base = alt.Chart(data).encode(x=alt.X("step:Q", title="generator step"), color=color)
    line = (
        base.mark_line()
        .encode(
            y=y("median"),
            # measured / reference one above the other, beside the colours
            strokeDash=alt.StrokeDash("kind:N", scale=dash, legend=_legend(columns=1)),
            tooltip=["series:N", "step:Q", alt.Tooltip("median:Q", format=SIG)],
        )
        .transform_calculate(kind="'measured'")
    )
    layers = [line]
    if seeds > 1:
        layers.insert(0, base.mark_area(opacity=0.2).encode(y=y("lo"), y2="hi:Q"))
    if refs is not None and len(refs):
        layers.append(
            alt.Chart(refs.assign(kind=ref_label))
            .mark_rule()
            .encode(
                y=y("value"),
                color=color,
                strokeDash=alt.StrokeDash("kind:N", scale=dash),
                tooltip=["series:N", alt.Tooltip("value:Q", format=SIG)],
            )
        )
    return alt.layer(*layers)


def _n_seeds(result: RunResult) -> int:
    return len(result.seeds)


def _title(text: str, notes: list[str]) -> alt.Title:
    """A short title, and each note on its own subtitle line: one long line would be cut at
    the column's edge (or squeeze the plot to make room)."""
    return alt.Title(text, subtitle=notes) if notes else alt.Title(text)


# --- 1. real vs generated density ----------------------------------------------------------
def density_chart(result: RunResult, seed_index: int = 0, bins: int = BINS) -> Layered:
    """Target pdf (line), generated histogram, real training data (faint histogram), on the
    target's plot range widened to where the generated samples are (`shown_range`); what still
    lies outside is counted in the subtitle."""
    cfg = result.config
    gen = result.samples[seed_index]
    lo, hi = shown_range(cfg.target.plot_range, gen)
    edges = np.linspace(lo, hi, bins + 1)
    bars = pd.concat(
        [binned(result.data[seed_index], edges, "real data"), binned(gen, edges, "generated")]
    )
    # The run's grid over the plot range, plus points over the widened part.
    grid = result.x if (lo, hi) == cfg.target.plot_range else np.linspace(lo, hi, 401)
    pdf = pd.DataFrame({"x": grid, "density": cfg.target.pdf(grid), "series": "target pdf"})
    color = _color(
        ["target pdf", "real data", "generated"],
        [TARGET_COLOR, REAL_COLOR, VARIANTS[cfg.variant].color],
        symbol="square",
    )
    x = alt.X("x0:Q", title="x", scale=alt.Scale(domain=[lo, hi]))
    hist = (
        alt.Chart(bars)
        .mark_bar(binSpacing=0)
        .encode(
            # Each histogram from 0, overlapping: stacking would add real and generated up.
            x=x,
            x2="x1:Q",
            y=alt.Y("density:Q", title="density", stack=None),
            y2=alt.datum(0),
            color=color,
            opacity=alt.condition(alt.datum.series == "real data", alt.value(0.45), alt.value(0.7)),
            tooltip=[
                "series:N",
                alt.Tooltip("x0:Q", format=SIG),
                alt.Tooltip("x1:Q", format=SIG),
                "count:Q",
            ],
        )
    )
    line = (
        alt.Chart(pdf)
        .mark_line(strokeWidth=2)
        .encode(x=alt.X("x:Q", title="x"), y=alt.Y("density:Q", title="density"), color=color)
    )
    widened = (lo, hi) != cfg.target.plot_range
    share = share_outside(gen, lo, hi)
    if widened:  # one subtitle line: two would squeeze the plot (Streamlit fits the height)
        notes = [
            "x range widened to show G's samples"
            + (f"; {percent(share)} of them lie outside" if share else "")
        ]
    else:  # a generator whose samples leave the range must not just look empty
        notes = [n for n in [outside_note(share)] if n]
    title = _title(f"seed {result.seeds[seed_index]}, step {result.step:,}", notes)
    return alt.layer(hist, line).properties(title=title, height=HEIGHT)


# --- 2. losses against their equilibrium values ------------------------------------------------
def loss_chart(result: RunResult, legend_columns: int = 2) -> Layered:
    """Vanilla: D and G loss with their equilibrium values dashed. Wasserstein: critic loss and
    the estimate E f(real) − E f(fake) (→ 0) on the left axis; G loss, whose level is
    arbitrary, on its own right axis so it does not flatten the others. The series' legend
    wraps into `legend_columns` columns (1 for a Compare panel a third of the page wide)."""
    cfg = result.config
    variant = VARIANTS[cfg.variant]
    names = {
        k: variant.series_label(k)
        for k in ("d_loss", "g_loss", "w_estimate")
        if k in result.history
    }
    optimum = variant.equilibrium(cfg.g_loss)
    refs = pd.DataFrame({"series": [names[k] for k in optimum], "value": list(optimum.values())})
    color = _color(list(names.values()), SERIES_COLORS[: len(names)], columns=legend_columns)
    data = over_seeds(result.history, names)
    k = _n_seeds(result)
    if not variant.g_level_arbitrary:
        return _over_training(data, color, "loss", refs, k, "equilibrium").properties(height=HEIGHT)
    left = _over_training(
        data[data.series != "G loss"],
        color,
        " / ".join(n for n in names.values() if n != "G loss"),
        refs,
        k,
        "equilibrium",
    )
    # No band for G: each seed's level is arbitrary, so a spread across seeds means nothing.
    right = _over_training(
        data[data.series == "G loss"], color, "G loss (level arbitrary)", None, 1, "equilibrium"
    )
    return alt.layer(left, right).resolve_scale(y="independent").properties(height=HEIGHT)


# --- 3. the discriminator / critic as a function of x ------------------------------------------
def critic_chart(
    result: RunResult, seed_index: int = 0, marker: tuple[float, float] | None = None
) -> Layered:
    """D(x) (probability) or critic f(x) over the plot range, the generated samples as points
    on it, D = ½ for vanilla, and optionally the slider's point (x, score)."""
    cfg = result.config
    variant = VARIANTS[cfg.variant]
    f, y_title = variant.d_symbol, variant.score_title
    curve = pd.DataFrame({"x": result.x, "score": result.d_on_x[seed_index], "series": f"{f}(x)"})
    gen = result.samples[seed_index]
    pts = pd.DataFrame(
        {
            "x": gen[:MAX_POINTS],
            "score": result.d_on_samples[seed_index][:MAX_POINTS],
            "series": f"{f}(G(z))",
        }
    )
    neutral = variant.neutral_score
    half = f"{f} = {'½' if neutral == 0.5 else neutral}: can't tell"
    domain = [f"{f}(x)", f"{f}(G(z))", "your z"]
    colors = [SERIES_COLORS[0], variant.color, MARK_COLOR]
    if neutral is not None:
        domain, colors = [*domain, half], [*colors, TARGET_COLOR]
    color = _color(domain, colors)
    # The density chart's range: the curve is known on the plot range only (result.x), but
    # G's points are drawn where they are, not clamped onto the edge.
    lo, hi = shown_range(cfg.target.plot_range, gen)
    x = alt.X("x:Q", title="x", scale=alt.Scale(domain=[lo, hi]))
    domain_y = variant.score_domain
    y = alt.Y(
        "score:Q",
        title=y_title,
        scale=alt.Scale(domain=list(domain_y)) if domain_y else alt.Undefined,
    )
    layers = [
        alt.Chart(curve).mark_line(strokeWidth=2).encode(x=x, y=y, color=color),
        alt.Chart(pts)
        .mark_circle(size=18, opacity=0.5, clip=True)
        .encode(
            x=x,
            y=y,
            color=color,
            tooltip=[alt.Tooltip("x:Q", format=SIG), alt.Tooltip("score:Q", format=SIG)],
        ),
    ]
    if neutral is not None:  # where D cannot tell real from fake
        layers.append(
            alt.Chart(pd.DataFrame({"score": [neutral], "series": [half]}))
            .mark_rule(strokeDash=[6, 4])
            .encode(y=y, color=color)
        )
    if marker is not None:
        point = pd.DataFrame({"x": [marker[0]], "score": [marker[1]]})
        layers.append(_marker(point, x, y, color))
    # Where f(x) stops is plain to see; points the range leaves out are not: count them.
    outside = outside_note(share_outside(pts["x"], lo, hi), f"the {f}(G(z)) points")
    title = _title(f"seed {result.seeds[seed_index]}", [outside] if outside else [])
    return alt.layer(*layers).properties(title=title, height=HEIGHT)


def _marker(point: pd.DataFrame, x: alt.X, y: alt.Y, color: alt.Color) -> alt.Chart:
    """The z slider's point: one row, drawn as a diamond on top."""
    return (
        alt.Chart(point.assign(series="your z"))
        .mark_point(shape="diamond", size=160, filled=True, opacity=1, clip=True)
        .encode(
            x=x,
            y=y,
            color=color,
            tooltip=[alt.Tooltip(f"{c}:Q", format=SIG) for c in point.columns],
        )
    )


def critic_detail_chart(result: RunResult, seed_index: int = 0) -> Layered | None:
    """What keeps the critic in check: |f'(x)| against the norm its penalty pulls towards, the
    weights against ±c for clipping; None for a variant without such a constraint."""
    cfg = result.config
    variant = VARIANTS[cfg.variant]
    if variant.penalty is not None:
        grad = pd.DataFrame(
            {"x": result.x, "grad": result.grad_on_x[seed_index], "series": "|∂f/∂x|"}
        )
        goal = f"target norm {variant.penalty.target_norm:g}"
        color = _color(["|∂f/∂x|", goal], [SERIES_COLORS[0], TARGET_COLOR])
        line = (
            alt.Chart(grad)
            .mark_line()
            .encode(x=alt.X("x:Q", title="x"), y=alt.Y("grad:Q", title="|∂f/∂x|"), color=color)
        )
        one = pd.DataFrame({"value": [variant.penalty.target_norm], "series": [goal]})
        rule = (
            alt.Chart(one)
            .mark_rule(strokeDash=[6, 4])
            .encode(y=alt.Y("value:Q", title="|∂f/∂x|"), color=color)
        )
        return alt.layer(line, rule).properties(height=DETAIL_HEIGHT)
    if variant.clip:
        c = cfg.clip
        hist = binned(result.d_weights[seed_index], np.linspace(-1.1 * c, 1.1 * c, 45), "weights")
        color = _color(["weights", "±c"], [SERIES_COLORS[0], TARGET_COLOR])
        bars = (
            alt.Chart(hist)
            .mark_bar(binSpacing=0)
            .encode(
                x=alt.X("x0:Q", title="critic weight value"),
                x2="x1:Q",
                y=alt.Y("count:Q", title="number of weights"),
                y2=alt.datum(0),
                color=color,
            )
        )
        bounds = pd.DataFrame({"value": [-c, c], "series": "±c"})
        rule = (
            alt.Chart(bounds)
            .mark_rule(strokeDash=[6, 4])
            .encode(x=alt.X("value:Q", title="critic weight value"), color=color)
        )
        return alt.layer(bars, rule).properties(height=DETAIL_HEIGHT)
    return None


# --- 4. generated moments and 6. distance, over training -----------------------------------------
def moments_chart(result: RunResult) -> Layered:
    """Generated mean and std (median over seeds, band) against the target's, dashed."""
    target = result.config.target
    names = {"mean": "mean", "std": "std"}
    refs = pd.DataFrame({"series": ["mean", "std"], "value": [target.mean, target.std]})
    color = _color(["mean", "std"], SERIES_COLORS[:2])
    data = over_seeds(result.evals, names)
    return _over_training(
        data, color, "value (units of x)", refs, _n_seeds(result), "target"
    ).properties(height=HEIGHT)


def distance_chart(result: RunResult, floor: float | None = None) -> Layered:
    """W1 to the target over training (log scale), with the sampling noise floor dashed."""
    data = over_seeds(result.evals, {"w1": "W1 to target"})
    data = data[data["median"] > 0]  # a log axis cannot show 0
    refs = None if floor is None else pd.DataFrame({"series": ["W1 to target"], "value": [floor]})
    color = _color(["W1 to target"], [VARIANTS[result.config.variant].color])
    return _over_training(
        data,
        color,
        "W1 to target (log scale)",
        refs,
        _n_seeds(result),
        "sampling noise floor",
        log=True,
    ).properties(height=HEIGHT)


# --- 5. the generator as a map z -> x ---------------------------------------------------------
def map_chart(
    result: RunResult, seed_index: int = 0, marker: tuple[float, float] | None = None
) -> Layered:
    """G along latent axis 1. With a 1-D latent, also the optimal transport map F⁻¹(Φ(z)) — or
    its mirror when G learned the decreasing map, which pushes the latent onto the target just
    as well."""
    cfg = result.config
    z, g = result.z, result.g_on_z[seed_index]
    rows = [pd.DataFrame({"z": z, "x": g, "series": "G(z)"})]
    domain = ["G(z)", "your z"]
    colors = [VARIANTS[cfg.variant].color, MARK_COLOR]
    if cfg.latent_dim == 1:
        mirrored = -z if cfg.latent == "normal" else 1.0 - z
        fit = map_distance(g, z, cfg.target, cfg.latent) if np.all(np.isfinite(g)) else None
        flip = fit is not None and fit["closer"] == "decreasing"
        name = "mirrored optimal map" if flip else "optimal map F⁻¹(Φ(z))"
        best = optimal_map(cfg.target, mirrored if flip else z, cfg.latent)
        rows.append(pd.DataFrame({"z": z, "x": best, "series": name}))
        domain.insert(1, name)
        colors.insert(1, TARGET_COLOR)
        title = f"seed {result.seeds[seed_index]}"
    else:
        title = f"seed {result.seeds[seed_index]}: latent axes 2…{cfg.latent_dim} fixed"
    color = _color(domain, colors)
    dash = alt.condition(alt.datum.series == "G(z)", alt.value([1, 0]), alt.value([6, 4]))
    x, y = alt.X("z:Q", title="latent z (axis 1)"), alt.Y("x:Q", title="x = G(z)")
    lines = (
        alt.Chart(pd.concat(rows))
        .mark_line(strokeWidth=2)
        .encode(x=x, y=y, color=color, strokeDash=dash)
    )
    layers = [lines]
    if marker is not None:
        layers.append(_marker(pd.DataFrame({"z": [marker[0]], "x": [marker[1]]}), x, y, color))
    return alt.layer(*layers).properties(title=title, height=HEIGHT)
