"""Study: every variant given the same budget of sampled configurations — a fair comparison."""

import streamlit as st

from ganlab.ui import study_view

st.set_page_config(page_title="Study · ganlab", layout="wide")
st.title("A fair comparison: the same budget for every variant")
st.markdown(
    "One hand-tuned preset per variant says as much about the tuning as about the variant. "
    "Following Lucic et al. (2018, *Are GANs Created Equal?*), a **study** gives every variant "
    "the same budget: N configurations drawn at random from one search space (learning rates, "
    "Adam's betas, D steps, widths, batch size, and each variant's own clip, λ or γ), each "
    "trained on the same K seeds. Below: how the configurations scored, the best score you "
    "can expect from a budget of n of them, how often runs failed, and which settings "
    "mattered. Studies run headless, on one machine or a Dask cluster: "
    "`python -m ganlab study --help`."
)
study_view.render()
