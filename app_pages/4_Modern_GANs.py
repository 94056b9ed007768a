"""LSGAN, hinge, NS-GAN + R1 and RpGAN + R1 + R2: the losses and penalties in use today."""

import streamlit as st

from ganlab.ui import modern_view, present

st.set_page_config(page_title="Modern GANs · ganlab", layout="wide")
present.intro(
    "Modern GANs — LSGAN, hinge, R1, RpGAN + R1 + R2",
    "The three classic pages are the GANs of 2014–2017. Since then, image GANs have mostly "
    "changed two things: the loss (least squares, the hinge, relativistic pairs) and a "
    "*zero-centred* gradient penalty that keeps the discriminator flat on the data, which is "
    "what makes the game converge instead of circling. Pick one and watch it learn the same "
    "1-D target; the table at the bottom puts it beside the others.",
)
modern_view.render()
