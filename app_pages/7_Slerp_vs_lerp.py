"""Slerp vs lerp: why interpolating between latent vectors should follow the χ shell."""

import streamlit as st

from ganlab.ui import interpolation_view

st.set_page_config(page_title="Slerp vs lerp · ganlab", layout="wide")
st.title("Slerp vs lerp in the latent space")
st.markdown(
    "A generator's latent z ~ N(0, I_d) almost never lands near the origin when d is large: "
    "‖z‖ follows the χ distribution with d degrees of freedom, concentrated on a thin shell of "
    "radius ≈ √d. **Linear interpolation** (lerp) between two such points cuts along the chord, "
    "whose middle lies well inside the shell — latents the generator practically never saw. "
    "**Spherical interpolation** (slerp) walks along the arc and stays on the shell. Move d and "
    "watch the gap open."
)
interpolation_view.render()
