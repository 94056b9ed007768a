"""The slerp-vs-lerp page: latent paths against the χ shell, and what a generator makes of them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st
from scipy import stats

from ganlab import interpolation, links
from ganlab.charts import interpolation as charts
from ganlab.config import RANGES, ConfigError, preset
from ganlab.training import Run
from ganlab.ui import present, store, url
from ganlab.ui.quick_train import run_label, train_with_progress
from ganlab.ui.text import problems

D_OPTIONS = tuple(2**k for k in range(13))  # 1 … 4096 on a log scale
# Floats walked per method (pairs × points × d): about a second at the top; beyond it the
# number of pairs is cut, so a slider at its maximum never freezes a shared 1-CPU host.
WORK = 40_000_000
N_SHELL = 4000  # random draws for the ‖z‖ histogram
KEY = "interp."  # widget-key prefix for this page
# The page's link: ?d=64&points=41&seed=7&pairs=100 (defaults left out).
BOUND = (
    url.Bound(
        links.Param("d", "choice", choices=tuple(map(str, D_OPTIONS))), KEY + "d", "512", cast=int
    ),
    url.Bound(links.Param("points", "int", range=(5, 101)), KEY + "points", 21),
    url.Bound(links.field("seed"), KEY + "seed", 0),
    url.Bound(links.Param("pairs", "int", range=(10, 500)), KEY + "pairs", 200),
)
# "Train one here": a generator with a latent worth walking in (the button's help says so).
TRAIN_VARIANT, TRAIN_PRESET, TRAIN_LATENT, TRAIN_TARGET = "gan", "tuned", 8, "bimodal"


@st.cache_data(max_entries=32, show_spinner=False)
def _table(d: int, n_pairs: int, n_points: int, seed: int) -> pd.DataFrame:
    return interpolation.compare_paths(d, n_pairs=n_pairs, n_points=n_points, seed=seed)


@st.cache_data(max_entries=16, show_spinner=False)
def _shell_norms(d: int, n: int, seed: int) -> np.ndarray:
    return interpolation.shell_norms(d, n, seed)


def pairs_within_budget(n_pairs: int, n_points: int, d: int) -> int:
    return max(1, min(n_pairs, WORK // (n_points * d)))


def paths_table(table: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """compare_paths' columns in words, the share as a percentage, and their number formats."""
    out = pd.DataFrame(
        {
            "method": table["method"],
            "norm deviation from shell": table["norm_deviation"],
            "± (pairs)": table["norm_deviation_std"],
            "lowest log-density on path": table["min_log_density"],
            "± ": table["min_log_density_std"],
            "path outside 5–95 % band (%)": 100 * table["outside_shell"],
            "±  ": 100 * table["outside_shell_std"],
        }
    )
    fmt = {c: st.column_config.NumberColumn(format="%.3f") for c in out.columns[1:3]}
    fmt |= {c: st.column_config.NumberColumn(format="%.1f") for c in out.columns[3:]}
    return out, fmt


def _controls() -> tuple[int, int, int, int]:
    c1, c2, c3, c4 = st.columns([3, 2, 1, 2])
    d = c1.select_slider(
        "Dimension d of the latent space",
        D_OPTIONS,
        value=512,
        key=KEY + "d",
        persist_state="session",
    )
    points = c2.slider(
        "Points along each path", 5, 101, 21, key=KEY + "points", persist_state="session"
    )
    seed = c3.number_input("Seed", 0, 2**31 - 1, 0, key=KEY + "seed", persist_state="session")
    pairs = c4.slider(
        "Random pairs (for the table)",
        10,
        500,
        200,
        step=10,
        key=KEY + "pairs",
        persist_state="session",
    )
    return int(d), int(points), int(seed), int(pairs)


def _one_pair(d: int, points: int, seed: int) -> None:
    median, lo, hi = interpolation.shell(d)
    z1, z2 = np.random.default_rng(seed).standard_normal((2, d))
    t = np.linspace(0.0, 1.0, points)
    paths = {m: f(z1, z2, t) for m, f in interpolation.METHODS.items()}  # (T, d) each
    norms = {m: np.linalg.norm(p, axis=1) for m, p in paths.items()}
    mids = {m: float(np.linalg.norm(f(z1, z2, 0.5))) for m, f in interpolation.METHODS.items()}
    left, right = st.columns(2)
    present.chart(
        left,
        charts.norm_chart(charts.path_frame(t, norms, "norm"), (median, lo, hi), d),
        width="stretch",
    )
    if d == 1:
        left.caption("In 1-D slerp is lerp: there is no circle to walk on, only ± directions.")
    else:
        left.caption(
            f"One pair, d = {d}: slerp keeps near the shell (median ‖z‖ = {median:.2f}); "
            f"lerp's midpoint has ‖z‖ = {mids['lerp']:.2f}, "
            f"{100 * (1 - mids['lerp'] / median):.0f} % inside (≈ √(d/2) for large d)."
        )
    dens = {m: interpolation.log_density(p) for m, p in paths.items()}
    present.chart(
        right,
        charts.log_density_chart(charts.path_frame(t, dens, "log_density"), d),
        width="stretch",
    )
    right.caption(
        "N(0, I) is densest at 0, so lerp's shrunken midpoint has *higher* density; the "
        "lowest density is at (or beside) the end points for both. Density does not "
        "separate the methods — distance from the shell, where the samples live, does."
    )

    norms_drawn = _shell_norms(d, N_SHELL, seed)
    a = min(stats.chi(d).ppf(1e-4), *mids.values(), *norms["lerp"])
    b = max(stats.chi(d).ppf(1 - 1e-4), *mids.values(), *norms["slerp"])
    a, b = max(0.0, a - 0.05 * (b - a)), b + 0.05 * (b - a)
    r = np.linspace(a, b, 300)
    marks = pd.DataFrame(
        {
            "norm": [mids["lerp"], mids["slerp"]],
            "method": ["lerp", "slerp"],
            "label": ["lerp midpoint", "slerp midpoint"],
        }
    )
    left, right = st.columns(2)
    present.chart(
        left,
        charts.shell_chart(norms_drawn, np.linspace(a, b, 61), r, stats.chi(d).pdf(r), marks, d),
        width="stretch",
    )
    where = "inside" if lo <= mids["lerp"] <= hi else "outside"
    left.caption(
        f"‖z‖ of {N_SHELL:,} draws from N(0, I_{d}) with the χ_{d} pdf: 90 % lie in "
        f"[{lo:.2f}, {hi:.2f}]. The lerp midpoint ({mids['lerp']:.2f}) is {where} "
        "that band."
    )
    present.chart(right, charts.plane_chart(interpolation.plane_picture(z1, z2)), width="content")
    right.caption(
        "The same pair in its own plane (u along z₁): the chord cuts inside the circle "
        "of radius median χ_d, the arc follows it."
        if d > 1
        else "In 1-D there is no plane: both paths run along the u axis, through 0."
    )


def _decoding(seed: int, points: int) -> None:
    c1, c2, c3 = st.columns([3, 1, 1])
    steps = c2.number_input("Steps", 50, 5000, 1500, step=250, key=KEY + "train_steps")
    if c3.button(
        "Train one here",
        key=KEY + "train",
        help="gan, tuned preset, latent dimension 8, on the bimodal target",
    ):
        try:
            cfg = preset(
                TRAIN_VARIANT,
                TRAIN_PRESET,
                latent_dim=TRAIN_LATENT,
                target=TRAIN_TARGET,
                steps=int(steps),
            )
        except ConfigError as exc:
            st.error("Can't train with these settings: " + "; ".join(problems(exc.problems)))
            return
        run = train_with_progress(cfg, "a gan with latent dimension 8")
        if run is None:  # refused by the work limit, which said why
            return
        st.session_state[KEY + "run"] = run_label(run)  # select it after the rerun
        st.rerun()
    runs: dict[str, Run] = {}
    for r in reversed(store.all_runs()):  # the most recently used first
        if r.cfg.latent_dim >= 2 and r.cfg.latent == "normal" and r.step > 0:
            label = run_label(r)
            # runs differing only in settings the label leaves out still get their own entry
            runs[label if label not in runs else f"{label} ({len(runs) + 1})"] = r
    if not runs:
        c1.info(
            "No generator with a normal latent of dimension ≥ 2 in this session yet: train "
            "one here, or on a variant page."
        )
        return
    run = runs[
        c1.selectbox("Generator (this session's runs, latent ≥ 2)", list(runs), key=KEY + "run")
    ]
    cfg, dim = run.cfg, run.cfg.latent_dim
    z1, z2 = np.random.default_rng([seed, 2]).standard_normal((2, dim))
    t = np.linspace(0.0, 1.0, points)
    z = np.concatenate([f(z1, z2, t) for f in interpolation.METHODS.values()])  # (2T, L)
    x, score = (a[0] for a in run.decode(z))  # (K, 2T) each -> seed index 0
    split = {"lerp": slice(0, points), "slerp": slice(points, 2 * points)}
    lo_x, hi_x = cfg.target.plot_range
    grid = np.linspace(lo_x, hi_x, 300)
    present.chart(
        st,
        charts.decoded_chart(
            charts.path_frame(t, {m: x[s] for m, s in split.items()}, "x"),
            grid,
            cfg.target.pdf(grid),
            (lo_x, hi_x),
        ),
        width="content",
    )
    median, lo, hi = interpolation.shell(dim)
    mid = float(np.linalg.norm(interpolation.lerp(z1, z2, 0.5)))
    gap = float(np.mean(np.abs(x[split["lerp"]] - x[split["slerp"]])))
    st.caption(
        f"G(z(t)) of seed {cfg.seed} along both paths between one pair in latent "
        f"dimension {dim}, beside the target density (they differ by {gap:.3f} on "
        f"average; target std {cfg.target.std:.2f}). Be careful what this shows: at this "
        f"d the lerp midpoint (‖z‖ = {mid:.2f}) is still inside the thick shell "
        f"(median {median:.2f}, 90 % band [{lo:.2f}, {hi:.2f}]), where G saw plenty of "
        "latents in training, so most of the difference is just two different curves "
        "through latent space, not lerp leaving the data. The gap grows with d: about "
        "29 % inside at any large d, and the band keeps thinning (table above at d = 512 "
        f"or 4096); this app's G stops at latent {RANGES['latent_dim'][1]}, so the "
        "large-d effect is shown in latent space above."
    )
    v = run.variant
    title = f"{v.d_name} {v.d_symbol}(G(z(t)))" + (" (probability 'real')" if v.probability else "")
    present.chart(
        st,
        charts.critic_chart(
            charts.path_frame(t, {m: score[s] for m, s in split.items()}, "score"), title
        ),
        width="stretch",
    )
    st.caption(
        f"What the {v.d_name} says along the same paths. A well-trained "
        "vanilla D sits near ½ everywhere G puts mass; dips mark regions it finds fake."
    )


def render() -> None:
    """The whole page below its title."""
    url.follow(BOUND)
    d, points, seed, pairs = _controls()
    url.lead(BOUND)
    _one_pair(d, points, seed)

    st.subheader("Over many random pairs")
    used = pairs_within_budget(pairs, points, d)
    table, fmt = paths_table(_table(d, used, points, seed))
    st.dataframe(table, hide_index=True, column_config=fmt)
    cut = f" (cut from {pairs} to keep it fast at this d)" if used < pairs else ""
    st.caption(
        f"{used} pairs{cut}, {points} points each, d = {d}; ± is the std over pairs. "
        f"Shell: median of χ_d. For large d the lerp midpoint has norm ≈ √(d/2) = "
        f"{math.sqrt(d / 2):.1f}, about 29 % inside √d = {math.sqrt(d):.1f}; slerp keeps "
        "the end points' norms."
    )

    st.subheader("Decoding the paths through a trained generator")
    _decoding(seed, points)
