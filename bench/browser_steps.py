"""Drive the real app's pages in Chromium: wait for a page to settle, train live, run a comparison.

Shared by tests/test_browser.py (which checks what it sees) and bench/screenshots.py (which
photographs the same states for the README), so the pictures show what the tests drove.
Each step raises AssertionError when the page shows an exception box or never gets there.
"""

from __future__ import annotations

import contextlib
import re
import time

VIEWPORT = {"width": 1400, "height": 1000}  # the README's pictures are taken at this size

# Page paths as Streamlit routes them (from the file names in pages/).
VARIANT_PAGES = {"vanilla": "Vanilla_GAN", "wgan": "WGAN", "wgan-gp": "WGAN-GP"}
TEACHING_PAGES = {"inverse-transform": "Inverse_transform", "slerp": "Slerp_vs_lerp"}
COMPARE_TINY = "Compare?steps=30&seeds=2"  # a comparison that finishes in seconds
STOPPED = re.compile(r"(stopped|finished) — step")  # a variant page's progress text, not training
TRAINED_STEPS = 300  # a live run shown in a picture or a test has learned something visible


@contextlib.contextmanager
def new_page(browser, timeout_ms: int = 60_000, viewport: dict | None = None):
    """A fresh browser context (no shared session) with one page at VIEWPORT (or `viewport`)."""
    ctx = browser.new_context(viewport=viewport or VIEWPORT)
    try:
        page = ctx.new_page()
        page.set_default_timeout(timeout_ms)
        yield page
    finally:
        ctx.close()


def settle(page, seconds: float = 60.0) -> None:
    """Wait until the page's title is drawn and the script has stopped running (the status
    widget gone on two polls in a row)."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=seconds * 1000)
    deadline, idle = time.time() + seconds, 0
    while time.time() < deadline and idle < 2:
        busy = page.locator('[data-testid="stStatusWidget"]').count() > 0
        idle = 0 if busy else idle + 1
        time.sleep(0.3)


def wait_for(condition, what: str, seconds: float = 90.0) -> None:
    deadline = time.time() + seconds
    while not condition():
        if time.time() > deadline:
            raise AssertionError(f"no {what} after {seconds:.0f} s")
        time.sleep(0.3)


def no_exception(page) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()


def charts(page) -> int:
    return page.locator('[data-testid="stVegaLiteChart"]').count()


def button(page, name: str):
    """The page's own button whose label starts with `name`. Scoped to the main area: while a
    script runs, Streamlit's toolbar shows its own "Stop" (it stops the script run, not
    training), and it can offer "Rerun"; a page-wide match could click those."""
    main = page.locator('[data-testid="stMain"]')
    return main.get_by_role("button", name=re.compile(rf"^{re.escape(name)}")).first


def open_settled(page, url: str) -> None:
    page.goto(url)
    settle(page)
    no_exception(page)


def train_live_and_stop(page, url: str | None) -> None:
    """On a variant page (opened at `url`, or already open when None): Start, let the live ticks
    draw, Stop, wait for the side-by-side table."""
    if url is not None:
        open_settled(page, url)
    button(page, "Start").click()
    # Frame 0's charts are there before Start: wait for trained steps on screen (the first
    # slice waits for a training process to start), then a few more live ticks.
    wait_for(lambda: shown_step(page) >= TRAINED_STEPS, f"step {TRAINED_STEPS} on screen")
    time.sleep(2)
    no_exception(page)
    button(page, "Stop").click()
    # the progress text says so once the click has landed (a click during a rerun can be late)
    wait_for(lambda: page.get_by_text(STOPPED).count() > 0, "'stopped — step …' after Stop", 60)
    settle(page)
    no_exception(page)
    # the side-by-side table is drawn once the run has stopped (metrics over 10k samples)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
    settle(page)  # and the script has finished drawing it
    no_exception(page)


def progress(page) -> str:
    """A variant page's progress text ("training — step 1,234 of 6,000"); "" if none."""
    bar = page.locator('[data-testid="stMain"] [data-testid="stProgress"]')
    return bar.first.inner_text().strip() if bar.count() else ""


def shown_step(page) -> int:
    """The step in the page's progress text, 0 if none."""
    m = re.search(r"step ([\d,]+)", progress(page))
    return int(m.group(1).replace(",", "")) if m else 0


def run_comparison(page, url: str) -> None:
    """On the Compare page (its settings in the URL): Run, and wait for the verdict."""
    open_settled(page, url)
    button(page, "Run").click()
    wait_for(lambda: page.get_by_text("Verdict.", exact=True).count() > 0, "verdict")
    settle(page)
    no_exception(page)


def tour(base: str) -> dict:
    """name -> step that brings a fresh page into the state the README shows under that name."""
    steps = {"home": lambda page: open_settled(page, base)}
    for name, path in VARIANT_PAGES.items():
        steps[name] = lambda page, path=path: train_live_and_stop(page, f"{base}/{path}")
    for name, path in TEACHING_PAGES.items():
        steps[name] = lambda page, path=path: open_settled(page, f"{base}/{path}")
    steps["compare"] = lambda page: run_comparison(page, f"{base}/{COMPARE_TINY}")
    steps["modern"] = lambda page: train_modern_and_stop(page, f"{base}/Modern_GANs")
    steps["dirac"] = lambda page: open_dirac(page, f"{base}/DiracGAN", "NS-GAN + R1")
    return steps


def train_modern_and_stop(page, url: str, label: str = "RpGAN + R1 + R2") -> None:
    """On the Modern GANs page: pick a variant, then train it live and stop as on a variant page."""
    open_settled(page, url)
    page.locator('[data-testid="stMain"]').get_by_role("radio", name=label).click()
    settle(page)
    train_live_and_stop(page, None)


def open_dirac(page, url: str, variant: str) -> None:
    """On the DiracGAN page: pick a variant from the selectbox and wait for its charts."""
    open_settled(page, url)
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=variant, exact=True).click()
    settle(page)
    no_exception(page)
