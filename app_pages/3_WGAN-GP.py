"""WGAN-GP: the Wasserstein critic kept Lipschitz by a gradient penalty instead of clipping."""

import streamlit as st

from ganlab.ui import present, train_view

st.set_page_config(page_title="WGAN-GP · ganlab", layout="wide")
present.intro(
    "WGAN-GP — gradient penalty",
    "WGAN-GP (Gulrajani et al., 2017) keeps the Wasserstein critic but drops weight clipping. "
    "Instead it adds λ·E[(‖∇ₓf(x̂)‖ − 1)²] at points x̂ between real and generated samples, a "
    "soft push towards slope 1 exactly where it matters. Its paper settings were tuned for "
    "images; on 1-D targets a much smaller λ works better, which the presets let you compare.",
)
train_view.render("wgan-gp")
