"""Helpers for AppTest tests of the variant pages: open a page, shrink its run, read its runs."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = {
    "gan": "pages/1_Vanilla_GAN.py",
    "wgan": "pages/2_WGAN.py",
    "wgan-gp": "pages/3_WGAN-GP.py",
}
RUNS = "ganlab.runs"


def open_page(variant: str) -> AppTest:
    # Straight to the page: the home page is another view and is tested on its own.
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(PAGES[variant]).run()
    assert not at.exception
    return at


def tiny(at: AppTest, v: str, steps: int = 30) -> AppTest:
    """Small nets and budget, so a test trains in well under a second."""
    at.number_input(key=f"{v}.steps").set_value(steps)
    at.select_slider(key=f"{v}.g_width").set_value(8)
    at.select_slider(key=f"{v}.d_width").set_value(8)
    return at.run()


def runs(at: AppTest) -> list:
    return list(at.session_state[RUNS].values()) if RUNS in at.session_state else []


def shown_run(at: AppTest, v: str):
    return at.session_state[RUNS][at.session_state[f"{v}.live.active"]]
