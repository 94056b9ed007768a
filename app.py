"""ganlab: the home page, and the navigation that names every page."""

import streamlit as st

from ganlab.budget import fix_mmap_threshold
from ganlab.ui import present
from ganlab.ui.url import read as read_link

# (file, title in the sidebar, URL path — shareable links use it, so keep it stable, one line)
PAGES = [
    (
        "app_pages/1_Vanilla_GAN.py",
        "Vanilla GAN",
        "Vanilla_GAN",
        "the original game: binary cross-entropy, saturating vs non-saturating loss, "
        "mode collapse.",
    ),
    (
        "app_pages/2_WGAN.py",
        "WGAN",
        "WGAN",
        "a critic that estimates the Wasserstein distance, kept Lipschitz by clipping its weights.",
    ),
    (
        "app_pages/3_WGAN-GP.py",
        "WGAN-GP",
        "WGAN-GP",
        "the same critic kept Lipschitz by a gradient penalty instead of clipping.",
    ),
    (
        "app_pages/4_Modern_GANs.py",
        "Modern GANs",
        "Modern_GANs",
        "LSGAN, hinge, NS-GAN + R1 and RpGAN + R1 + R2: the losses and penalties used today.",
    ),
    (
        "app_pages/5_DiracGAN.py",
        "DiracGAN",
        "DiracGAN",
        "why GANs oscillate: each variant's training as a vector field in a two-number game.",
    ),
    (
        "app_pages/6_Inverse_transform.py",
        "Inverse-transform sampling",
        "Inverse_transform",
        "U ~ Uniform(0, 1) → F⁻¹(U): the map a 1-D generator is trying to learn.",
    ),
    (
        "app_pages/7_Slerp_vs_lerp.py",
        "Slerp vs lerp",
        "Slerp_vs_lerp",
        "why straight lines cut through the empty middle of a high-dimensional Gaussian.",
    ),
    (
        "app_pages/8_Compare.py",
        "Compare",
        "Compare",
        "any of the seven variants on the same target, seeds and budget: who wins, and why.",
    ),
    (
        "app_pages/9_Study.py",
        "Study",
        "Study",
        "every variant given the same budget of random configurations: a fair comparison.",
    ),
]


def home() -> None:
    st.set_page_config(page_title="ganlab", page_icon="🎲", layout="wide")
    st.title("ganlab — watch small GANs learn, and fail, in one dimension")
    read_link()  # the home page takes no settings from its link: any parameter is named
    st.markdown(
        "A generator turns random noise into samples; a discriminator (or a Wasserstein "
        "*critic*) tries to tell them from real data. In one dimension every part of that game "
        "can be drawn: the densities, the discriminator as a curve, the generator as a map from "
        "noise to x, and the distance to the target. Pick a page on the left, or start here:"
    )
    for path, title, _, line in PAGES:
        st.page_link(path, label=f"**{title}** — {line}")
    st.divider()
    st.caption(
        "Every page's settings are in its link: copy it to share exactly what you see. Runs "
        "are kept while you switch pages, and visitors asking for the same settings share "
        "one run. Same settings and seed give the same numbers. The same runs work headless: "
        "`python -m ganlab train --variant all --target bimodal --seeds 8 --json`."
    )


fix_mmap_threshold()  # freed big blocks go back to the OS (budget.MMAP_THRESHOLD), once
present.toggle()  # presentation mode: in every page's sidebar, and in the link
st.navigation(
    [st.Page(home, title="Home", icon=":material/home:", default=True)]
    + [st.Page(path, title=title, url_path=url) for path, title, url, _ in PAGES]
).run()
