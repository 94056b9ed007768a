"""The view every variant page shares: sidebar settings, live training, six charts, one table."""

from __future__ import annotations

import streamlit as st

from ganlab import metrics
from ganlab.charts import training as charts
from ganlab.config import TrainConfig, changes
from ganlab.training import EVAL_SAMPLES, Run, RunResult
from ganlab.ui import controls, live, store, tables, url
from ganlab.ui.text import MESSAGE, plain
from ganlab.variants import VARIANTS

ss = st.session_state


def render(variant: str) -> None:
    """The whole page below its title, for one key of VARIANTS."""
    url.read()  # no settings in its link yet: any parameter is named and ignored
    cfg, problems = controls.sidebar(variant)
    note = controls.note(variant, cfg)
    if note:
        st.info(note)
    if cfg is None:
        st.error(
            "The settings can't run yet: "
            + ("; ".join(problems) if problems else "see the target message in the sidebar")
            + ". Nothing is lost: the runs you made are kept."
        )
    run = _shown_run(variant, cfg)
    live.buttons(variant, cfg)
    if run is None:
        st.info("Press **Start** to train live, or **Step one epoch** to go one pass at a time.")
    else:
        seed_i, z = _view_options(variant, run)
        live.panel(variant, lambda r, res: _charts(variant, r, res, seed_i, z))
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
    wanted = tables.variant_table(table_cfg, variant)
    if wanted is not None:
        tables.run_missing(wanted, table_cfg)


def _shown_run(variant: str, cfg: TrainConfig | None) -> Run | None:
    """The run the page shows. Controls that match a kept run show it; controls that need a new
    model say so and keep showing the previous run until Start — nothing is discarded."""
    active = live.active_config(variant)
    if (
        cfg is not None
        and cfg != active
        and not live.is_running(variant)
        and (store.find(cfg) is not None or live.current_run(variant) is None)
    ):
        live.set_active(variant, cfg)
        active = cfg
    run = live.current_run(variant)  # a run exists only under an active config
    if cfg is not None and run is not None and active is not None and cfg != active:
        what = "; ".join(plain(c, MESSAGE) for c in changes(active, cfg))  # names a target
        doing = "keeps training" if live.is_running(variant) else "is kept"
        st.warning(
            f"These settings need a new model ({what}). The run below was trained with "
            f"the previous settings and {doing}; press **Start new run** to train one "
            "with the new settings."
        )
    return run


def _view_options(variant: str, run: Run) -> tuple[int, float]:
    """Which seed the per-seed charts show, and the latent point the slider marks."""
    cfg = run.cfg
    c1, c2 = st.columns(2)
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


def latent_point(run: Run, z: float):
    """Where z (axis 1; the other axes at the latent's centre, as in RunResult.g_on_z) lands
    for each seed, and D's probability or the critic's score there: (K,), (K,)."""
    x, score = run.decode(run.latent_line([z]))  # the same (EMA) weights the charts sample from
    return x[:, 0], score[:, 0]


def _chart(title: str, chart, caption: str) -> None:
    st.markdown(f"**{title}**")
    st.altair_chart(chart, width="stretch")
    st.caption(caption)


def _charts(variant: str, run: Run, result: RunResult, i: int, z: float) -> None:
    """Six charts in a two-column grid: what was learned (left), how training got there."""
    x, score = latent_point(run, z)
    v = VARIANTS[variant]
    left, right = st.columns(2)
    with left:
        _chart(
            "1 · Real vs generated density",
            charts.density_chart(result, i),
            "Bars should follow the grey curve. One tall peak where the target has several "
            "is mode collapse; bars that copy the faint real-data bars on a small data set "
            "are memorisation.",
        )
    with right:
        _chart(
            f"3 · The {v.d_name} as a function of x",
            charts.critic_chart(result, i, marker=(x[i], score[i])),
            v.critic_caption,
        )
        detail = charts.critic_detail_chart(result, i)
        if detail is not None:
            st.altair_chart(detail, width="stretch")
    left, right = st.columns(2)
    with left:
        _chart("2 · Losses", charts.loss_chart(result), v.loss_caption)
    with right:
        floor = metrics.noise_floor_cached(run.cfg.target, EVAL_SAMPLES)["w1"]
        _chart(
            "6 · Distance to the target",
            charts.distance_chart(result, floor),
            f"W1 should fall to the dashed noise floor (a perfect G with {EVAL_SAMPLES:,} "
            "samples). Losses that look settled while W1 stays high: the distribution is not "
            "learned yet.",
        )
    left, right = st.columns(2)
    with left:
        _chart(
            "4 · Generated mean and std",
            charts.moments_chart(result),
            "Solid lines should meet the dashed target values. Matching moments is needed, "
            "not enough: one wide bump can match a bimodal target's mean and std.",
        )
    with right:
        _chart(
            "5 · The generator as a map z → x",
            charts.map_chart(result, i, marker=(z, x[i])),
            _map_caption(run.cfg, z, x[i], v.d_symbol, score[i]),
        )


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
