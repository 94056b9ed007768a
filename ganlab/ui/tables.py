"""Side-by-side metric tables: one column per run, one row per metric, the best highlighted."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from ganlab import metrics
from ganlab.config import TrainConfig, preset
from ganlab.metrics import short
from ganlab.targets import Target
from ganlab.training import Run
from ganlab.ui import store
from ganlab.ui.quick_train import train_with_progress
from ganlab.variants import VARIANTS

ss = st.session_state
METRIC_SAMPLES = 10_000  # what Run.seed_metrics draws per seed, so the floor uses the same n
CACHE_KEY = "ganlab.metrics"
CACHE_SIZE = 48
HIGHLIGHT = "background-color: rgba(0, 158, 115, 0.25); font-weight: 600"
MISSING = "—"
EXTRA_ROWS = ("steps", "wall time", "steps/s", "seeds", "collapsed seeds", "diverged seeds")
ROW_LABELS = {
    "w1": "W1", "ks": "KS statistic", "js": "JS divergence (bits)", "energy": "energy distance",
    "frechet": "Fréchet (blind to shape)", "mean": "mean", "std": "std",
    "mean_err": "|mean − target mean|", "std_err": "|std − target std|",
    "mode_coverage": "mode coverage", "modes_covered": "modes covered",
    "high_quality": "high-quality share",
}


def cell(values) -> str:
    """'median' for one seed, 'median [min–max]' over several (diverged seeds' NaN left out)."""
    s = metrics.summarize(values)
    if s["n"] <= 1:
        return short(s["median"])
    return f"{short(s['median'])} [{short(s['lo'])}–{short(s['hi'])}]"


def side_by_side(runs: dict[str, list[dict]], extra_rows: dict[str, dict[str, str]] | None = None,
                 reference: dict[str, float] | None = None,
                 reference_label: str = "reference") -> Styler:
    """Rows: metrics (metrics.METRICS order, those any run has), then `extra_rows`
    ({row: {column: text}}). Columns: the runs ({column: per-seed metric dicts}; an empty list
    is a run not made yet), then `reference` ({metric: value}) if given. The best median of a
    row is highlighted when at least two runs have a value there."""
    medians = metrics.runs_table(runs) if any(runs.values()) else pd.DataFrame(columns=[*runs])
    contested = medians[medians.notna().sum(axis=1) >= 2]
    best = metrics.best_per_row(contested) if len(contested) else pd.Series(dtype=object)
    columns = [*runs, *([reference_label] if reference is not None else [])]
    rows = {}
    for m in medians.index:
        rows[m] = [cell([s.get(m, np.nan) for s in seeds]) if seeds else MISSING
                   for seeds in runs.values()]
        if reference is not None:
            rows[m].append(short(reference[m]) if m in reference else "")
    for row, by_col in (extra_rows or {}).items():
        rows[row] = [by_col.get(col, "") for col in columns]
    table = pd.DataFrame(list(rows.values()), index=list(rows), columns=columns, dtype=object)
    css = pd.DataFrame("", index=table.index, columns=table.columns)
    for row, col in best.dropna().items():
        css.loc[row, col] = HIGHLIGHT
    table.index = [ROW_LABELS.get(r, r) for r in table.index]
    css.index = table.index
    return table.style.apply(lambda _: css, axis=None)


# --- the variant pages' table -----------------------------------------------------------------
def run_metrics(run: Run) -> list[dict]:
    """run.seed_metrics(), cached per (config, step): it costs ~50–200 ms per seed."""
    cache = ss.setdefault(CACHE_KEY, OrderedDict())
    key = (run.cfg, run.step)
    if key not in cache:
        cache[key] = run.seed_metrics(METRIC_SAMPLES)
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return cache[key]


@st.cache_data(max_entries=32, show_spinner="Measuring the sampling noise floor…")
def noise_floor(target: Target, n: int) -> dict[str, float]:
    return metrics.noise_floor(target, n)


def run_rows(run: Run, seed_metrics: list[dict]) -> dict[str, str]:
    """The table's non-metric rows for one run."""
    bad = sum(m["diverged"] for m in seed_metrics)
    collapsed = sum(bool(m.get("collapsed")) for m in seed_metrics)
    k = run.cfg.n_seeds
    return {
        "steps": f"{run.step:,} of {run.cfg.steps:,}",
        "wall time": f"{run.wall_s:.1f} s",
        "steps/s": f"{run.step / run.wall_s:,.0f}" if run.wall_s > 0 else MISSING,
        "seeds": f"{k}" if k > 1 else f"seed {run.cfg.seed}",
        "collapsed seeds": f"{collapsed} of {k}",
        "diverged seeds": f"{bad} of {k}",
    }


def variant_table(cfg: TrainConfig, here: str) -> str | None:
    """This visitor's latest run of each variant on cfg's target, side by side. Returns the
    variant whose 'run it' button was pressed, if any (the caller trains it)."""
    runs, rows, missing = {}, {}, []
    for key, v in VARIANTS.items():
        col = v.label + (" (this page)" if key == here else "")
        run = store.latest(key, cfg.target)
        seeds = run_metrics(run) if run is not None else []
        runs[col] = seeds
        if run is None:
            missing.append(key)
            rows[col] = {"steps": "not run yet"}
        else:
            rows[col] = run_rows(run, seeds)
    extra = {r: {col: rows[col].get(r, MISSING) for col in runs} for r in EXTRA_ROWS}
    n = METRIC_SAMPLES
    floor = noise_floor(cfg.target, n)
    reference = {**floor, "mean": cfg.target.mean, "std": cfg.target.std}
    st.dataframe(side_by_side(runs, extra, reference, "target / noise floor"), width="stretch",
                 height="content")
    st.caption(
        f"Distances use {n:,} generated samples per seed; the last column is what a perfect "
        f"generator scores with {n:,} samples (the noise floor), and the target's mean and std. "
        "Differences below the floor are noise. Several seeds: median [min–max]. "
        "The Fréchet row only compares mean and std, so it is blind to shape: one wide bump "
        "scores ≈ 0 against two modes. The best value of each row is highlighted."
    )
    with st.expander("What the rows mean"):
        st.markdown("\n".join(f"- **{ROW_LABELS[m]}**: {d}" for m, d in metrics.METRICS.items())
                    + f"\n- **collapsed seeds**: {metrics.COLLAPSE_RULE}")
    clicked = None
    for key in missing:
        if st.button(f"Run {VARIANTS[key].label} here (tuned preset, same target, seed and "
                     f"{cfg.steps:,} steps)", key=f"{here}.table.run.{key}"):
            clicked = key
    return clicked


def run_missing(variant: str, cfg: TrainConfig) -> None:
    """Train the tuned preset of `variant` on cfg's target with cfg's seeds and budget."""
    other = preset(variant, "tuned", target=cfg.target, seed=cfg.seed, n_seeds=cfg.n_seeds,
                   steps=cfg.steps)
    train_with_progress(other, VARIANTS[variant].label)
    st.rerun()
