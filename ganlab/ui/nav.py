"""Where the live and DiracGAN pages live, and how one page opens another with a choice made:
the choice waits in session state under a key the opened page reads once (a widget's own key
cannot be set from another page before that widget exists)."""

from __future__ import annotations

import streamlit as st

from ganlab.variants import CLASSICS, VARIANTS

MODERN = tuple(k for k in VARIANTS if k not in CLASSICS)  # they share the Modern GANs page
LIVE_PAGES = {
    "gan": ("app_pages/1_Vanilla_GAN.py", "Vanilla GAN"),
    "wgan": ("app_pages/2_WGAN.py", "WGAN"),
    "wgan-gp": ("app_pages/3_WGAN-GP.py", "WGAN-GP"),
    **{v: ("app_pages/4_Modern_GANs.py", "Modern GANs") for v in MODERN},
}
DIRAC_PAGE = "app_pages/5_DiracGAN.py"
MODERN_WANTED = "modern.wanted"  # the engine variant the Modern GANs page opens with
DIRAC_WANTED = "dirac.wanted"  # the Dirac variant the DiracGAN page opens with


def open_live(variant: str) -> None:
    """Switch to the live page of an engine variant, with it picked."""
    if variant in MODERN:
        st.session_state[MODERN_WANTED] = variant
    st.switch_page(LIVE_PAGES[variant][0])


def open_dirac(key: str) -> None:
    """Switch to the DiracGAN page with the Dirac variant `key` picked."""
    st.session_state[DIRAC_WANTED] = key
    st.switch_page(DIRAC_PAGE)


def wanted(key: str):
    """The choice another page left for this one (once), or None."""
    return st.session_state.pop(key, None)
