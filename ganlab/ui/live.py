"""Start / Stop / Step / Reset for a page's run, which the training service trains in the
background, and the fragment that shows it: the newest frame while it trains, any recorded
frame (scrub, play) otherwise."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

from ganlab import gallery
from ganlab.config import TrainConfig
from ganlab.report import number
from ganlab.service import SERVICE
from ganlab.training import Run, RunResult
from ganlab.ui import store
from ganlab.ui.text import plain

ss = st.session_state
TICK_S = 0.25  # the live view's period: it draws the newest frame about four times a second
SPEEDS = {"slow motion": 2.0, "normal": 5.0, "fast": 12.0}  # replay, recorded frames a second
DEFAULT_SPEED = "normal"


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
    """Whether the service is training the page's run now (it may have been started from
    another page: the service, not the page, knows)."""
    run = current_run(variant)
    return run is not None and SERVICE.training(run)


def _admitted(variant: str, cfg: TrainConfig) -> Run | None:
    """cfg's run, existing or let in by the one admission check (store.get_run); a refusal is
    kept for buttons() to show, and nothing changes."""
    try:
        return store.get_run(cfg)
    except store.Refused as exc:
        ss[_key(variant, "refused")] = str(exc)
        return None


def show(variant: str, cfg: TrainConfig) -> Run | None:
    """Make cfg's run the page's run without training it (frame 0 drawn before Start)."""
    run = _admitted(variant, cfg)
    if run is not None:
        set_active(variant, cfg)
        SERVICE.warm()  # the training processes start while the visitor reads frame 0
    return run


def start(variant: str, cfg: TrainConfig, until: int | None = None) -> None:
    """Train cfg's run in the background (created on first use, resumed otherwise) up to step
    `until` (its budget by default). A run in progress under other settings stops and is kept."""
    old = current_run(variant)
    run = _admitted(variant, cfg)
    if run is None:
        return
    if old is not None and old is not run:
        store.stop(old)
    set_active(variant, cfg)
    ss.pop(_scrub_key(variant, run), None)  # after training, the replay starts at its end
    ss[_key(variant, "playing")] = False
    store.train(run, until)


def train_beside(cfg: TrainConfig) -> None:
    """Train cfg's run in the background too, without showing it (an experiment's baseline);
    nothing happens if the budgets refuse it."""
    try:
        run = store.get_run(cfg)
    except store.Refused:
        return
    if not run.finished:
        store.train(run)


def _stop(variant: str) -> None:
    run = current_run(variant)
    others = store.stop(run) if run is not None else 0
    if others:
        st.toast(
            f"{others:,} other visitor{'s are' if others > 1 else ' is'} training this same "
            "run (the same settings train once, however many watch): it goes on for them.",
            icon="👥",
        )


def _step(variant: str, cfg: TrainConfig) -> None:
    run = store.find(cfg)
    step = run.step if run is not None else 0
    start(variant, cfg, until=step + cfg.steps_per_epoch)


def _train_live(variant: str, cfg: TrainConfig) -> None:
    """A stored run's Start: the same settings trained again from step 0, here."""
    store.forget(cfg, fresh=True)
    start(variant, cfg)


def _reset(variant: str) -> None:
    cfg = active_config(variant)
    if cfg is not None:
        store.forget(cfg, fresh=True)  # stops its training too, unless others watch it


def buttons(variant: str, cfg: TrainConfig | None, stacked: bool = False) -> None:
    """The four buttons; cfg is what the sidebar describes (None when it cannot run). In a row,
    or `stacked` one under the other (presentation mode's narrow column). Start, Stop and Step
    have keyboard shortcuts (present.SHORTCUTS), named in their help."""
    from ganlab.ui.present import SHORTCUTS  # the keys are presentation mode's to name

    run, running = current_run(variant), is_running(variant)
    same = cfg is not None and cfg == active_config(variant)
    stored = same and run is not None and run.stored_in is not None
    if same and running:
        start_label = "Training…"
    elif stored:
        start_label = "Train it live"
    elif same and run is not None and run.step > 0:
        start_label = "Finished" if run.finished else "Resume"
    else:
        start_label = "Start new run" if run is not None and not same else "Start"
    c = [st.container()] * 4 if stacked else st.columns(4)
    c[0].button(
        start_label,
        key=_key(variant, "start"),
        type="primary",
        width="stretch",
        on_click=_train_live if stored else start,
        args=(variant, cfg),
        disabled=cfg is None
        or (same and not stored and (running or (run is not None and run.finished))),
        shortcut=SHORTCUTS["start"],
        help=(
            "This run was stored finished: train it again from step 0, live on this page. "
            if stored
            else "Trains on the server, live on this page. "
        )
        + f"Key {SHORTCUTS['start']}",
    )
    c[1].button(
        "Stop",
        key=_key(variant, "stop"),
        width="stretch",
        on_click=_stop,
        args=(variant,),
        disabled=not running,
        shortcut=SHORTCUTS["stop"],
        help="Stops training on the server; the toolbar's Stop only stops this page drawing. "
        f"Key {SHORTCUTS['stop']}",
    )
    epoch = cfg.steps_per_epoch if cfg is not None else 0
    c[2].button(
        "Step one epoch",
        key=_key(variant, "step"),
        width="stretch",
        on_click=_step,
        args=(variant, cfg),
        help=f"{epoch:,} generator steps: one pass over the data. Key {SHORTCUTS['step']}",
        disabled=cfg is None or running or (same and run is not None and run.finished),
        shortcut=SHORTCUTS["step"],
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
    if running:
        st.caption(
            "Training runs on the server: it goes on if you open another page, and the "
            "**Stop** button here stops it."
        )


# --- the view: live, or a recorded frame ------------------------------------------------------
Draw = Callable[[Run, RunResult, bool], None]


def panel(variant: str, draw: Draw, still: Callable[[Run, RunResult], None] | None = None) -> None:
    """Progress, readout and charts of the page's run, in a fragment: while the run trains it
    redraws the newest frame every period(); otherwise a step slider picks any recorded frame,
    and Play steps through them. draw(run, result, live) draws the charts of one moment;
    still(run, result) what only a still page needs (exports), under them."""
    run_every = period(variant, is_running(variant))

    @st.fragment(run_every=run_every)
    def tick() -> None:
        run = current_run(variant)
        if run is None:
            return
        running = SERVICE.training(run)
        if ss.get(_key(variant, "was_running")) and not running:
            # It finished or stopped: redraw the page once, for the buttons and the table, and
            # to leave live mode, with the replay at the step where training ended.
            ss[_key(variant, "was_running")] = False
            ss.pop(_scrub_key(variant, run), None)
            st.rerun(scope="app")
        ss[_key(variant, "was_running")] = running
        if not running:
            store.keep(run)  # finished here: stored, so a restart does not lose it
        frame = run.timeline.newest() if running else _replay_controls(variant, run)
        if period(variant, running) != run_every:  # Play or Pause: the page sets the period
            st.rerun(scope="app")
        if frame is None:
            return
        result = run.result_at(frame, full_history=True)
        readout(run, result, running)
        if run.stored_in is not None:
            st.caption(stored_note(run))
        failed = SERVICE.error(run)
        if failed:
            st.error(f"Training stopped on an error at step {run.step:,}: {plain(failed)}")
        draw(run, result, running)
        if still is not None and not running and not ss.get(_key(variant, "playing")):
            still(run, result)

    tick()


def period(variant: str, running: bool) -> float | None:
    """The panel's redraw period: TICK_S while training (slower when many watch live views on
    this server, store.period), the replay speed while playing, else none."""
    if running:
        return store.period(TICK_S)
    return 1.0 / _speed(variant) if ss.get(_key(variant, "playing")) else None


def _speed(variant: str) -> float:
    return SPEEDS.get(ss.get(_key(variant, "speed"), DEFAULT_SPEED), SPEEDS[DEFAULT_SPEED])


def _replay_controls(variant: str, run: Run):
    """A slider over the recorded steps, Play/Pause and a speed; returns the frame to show."""
    steps = run.timeline.steps
    if len(steps) < 2:
        return run.timeline.newest()
    key = _scrub_key(variant, run)
    playing = bool(ss.get(_key(variant, "playing")))
    if key not in ss or ss[key] not in steps:
        ss[key] = steps[-1]
    if playing:  # one recorded frame further per tick; stop at the end
        i = steps.index(ss[key])
        if i + 1 < len(steps):
            ss[key] = steps[i + 1]
        else:
            ss[_key(variant, "playing")] = False
            st.rerun(scope="fragment")
    c1, c2, c3 = st.columns([6, 1.3, 1.7], vertical_alignment="bottom")
    c1.select_slider(
        f"Replay: step ({len(steps)} recorded frames)",
        options=steps,
        key=key,
        format_func=lambda s: f"{s:,}",
        help="Every recorded moment of this run; dense at the start, where most is learned.",
    )
    c2.button(
        "Pause" if playing else "Play",
        key=_key(variant, "play"),
        width="stretch",
        on_click=_toggle_play,
        args=(variant, key, steps),
    )
    c3.selectbox("Speed", list(SPEEDS), key=_key(variant, "speed"), index=1)
    return run.timeline.at(ss[key])


def _scrub_key(variant: str, run: Run) -> str:
    return _key(variant, f"scrub.{id(run)}")


def _toggle_play(variant: str, key: str, steps: list[int]) -> None:
    playing = not ss.get(_key(variant, "playing"))
    ss[_key(variant, "playing")] = playing
    if playing and ss.get(key) == steps[-1]:  # Play at the end starts again from step 0
        ss[key] = steps[0]


def _progress_text(run: Run, result: RunResult, running: bool) -> str:
    """One step on screen: the readout's and the bar's come from the same frame."""
    step = result.step
    if all(result.diverged):  # every seed stopped itself by then: say where, not "finished"
        return f"diverged at step {max(result.diverged_at):,} of {run.cfg.steps:,}"
    if running:
        status = "training"
    elif step < run.step:
        status = "replay"
    elif run.finished:
        status = "finished"
    else:
        status = "stopped" if step else "not started"
    return f"{status} — step {step:,} of {run.cfg.steps:,}"


def readout(run: Run, result: RunResult, running: bool) -> None:
    """Progress bar and the numbers at the shown step."""
    cfg = run.cfg
    st.progress(min(result.step / cfg.steps, 1.0), text=_progress_text(run, result, running))
    h = result.history
    last = h[h.step == h.step[h.step <= result.step].max()] if len(h) else h
    names = {
        k: run.variant.series_label(k) for k in ("d_loss", "g_loss", "w_estimate") if k in last
    }
    cells = [("epoch", f"{result.step // cfg.steps_per_epoch:,}"), ("step", f"{result.step:,}")]
    cells += [
        (text, number(np.nanmedian(last[col]) if last[col].notna().any() else np.nan))
        for col, text in names.items()
    ]
    speed = result.steps_per_s
    if not np.isfinite(speed) and result.step > 0 and run.wall_s > 0:
        # A stored run from before frames kept their own clock: the run's mean speed.
        speed = run.step / run.wall_s
    cells.append(("steps/s", number(speed)))
    for col, (name, value) in zip(st.columns(len(cells)), cells, strict=True):
        col.metric(name, value)
    diverged_warning(result)


def stored_note(run: Run) -> str:
    """Where a run that came finished from disk was made, and how to make it again."""
    if run.stored_in == gallery.DIR:
        made = (
            f"trained before class and shipped with ganlab (`{gallery.COMMAND}` makes it "
            "again; the same settings give the same numbers)"
        )
    else:
        made = "finished earlier on this server and kept on disk"
    return (
        f"A stored result: {made}. Replay it with the slider, or press **Train it live** to "
        "watch the same settings learn from step 0."
    )


def diverged_warning(result: RunResult) -> None:
    if result.divergence:
        st.warning(result.divergence)
