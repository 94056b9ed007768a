"""The inverse-transform page: seeds, F⁻¹(U) for a chosen target, its cost, G as a learned F⁻¹."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from ganlab import links, metrics, sampling
from ganlab.charts import sampling as charts
from ganlab.config import ConfigError, preset
from ganlab.targets import (
    RATE_RANGE,
    TARGETS,
    EmpiricalTarget,
    MixtureTarget,
    ScipyTarget,
    Target,
    TargetError,
    exponential_target,
)
from ganlab.ui import present, store, url
from ganlab.ui.quick_train import train_with_progress
from ganlab.ui.target_picker import target_picker
from ganlab.ui.text import problems

N = 20_000  # draws per sampler: W1 then sits near its noise floor (≈ 0.01–0.04, see DESIGN)
N_TRACED = 6  # draws traced on the CDF picture: enough to see the pattern, few enough to follow
EXPONENTIAL, OTHER = "exponential with rate λ", "built-in, custom mixture or your data"
TRAIN_VARIANTS = ("gan", "wgan-gp")
KEY = "sampling."  # widget-key prefix for this page
SOURCES = {"exponential": EXPONENTIAL, "other": OTHER}  # ?source= in the link
# The page's link: ?seed=3&source=other&target=mixture&u=0.7 (defaults left out).
BOUND = (
    url.Bound(links.field("seed"), KEY + "seed", 0),
    url.Bound(
        links.Param("source", "choice", choices=tuple(SOURCES)),
        KEY + "source",
        "exponential",
        cast=lambda v: SOURCES[str(v)],
        spell=lambda w: next(k for k, v in SOURCES.items() if v == w),
    ),
    url.Bound(links.Param("rate", "float", range=RATE_RANGE), KEY + "rate", 1.0),
    url.Bound(links.Param("target", "choice", choices=tuple(TARGETS)), KEY + "target", "bimodal"),
    url.Bound(links.Param("u", "float", range=(0.01, 0.99)), KEY + "u", 0.3),
)
# Streamlit hashes cache arguments by value; a Target's own hash is its frozen fields, cheaper
# and steadier than hashing its lazily filled caches (scipy objects, sorted arrays). Keyed by
# type, as Streamlit's hash_funcs may be (or by a type's dotted name: hence `str`).
_HASH: dict[str | type, Callable[[Target], int]] = {
    ScipyTarget: hash,
    MixtureTarget: hash,
    EmpiricalTarget: hash,
}


def seed_demo(seed: int, n: int = 5) -> pd.DataFrame:
    """Draw n numbers, draw n more, then reset the generator to `seed` and draw n again."""
    rng = np.random.default_rng(seed)
    first, following = rng.random(n), rng.random(n)
    again = np.random.default_rng(seed).random(n)
    return pd.DataFrame(
        {
            "draw": np.arange(1, n + 1),
            f"seed {seed}": first,
            f"reset to seed {seed}, draw again": again,
            "no reset: the next draws": following,
        }
    )


def bisection_trace(target: MixtureTarget, u: float) -> pd.DataFrame:
    """The bracket [lo, hi] around F⁻¹(u) halving, straight from MixtureTarget.ppf's own
    bisection, with F(midpoint) − u after each halving."""
    it = target.ppf_iterates(u)
    return pd.DataFrame(
        {
            "halvings": np.arange(len(it["lo"])),
            "lo": it["lo"],
            "hi": it["hi"],
            "width": it["hi"] - it["lo"],
            "F(mid) − u": it["f_mid"] - u,
        }
    )


def residual_table(target: Target, us=(0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99)) -> pd.DataFrame:
    """u → x = F⁻¹(u) and how well F(x) gives u back."""
    u = np.asarray(us, dtype=float)
    x = np.asarray(target.ppf(u), dtype=float)
    return pd.DataFrame({"u": u, "x = F⁻¹(u)": x, "F(x) − u": np.asarray(target.cdf(x)) - u})


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=_HASH)
def _benchmark(target: Target, n: int, seed: int) -> pd.DataFrame:
    return sampling.sampler_benchmark(target, n=n, seed=seed)


_NO_FORMULA = {
    MixtureTarget: "F is a weighted sum of normal CDFs, and such a sum has no inverse in closed "
    "form: F⁻¹(u) is found by bisection, halving a bracket until F(x) = u to about "
    "1e-10. Exact for practical purposes, but ~60 evaluations of F per u instead "
    "of one formula.",
    EmpiricalTarget: "Your data define F only through their values: F⁻¹ is the empirical quantile "
    "function, linear between the sorted values. A lookup, exact for this data "
    "set — and it never produces a value outside [min, max] of the data.",
}
COLUMNS = {
    "method": "sampler",
    "w1": "W1 to target",
    "ks_statistic": "KS statistic",
    "ks_pvalue": "KS p-value",
    "mean_error": "mean error",
    "std_error": "std error",
    "samples_per_s": "samples / s",
}


def _choose_target() -> Target | None:
    source = st.radio(
        "Distribution",
        [EXPONENTIAL, OTHER],
        key=KEY + "source",
        horizontal=True,
        persist_state="session",
    )
    if source == OTHER:
        return target_picker(key=KEY + "target", label="Target", default="bimodal")
    lo, hi = RATE_RANGE
    rate = st.columns([1, 3])[0].number_input(
        f"Rate λ (from {lo:g} to {hi:g})",
        value=1.0,
        step=0.25,
        format="%.3f",
        key=KEY + "rate",
        persist_state="session",
    )
    try:
        return exponential_target(rate)
    except TargetError as exc:
        st.error(f"This rate can't be used: {exc}.")
        return None


def _show_inversion(target: Target) -> None:
    formula = sampling.closed_form_ppf(target)
    if formula is not None:
        st.markdown(f"**F⁻¹ has a closed form:** F⁻¹(u) = {formula}")
        with st.expander("u → x and the residual F(x) − u"):
            st.dataframe(residual_table(target), hide_index=True)
        return
    st.info(
        "**No closed form for F⁻¹ here.** "
        + _NO_FORMULA.get(type(target), f"It is computed by {sampling.ppf_method(target)}.")
    )
    if isinstance(target, MixtureTarget):
        u = st.slider(
            "Follow one u through the bisection",
            0.01,
            0.99,
            0.3,
            key=KEY + "u",
            persist_state="session",
        )
        trace = bisection_trace(target, u)
        shown = pd.concat([trace.head(12), trace.tail(1)])
        st.dataframe(
            shown,
            hide_index=True,
            column_config={
                c: st.column_config.NumberColumn(format="%.3e" if c != "halvings" else "%d")
                for c in shown.columns
            },
        )
        st.caption(
            f"Each halving keeps the half of [lo, hi] where F crosses u = {u:.2f}; after "
            f"{len(trace) - 1} halvings the bracket is {trace['width'].iloc[-1]:.1e} wide."
        )
    st.dataframe(residual_table(target), hide_index=True)
    st.caption("A few u and their x = F⁻¹(u): F(x) − u is the inversion error (≈ 0).")


def _draw_charts(target: Target, seed: int) -> None:
    u, x = sampling.inverse_transform(target, N, np.random.default_rng(seed))
    lo, hi = target.plot_range
    grid = np.linspace(lo, hi, 300)
    left, right = st.columns(2)
    present.chart(left, charts.uniform_chart(u), width="stretch")
    left.caption(f"{N:,} draws of U ~ Uniform(0, 1) with seed {seed}: flat up to sampling noise.")
    present.chart(
        right,
        charts.inverse_cdf_chart(grid, target.cdf(grid), u[:N_TRACED], x[:N_TRACED]),
        width="stretch",
    )
    right.caption(
        "Go across from u to the CDF, then down: x = F⁻¹(u). Where F is steep "
        "(much mass) many u land close together — that is why F⁻¹(U) has CDF F."
    )
    present.chart(
        st,
        charts.histogram_vs_pdf(x, np.linspace(lo, hi, 61), grid, target.pdf(grid)),
        width="stretch",
    )
    pdf = " (a kernel density estimate of your data)" if isinstance(target, EmpiricalTarget) else ""
    st.caption(f"The {N:,} values x = F⁻¹(u) binned (density scale) against the target's pdf{pdf}.")


def _comparison(target: Target, seed: int) -> None:
    gans = sampling.generator_rows(store.all_runs(), target, N)
    table = pd.concat([_benchmark(target, N, seed), pd.DataFrame(gans)], ignore_index=True).rename(
        columns=COLUMNS
    )
    fmt = {c: st.column_config.NumberColumn(format="%.4f") for c in list(COLUMNS.values())[1:6]}
    fmt["samples / s"] = st.column_config.NumberColumn(format="%.3e")
    st.dataframe(table, hide_index=True, column_config=fmt)
    floor = metrics.noise_floor_cached(target, N)["w1"]  # the floor every page shows, at this n
    st.caption(
        f"{N:,} samples each, measured against the true target. A perfect sampler's W1 with "
        f"{N:,} samples is about {floor:.3f} (the noise floor): inverse transform "
        "sits at it because F⁻¹(U) has exactly the law F. For an exact sampler the KS p-value "
        "is itself uniform on [0, 1], so any value not close to 0 is what exactness looks "
        "like; a generator that is off shows p ≈ 0 at this n. Errors are sample minus target. "
        "Speed is the best of three timings here: the library may use a faster special-purpose "
        "method, but a formula F⁻¹ is also far cheaper than a network forward pass."
    )
    if len(table) == 2:
        st.caption(
            "No GAN trained on this target yet in this session: train one below, or on "
            "a variant page with the same target, and it joins the table."
        )


def _learned_map(target: Target) -> None:
    runs = [
        r
        for r in store.all_runs()
        if r.cfg.target == target and r.cfg.latent_dim == 1 and r.step > 0
    ]
    if not runs:
        st.write("No generator with latent dimension 1 has been trained on this target yet.")
        c1, c2, c3 = st.columns(3)
        variant = c1.radio("Variant", TRAIN_VARIANTS, key=KEY + "train_variant", horizontal=True)
        steps = c2.number_input(
            "Generator steps", 50, 5000, 1500, step=250, key=KEY + "train_steps"
        )
        if not c3.button("Train a latent-1 generator here", key=KEY + "train", type="primary"):
            return
        try:
            cfg = preset(variant, "tuned", target=target, latent_dim=1, steps=int(steps))
        except ConfigError as exc:
            st.error("Can't train with these settings: " + "; ".join(problems(exc.problems)))
            return
        if train_with_progress(cfg, f"{variant} with latent dimension 1") is not None:
            st.rerun()  # from the top, so the comparison table above includes the new generator
        return  # refused by the work limit, which said why
    run = runs[-1]  # the most recently used
    cfg = run.cfg
    z = sampling.latent_quantiles(cfg.latent)  # equally likely points: the distance below ≈ W1
    g = run.decode(run.latent_line(z))[0][0]  # first seed, the weights samples come from
    present.chart(
        st,
        charts.learned_map_chart(
            z,
            sampling.optimal_map(target, z, cfg.latent),
            sampling.optimal_map(target, sampling.mirror(z, cfg.latent), cfg.latent),
            g,
            cfg.variant,
            cfg.latent,
        ),
        width="stretch",
    )
    dist = sampling.map_distance(g, z, target, cfg.latent)
    broken = "" if run.alive[0] else f" (diverged at step {int(run.diverged_at[0]):,})"
    st.caption(
        f"{cfg.variant}, step {run.step:,} of {cfg.steps:,}{broken}, seed {cfg.seed}: "
        f"mean |G(z) − best map| over latent quantiles = {dist['distance']:.3f} "
        f"(to the increasing map {dist['to_increasing']:.3f}, to the decreasing "
        f"{dist['to_decreasing']:.3f}); for a monotone G this is W1 to the target."
    )
    if dist["closer"] == "decreasing":
        st.info(
            "This generator learned the **decreasing** map T̃(z) = T(−z). That is just as "
            "good: the latent is symmetric, so both maps push it onto the same target."
        )


def render() -> None:
    """The whole page below its title."""
    url.follow(BOUND)
    st.subheader("1 · Seeds: pseudo-random numbers repeat")
    seed = int(
        st.columns([1, 3])[0].number_input(
            "Seed", 0, 2**31 - 1, 0, step=1, key=KEY + "seed", persist_state="session"
        )
    )
    st.dataframe(seed_demo(seed), hide_index=True)
    st.caption(
        f"The 'seed {seed}' and 'reset' columns are identical: resetting the generator to "
        "the same seed replays the same sequence. Without a reset it moves on. The draws "
        "below use this seed too."
    )

    st.subheader("2 · Choose a distribution")
    target = _choose_target()
    url.lead(BOUND)
    if target is None:
        return
    _show_inversion(target)

    st.subheader("3 · Uniforms in, samples out")
    _draw_charts(target, seed)

    st.subheader("4 · Inverse transform, the library's sampler and any GAN you trained")
    _comparison(target, seed)

    st.subheader("5 · A generator with latent dimension 1 is a learned F⁻¹")
    st.markdown(
        "With one latent z ~ N(0, 1) the best monotone generator is "
        "T(z) = F⁻¹(Φ(z)): Φ turns z into a uniform u, F⁻¹ does the rest. A GAN has no "
        "formula for F⁻¹ — it learns the map from samples."
    )
    _learned_map(target)
