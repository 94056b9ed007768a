"""WGAN: a critic estimating the Wasserstein-1 distance, kept Lipschitz by weight clipping."""

import streamlit as st

from ganlab.ui import present, train_view

st.set_page_config(page_title="WGAN · ganlab", layout="wide")
present.intro(
    "WGAN — weight clipping",
    "Wasserstein GAN (Arjovsky et al., 2017) replaces the discriminator by a *critic* f with an "
    "unbounded score. If f is 1-Lipschitz, E f(real) − E f(fake) at its maximum is the "
    "Wasserstein-1 (earth mover's) distance, which still gives G a useful gradient when the two "
    "distributions do not overlap. WGAN keeps f Lipschitz crudely, by clamping every weight to "
    "[−c, c]: too small a c and the critic cannot measure anything, too large and it is not "
    "bounded at all.",
)
train_view.render("wgan")
