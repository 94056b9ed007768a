"""Study charts: the configurations' scores per variant, best-of-n curves with their interval,
failure rates and sensitivity. Plain data from ganlab.study_analysis in, alt.Chart out."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import vl_convert

from ganlab.charts import LEGEND_LABEL_LIMIT, SIG, VARIANT_COLORS, Layered
from ganlab.variants import VARIANTS

HEIGHT = 300
W1_TITLE = "W1 to the target (median over seeds, log scale)"


def _labels(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(label=[VARIANTS[v].label if v in VARIANTS else v for v in frame.variant])


def _color(frame: pd.DataFrame, legend: bool = True) -> alt.Color:
    """Each variant in its registry colour, the legend under the chart."""
    keys = list(dict.fromkeys(frame["variant"]))
    labels = [VARIANTS[k].label if k in VARIANTS else k for k in keys]
    scale = alt.Scale(domain=labels, range=[VARIANT_COLORS.get(k, "#777777") for k in keys])
    leg = alt.Legend(title=None, orient="bottom", labelLimit=LEGEND_LABEL_LIMIT) if legend else None
    return alt.Color("label:N", scale=scale, legend=leg)


def distribution_chart(scores: pd.DataFrame, target: str) -> Layered:
    """Every configuration's score as a dot, per variant, over a box of the quartiles; a failed
    configuration (+inf: no finite samples) is left out and counted in the subtitle."""
    d = _labels(scores[scores.target == target])
    finite = d[np.isfinite(d["score"].astype(float))]
    order = list(dict.fromkeys(d["label"]))
    y = alt.Y("label:N", title="variant", sort=order)
    x = alt.X("score:Q", title=W1_TITLE, scale=alt.Scale(type="log"))
    box = (
        alt.Chart(finite)
        .mark_boxplot(extent="min-max", opacity=0.35, size=18)
        .encode(x=x, y=y, color=_color(finite, legend=False))
    )
    dots = (
        alt.Chart(finite)
        .mark_circle(size=40, opacity=0.7)
        .encode(
            x=x,
            y=y,
            color=_color(finite, legend=False),
            tooltip=[
                alt.Tooltip("label:N", title="variant"),
                alt.Tooltip("config:Q", title="configuration"),
                alt.Tooltip("score:Q", title="median W1", format=SIG),
            ],
        )
    )
    lost = len(d) - len(finite)
    sub = f"{lost} configuration(s) without finite samples left out" if lost else None
    title = alt.Title(f"{target}: score of every configuration", subtitle=sub or alt.Undefined)
    return alt.layer(box, dots).properties(title=title, height=HEIGHT)


def best_of_n_chart(curves: pd.DataFrame, target: str, level: float = 0.9) -> Layered:
    """Expected best W1 over a budget of n configurations (line) with its bootstrap interval
    (band): lower is better; where bands overlap, the study cannot tell the variants apart."""
    c = _labels(curves[curves.target == target])
    c = c[np.isfinite(c["expected"]) & np.isfinite(c["lo"]) & np.isfinite(c["hi"])]
    x = alt.X("n:Q", title="budget: configurations tried (n)", axis=alt.Axis(tickMinStep=1))
    y_title = "expected best W1 over n (log scale)"
    band = (
        alt.Chart(c)
        .mark_area(opacity=0.15)
        .encode(
            x=x,
            y=alt.Y("lo:Q", title=y_title, scale=alt.Scale(type="log")),
            y2="hi:Q",
            color=_color(c, legend=False),
        )
    )
    line = (
        alt.Chart(c)
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("expected:Q", title=y_title, scale=alt.Scale(type="log")),
            color=_color(c),
            tooltip=[
                alt.Tooltip("label:N", title="variant"),
                alt.Tooltip("n:Q", title="budget n"),
                alt.Tooltip("expected:Q", title="expected best W1", format=SIG),
                alt.Tooltip("lo:Q", title=f"{level:.0%} interval from", format=SIG),
                alt.Tooltip("hi:Q", title="to", format=SIG),
            ],
        )
    )
    title = alt.Title(f"{target}: best W1 vs budget", subtitle=f"bands: {level:.0%} bootstrap")
    # Independent legends: the lines' own, not the faint bands' (a shared one shows neither).
    chart = alt.layer(band, line).resolve_legend(color="independent")
    return chart.properties(title=title, height=HEIGHT)


def failure_chart(failures: pd.DataFrame, target: str) -> alt.Chart:
    """The share of configuration × seeds that diverged or collapsed, per variant."""
    f = _labels(failures[failures.target == target])
    long = f.melt(
        id_vars=["label", "runs"],
        value_vars=["diverged", "collapsed"],
        var_name="kind",
        value_name="share",
    )
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title="variant", sort=list(dict.fromkeys(f["label"]))),
            yOffset=alt.YOffset("kind:N"),
            x=alt.X(
                "share:Q",
                title="share of runs (config × seed)",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=["diverged", "collapsed"], range=["#D55E00", "#999999"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="variant"),
                alt.Tooltip("kind:N", title="failure"),
                alt.Tooltip("share:Q", title="share", format=".0%"),
                alt.Tooltip("runs:Q", title="runs"),
            ],
        )
        .properties(title=f"{target}: failures", height=HEIGHT)
    )


def sensitivity_chart(sensitivity: pd.DataFrame, target: str) -> Layered:
    """Spearman's ρ of each sampled setting with the score, per variant: red = larger values
    scored worse, blue = better; blank where the variant does not sample the setting."""
    s = _labels(sensitivity[sensitivity.target == target])
    s = s.assign(text=[f"{r:+.2f}" if np.isfinite(r) else "—" for r in s["rho"]])
    x = alt.X("param:N", title="sampled setting", sort=alt.EncodingSortField("order", op="min"))
    y = alt.Y("label:N", title="variant", sort=list(dict.fromkeys(s["label"])))
    cells = (
        alt.Chart(s)
        .mark_rect()
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "rho:Q",
                title="Spearman ρ with W1",
                scale=alt.Scale(domain=[-1, 1], scheme="redblue", reverse=True),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="variant"),
                alt.Tooltip("param:N", title="setting"),
                alt.Tooltip("rho:Q", title="ρ", format=".2f"),
                alt.Tooltip("p:Q", title="p-value", format=SIG),
                alt.Tooltip("n:Q", title="configurations"),
            ],
        )
    )
    text = alt.Chart(s).mark_text().encode(x=x, y=y, text="text:N")
    title = alt.Title(f"{target}: which settings matter", subtitle="ρ > 0: larger → worse W1")
    return alt.layer(cells, text).properties(title=title, height=HEIGHT)


def figure_png(charts: list, width: int = 640) -> bytes:
    """The charts one under another as one PNG (vl-convert, no browser)."""
    spec = alt.vconcat(*[c.properties(width=width) for c in charts]).to_dict()
    return vl_convert.vegalite_to_png(spec, scale=1)
