"""DiracGAN: why GAN training circles instead of settling, in a two-parameter game."""

import streamlit as st

from ganlab.ui import dirac_view

st.set_page_config(page_title="DiracGAN · ganlab", layout="wide")
st.title("DiracGAN — why GANs oscillate")
st.markdown(
    "The smallest GAN there is (Mescheder, Geiger & Nowozin, 2018): the data are a single "
    "point at 0, the generator is a single point at θ, and the discriminator is the line "
    "D(x) = ψ·x. The game has two numbers, so its whole training can be drawn as arrows in the "
    "(θ, ψ) plane. For the plain GAN the arrows only turn around the answer (0, 0): the "
    "generator overshoots, the discriminator follows, and gradient steps circle or spiral "
    "outwards for ever. A zero-centred gradient penalty or instance noise adds friction that "
    "pulls the spiral in. Pick a variant, move the start and the step size, and read the "
    "eigenvalues that decide it."
)
dirac_view.render()
