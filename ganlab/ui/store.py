"""The visitor's runs, kept in session state by config so they survive page switches."""

from __future__ import annotations

import os
from collections import OrderedDict

import streamlit as st

from ganlab.config import TrainConfig
from ganlab.training import Run

KEY = "ganlab.runs"
MAX_RUNS = 24  # per visitor; the least recently used finished run is dropped first
# What one visitor may ask for at once on a shared host, in network updates
# (seeds × generator steps × (D steps + 1)): 32 seeds × 5 000 WGAN-GP steps just fits. The
# command line has no such limit; a self-hosted server can raise it with GANLAB_MAX_WORK.
MAX_WORK = int(os.environ.get("GANLAB_MAX_WORK", 1_000_000))


def _runs() -> OrderedDict[TrainConfig, Run]:
    if KEY not in st.session_state:
        st.session_state[KEY] = OrderedDict()
    return st.session_state[KEY]


def find(cfg: TrainConfig) -> Run | None:
    """The visitor's run for exactly this config, if it has one."""
    runs = _runs()
    if cfg in runs:
        runs.move_to_end(cfg)
        return runs[cfg]
    return None


def get_run(cfg: TrainConfig) -> Run:
    """The visitor's run for exactly this config, created on first use: the same config is
    never trained twice for one visitor."""
    run = find(cfg)
    if run is None:
        runs = _runs()
        run = runs[cfg] = Run(cfg)
        _evict(runs)
    return run


def work(cfg: TrainConfig) -> int:
    return cfg.n_seeds * cfg.steps * (cfg.d_steps + 1)


def work_problem(cfgs) -> str | None:
    """Why these configs are too much for a shared server at once, in words; None if fine."""
    total = sum(work(c) for c in cfgs)
    if total <= MAX_WORK:
        return None
    return (
        f"this asks for {total:,} network updates (seeds × steps × (D steps + 1)); this "
        f"server allows {MAX_WORK:,} at once — lower the steps or the seeds, or run it "
        "headless with `python -m ganlab train`"
    )


def _evict(runs: OrderedDict) -> None:
    while len(runs) > MAX_RUNS:
        victim = next((c for c, r in runs.items() if r.finished), next(iter(runs)))
        del runs[victim]


def forget(cfg: TrainConfig) -> None:
    """Drop the run for cfg (Reset)."""
    _runs().pop(cfg, None)


def all_runs() -> list[Run]:
    """Every run of this visitor, most recently used last."""
    return list(_runs().values())


def latest(variant: str | None = None, target=None, where=None) -> Run | None:
    """The most recently used run matching variant / target / a predicate on the run."""
    for run in reversed(all_runs()):
        if variant is not None and run.cfg.variant != variant:
            continue
        if target is not None and run.cfg.target != target:
            continue
        if where is not None and not where(run):
            continue
        return run
    return None
