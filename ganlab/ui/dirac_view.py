"""The DiracGAN page: one variant's vector field, a trajectory, its distance to the equilibrium
and the eigenvalues that say why it converges or not (the maths is ganlab.dirac's)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from ganlab import dirac, links
from ganlab.charts import dirac as charts
from ganlab.report import number
from ganlab.ui import nav, present, url

KEY = "dirac."  # widget-key prefix for this page
GRID = 15  # arrows per side of the plane
ZERO = 1e-9  # finite-difference noise: parts this small are shown as 0
_NAMES = {k: v.name for k, v in dirac.VARIANTS.items()}


def _bound() -> tuple[url.Bound, ...]:
    """The page's link: ?variant=wgan-gp&mode=alternating&h=0.1&wgan-gp_lambda=1 …"""
    first = next(iter(dirac.VARIANTS))
    out = [
        url.Bound(
            links.Param("variant", "choice", choices=tuple(_NAMES)),
            KEY + "variant",
            first,
            cast=lambda k: _NAMES[str(k)],
            spell=lambda name: next(k for k, n in _NAMES.items() if n == name),
        ),
        url.Bound(links.Param("mode", "choice", choices=dirac.MODES), KEY + "mode", dirac.MODES[0]),
        url.Bound(links.Param("theta0", "float", range=(-2.0, 2.0)), KEY + "theta0", 1.0),
        url.Bound(links.Param("psi0", "float", range=(-2.0, 2.0)), KEY + "psi0", 1.0),
        url.Bound(links.Param("h", "float", range=(0.01, 1.0)), KEY + "h", 0.2),
        url.Bound(links.Param("steps", "int", range=(10, 2000)), KEY + "steps", 500),
    ]
    for k, v in dirac.VARIANTS.items():
        for knob in v.knobs:
            whole = knob.key == "n_critic"
            kind = int if whole else float
            out.append(
                url.Bound(
                    links.Param(
                        f"{k}_{knob.key}", "int" if whole else "float", range=(knob.lo, knob.hi)
                    ),
                    f"{KEY}{k}.{knob.key}",
                    kind(knob.default),
                    cast=kind,
                )
            )
    return tuple(out)


BOUND = _bound()


def complex_text(z: complex) -> str:
    """A complex number with significant digits (report.number), "a + bi" or just "a"."""
    re = 0.0 if abs(z.real) < ZERO else z.real
    im = 0.0 if abs(z.imag) < ZERO else z.imag
    if im == 0.0:
        return _minus(number(re))
    sign = "−" if im < 0 else "+"
    if re == 0.0:
        return f"{'−' if im < 0 else ''}{number(abs(im))}i"
    return f"{_minus(number(re))} {sign} {number(abs(im))}i"


def _minus(text: str) -> str:
    return "−" + text[1:] if text.startswith("-") else text


def _md(text: str) -> str:
    """The core's formulas as Markdown text: θ* and |ψ| must not turn into emphasis."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


@st.cache_data(max_entries=64, show_spinner=False)
def _trajectories(key: str, start: tuple[float, float], h: float, steps: int, given: tuple):
    return {m: dirac.trajectory(key, start, h, steps, m, dict(given)) for m in dirac.MODES}


def eigen_table(key: str, given: dict[str, float], h: float, mode: str) -> pd.DataFrame:
    """λ of J and μ of the linearised step, closed form beside finite differences."""
    v = dirac.VARIANTS[key]
    j, jn = dirac.jacobian(key, given), dirac.numeric_jacobian(key, given)
    lam, lam_n = dirac.closed_form_eigenvalues(j), dirac.eigenvalues(jn)
    step = dirac.step_map(key, h, mode, given)
    step_n = dirac.step_matrix(jn, h, mode, int(given.get("n_critic", 1)))
    mu, mu_n = dirac.closed_form_eigenvalues(step), dirac.eigenvalues(step_n)
    side = " (one-sided, ψ → 0+)" if not v.smooth else ""
    rows = [
        (f"λ₁ of J{side}", lam[0], lam_n[0]),
        (f"λ₂ of J{side}", lam[1], lam_n[1]),
        (f"μ₁, one {mode} step", mu[0], mu_n[0]),
        (f"μ₂, one {mode} step", mu[1], mu_n[1]),
    ]
    table = pd.DataFrame(
        {
            "eigenvalue": [r[0] for r in rows],
            "closed form": [complex_text(r[1]) for r in rows],
            "numeric (finite differences)": [complex_text(r[2]) for r in rows],
        }
    )
    # |μ| is often 1 ± a little: six significant digits, or 1.005 would read as "1"
    radius = pd.DataFrame(
        {
            "eigenvalue": ["largest |μ| (< 1: the step contracts)"],
            "closed form": [f"{float(np.max(np.abs(mu))):.6g}"],
            "numeric (finite differences)": [f"{float(np.max(np.abs(mu_n))):.6g}"],
        }
    )
    return pd.concat([table, radius], ignore_index=True)


def _sidebar() -> tuple[tuple[float, float], float, int]:
    with st.sidebar:
        st.markdown("**DiracGAN: start and steps**")
        t0 = st.slider("start θ₀ (generator)", -2.0, 2.0, 1.0, 0.1, key=KEY + "theta0")
        p0 = st.slider("start ψ₀ (discriminator)", -2.0, 2.0, 1.0, 0.1, key=KEY + "psi0")
        h = st.slider("step size h", 0.01, 1.0, 0.2, 0.01, key=KEY + "h")
        steps = st.slider("iterations (generator steps)", 10, 2000, 500, 10, key=KEY + "steps")
        st.caption("Defaults are the paper's notebook: start (1, 1), h = 0.2, 500 iterations.")
    return (float(t0), float(p0)), float(h), int(steps)


def _controls() -> tuple[str, dict[str, float], str]:
    names = {v.name: k for k, v in dirac.VARIANTS.items()}
    wanted = nav.wanted(nav.DIRAC_WANTED)
    if wanted in dirac.VARIANTS:
        st.session_state[KEY + "variant"] = dirac.VARIANTS[wanted].name
    c1, c2, c3 = st.columns([2, 2, 2])
    name = c1.selectbox("Variant", list(names), key=KEY + "variant")
    key = names[name]
    mode = c2.radio(
        "Updates",
        dirac.MODES,
        key=KEY + "mode",
        horizontal=True,
        help="simultaneous: both players step from the same point; alternating: G steps, "
        "then the critic steps (n times where the variant has critic steps) on the new θ",
    )
    given: dict[str, float] = {}
    for knob in dirac.VARIANTS[key].knobs:
        is_int = knob.key == "n_critic"
        kind = int if is_int else float
        given[knob.key] = c3.slider(
            knob.label,
            kind(knob.lo),
            kind(knob.hi),
            kind(knob.default),
            kind(knob.step),
            key=f"{KEY}{key}.{knob.key}",
            help=f"default from the {knob.source}"
            + (" — used by alternating updates" if is_int else ""),
        )
    if not dirac.VARIANTS[key].knobs:
        c3.caption("This variant has no setting of its own.")
    return key, dirac.params(key, given), str(mode)


def _charts(key: str, given: dict[str, float], start, h: float, steps: int, mode: str) -> None:
    paths = _trajectories(key, start, h, steps, tuple(sorted(given.items())))
    path = paths[mode].points
    half = charts.plane_half_width(path)
    g = np.linspace(-half, half, GRID)
    t, p = np.meshgrid(g, g)
    v1, v2 = dirac.vector_field(key, t, p, given)
    left, right = st.columns(2)
    present.chart(
        left,
        charts.vector_field(
            charts.arrows(t, p, v1, v2, g[1] - g[0]), path, mode, half, dirac.guides(key, given)
        ),
        width="content",
        key=KEY + "chart.field",
    )
    left.caption(
        "Each arrow is the direction one gradient step takes from that point (length grows "
        "with the speed, square-root scale). The line is your trajectory from the start dot."
    )
    present.chart(
        right,
        charts.distance({m: tr.distance for m, tr in paths.items()}),
        width="stretch",
        key=KEY + "chart.distance",
    )
    notes = []
    for m, tr in paths.items():
        d = tr.distance
        if tr.stopped_at is not None:
            notes.append(f"{m} steps left the plane (|·| > 10⁶) at iteration {tr.stopped_at:,}")
        else:
            notes.append(f"{m}: {number(float(d[-1]))} after {len(d) - 1:,} iterations")
    right.caption(
        "Distance of (θ, ψ) from the equilibrium (0, 0) after each generator step, from "
        f"{number(float(paths[mode].distance[0]))} at the start: " + "; ".join(notes) + "."
    )


def _eigen(key: str, given: dict[str, float], h: float, mode: str) -> None:
    v = dirac.VARIANTS[key]
    lam = dirac.closed_form_eigenvalues(dirac.jacobian(key, given))
    mu = np.linalg.eigvals(dirac.step_map(key, h, mode, given))
    present.chart(
        st,
        charts.eigenvalues(
            lam,
            mu,
            "λ of J" + (" (one-sided)" if not v.smooth else ""),
            f"μ of one {mode} step",
        ),
        width="content",
        key=KEY + "chart.eigen",
    )
    st.caption(
        "Left: the Jacobian's eigenvalues; Re λ < 0 pulls towards the equilibrium in "
        "continuous time. Right: the eigenvalues of one linearised step of size h, zoomed onto "
        "the unit circle; inside it (|μ| < 1) the steps contract, outside they grow."
    )
    left, right = st.columns([3, 2])
    left.dataframe(eigen_table(key, given, h, mode), hide_index=True)
    right.caption(f"{_md(v.formula)}. {_md(v.eig_formula)}.")
    right.caption(
        "Closed form: the formula above. Numeric: eigenvalues of the Jacobian by central "
        "finite differences of the field (step 10⁻⁶); parts below 10⁻⁹ are shown as 0."
    )


def _links(key: str) -> None:
    variant = dirac.ENGINE.get(key)
    if variant is None:
        return
    title = nav.LIVE_PAGES[variant][1]
    if st.button(f"Train it live on a 1-D target → {title}", icon="▶️", type="tertiary"):
        try:
            nav.open_live(variant)
        except StreamlitAPIException:  # the page is not registered (run outside app.py)
            st.caption(f"Train it live on a 1-D target: the {title} page.")


def render() -> None:
    """The whole page below its title and intro."""
    url.follow(BOUND)
    start, h, steps = _sidebar()
    key, given, mode = _controls()
    url.lead(BOUND)
    v = dirac.VARIANTS[key]
    kind = dirac.classification(key, given)
    st.markdown(f"**{v.name}: {kind}.** {dirac.explain(key, given)}")
    st.caption(f"Losses here: {_md(v.losses)}. Equilibrium: {_md(v.equilibrium)}")
    if v.mirrored:
        st.caption(
            "Written as its paper writes it, with D scoring *real*: in this plane that is the "
            "mirror image ψ → −ψ of the paper's GANs (whose D scores *fake*), so its picture "
            "turns the other way round. The eigenvalues are the same."
        )
    _links(key)
    _charts(key, given, start, h, steps, mode)
    _eigen(key, given, h, mode)
