"""Helpers for AppTest tests of the variant pages: open a page, shrink its run, read its runs,
and wait for the training service (which trains off the script thread) to finish or stop."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ganlab.service import SERVICE

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = {
    "gan": "app_pages/1_Vanilla_GAN.py",
    "wgan": "app_pages/2_WGAN.py",
    "wgan-gp": "app_pages/3_WGAN-GP.py",
}
RUNS = "ganlab.runs"
WAIT_S = 120.0  # a tiny run finishes in well under a second; a loaded machine is slower


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


def trained(at: AppTest) -> list:
    """The runs that have trained at least one step (a page holds its untrained frame-0 run
    from the moment it opens)."""
    return [r for r in runs(at) if r.step > 0]


def shown_run(at: AppTest, v: str):
    return at.session_state[RUNS][at.session_state[f"{v}.live.active"]]


def training(at: AppTest, v: str) -> bool:
    """What live.is_running(v) answers: whether the service trains the page's run now."""
    key = f"{v}.live.active"
    if key not in at.session_state or RUNS not in at.session_state:
        return False
    run = at.session_state[RUNS].get(at.session_state[key])
    return run is not None and SERVICE.training(run)


def finish(at: AppTest, v: str, timeout: float = WAIT_S) -> AppTest:
    """Wait until the service no longer trains the page's run, then draw the page once more
    (each at.run() is one fragment tick: run_every never fires in AppTest)."""
    assert SERVICE.wait(shown_run(at, v), timeout), f"still training after {timeout} s"
    at.run()
    assert not at.exception
    return at


def train(at: AppTest, v: str, timeout: float = WAIT_S) -> AppTest:
    """Press Start, let the service train the run to its budget, and draw the finished page."""
    at.button(key=f"{v}.live.start").click().run()
    assert not at.exception
    return finish(at, v, timeout)


def wait_for(ready: Callable[[], bool], timeout: float = WAIT_S) -> bool:
    """Poll until ready() (e.g. a background run has trained a step); False on timeout."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def progress(at: AppTest) -> list[str]:
    return [p.proto.text for p in at.get("progress")]
