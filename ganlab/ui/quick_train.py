"""One-click training of a small run under a progress bar, for pages that need a generator."""

from __future__ import annotations

import streamlit as st

from ganlab.config import TrainConfig
from ganlab.training import Run
from ganlab.ui import store

# Each slice is short so a page switch or Stop interrupts quickly: a rerun only lands at the
# next st.* call, which is the progress update after every slice.
SLICE_S = 0.25


def train_with_progress(cfg: TrainConfig, what: str) -> Run:
    """Find or create the visitor's run for cfg (store.get_run) and train it to its budget,
    showing a progress bar; a run already trained is returned at once."""
    run = store.get_run(cfg)
    bar = st.progress(run.step / cfg.steps, text=f"Training {what}…")
    while not run.finished:
        run.advance(max_seconds=SLICE_S)
        bar.progress(min(run.step / cfg.steps, 1.0),
                     text=f"Training {what}: step {run.step:,} of {cfg.steps:,}")
    bar.empty()
    if not run.alive.all():
        st.warning(f"{what}: training diverged (NaN/inf) at step {int(run.diverged_at.max()):,}; "
                   "the weights from just before are kept.")
    return run


def run_label(run: Run) -> str:
    """A short, stable name for a run in a chooser (no step count, which changes while it trains
    elsewhere and would reset the choice)."""
    c = run.cfg
    return (f"{c.variant} on {c.target.name} · latent {c.latent_dim} ({c.latent}) · "
            f"lr {c.lr_g:g} · seed {c.seed} · {c.steps:,} steps")
