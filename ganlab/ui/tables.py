"""The variant pages' table: every variant's latest run on this target, side by side."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from ganlab import metrics, report
from ganlab.config import TrainConfig, preset
from ganlab.training import METRIC_SAMPLES, Run
from ganlab.ui import store
from ganlab.ui.quick_train import train_with_progress
from ganlab.variants import VARIANTS

BASELINE = "baseline"  # the column of an experiment's baseline run
HIGHLIGHT = "background-color: rgba(0, 158, 115, 0.25); font-weight: 600"


def run_info(run: Run) -> dict:
    """A run's figures for report.measured's run rows."""
    return {
        "step": run.step,
        "steps": run.cfg.steps,
        "wall_s": run.wall_s,
        "steps_per_s": run.step / run.wall_s if run.wall_s > 0 else float("nan"),
    }


def styled(
    table: pd.DataFrame,
    labels: dict[str, str],
    reference: dict[str, float] | None = None,
    reference_label: str = "reference",
) -> Styler:
    """report.display with the best of each row highlighted (ties share it)."""
    shown = report.display(table, labels, reference, reference_label)
    css = pd.DataFrame("", index=shown.index, columns=shown.columns)
    for row, winners in report.best(table).items():
        for col in winners:
            css.loc[row, labels.get(col, col)] = HIGHLIGHT
    return shown.style.apply(lambda _: css, axis=None)


def variant_table(
    cfg: TrainConfig, here: str, baseline: tuple[str, TrainConfig] | None = None
) -> str | None:
    """This visitor's latest run of each variant on cfg's target, side by side, and the
    baseline of the experiment shown, (title, config), beside this page's column. Returns the
    variant whose 'run it' button was pressed, if any (the caller trains it)."""
    seeds: dict[str, list[dict]] = {}
    runs: dict[str, dict] = {}
    missing: list[str] = []
    for key in VARIANTS:
        run = store.latest(key, cfg.target, where=lambda r: r.step > 0)  # trained, not opened
        if run is None:
            missing.append(key)
            seeds[key] = []
        else:
            seeds[key], runs[key] = run.seed_metrics(), run_info(run)
    labels = {k: v.label + (" (this page)" if k == here else "") for k, v in VARIANTS.items()}
    base = store.find(baseline[1]) if baseline is not None else None
    if baseline is not None and base is not None and base.step > 0:
        cols = list(seeds)
        seeds = (
            {c: seeds[c] for c in cols[: cols.index(here) + 1]}
            | {BASELINE: base.seed_metrics()}
            | {c: seeds[c] for c in cols[cols.index(here) + 1 :]}
        )
        runs[BASELINE] = run_info(base)
        labels[BASELINE] = f"{VARIANTS[here].label}, without “{baseline[0]}”"
    floor = metrics.noise_floor_cached(cfg.target, METRIC_SAMPLES)
    reference = {**floor, "mean": cfg.target.mean, "std": cfg.target.std}
    table = report.measured(seeds, runs)
    st.dataframe(
        styled(table, labels, reference, "target / noise floor"), width="stretch", height="content"
    )
    n = METRIC_SAMPLES
    st.caption(
        f"Distances use {n:,} generated samples per seed; the last column is what a perfect "
        f"generator scores with {n:,} samples (the noise floor), and the target's mean and std. "
        "Differences below the floor are noise. Several seeds: median [min–max]. "
        "The Fréchet row only compares mean and std, so it is blind to shape: one wide bump "
        "scores ≈ 0 against two modes. The best value of each row is highlighted (ties share "
        "it); — is a variant not run yet."
    )
    with st.expander("What the rows mean"):
        st.markdown(report.glossary())
    clicked = None
    for key in missing:
        if st.button(
            f"Run {VARIANTS[key].label} here (tuned preset, same target, seed and "
            f"{cfg.steps:,} steps)",
            key=f"{here}.table.run.{key}",
        ):
            clicked = key
    return clicked


def run_missing(variant: str, cfg: TrainConfig) -> None:
    """Train the tuned preset of `variant` on cfg's target with cfg's seeds and budget."""
    other = preset(
        variant, "tuned", target=cfg.target, seed=cfg.seed, n_seeds=cfg.n_seeds, steps=cfg.steps
    )
    if train_with_progress(other, VARIANTS[variant].label) is not None:
        st.rerun()
