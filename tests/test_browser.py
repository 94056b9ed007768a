"""The real app in headless Chromium: every page renders, trains and shows no exception box.

Starts `streamlit run app.py` on a free loopback port and drives Debian's Chromium through
Playwright. Screenshots land in docs/screenshots/ (the README shows them).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from appserver import CHROMIUM, launch_chromium, running_app  # noqa: E402

SHOTS = ROOT / "docs" / "screenshots"

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: install Debian's chromium (.ci/run)")
    pytest.skip("no /usr/bin/chromium (apt-get install -y chromium)", allow_module_level=True)

playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server():
    with running_app() as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    ctx.close()


def _settle(page, seconds: float = 60.0) -> None:
    """Wait until the page's title is drawn and the script has stopped running (the status
    widget gone on two polls in a row)."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=seconds * 1000)
    deadline, idle = time.time() + seconds, 0
    while time.time() < deadline and idle < 2:
        busy = page.locator('[data-testid="stStatusWidget"]').count() > 0
        idle = 0 if busy else idle + 1
        time.sleep(0.3)


def _wait_for(condition, what: str, seconds: float = 90.0) -> None:
    deadline = time.time() + seconds
    while not condition():
        if time.time() > deadline:
            pytest.fail(f"no {what} after {seconds:.0f} s")
        time.sleep(0.3)


def _no_exception(page) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def _charts(page) -> int:
    return page.locator('[data-testid="stVegaLiteChart"]').count()


def test_home_page_links_every_page(server, page):
    page.goto(server)
    _settle(page)
    _no_exception(page)
    for title in ("Vanilla GAN", "WGAN", "WGAN-GP", "Inverse-transform sampling",
                  "Slerp vs lerp", "Compare"):
        assert page.get_by_text(title, exact=False).count() > 0, title
    _shot(page, "home")


@pytest.mark.parametrize(("path", "name"), [("Vanilla_GAN", "vanilla"), ("WGAN", "wgan"),
                                            ("WGAN-GP", "wgan-gp")])
def test_variant_page_trains_live_and_stops(server, page, path, name):
    page.goto(f"{server}/{path}")
    _settle(page)
    _no_exception(page)
    page.get_by_role("button", name="Start").first.click()
    _wait_for(lambda: _charts(page) >= 6, "six live charts")  # drawn by the live ticks
    time.sleep(2)  # a few more ticks
    _no_exception(page)
    page.get_by_role("button", name="Stop").first.click()
    _settle(page)
    _no_exception(page)
    assert page.get_by_text("All three variants on this target").count() > 0
    # the side-by-side table is drawn once the run has stopped (metrics over 10k samples)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
    _no_exception(page)
    _shot(page, name)


@pytest.mark.parametrize(("path", "name", "charts"), [("Inverse_transform", "inverse-transform", 3),
                                                      ("Slerp_vs_lerp", "slerp", 4)])
def test_teaching_page_draws_its_charts(server, page, path, name, charts):
    page.goto(f"{server}/{path}")
    _settle(page)
    _no_exception(page)
    assert _charts(page) >= charts
    _shot(page, name)


def test_compare_page_runs_a_tiny_comparison(server, page):
    page.goto(f"{server}/Compare?steps=30&seeds=2")
    _settle(page)
    _no_exception(page)
    page.get_by_role("button", name="Run").first.click()
    _wait_for(lambda: page.get_by_text("Verdict.", exact=True).count() > 0, "verdict")
    _settle(page)
    _no_exception(page)
    assert _charts(page) >= 3
    assert page.locator('[data-testid="stDataFrame"], [data-testid="stTable"]').count() > 0
    _shot(page, "compare")
