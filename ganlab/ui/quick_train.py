"""One-click training of a small run under a progress bar, for pages that need a generator."""

from __future__ import annotations

import streamlit as st

from ganlab.config import TrainConfig
from ganlab.result import divergence_message
from ganlab.service import SERVICE
from ganlab.training import Run
from ganlab.ui import store
from ganlab.ui.text import excerpt

POLL_S = 0.2  # progress updates while the service trains


def train_with_progress(cfg: TrainConfig, what: str) -> Run | None:
    """Find or create the visitor's run for cfg (store.get_run) and train it to its budget under
    a progress bar; a run already trained is returned at once. None (with the reason shown)
    when the server's budgets refuse it (store.get_run: the one admission check)."""
    try:
        run = store.get_run(cfg)
    except store.Refused as exc:
        st.error(f"Can't train {what} here: {exc}.")
        return None
    bar = st.progress(run.step / cfg.steps, text=f"Training {what}…")
    store.train(run)
    # The service trains it; this script only watches. A rerun (a page switch) interrupts at
    # the progress call, and the run goes on training and is kept for the next visit.
    while not SERVICE.wait(run, timeout=POLL_S):
        bar.progress(
            min(run.step / cfg.steps, 1.0),
            text=f"Training {what}: step {run.step:,} of {cfg.steps:,}",
        )
    bar.empty()
    message = divergence_message(cfg.seeds, run.diverged_at)
    if message:
        st.warning(f"{what}: {message}")
    return run


def run_label(run: Run) -> str:
    """A short, stable name for a run in a chooser (no step count, which changes while it trains
    elsewhere and would reset the choice)."""
    c = run.cfg
    return (
        f"{c.variant} on {excerpt(c.target.name)} · latent {c.latent_dim} ({c.latent}) · "
        f"lr {c.lr_g:g} · seed {c.seed} · {c.steps:,} steps"
    )
