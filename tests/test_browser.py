"""The real app in headless Chromium: every page renders, trains and shows no exception box.

Starts `streamlit run app.py` on a free loopback port and drives Debian's Chromium through
Playwright. Screenshots land in docs/screenshots/ (the README shows them).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-quic", "--no-first-run"]

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: install Debian's chromium (.ci/run)")
    pytest.skip("no /usr/bin/chromium (apt-get install -y chromium)", allow_module_level=True)

playwright = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--client.showErrorDetails", "full"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not answer /_stcore/health within 60 s:\n" + proc.stdout.read())
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
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


def test_inverse_transform_page(server, page):
    page.goto(f"{server}/Inverse_transform")
    _settle(page)
    _no_exception(page)
    assert _charts(page) >= 3
    _shot(page, "inverse-transform")


def test_slerp_page(server, page):
    page.goto(f"{server}/Slerp_vs_lerp")
    _settle(page)
    _no_exception(page)
    assert _charts(page) >= 4
    _shot(page, "slerp")


def test_compare_page_runs_a_tiny_comparison(server, page):
    page.goto(f"{server}/Compare?steps=30&seeds=2")
    _settle(page)
    _no_exception(page)
    page.get_by_role("button", name="Run").first.click()
    _wait_for(lambda: page.get_by_text("Verdict", exact=False).count() > 0, "verdict")
    _settle(page)
    _no_exception(page)
    assert _charts(page) >= 3
    assert page.locator('[data-testid="stDataFrame"], [data-testid="stTable"]').count() > 0
    _shot(page, "compare")
