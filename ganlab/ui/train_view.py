"""The view every variant page shares: sidebar settings, live training, six charts, one table."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ganlab import dirac, metrics
from ganlab.charts import for_projector, frames
from ganlab.config import TrainConfig, changes
from ganlab.training import EVAL_SAMPLES, Run, RunResult
from ganlab.ui import controls, export_view, live, nav, present, store, tables
from ganlab.ui.text import MESSAGE, plain
from ganlab.variants import VARIANTS

ss = st.session_state


def render(variant: str, picker: controls.Picker | None = None) -> None:
    """The whole page below its title, for one key of VARIANTS (chosen by `picker`, if any)."""
    controls.from_link(variant, picker)
    cfg, problems = controls.sidebar(variant, picker)
    projector = present.on()
    note = controls.note(variant, cfg)
    if note and not projector:
        st.info(note)
    if cfg is None:
        st.error(
            "The settings can't run yet: "
            + ("; ".join(problems) if problems else "see the target message in the sidebar")
            + ". Nothing is lost: the runs you made are kept."
        )
    run = _shown_run(variant, cfg)
    if projector:
        _projector(variant, cfg, run, note)
    else:
        _standard(variant, cfg, run)
    _dirac_link(variant, cfg)
    st.divider()
    st.subheader("Every variant on this target")
    if cfg is not None:
        table_cfg = cfg
    elif run is not None:
        table_cfg = run.cfg
    else:
        return
    st.caption(
        "Each column is your latest run of that variant on this target. Updated when "
        "training stops; numbers over 10,000 samples per seed."
    )
    wanted = tables.variant_table(table_cfg, variant, controls.baseline(variant))
    if wanted is not None:
        tables.run_missing(wanted, table_cfg)


def _standard(variant: str, cfg: TrainConfig | None, run: Run | None) -> None:
    """Buttons, the view options, and the live panel with its six charts, one under the other."""
    live.buttons(variant, cfg)
    if run is not None and run.step == 0 and not live.is_running(variant):
        st.info(
            "Step 0: the target and the untrained G and D. Press **Start** to train live, "
            "or **Step one epoch** to go one pass at a time."
        )
    if run is not None:
        seed_i, z = _view_options(variant, run)
        live.panel(
            variant,
            lambda r, res, _live: _charts(variant, r, res, seed_i, z),
            lambda r, res: export_view.export_panel(variant, r, seed_i, res.step),
        )


# --- presentation mode: buttons beside four charts on one 1280×720 screen -----------------------
# The projector's four: what G makes against the target, how D (or the critic) sees x, G as a
# map, and the distance to the target over training. Losses, moments, the constraint panel,
# exports and the table follow below the fold.
PROJECTOR_HEIGHT = 280  # two rows of it, the progress bar and the page's top fit in 720 px


def _projector(variant: str, cfg: TrainConfig | None, run: Run | None, note: str | None) -> None:
    rail, main = st.columns([1, 3.3], gap="medium")
    seed_i, z = 0, 0.0
    with rail:
        present.head()
        live.buttons(variant, cfg, stacked=True)
        if run is not None:
            seed_i, z = _view_options(variant, run, stacked=True)
    with main:
        if run is not None:
            _projector_panel(variant, seed_i, z)
    if note:
        st.info(note)


def _projector_panel(variant: str, i: int, z: float) -> None:
    """The live view in a fragment, as live.panel but compact: the progress line and the four
    charts (the newest frame while training, a chosen recorded one otherwise), then the rest.
    A run that starts, stops, finishes or is reset redraws the page (buttons, period)."""
    shown, running = live.current_run(variant), live.is_running(variant)

    run_every = live.period(variant, True) if running else None

    @st.fragment(run_every=run_every)
    def tick() -> None:
        run = live.current_run(variant)
        if run is not shown or live.is_running(variant) != running:
            st.rerun(scope="app")
        if running and live.period(variant, True) != run_every:  # a room came or went
            st.rerun(scope="app")
        if run is None:
            return
        key = f"{variant}.present.step.{id(run)}"
        steps = run.timeline.steps
        if running:  # once it stops, the replay starts at the step where training ended
            ss.pop(key, None)
        elif key not in ss or ss[key] not in steps:
            ss[key] = steps[-1]
        frame = run.timeline.newest() if running else run.timeline.at(ss[key])
        if frame is None:
            return
        result = run.result_at(frame, full_history=True)
        text = live._progress_text(run, result, running)
        st.progress(min(result.step / run.cfg.steps, 1.0), text=text)
        live.diverged_warning(result)
        _four(run, result, i, z)
        if not running and len(steps) > 1:
            st.select_slider(
                f"Replay: step ({len(steps)} recorded frames)",
                options=steps,
                key=key,
                format_func=lambda s: f"{s:,}",
            )
        _the_rest(run, result, i)
        if not running:
            export_view.export_panel(variant, run, i, result.step)

    tick()


def _four(run: Run, result: RunResult, i: int, z: float) -> None:
    x, score = latent_point(result, i, z)
    v = VARIANTS[run.cfg.variant]
    dom = frames.x_range(result, [f.samples for f in run.timeline.frames])
    floor = metrics.noise_floor_cached(run.cfg.target, EVAL_SAMPLES)["w1"]
    specs = [
        ("1 · Real vs generated", frames.density(result, i, dom, large=True)),
        (f"2 · The {v.d_name} {v.d_symbol}(x)", frames.critic(result, i, dom, (x, score))),
        ("3 · The generator z → x", frames.generator_map(result, i, marker=(z, x))),
        ("4 · W1 to the target", frames.distance(result, floor, result.step)),
    ]
    for row in (specs[:2], specs[2:]):
        for col, (title, spec) in zip(st.columns(2), row, strict=True):
            big = for_projector(spec, PROJECTOR_HEIGHT) | {"title": title}
            col.vega_lite_chart(big, width="stretch", key=f"present.{title[0]}")


def _the_rest(run: Run, result: RunResult, i: int) -> None:
    """Below the fold: the losses, the moments and the constraint panel, in the same large text."""
    v = VARIANTS[run.cfg.variant]
    left, right = st.columns(2)
    left.vega_lite_chart(
        for_projector(frames.losses(result, result.step), PROJECTOR_HEIGHT) | {"title": "Losses"},
        width="stretch",
        key="present.losses",
    )
    right.vega_lite_chart(
        for_projector(frames.moments(result, result.step), PROJECTOR_HEIGHT)
        | {"title": "Generated mean and std"},
        width="stretch",
        key="present.moments",
    )
    st.caption(v.loss_caption + MARKED)
    detail = frames.critic_detail(result, i)
    if detail is not None:
        st.vega_lite_chart(
            for_projector(detail, frames.DETAIL_HEIGHT), width="stretch", key="present.detail"
        )


def _dirac_link(variant: str, cfg: TrainConfig | None) -> None:
    """To the same game reduced to two numbers, where its dynamics are a vector field."""
    key = dirac.for_engine(variant, cfg.g_loss if cfg is not None else "non-saturating")
    if key is None:
        return
    label = "Why does it circle, or settle? See its dynamics on the DiracGAN page"
    if st.button(label, icon="🌀", type="tertiary", key=f"{variant}.to_dirac"):
        nav.open_dirac(key)


def _shown_run(variant: str, cfg: TrainConfig | None) -> Run | None:
    """The run the page shows. Controls that match a kept run show it; controls that need a new
    model say so and keep showing the previous run until Start — nothing is discarded."""
    active = live.active_config(variant)
    shown = live.current_run(variant)
    if cfg is not None and cfg != active and not live.is_running(variant):
        # frame 0, or a finished run from disk, follows the sidebar until Start
        if shown is not None and (shown.step == 0 or shown.stored_in is not None):
            store.forget(shown.cfg)
            shown = None
        if store.find(cfg) is not None or shown is None:
            live.set_active(variant, cfg)
            active = cfg
    run = live.current_run(variant)  # a run exists only under an active config
    if run is None and cfg is not None:  # frame 0 (the target, untrained G and D) before Start
        run = live.show(variant, cfg)
        active = live.active_config(variant)
    if cfg is not None and run is not None and active is not None and cfg != active:
        what = "; ".join(plain(c, MESSAGE) for c in changes(active, cfg))  # names a target
        doing = "keeps training" if live.is_running(variant) else "is kept"
        st.warning(
            f"These settings need a new model ({what}). The run below was trained with "
            f"the previous settings and {doing}; press **Start new run** to train one "
            "with the new settings."
        )
    return run


def _view_options(variant: str, run: Run, stacked: bool = False) -> tuple[int, float]:
    """Which seed the per-seed charts show, and the latent point the slider marks (side by
    side, or `stacked` in a narrow column)."""
    cfg = run.cfg
    c1, c2 = (st.container(), st.container()) if stacked else st.columns(2)
    seed_i = 0
    if cfg.n_seeds > 1:  # keyed by K so a stale choice never points past the seeds
        seed_i = c1.selectbox(
            "Seed shown in the density, D and G charts",
            range(cfg.n_seeds),
            format_func=lambda i: f"seed {cfg.seeds[i]}",
            key=f"{variant}.view.seed.{cfg.n_seeds}",
        )
    lo, hi, mid = (-3.0, 3.0, 0.0) if cfg.latent == "normal" else (0.0, 1.0, 0.5)
    z = c2.slider(
        "Latent point z (axis 1): where does it land, how is it scored?",
        lo,
        hi,
        mid,
        step=(hi - lo) / 120,
        key=f"{variant}.view.z.{cfg.latent}",
    )
    return seed_i, z


def latent_point(result: RunResult, i: int, z: float) -> tuple[float, float]:
    """Where z (axis 1, the other axes at the latent's centre) lands for seed i at the shown
    moment, and D's probability or the critic's score there: read off that moment's G map and
    D curve (RunResult.g_on_z on 121 latent points, d_on_x on 200 x points), so a replayed frame
    shows it as well as the live one."""
    x = float(np.interp(z, result.z, result.g_on_z[i]))
    return x, float(np.interp(x, result.x, result.d_on_x[i]))


def _chart(title: str, spec: dict, caption: str) -> None:
    st.markdown(f"**{title}**")
    # Keyed by its title: the same chart from frame to frame, its data updated in place.
    st.vega_lite_chart(spec, width="stretch", key=f"chart.{title}")
    st.caption(caption)


def _charts(variant: str, run: Run, result: RunResult, i: int, z: float) -> None:
    """Six charts, numbered in reading order: the moment shown (density, D, G) and the curves
    of the whole run so far, with that moment marked."""
    x, score = latent_point(result, i, z)
    v = VARIANTS[variant]
    dom = frames.x_range(result, [f.samples for f in run.timeline.frames])
    step = result.step
    left, right = st.columns(2)
    with left:
        _chart(
            "1 · Real vs generated density",
            frames.density(result, i, dom),
            "Bars should follow the grey curve. One tall peak where the target has several "
            "is mode collapse; bars that copy the faint real-data bars on a small data set "
            "are memorisation.",
        )
    with right:
        _chart(
            f"2 · The {v.d_name} as a function of x",
            frames.critic(result, i, dom, marker=(x, score)),
            v.critic_caption,
        )
        detail = frames.critic_detail(result, i)
        if detail is not None:
            st.vega_lite_chart(detail, width="stretch", key="chart.detail")
    left, right = st.columns(2)
    with left:
        _chart(
            "3 · The generator as a map z → x",
            frames.generator_map(result, i, marker=(z, x)),
            _map_caption(run.cfg, z, x, v.d_symbol, score),
        )
    with right:
        _chart("4 · Losses", frames.losses(result, step), v.loss_caption + MARKED)
    left, right = st.columns(2)
    with left:
        floor = metrics.noise_floor_cached(run.cfg.target, EVAL_SAMPLES)["w1"]
        _chart(
            "5 · Distance to the target",
            frames.distance(result, floor, step),
            f"W1 should fall to the dashed noise floor (a perfect G with {EVAL_SAMPLES:,} "
            "samples). Losses that look settled while W1 stays high: the distribution is not "
            "learned yet.",
        )
    with right:
        _chart(
            "6 · Generated mean and std",
            frames.moments(result, step),
            "Solid lines should meet the dashed target values. Matching moments is needed, "
            "not enough: one wide bump can match a bimodal target's mean and std.",
        )


MARKED = " The red line marks the step shown above."


def _map_caption(cfg: TrainConfig, z: float, x: float, f: str, score: float) -> str:
    where = f"Your z = {z:.2f} lands at x = {x:.3g}, where {f} = {score:.3g} (the diamonds). "
    if cfg.latent_dim == 1:
        return where + (
            "A perfect G follows the dashed optimal map (or its mirror). Flat "
            "stretches pile much of z onto one x (a peak); steep jumps skip x (a gap "
            "between modes)."
        )
    return where + (
        f"With {cfg.latent_dim} latent axes this is G along axis 1 with the others "
        "held at the centre; there is no single optimal map to compare with."
    )
