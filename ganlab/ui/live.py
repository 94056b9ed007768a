"""Start / Stop / Step / Reset, and the fragment that trains the shown run in short slices."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

from ganlab import driver
from ganlab.config import TrainConfig
from ganlab.report import number
from ganlab.training import Run, RunResult
from ganlab.ui import store

ss = st.session_state
TICK_S = 0.5  # fragment period while training (ticks run back to back when they take longer)
TRAIN_S = 0.9  # training per tick, between redraws: drawing six charts costs ~0.3–0.5 s


def _key(variant: str, name: str) -> str:
    return f"{variant}.live.{name}"


# --- which run a page shows, and whether it is training -----------------------------------------
def active_config(variant: str) -> TrainConfig | None:
    return ss.get(_key(variant, "active"))


def set_active(variant: str, cfg: TrainConfig) -> None:
    ss[_key(variant, "active")] = cfg


def current_run(variant: str) -> Run | None:
    """The page's run, if the store still has it (Reset or eviction removes it)."""
    cfg = active_config(variant)
    return None if cfg is None else store.find(cfg)


def is_running(variant: str) -> bool:
    return bool(ss.get(_key(variant, "running")))


def _admitted(variant: str, cfg: TrainConfig) -> bool:
    """cfg's run exists or the one admission check (store.get_run) let it in; a refusal is kept
    for buttons() to show, and nothing changes."""
    try:
        store.get_run(cfg)
    except store.Refused as exc:
        ss[_key(variant, "refused")] = str(exc)
        return False
    return True


def start(variant: str, cfg: TrainConfig) -> None:
    """Train cfg's run (created on first use, resumed otherwise); a run in progress under other
    settings stops and is kept."""
    if not _admitted(variant, cfg):
        return
    set_active(variant, cfg)
    ss[_key(variant, "running")] = True


def _stop(variant: str) -> None:
    ss[_key(variant, "running")] = False


def _step(variant: str, cfg: TrainConfig) -> None:
    if not _admitted(variant, cfg):
        return
    set_active(variant, cfg)
    ss[_key(variant, "running")] = False
    ss[_key(variant, "epoch")] = True  # trained in the fragment, under its spinner


def _reset(variant: str) -> None:
    cfg = active_config(variant)
    if cfg is not None:
        store.forget(cfg)
    ss[_key(variant, "running")] = False


def buttons(variant: str, cfg: TrainConfig | None) -> None:
    """The four buttons; cfg is what the sidebar describes (None when it cannot run)."""
    run, running = current_run(variant), is_running(variant)
    same = cfg is not None and cfg == active_config(variant)
    if same and running:
        start_label = "Training…"
    elif same and run is not None and run.step > 0:
        start_label = "Finished" if run.finished else "Resume"
    else:
        start_label = "Start new run" if run is not None and not same else "Start"
    c = st.columns(4)
    c[0].button(
        start_label,
        key=_key(variant, "start"),
        type="primary",
        width="stretch",
        on_click=start,
        args=(variant, cfg),
        disabled=cfg is None or (same and (running or (run is not None and run.finished))),
    )
    c[1].button(
        "Stop",
        key=_key(variant, "stop"),
        width="stretch",
        on_click=_stop,
        args=(variant,),
        disabled=not running,
    )
    epoch = cfg.steps_per_epoch if cfg is not None else 0
    c[2].button(
        "Step one epoch",
        key=_key(variant, "step"),
        width="stretch",
        on_click=_step,
        args=(variant, cfg),
        help=f"{epoch:,} generator steps: one pass over the data",
        disabled=cfg is None or running or (same and run is not None and run.finished),
    )
    c[3].button(
        "Reset",
        key=_key(variant, "reset"),
        width="stretch",
        on_click=_reset,
        args=(variant,),
        disabled=run is None,
        help="Forget this run and start again from step 0",
    )
    refused = ss.pop(_key(variant, "refused"), None)
    if refused:
        st.error(f"Can't start it here: {refused}.")


# --- training in slices ---------------------------------------------------------------------
def _train(variant: str, run: Run, bar) -> None:
    """About TRAIN_S of training in the driver's short slices. The progress update after each
    slice is a Streamlit call, so a pending Stop or page switch interrupts here."""
    for _ in driver.train([run], TRAIN_S):
        if run.finished:  # redraw the whole page: buttons, the table, no more ticks
            ss[_key(variant, "running")] = False
            st.rerun(scope="app")
        bar.progress(
            min(run.step / run.cfg.steps, 1.0), text=_progress_text(variant, run.step, run)
        )


def panel(variant: str, draw: Callable[[Run, RunResult], None]) -> None:
    """Progress, readout and charts of the page's run, in a fragment that, while training,
    redraws itself and then trains for about TRAIN_S, once per tick."""

    @st.fragment(run_every=TICK_S if is_running(variant) else None)
    def tick() -> None:
        run = current_run(variant)
        if run is None:
            ss[_key(variant, "running")] = False
            return
        if ss.pop(_key(variant, "epoch"), False):
            with st.spinner(f"Training one epoch ({run.cfg.steps_per_epoch:,} steps)…"):
                run.advance(n_steps=run.cfg.steps_per_epoch)
        # Metrics (10k samples per seed) are for the table, which is drawn outside the fragment.
        result = run.result(with_metrics=False)
        bar = readout(variant, run, result)
        draw(run, result)
        # Train after drawing: Streamlit greys out elements from a rerun's start until they are
        # drawn again, so training first would leave the charts faded most of the time.
        if is_running(variant):
            _train(variant, run, bar)

    tick()


def _progress_text(variant: str, step: int, run: Run) -> str:
    """One step on screen: the readout's and the bar's come from the same snapshot."""
    if not run.alive.any():  # every seed stopped itself: say where, not "finished"
        return f"diverged at step {int(run.diverged_at.max()):,} of {run.cfg.steps:,}"
    status = (
        "training"
        if is_running(variant)
        else "finished"
        if run.finished
        else "stopped"
        if step
        else "not started"
    )
    return f"{status} — step {step:,} of {run.cfg.steps:,}"


def readout(variant: str, run: Run, result: RunResult):
    """Progress bar (returned, to update while training) and the latest numbers."""
    cfg = run.cfg
    bar = st.progress(
        min(result.step / cfg.steps, 1.0), text=_progress_text(variant, result.step, run)
    )
    last = result.history[result.history.step == result.history.step.max()]
    names = {
        k: run.variant.series_label(k) for k in ("d_loss", "g_loss", "w_estimate") if k in last
    }
    cells = [("epoch", f"{result.step // cfg.steps_per_epoch:,}"), ("step", f"{result.step:,}")]
    cells += [
        (text, number(np.nanmedian(last[col]) if last[col].notna().any() else np.nan))
        for col, text in names.items()
    ]
    cells.append(("steps/s", number(result.steps_per_s)))
    for col, (name, value) in zip(st.columns(len(cells)), cells, strict=True):
        col.metric(name, value)
    diverged_warning(result)
    return bar


def diverged_warning(result: RunResult) -> None:
    if result.divergence:
        st.warning(result.divergence)
