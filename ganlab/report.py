"""One report table for every page and the CLI: its rows, which way is better, ties, and text."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ganlab import metrics


@dataclass(frozen=True)
class Row:
    key: str  # the per-seed metric (or run figure) it reads
    label: str
    better: str | None  # "low", "high", or None for rows nobody wins
    description: str = ""


ROWS = (
    Row("w1", "W1", "low", "Wasserstein-1 (earth mover's) distance to the target"),
    Row("ks", "KS statistic", "low", "Kolmogorov–Smirnov statistic against the target's CDF"),
    Row(
        "js",
        "JS divergence (bits)",
        "low",
        f"Jensen–Shannon divergence in bits (0 … 1), {metrics.JS_BINS} fixed bins over the "
        "plot range",
    ),
    Row(
        "energy",
        "energy distance",
        "low",
        "energy distance (scipy; a square root, like W1 in units of x)",
    ),
    Row(
        "frechet",
        "Fréchet (blind to shape)",
        "low",
        "1-D Fréchet distance (μ−μ*)² + (σ−σ*)²: one wide bump scores ≈ 0 against two modes",
    ),
    Row("mean", "mean", None, "mean of the generated samples"),
    Row("std", "std", None, "std of the generated samples"),
    Row(
        "mean_err",
        "|mean − target mean|",
        "low",
        "distance of the generated mean from the target's",
    ),
    Row("std_err", "|std − target std|", "low", "distance of the generated std from the target's"),
    Row(
        "mode_coverage",
        "mode coverage",
        "high",
        "Σₖ min(share of mode k, weight k): 1 = every mode at its weight",
    ),
    Row(
        "modes_covered",
        "modes covered",
        "high",
        f"modes holding ≥ {metrics.COVER_SHARE:.0%} of their weight",
    ),
    Row(
        "high_quality",
        "high-quality share",
        "high",
        f"share of samples within {metrics.HQ_SIGMAS:g} std of some mode",
    ),
    # Each variant's losses have their own scale (BCE vs critic scores): shown, not ranked.
    Row(
        "d_volatility",
        "D / critic loss volatility",
        None,
        "std of the D/critic loss over the last 200 steps, in that loss's own units",
    ),
    Row(
        "g_volatility",
        "G loss volatility",
        None,
        "std of the G loss over the last 200 steps, in that loss's own units",
    ),
)
COUNT_ROWS = (
    Row("diverged", "diverged seeds", "low", "seeds whose losses or weights became NaN/inf"),
    Row("collapsed", "collapsed seeds", "low", metrics.COLLAPSE_RULE),
)
RUN_ROWS = (
    Row("step", "steps", None, "generator steps trained, of the budget"),
    Row("steps_per_s", "steps/s", "high", "generator steps per second of training"),
    Row("wall_s", "wall time (s)", "low", "seconds spent training"),
)
COLUMNS = ["key", "row", "column", "median", "lo", "hi", "n", "better"]


def number(v) -> str:
    """Every measured number on every page and in the CLI: three significant figures (never a
    fixed number of decimals that prints 0.000 for 0.0004), thousands grouped, "—" for none."""
    if v is None or not np.isfinite(v):
        return "—"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def measured(seeds: dict[str, list[dict]], runs: dict[str, dict] | None = None) -> pd.DataFrame:
    """The table as numbers, one line per (row, column): key, row, column, median, lo, hi, n,
    better. `seeds` maps a column (a run) to its per-seed metric dicts, an empty list for a run
    not made yet; `runs` maps it to {step, steps, steps_per_s, wall_s} where known."""
    lines = []
    for r in ROWS:
        if not any(r.key in s for ss in seeds.values() for s in ss):
            continue  # e.g. mode rows for a target without modes
        for col, ss in seeds.items():
            lines.append(
                [r.key, r.label, col, *_summary([s.get(r.key, np.nan) for s in ss]), r.better]
            )
    for r in COUNT_ROWS:
        for col, ss in seeds.items():
            k = float(sum(bool(s.get(r.key)) for s in ss)) if ss else np.nan
            lines.append([r.key, r.label, col, k, k, k, len(ss), r.better])
    for r in RUN_ROWS:
        for col in seeds:
            info = (runs or {}).get(col, {})
            x = float(info.get(r.key, np.nan))
            n = int(info.get("steps", 1)) if r.key == "step" else 1
            lines.append([r.key, r.label, col, x, x, x, n, r.better])
    return pd.DataFrame(lines, columns=COLUMNS)


def _summary(values) -> tuple[float, float, float, int]:
    s = metrics.summarize(values)
    return s["median"], s["lo"], s["hi"], s["n"]


def best(table: pd.DataFrame) -> dict[str, list[str]]:
    """Row label -> the columns with the best median; ties share the mark. Only rows with a
    direction, where at least two columns have a value and they are not all equal."""
    out = {}
    for row, g in table.groupby("row", sort=False):
        g = g[np.isfinite(g["median"].astype(float))]
        direction = g["better"].iloc[0] if len(g) else None
        if direction not in ("low", "high") or len(g) < 2 or g["median"].nunique() < 2:
            continue
        goal = g["median"].min() if direction == "low" else g["median"].max()
        out[row] = list(g.loc[g["median"] == goal, "column"])
    return out


def cell(line) -> str:
    """One cell's text: 'median [min–max]' over seeds, 'k of K' for counts and steps."""
    if not np.isfinite(line.median):
        return "not run yet" if line.key == "step" else "—"
    if line.key in ("diverged", "collapsed", "step"):
        return f"{int(line.median):,} of {int(line.n):,}"
    if line.n > 1 and line.lo != line.hi:
        return f"{number(line.median)} [{number(line.lo)}–{number(line.hi)}]"
    return number(line.median)


def display(
    table: pd.DataFrame,
    labels: dict[str, str] | None = None,
    reference: dict[str, float] | None = None,
    reference_label: str = "reference",
) -> pd.DataFrame:
    """Rows × columns as text; `labels` renames columns, `reference` ({key: value}) adds a
    last column (e.g. the noise floor beside the distances)."""
    labels = labels or {}
    cells: dict[str, dict[str, str]] = {}
    for line in table.itertuples(index=False):
        cells.setdefault(line.row, {})[labels.get(line.column, line.column)] = cell(line)
    columns = [labels.get(c, c) for c in dict.fromkeys(table["column"])]
    shown = pd.DataFrame.from_dict(cells, orient="index", columns=columns).fillna("—")
    if reference is not None:
        keys = dict(zip(table["row"], table["key"], strict=True))
        shown[reference_label] = [
            number(reference[keys[r]]) if keys[r] in reference else "" for r in shown.index
        ]
    return shown


def to_csv(table: pd.DataFrame) -> str:
    """One line per row; per column its median, min, max and count (numbers, not text)."""
    wide = table.pivot_table(
        index="row", columns="column", values=["median", "lo", "hi", "n"], sort=False, dropna=False
    )
    wide = wide.reindex(
        columns=[
            (s, c) for c in dict.fromkeys(table["column"]) for s in ("median", "lo", "hi", "n")
        ]
    )
    wide.columns = [
        f"{c} {'min' if s == 'lo' else 'max' if s == 'hi' else s}" for s, c in wide.columns
    ]
    wide.index.name = "metric"
    return wide.to_csv(float_format="%.6g")


def glossary() -> str:
    """What every row means, as a Markdown list (for an expander under a table)."""
    return "\n".join(f"- **{r.label}**: {r.description}" for r in (*ROWS, *COUNT_ROWS, *RUN_ROWS))


def json_safe(value):
    """Metrics as JSON can hold them (JSON has no NaN/inf: null instead), for the CLI's --json
    and a study's result lines."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value
