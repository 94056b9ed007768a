"""Presentation mode on a projector's screen, in headless Chromium against the real server: at
1280×720 with `?present=true`, after training live and stopping, the Start and Stop buttons and
the four key charts are inside the viewport (their rendered bounding boxes), in the light theme
and in the dark one, one click away in the app menu. Stop is pressed with its keyboard shortcut.
Screenshots: tests/artifacts/present/ (bench/screenshots.py-style names, looked at by eye)."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

import pytest
from browser_steps import (
    STOPPED,
    TRAINED_STEPS,
    VARIANT_PAGES,
    button,
    new_page,
    no_exception,
    progress,
    settle,
    shown_step,
    wait_for,
)

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "artifacts" / "present"
PROJECTOR = {"width": 1280, "height": 720}
_SEEDS = itertools.count(2000)  # each test its own run (same settings would share one)


def _keyed(page, key: str):
    """The element Streamlit draws for the widget or chart with this key: its class is st-key-
    and the key with every character but letters, digits, _ and - made a hyphen."""
    return page.locator(f".st-key-{re.sub(r'[^a-zA-Z0-9_-]', '-', key)}").first


def _chart(page, n: int):
    """The page's n-th chart (0-based, in reading order); the grid's four come first."""
    return page.locator('[data-testid="stMain"] [data-testid="stVegaLiteChart"]').nth(n)


def _train_and_stop(page, url: str) -> None:
    page.goto(url)
    settle(page, 90)
    no_exception(page)
    button(page, "Start").click()
    wait_for(lambda: shown_step(page) >= TRAINED_STEPS, f"step {TRAINED_STEPS} on screen")
    time.sleep(1)  # a few more live ticks
    no_exception(page)
    page.keyboard.press("x")  # Stop's shortcut (no text field has the focus)
    wait_for(lambda: STOPPED.search(progress(page)) is not None, "'stopped' after X", 60)
    settle(page, 30)
    no_exception(page)


def _inside(box: dict | None) -> bool:
    if box is None or box["width"] < 1 or box["height"] < 1:
        return False
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= PROJECTOR["width"]
        and box["y"] + box["height"] <= PROJECTOR["height"]
    )


@pytest.mark.parametrize(
    ("name", "path", "v", "theme"),
    [
        ("vanilla", VARIANT_PAGES["vanilla"], "gan", "Light"),
        ("vanilla", VARIANT_PAGES["vanilla"], "gan", "Dark"),
        ("modern", "Modern_GANs", "lsgan", "Light"),  # its picker moves to the sidebar
    ],
)
def test_buttons_and_four_charts_fit_a_1280x720_projector(server, browser, name, path, v, theme):
    url = f"{server}/{path}?present=true&seed={next(_SEEDS)}"
    with new_page(browser, viewport=PROJECTOR) as page:
        page.goto(url)
        settle(page, 90)
        # the theme switch: the ⋮ menu, then Light / Dark
        page.locator('[data-testid="stMainMenu"]').click()
        page.get_by_role("menuitemradio", name=theme).click()
        page.keyboard.press("Escape")
        _train_and_stop(page, url)
        assert page.locator('[data-testid="stSidebar"]').bounding_box()["x"] < 0  # folded
        boxes = {n: _chart(page, n).bounding_box() for n in range(4)}
        boxes |= {k: _keyed(page, f"{v}.live.{k}").bounding_box() for k in ("start", "stop")}
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / f"{name}-1280x720-{theme.lower()}.png"
        page.screenshot(path=str(shot))
        outside = {k: b for k, b in boxes.items() if not _inside(b)}
        assert not outside, f"outside the 1280×720 viewport: {outside} (screenshot {shot})"
        # the first is the density chart (its moment label is SVG text), at the stopped step
        assert f"step {shown_step(page):,}" in _chart(page, 0).inner_text()
        for n in range(4):  # drawn, not just laid out: each holds its picture at full size
            drawn = _chart(page, n).locator("canvas, svg.marks").first.bounding_box()
            assert drawn is not None and drawn["height"] > 200, (n, drawn)
        # a 2×2 grid, right of the buttons
        assert boxes[0]["y"] == boxes[1]["y"] < boxes[2]["y"] == boxes[3]["y"]
        assert boxes[0]["x"] == boxes[2]["x"] < boxes[1]["x"] == boxes[3]["x"]
        assert boxes["start"]["x"] + boxes["start"]["width"] < boxes[0]["x"]
        body = page.evaluate("getComputedStyle(document.querySelector('.stApp')).backgroundColor")
        assert (body == "rgb(14, 17, 23)") == (theme == "Dark"), body


def test_compare_fits_a_1280x720_projector_while_training_and_with_its_verdict(server, browser):
    """Compare in presentation mode: the Run and Stop buttons and the four key charts (three
    densities, W1) inside the viewport while the comparison trains live (started with S) and
    once the verdict is in, which takes the place beside the title."""
    url = f"{server}/Compare?present=true&seed={next(_SEEDS)}&steps=400"
    with new_page(browser, viewport=PROJECTOR) as page:
        page.goto(url)
        settle(page, 90)
        no_exception(page)
        page.keyboard.press("s")  # Run comparison's shortcut
        wait_for(lambda: _chart(page, 3).count() > 0, "the live charts", 120)

        def boxes() -> dict:
            out = {n: _chart(page, n).bounding_box() for n in range(4)}
            return out | {k: _keyed(page, f"cmp.{k}").bounding_box() for k in ("run", "stop")}

        SHOTS.mkdir(parents=True, exist_ok=True)
        for moment in ("live", "verdict"):
            if moment == "verdict":
                wait_for(lambda: page.get_by_text("Verdict.", exact=True).count(), "verdict", 300)
                settle(page, 30)
            no_exception(page)
            shot = SHOTS / f"compare-{moment}-1280x720.png"
            page.screenshot(path=str(shot))
            seen = boxes()
            outside = {k: b for k, b in seen.items() if not _inside(b)}
            assert not outside, f"outside the 1280×720 viewport: {outside} (screenshot {shot})"
            assert len({seen[n]["y"] for n in range(4)}) == 1  # one row
            titles = ("Vanilla GAN, step", "WGAN (clip), step", "WGAN-GP, step", "W1 to the")
            for n, title in enumerate(titles):  # the titles are SVG text
                assert title in _chart(page, n).inner_text(), (n, title)
        verdict = page.get_by_text("Verdict.", exact=True).bounding_box()
        assert _inside(verdict) and verdict["y"] < seen[0]["y"]  # beside the title, on screen
