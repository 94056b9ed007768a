"""Vanilla GAN: a discriminator that outputs a probability, trained with binary cross-entropy."""

import streamlit as st

from ganlab.ui import present, train_view

st.set_page_config(page_title="Vanilla GAN · ganlab", layout="wide")
present.intro(
    "Vanilla GAN",
    "The original game (Goodfellow et al., 2014). The discriminator D outputs the probability "
    "that x is real and is trained with binary cross-entropy; the generator G tries to make D "
    "say *real*. At the game's equilibrium G's samples follow the target and D is ½ everywhere. "
    "Watch for the two classic failures: with the original *saturating* loss G gets no gradient "
    "once D wins, and a D much stronger than G pushes it into a single mode (mode collapse).",
)
train_view.render("gan")
