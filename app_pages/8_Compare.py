"""Compare: any of the variants (the classics by default) on the same target, seeds and budget."""

import streamlit as st

from ganlab.ui import compare_view, present

st.set_page_config(page_title="Compare · ganlab", layout="wide")
present.intro(
    "Compare the variants",
    "One press of **Run comparison** trains the variants you pick — vanilla GAN, WGAN and "
    "WGAN-GP unless you choose others; LSGAN, hinge, NS-GAN + R1 and RpGAN + R1 + R2 are one "
    "click away — on the same target, with the same seeds and the same number of generator "
    "steps, and shows who gets closest to the target — and why. Choose each variant's preset "
    "(the published *paper* settings or the *1-D tuned* ones) and the few knobs that define it "
    "in its column below; the shared settings are in the sidebar. The table reports the median "
    "over seeds with its spread, so one lucky seed does not decide the winner; the table from "
    "the literature beside it says what each variant is *supposed* to do.",
)
compare_view.render()
