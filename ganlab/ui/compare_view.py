"""The compare page: the variants train side by side in the service; then verdict, tables,
exports."""

from __future__ import annotations

import contextlib
import dataclasses
import threading

import streamlit as st
from streamlit.errors import Error as StreamlitError

from ganlab import compare, gallery, metrics, report, result_store
from ganlab.charts import compare as charts
from ganlab.config import TrainConfig
from ganlab.service import SERVICE
from ganlab.timeline import Frame
from ganlab.training import EVAL_SAMPLES, METRIC_SAMPLES, Run, RunResult
from ganlab.ui import chart_cache, compare_controls, present, store, tables, url

ss = st.session_state
ACTIVE, RUNNING, REUSED = "cmp.active", "cmp.running", "cmp.reused"
REFUSED = "cmp.refused"  # why the budgets refused the last Run comparison, shown once
DEPOSITED, SHARED_SHOWN = "cmp.deposited", "cmp.shared_shown"
TICK_S = 0.5  # fragment period while the service trains (drawing only: it never trains)
PANELS_PER_ROW = 3  # a chart panel needs a third of the page (charts.THIRD_WIDTH) to fit
SHARED_ENTRIES = 8  # finished comparisons kept for every visitor


class NotShared(Exception):
    """Raised inside the cached function so that a lookup miss is never cached."""


@st.cache_data(max_entries=SHARED_ENTRIES, show_spinner=False)
def shared_comparison(cfgs: tuple[TrainConfig, ...], _results=None):
    """Finished comparisons shared across visitors, keyed by the (frozen) configs: thirty
    students opening the same link do not train it thirty times. `_results` (not hashed) hands in
    a comparison a visitor just finished; without it this only looks up. Returns plain data
    (RunResults), never a Run."""
    if _results is None:
        raise NotShared
    return tuple(_results)


def lookup(cfgs: dict[str, TrainConfig]) -> dict[str, RunResult] | None:
    """The shared results of exactly these variants with exactly these configs, if any."""
    key = tuple(cfgs.values())  # the configs name their variants
    try:
        found = shared_comparison(key)
    except NotShared:
        # finished before a restart; else the gallery shipped with ganlab (only read)
        stored = result_store.load(key) or result_store.load(key, gallery.DIR, prune=False)
        if stored is None:
            return None
        with contextlib.suppress(StreamlitError):
            shared_comparison(key, _results=stored)
        found = stored
    return dict(zip(cfgs, found, strict=True))


def _in_gallery(cfgs: dict[str, TrainConfig]) -> bool:
    """Whether these are a comparison the shipped gallery holds (the same configs: the same
    numbers, wherever they were last read from)."""
    return (gallery.DIR / f"{result_store.key(tuple(cfgs.values()))}.npz").exists()


# --- which comparison is shown, and training it ------------------------------------------------
def _runs(cfgs: dict[str, TrainConfig]) -> dict[str, Run | None]:
    return {v: store.find(c) for v, c in cfgs.items()}


def _ready(cfgs: dict[str, TrainConfig]) -> bool:
    """Shown at once, without pressing Run: shared, or every variant already trained here."""
    return (
        lookup(cfgs) is not None
        or all(r is not None and r.step > 0 for r in _runs(cfgs).values())
        or store.attach_in_progress(cfgs.values())  # another visitor's, training: watch it
    )


def _start(cfgs: dict[str, TrainConfig]) -> None:
    if lookup(cfgs) is not None:
        ss[ACTIVE] = cfgs
        ss[RUNNING] = False
        return
    # A variant trained earlier with the same config (e.g. on its own page) is the same Run.
    reused = {v for v, r in _runs(cfgs).items() if r is not None and r.step > 0}
    try:  # the one admission check; refused, nothing changes
        runs = store.get_runs(cfgs.values(), "this comparison")
    except store.Refused as exc:
        ss[REFUSED] = str(exc)
        return
    old = ss.get(ACTIVE)
    if old is not None and old != cfgs:
        _stop()  # the comparison shown before stops and is kept
    ss[ACTIVE], ss[REUSED] = cfgs, reused
    ss[RUNNING] = True
    # The service trains the variants side by side, a slice each in turn; slices as long as
    # the page's redraw period, since it draws no more often: each trip of a run's state to a
    # training process and back is paid half as often (3 × 8 seeds × 6 000 steps from Chromium:
    # Run → verdict 305 → 213 s; WGAN-GP's 8 seeds in a process 37 → 48 steps/s, 50 in place).
    for run in runs:
        store.train(run, slice_s=TICK_S)


def _stop() -> None:
    for run in _runs(ss.get(ACTIVE) or {}).values():
        if run is not None:
            store.stop(run)


def _training(active) -> bool:
    """Whether the service trains any variant of the shown comparison now."""
    return any(r is not None and SERVICE.training(r) for r in _runs(active or {}).values())


def _period(active) -> float | None:
    """The live fragment's period: TICK_S while training, slower when many watch live views on
    this server (store.period); none once it stopped."""
    return store.period(TICK_S) if _training(active) else None


def _shown(cfgs: dict[str, TrainConfig] | None) -> dict[str, TrainConfig] | None:
    active = ss.get(ACTIVE)
    if cfgs is not None and cfgs != active and not _training(active) and _ready(cfgs):
        ss[ACTIVE] = active = cfgs
    if cfgs is not None and active is not None and cfgs != active:
        doing = "keeps training" if _training(active) else "is kept"
        st.warning(
            "The settings changed since this comparison was run; it "
            f"{doing}. Press **Run comparison** to compare with the new settings."
        )
    return active


def _buttons(cfgs, active, stacked: bool = False) -> None:
    """Run (or Resume, or Finished) and Stop: in a row, or `stacked` in presentation mode's
    narrow column; S and X press them, as on the variant pages (present.SHORTCUTS)."""
    running = _training(active)
    same = cfgs is not None and cfgs == active
    done = same and (
        lookup(cfgs) is not None or all(r is not None and r.finished for r in _runs(cfgs).values())
    )
    text = (
        "Finished"
        if done
        else "Resume"
        if same and not running and _any_step(cfgs)
        else "Run comparison"
    )
    c1, c2 = (st, st) if stacked else st.columns([2, 1, 3])[:2]
    c1.button(
        text,
        key="cmp.run",
        type="primary",
        width="stretch",
        on_click=_start,
        args=(cfgs,),
        disabled=cfgs is None or done or (same and running),
        shortcut=present.SHORTCUTS["start"],
        help=f"Key {present.SHORTCUTS['start']}",
    )
    c2.button(
        "Stop",
        key="cmp.stop",
        width="stretch",
        on_click=_stop,
        disabled=not running,
        shortcut=present.SHORTCUTS["stop"],
        help="Stops training on the server (the toolbar's Stop only stops this page drawing). "
        f"Key {present.SHORTCUTS['stop']}",
    )
    refused = ss.pop(REFUSED, None)
    if refused:
        st.error(f"Can't run it here: {refused}.")


def _any_step(cfgs) -> bool:
    return any(r is not None and r.step > 0 for r in _runs(cfgs).values())


def _snapshots(
    active,
    with_metrics: bool,
    frames: dict[str, tuple[Frame, bool]] | None = None,
    every_s: float = 0.0,
) -> dict[str, RunResult | None]:
    """The newest plain-data picture of each variant: the visitor's run, or the shared result
    (listed in ss[SHARED_SHOWN]). While any variant trains, each run is pictured from the moment
    chart_cache.paced hands everyone watching these runs for `every_s`: a training run at its
    newest recorded frame (history up to that step), a finished one as it ended; its frame and
    whether it trains go into `frames`, which name that picture for the chart cache."""
    runs = _runs(active)
    started = [r for r in runs.values() if r is not None and r.step > 0]
    newest = (
        chart_cache.paced("cmp.frames", started, every_s, lambda: _newest(started))
        if any(SERVICE.training(r) for r in started)
        else {}
    )
    unfinished = any(r is None or not r.finished for r in runs.values())
    shared = lookup(active) if unfinished else None  # once: a miss reads the results folder
    out: dict[str, RunResult | None] = {}
    ss[SHARED_SHOWN] = set()
    for v in active:
        run = runs[v]
        if shared is not None and (run is None or not run.finished):
            out[v] = shared[v]
            ss[SHARED_SHOWN].add(v)
        elif run is not None and id(run) in newest:
            frame, training, out[v] = newest[id(run)]
            if frame is not None and frames is not None:
                frames[v] = (frame, training)
        elif run is not None and run.step > 0:
            res = run.result(with_metrics=False)
            out[v] = (
                dataclasses.replace(res, seed_metrics=run.seed_metrics()) if with_metrics else res
            )
        else:
            out[v] = None
    return out


def _newest(runs: list[Run]) -> dict[int, tuple[Frame | None, bool, RunResult | None]]:
    """Each run's newest recorded frame, whether it trains, and its picture: up to that frame
    while it trains (read without waiting for the run's lock), as it ended otherwise."""
    out: dict[int, tuple[Frame | None, bool, RunResult | None]] = {}
    for run in runs:
        frame, training = run.timeline.newest(), SERVICE.training(run)
        if training:
            out[id(run)] = (frame, True, None if frame is None else run.result_at(frame))
        else:
            out[id(run)] = (frame, False, run.result(with_metrics=False))
    return out


def _progress(active, snaps) -> None:
    """A progress bar per variant: one under the other, or side by side on a projector."""
    reused = ss.get(REUSED, set())
    boxes = compare_controls.columns(len(active), PANELS_PER_ROW) if present.on() else None
    for i, (v, cfg) in enumerate(active.items()):
        res = snaps.get(v)
        step = res.step if res is not None else 0
        how = (
            f"stored: the gallery shipped with ganlab; `{gallery.COMMAND}` makes it again"
            if v in ss.get(SHARED_SHOWN, ()) and _in_gallery(active)
            else "shared: trained earlier on this server"
            if v in ss.get(SHARED_SHOWN, ())
            else "reused: you trained it earlier"
            if v in reused
            else ""
        )
        speed = f" · {res.steps_per_s:,.0f} steps/s" if res is not None and res.wall_s > 0 else ""
        text = f"**{compare.label(v)}** — step {step:,} of {cfg.steps:,}{speed}"
        box = boxes[i] if boxes else st
        box.progress(min(step / cfg.steps, 1.0), text=text + (f" ({how})" if how else ""))


def _live(active) -> None:
    """Progress and the live small multiples, in a fragment that redraws the newest frames
    every _period() while the service trains the variants (run_every never fires in AppTest:
    each at.run() is one tick)."""

    run_every = _period(active)

    @st.fragment(run_every=run_every)
    def tick() -> None:
        if ss.get(RUNNING) and not _training(active):
            ss[RUNNING] = False  # finished or stopped: the table, verdict and exports are outside
            st.rerun(scope="app")
        if _period(active) != run_every:  # a room came or went: slower or faster redraws
            st.rerun(scope="app")
        frames: dict[str, tuple[Frame, bool]] = {}
        snaps = _snapshots(active, with_metrics=False, frames=frames, every_s=run_every or 0.0)
        _progress(active, snaps)
        done = {v: r for v, r in snaps.items() if r is not None}
        if len(done) == len(active):
            _densities_and_w1(done, frames if len(frames) == len(active) else None)

    tick()


def _densities_and_w1(
    results: dict[str, RunResult], frames: dict[str, tuple[Frame, bool]] | None
) -> None:
    """The small multiples and the W1 curves. Pictured from recorded frames (training, or a
    finished run's last), they are built once per picture for everyone watching (chart_cache):
    a room watching one shared comparison does not build the same charts once per visitor."""

    projector = present.on()

    def build() -> list:
        target = next(iter(results.values())).config.target
        floor = metrics.noise_floor_cached(target, EVAL_SAMPLES)["w1"]
        w1 = charts.w1_chart(results, floor, panel=projector)
        return [*charts.density_panels(results).values(), w1]

    if frames is None:  # as the runs are now (finished or stopped): the same for everyone
        name = "cmp.final" + (".projector" if projector else "")
        drawn = chart_cache.specs(name, (), build, key=_moment(results))
    else:  # a frame pictures a run while it trains and, once it has ended, as it ended
        kind = "".join("t" if training else "e" for _, training in frames.values())
        name = f"cmp.live.{kind}" + (".projector" if projector else "")
        drawn = chart_cache.specs(name, [f for f, _ in frames.values()], build)
    *panels, w1 = drawn
    if projector:  # one row: the densities and W1 beside them, at the projector's height
        cols = compare_controls.columns(len(results) + 1, _ROW_WIDEST)
        for col, chart in zip(cols, drawn, strict=True):
            present.chart(col, chart, height=PROJECTOR_HEIGHT, width="stretch")
    else:
        cols = compare_controls.columns(len(results), PANELS_PER_ROW)
        for col, chart in zip(cols, panels, strict=True):
            present.chart(col, chart, width="stretch")
    st.caption(
        "Bars: generated samples of all seeds pooled; line: the target's density. Same "
        "axes in every panel. Look for a missing mode (collapse) or one too-wide bump."
    )
    if not projector:
        present.chart(st, w1, width="stretch")
    st.caption(
        f"W1 to the target during training (median over seeds, band = min–max). Lower "
        f"is better; the dashed line is what a perfect generator scores with "
        f"{EVAL_SAMPLES:,} samples. A curve that stalls above it has stopped learning."
    )


# --- the page -------------------------------------------------------------------------------------
# Presentation mode: a row of the title (introduction folded), the verdict's place and the
# buttons; below it the progress and the four key charts (three densities and W1) in one row at
# PROJECTOR_HEIGHT, all on one 1280×720 screen; the picker and knobs folded below the fold.
PROJECTOR_HEIGHT = 300
_ROW_WIDEST = 4  # panels in a projector row: three variants and the W1 chart


def render() -> None:
    url.read(compare_controls.url_spec())  # before any widget binds to the link
    SERVICE.warm()
    projector = present.on()
    if projector:
        head, verdict_box, rail = st.columns([1.3, 2.7, 1], gap="medium")
        with head:
            present.head()
        live_box, settings = st.container(), st.container()
        notes = status = verdict_box  # what stops a run, and where it is, said on screen
    else:  # the page's own title and introduction are above
        settings, rail, verdict_box, live_box = (st.container() for _ in range(4))
        notes, status = settings, live_box
    with settings:
        cfgs, problems = compare_controls.controls(folded=projector)
    if cfgs is None:
        notes.error(
            "These settings can't run yet: "
            + ("; ".join(problems) if problems else "see the target message in the sidebar")
            + ". Runs already made are kept."
        )
    with rail:
        active = _shown(cfgs)
        _buttons(cfgs, active, stacked=projector)
    settings.caption(
        "**Share this comparison:** the address bar carries the variants, target, seeds, "
        "budget, and each variant's preset and knobs (e.g. `?variants=gan,lsgan,rpgan"
        "&target=mixture&seeds=8&rp_gamma=10`). Send it and the page opens with the same "
        "settings; a "
        "comparison someone already finished on this server opens at once, without "
        "training again. A custom mixture or uploaded data does not fit in a link: send "
        "the JSON from Export instead."
    )
    if active is None:
        status.info(
            "Press **Run comparison** to train the chosen variants live on the same target, "
            "seeds and budget. Variants you already trained with these exact settings on "
            "their own pages are reused, not trained again."
        )
        with live_box:
            _conceptual(cfgs)
        return
    with live_box:
        _live(active)
    if _training(active):
        status.caption("The table, verdict and exports appear when training finishes or you stop.")
        with live_box:
            _conceptual(active)
        return
    snaps = _snapshots(active, with_metrics=True)
    results = {v: r for v, r in snaps.items() if r is not None}
    if len(results) < len(snaps):
        live_box.info("Some variants have not trained a step yet: press **Run comparison**.")
        with live_box:
            _conceptual(active)
        return
    with live_box:
        _results(active, results, verdict_box)


def _results(active, results: dict[str, RunResult], verdict_box) -> None:
    target = next(iter(active.values())).target
    seeds = {v: r.seed_metrics for v, r in results.items()}
    floor = metrics.noise_floor_cached(target, METRIC_SAMPLES)
    text = compare.verdict(seeds, floor["w1"])
    budget = next(iter(active.values())).steps
    partial = {v: r.step for v, r in results.items() if r.step < budget and not all(r.diverged)}
    if len(set(partial.values())) == 1 and len(partial) == len(results):
        text = f"Stopped early, at step {next(iter(partial.values())):,} of {budget:,}: " + text
    elif partial:
        where = ", ".join(f"{compare.label(v)} at step {k:,}" for v, k in partial.items())
        text = f"Stopped early ({where} of {budget:,}): " + text
    verdict_box.success(f"**Verdict.** {text}")
    for v, r in results.items():
        if r.divergence:
            verdict_box.warning(f"{compare.label(v)}: {r.divergence}")
    runs = {
        v: {
            "step": r.step,
            "steps": r.config.steps,
            "steps_per_s": r.steps_per_s,
            "wall_s": r.wall_s,
        }
        for v, r in results.items()
    }
    table = report.measured(seeds, runs)
    # Stacked, full width: side by side, neither table fits a projector's width unscrolled.
    st.subheader("Measured")
    labels = {v: compare.label(v) for v in results}
    st.dataframe(
        tables.styled(table, labels, floor, "noise floor"), width="stretch", height="content"
    )
    n = METRIC_SAMPLES
    st.caption(
        f"Median over {len(next(iter(results.values())).seeds)} seed(s) [min–max], "
        f"{n:,} samples per seed; the best of each row is highlighted. The last column "
        f"is a perfect generator's score with {n:,} samples: differences below it are "
        f"noise. Fréchet compares only mean and std. Loss volatility is in each variant's "
        f"own loss units, so it is not ranked.  \n**Rule:** {metrics.COLLAPSE_RULE}."
    )
    _conceptual(active, header=True)
    st.subheader("Losses")
    cols = compare_controls.columns(len(results), PANELS_PER_ROW)
    losses = chart_cache.specs(
        "cmp.losses", (), lambda: list(charts.loss_panels(results).values()), _moment(results)
    )
    for col, chart in zip(cols, losses, strict=True):
        present.chart(col, chart, width="stretch")
    st.caption(
        "Each variant's own losses (not comparable across panels). A loss with a dashed "
        "equilibrium should settle there; the Wasserstein estimate should fall towards 0; a "
        "G loss on its own right axis has no meaningful level, only a trend."
    )
    _exports(active, table, results, floor["w1"])
    _deposit(active, results)


def _conceptual(cfgs, header: bool = False) -> None:
    chosen = None if cfgs is not None else ss.get(compare_controls.PICK)
    if cfgs is None and not chosen:
        return  # nothing picked: no columns to show
    if header:
        st.subheader("From the literature, to hold against the table above")
    else:
        st.markdown("**The chosen variants in theory**")
    st.dataframe(compare.conceptual(cfgs, chosen), width="stretch", height="content")
    st.caption(
        "What each variant minimises and how its D or critic is kept in check, as its paper "
        "publishes it (the newer variants' settings are the papers' image settings, not 1-D "
        "ones); the 'here' rows are this comparison's settings. Hold them against the "
        "measured table."
    )


def _exports(active, table, results, floor_w1) -> None:
    st.subheader("Export")
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        "Table as CSV",
        report.to_csv(table),
        "ganlab-compare.csv",
        "text/csv",
        key="cmp.csv",
        on_click="ignore",
        width="stretch",
    )
    presets = {v: compare.choice_of(c)["preset"] for v, c in active.items()}
    c2.download_button(
        "Config as JSON",
        compare.to_json(active, presets),
        "ganlab-compare.json",
        "application/json",
        key="cmp.json",
        on_click="ignore",
        width="stretch",
    )
    fmt = c3.radio("Figure format", ["PNG", "SVG"], horizontal=True, key="cmp.fig_format")

    def figure():  # drawn only when clicked: vl-convert takes a few seconds
        chart = charts.figure(results, floor_w1)
        return charts.to_png(chart) if fmt == "PNG" else charts.to_svg(chart)

    c3.download_button(
        f"Figure as {fmt}",
        figure,
        f"ganlab-compare.{fmt.lower()}",
        "image/png" if fmt == "PNG" else "image/svg+xml",
        key="cmp.fig",
        on_click="ignore",
        width="stretch",
    )
    st.caption(
        "The JSON holds every setting of every variant; load it back from the sidebar "
        "(it is checked, never executed). The figure is the charts above, without a "
        "browser."
    )


def _moment(results: dict[str, RunResult]) -> tuple:
    """What determines the charts of these results: each run's config and step (training is
    deterministic, so a visitor's copy of a shared comparison has the same charts)."""
    return tuple((r.config, r.step) for r in results.values())


_SAVING: set[tuple] = set()  # comparisons being stored now, by one of their visitors
_SAVING_LOCK = threading.Lock()


def _deposit(active, results) -> None:
    """Share a finished comparison (every variant to its full budget) with later visitors, and
    store it, once: a room of thirty that watched one comparison finish writes one file."""
    key = tuple(active.values())
    finished = all(r.step >= r.config.steps or all(r.diverged) for r in results.values())
    if not finished or ss.get(DEPOSITED) == key:
        return
    ss[DEPOSITED] = key
    with _SAVING_LOCK:
        if key in _SAVING or result_store.stored(key):
            return  # shared and stored by another visitor (a later one finds it: lookup)
        _SAVING.add(key)
    try:
        # Sharing only saves later visitors time; after a code reload (the dev server's file
        # watcher) results built by the old classes cannot be pickled. Never worth an error.
        done = tuple(results[v] for v in active)
        with contextlib.suppress(StreamlitError):
            shared_comparison(key, _results=done)
        with contextlib.suppress(OSError):  # a full or read-only disk only loses the copy
            result_store.save(key, done)
    finally:
        with _SAVING_LOCK:
            _SAVING.discard(key)
