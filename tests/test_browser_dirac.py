"""The DiracGAN page in headless Chromium: it opens, draws its three charts, shows no
exception box, and its verdict follows the variant picked in the browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_steps import charts, no_exception, open_settled, settle, wait_for

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"
PATH = "DiracGAN"  # app.py's URL path for app_pages/5_DiracGAN.py

pytestmark = pytest.mark.browser


def _drawn(page) -> int:
    """Charts whose Vega view has drawn something (an svg or canvas inside)."""
    return page.locator(
        '[data-testid="stVegaLiteChart"] svg, [data-testid="stVegaLiteChart"] canvas'
    ).count()


def test_dirac_page_draws_three_charts(server, page):
    open_settled(page, f"{server}/{PATH}")
    wait_for(lambda: charts(page) >= 3 and _drawn(page) >= 3, "three drawn charts", 60)
    no_exception(page)
    assert page.get_by_text("pure rotation: no convergence", exact=False).count() > 0
    # the θ axis title is drawn text on the plane chart
    assert page.get_by_text("θ (generator", exact=False).count() > 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dirac.png"), full_page=True)


def test_dirac_page_follows_the_variant(server, page):
    open_settled(page, f"{server}/{PATH}")
    page.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="NS-GAN + R1").click()
    wait_for(
        lambda: page.get_by_text("damped spiral: converges", exact=False).count() > 0,
        "the R1 verdict",
        60,
    )
    settle(page)
    no_exception(page)
    assert charts(page) >= 3
