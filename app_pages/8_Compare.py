"""Compare: vanilla GAN, WGAN and WGAN-GP on the same target, seeds and budget, side by side."""

import streamlit as st

from ganlab.ui import compare_view

st.set_page_config(page_title="Compare · ganlab", layout="wide")
st.title("Compare the three variants")
st.markdown(
    "One press of **Run comparison** trains vanilla GAN, WGAN and WGAN-GP on the same target, "
    "with the same seeds and the same number of generator steps, and shows who gets closest "
    "to the target — and why. Choose each variant's preset (the published *paper* settings or "
    "the *1-D tuned* ones) and the few knobs that define it in the sidebar. The table reports "
    "the median over seeds with its spread, so one lucky seed does not decide the winner; the "
    "table from the literature beside it says what each variant is *supposed* to do."
)
compare_view.render()
