"""Inverse-transform sampling: F⁻¹(U) has law F, and a 1-D generator learns such a map."""

import streamlit as st

from ganlab.ui import sampling_view

st.set_page_config(page_title="Inverse transform · ganlab", layout="wide")
st.title("Inverse-transform sampling")
st.markdown(
    "Every sampler starts from uniform numbers. If U ~ Uniform(0, 1) and F is a CDF, then "
    "X = F⁻¹(U) has CDF F, because P(F⁻¹(U) ≤ x) = P(U ≤ F(x)) = F(x). When F⁻¹ has a formula "
    "this is exact and fast; when it has none, it can be computed numerically — or *learned*: "
    "a GAN generator with a one-dimensional latent is a learned map from a simple noise to the "
    "target, and the best such map is exactly an inverse CDF."
)
sampling_view.render()
