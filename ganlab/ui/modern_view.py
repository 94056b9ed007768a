"""The page of the variants people train today: one picker, then the same live view as the
classic pages (ganlab.ui.train_view), one variant at a time."""

from __future__ import annotations

import streamlit as st

from ganlab.ui import controls, nav, present, train_view, url
from ganlab.ui.nav import MODERN
from ganlab.variants import VARIANTS

PICK = "modern.variant"
PICKER = controls.Picker(PICK, MODERN)

# What each one changes, in one line under the picker.
IDEA = {
    "lsgan": "Least squares instead of cross-entropy (Mao et al., 2017): D is a score fitted to "
    "1 for real and 0 for fake, and G is pulled towards 1 — a sample far on the right side of "
    "the boundary still gets a gradient, where the saturating loss gives none.",
    "hinge": "A margin instead of a probability (Lim & Ye, 2017; the loss of SNGAN and BigGAN): D "
    "stops pushing once a real score is above 1 and a fake one below −1; G raises D(G(z)).",
    "r1": "The non-saturating game plus R1 (Mescheder et al., 2018): γ/2·E‖∇D(x)‖² on real data "
    "keeps D flat where the data are, which turns the circling of the game into convergence "
    "(see its vector field on the DiracGAN page).",
    "rpgan": "The relativistic pairing loss with R1 and R2 (Huang et al., 2024, “The GAN is dead; "
    "long live the GAN!”): each real sample is scored against one fake, and zero-centred "
    "penalties on both keep the game stable — the baseline of today's GAN papers.",
}


def render() -> None:
    """The picker, its idea in words, and the chosen variant's live view."""
    wanted = nav.wanted(nav.MODERN_WANTED)
    opened = url.opened()
    if opened is not None:  # a link names its variant (the first one when it names none)
        wanted = opened.get("variant", MODERN[0])
    if wanted in MODERN:
        st.session_state[PICK] = wanted
    # On a projector the picker and its idea go to the sidebar: the screen is for the charts.
    where = st.sidebar if present.on() else st
    variant = where.segmented_control(
        "Variant",
        MODERN,
        format_func=lambda k: VARIANTS[k].label,
        key=PICK,
        # a default beside a value set in session state makes Streamlit warn on the page
        default=None if PICK in st.session_state else MODERN[0],
        help="Each keeps its own run and settings: switch freely and come back.",
    )
    variant = variant or MODERN[0]  # a second click on the chosen one clears it: keep it
    if present.on():
        where.caption(IDEA[variant])
    else:
        st.markdown(IDEA[variant])
    train_view.render(variant, PICKER)
