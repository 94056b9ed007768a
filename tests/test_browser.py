"""The real app in headless Chromium: every page renders, trains and shows no exception box.

Starts `streamlit run app.py` on a free loopback port and drives Debian's Chromium through
Playwright (tests/conftest.py's fixtures), with the steps in bench/browser_steps.py.
Screenshots land in tests/artifacts/screenshots/ (ignored by git); the README's pictures are
refreshed on purpose with `python bench/screenshots.py`, never by a test run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_steps import (
    COMPARE_TINY,
    TEACHING_PAGES,
    VARIANT_PAGES,
    charts,
    open_settled,
    run_comparison,
    train_live_and_stop,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"

# The fixtures `server`, `browser` and `page` are tests/conftest.py's; without Chromium these
# tests are skipped there (and CI refuses to run without it).
pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_home_page_links_every_page(server, page):
    open_settled(page, server)
    for title in (
        "Vanilla GAN",
        "WGAN",
        "WGAN-GP",
        "Modern GANs",
        "DiracGAN",
        "Inverse-transform sampling",
        "Slerp vs lerp",
        "Compare",
    ):
        assert page.get_by_text(title, exact=False).count() > 0, title
    _shot(page, "home")


def test_a_page_opened_by_its_link_shows_the_apps_own_navigation(server, page):
    # A deep link (a lecturer's slide) must show the same page list as the home page: ours,
    # with its titles and order, not one Streamlit derives from file names ("app", …).
    open_settled(page, f"{server}/WGAN")

    def page_list() -> list[str]:
        nav = page.locator('[data-testid="stSidebarNav"]')
        text = nav.inner_text() if nav.count() else ""
        return [n.strip() for n in text.split("\n") if n.strip() and n.strip() != "home"]  # icon

    wait_for(lambda: "Compare" in page_list(), "the sidebar's page list", 60)
    names = page_list()
    assert names[:4] == ["Home", "Vanilla GAN", "WGAN", "WGAN-GP"], names
    assert "Inverse-transform sampling" in names and "app" not in names, names


@pytest.mark.parametrize(("path", "name"), [(p, n) for n, p in VARIANT_PAGES.items()])
def test_variant_page_trains_live_and_stops(server, page, path, name):
    train_live_and_stop(page, f"{server}/{path}")
    assert page.get_by_text("Every variant on this target").count() > 0
    _shot(page, name)


@pytest.mark.parametrize(
    ("path", "name", "n_charts"),
    [
        (TEACHING_PAGES["inverse-transform"], "inverse-transform", 3),
        (TEACHING_PAGES["slerp"], "slerp", 4),
    ],
)
def test_teaching_page_draws_its_charts(server, page, path, name, n_charts):
    open_settled(page, f"{server}/{path}")
    wait_for(lambda: charts(page) >= n_charts, f"{n_charts} charts", 60)  # drawn after settling
    _shot(page, name)


def test_compare_page_runs_a_tiny_comparison(server, page):
    run_comparison(page, f"{server}/{COMPARE_TINY}")
    assert charts(page) >= 3
    assert page.locator('[data-testid="stDataFrame"], [data-testid="stTable"]').count() > 0
    _shot(page, "compare")
