"""A variant page in headless Chromium while the training service trains its run: frame 0
before Start, live redraws, Stop, keyboard scrubbing of the replay slider, and Play.

What is read is what a visitor sees: the density chart's title ("seed S · step N"), the
progress text ("training — step N of M") and the buttons' labels. Each test opens its own
session (tests/conftest.py's `page`) on the default 6,000-step Vanilla GAN run and stops it
early; a stopped run keeps its recorded frames (dense in the first steps) for replay.
Screenshots of a failure land in tests/artifacts/live/.
"""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

import pytest
from browser_steps import VARIANT_PAGES, button, charts, no_exception, settle

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "artifacts" / "live"
STEP = re.compile(r"step ([\d,]+)")

pytestmark = pytest.mark.browser


# The density chart's title step and the progress text, in one DOM read.
READ_JS = r"""() => {
  const SEL = '[data-testid="stVegaLiteChart"] .role-title-text, ' +
    '[data-testid="stVegaLiteChart"] .mark-text text';
  let title = null;
  for (const e of document.querySelectorAll(SEL)) {
    const m = /^seed \d+ · step ([\d,]+)/.exec(e.textContent || "");
    if (m) { title = parseInt(m[1].replace(/,/g, ""), 10); break; }
  }
  const p = document.querySelector('[data-testid="stMain"] [data-testid="stProgress"]');
  return {title: title, progress: p ? p.innerText.trim() : null};
}"""


def _read(page) -> tuple[int | None, str]:
    r = page.evaluate(READ_JS)
    return r["title"], r["progress"] or ""


def _title_step(page) -> int | None:
    return _read(page)[0]


def _progress(page) -> str:
    return _read(page)[1]


def _progress_step(text: str) -> int | None:
    m = STEP.search(text)
    return int(m.group(1).replace(",", "")) if m else None


def _shot(page, name: str) -> str:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return str(path)


def _until(page, condition, what: str, seconds: float, name: str):
    """Poll condition() every 50 ms; on time-out, fail with a screenshot and the progress text."""
    deadline = time.time() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.time() > deadline:
            path = _shot(page, name)
            raise AssertionError(
                f"no {what} after {seconds:.0f} s; progress says {_progress(page)!r}, "
                f"density title step {_title_step(page)} (screenshot {path})"
            )
        time.sleep(0.05)


_SEEDS = itertools.count(1000)


def _open(page, server: str) -> None:
    # Each test its own first seed: sessions of one server asking for the same settings share a
    # run (ui/store), and each test starts from step 0.
    page.goto(f"{server}/{VARIANT_PAGES['vanilla']}?seed={next(_SEEDS)}")
    settle(page, 90)
    no_exception(page)
    _until(page, lambda: charts(page) >= 6, "six charts", 30, "open")


def _start(page, name: str) -> None:
    """Press Start and wait until the page says it trains."""
    button(page, "Start").click()
    _until(page, lambda: _progress(page).startswith("training"), "'training' text", 30, name)


def _train_then_stop(page, name: str, past_step: int = 100) -> int:
    """Start, let it pass `past_step` (the first recorded frames), Stop; the step it stopped at."""
    _start(page, name)
    _until(page, lambda: (_title_step(page) or 0) >= past_step, f"step ≥ {past_step}", 90, name)
    button(page, "Stop").click()
    text = _until(page, lambda: _stopped(page), "'stopped — step …' after Stop", 30, name)
    settle(page, 30)
    no_exception(page)
    return _progress_step(text) or 0


def _stopped(page) -> str | None:
    text = _progress(page)
    return text if text.startswith("stopped") else None


def _replay_thumb(page):
    box = page.locator('[data-testid="stMain"] [data-testid="stSlider"]').filter(
        has_text="Replay: step"
    )
    return box.get_by_role("slider").first


def _stop_if_training(page) -> None:
    """Leave no run training on the shared server for the next test."""
    stop = page.locator('[data-testid="stMain"]').get_by_role("button", name="Stop")
    if stop.count() and stop.first.is_enabled():
        stop.first.click()


# --- the tests --------------------------------------------------------------------------------
def test_frame_zero_is_drawn_before_start(server, page):
    _open(page, server)
    assert charts(page) == 6
    assert _progress(page).startswith("not started — step 0"), _progress(page)
    assert _title_step(page) == 0
    assert button(page, "Start").is_enabled()
    _shot(page, "frame0")


def test_live_redraws_show_increasing_steps(server, page):
    _open(page, server)
    try:
        _start(page, "live")
        # the first trained frame (a training process may still be starting), then 3 s
        _until(page, lambda: (_title_step(page) or 0) > 0, "a trained step", 60, "live")
        seen: list[int] = []
        deadline = time.time() + 3.0
        while time.time() < deadline:
            step = _title_step(page)
            if step is not None and (not seen or step != seen[-1]):
                seen.append(step)
            time.sleep(0.03)
        no_exception(page)
        path = _shot(page, "live")
        assert len(set(seen)) >= 3, f"steps drawn in 3 s of training: {seen} ({path})"
        assert seen == sorted(seen), f"steps went backwards: {seen} ({path})"
    finally:
        _stop_if_training(page)


def test_stop_stops_the_step_and_offers_resume(server, page):
    _open(page, server)
    try:
        _start(page, "stop")
        _until(page, lambda: (_title_step(page) or 0) > 0, "a trained step", 60, "stop")
        time.sleep(1.0)  # a few live ticks
        rate_text = page.locator('[data-testid="stMain"] [data-testid="stMetric"]').filter(
            has_text="steps/s"
        )
        rate = float(rate_text.first.inner_text().split("\n")[-1].replace(",", ""))
        t0 = time.time()
        button(page, "Stop").click()
        click_s = time.time() - t0
        # The progress line is the freshest step on screen (the density chart can lag it by
        # a redraw); read right after the click returns, it bounds the step the click landed at.
        shown = _progress_step(_progress(page)) or 0
        text = _until(page, lambda: _stopped(page), "'stopped' text after Stop", 30, "stop")
    finally:
        _stop_if_training(page)
    stopped_at = _progress_step(text)
    # Training stops within ~1 s of the click landing: at most a second's worth of steps (plus
    # one live tick the screen may lag by) beyond the step on screen when the click returned.
    allowed = rate * (1.0 + 0.5) + 64
    assert stopped_at is not None and stopped_at - shown <= allowed, (
        f"shown {shown} after Stop, stopped at {stopped_at}; {rate} steps/s, click {click_s:.2f} s"
    )
    # … and then stays: the step on screen does not change any more.
    time.sleep(1.0)
    first = _read(page)
    time.sleep(2.0)
    later = _read(page)
    path = _shot(page, "stopped")
    assert first == later, f"still changing after Stop: {first} then {later} ({path})"
    assert later[0] == stopped_at, f"title step {later[0]}, progress says {later[1]!r}"
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_role("button", name=re.compile(r"^Resume")).count() == 1, path
    no_exception(page)


def test_keyboard_scrub_changes_the_density_step(server, page):
    _open(page, server)
    try:
        stopped_at = _train_then_stop(page, "scrub")
    finally:
        _stop_if_training(page)
    thumb = _replay_thumb(page)
    thumb.wait_for(timeout=30_000)
    assert _title_step(page) == stopped_at
    thumb.focus()
    seen = [stopped_at]
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
        step = _until(
            page,
            lambda: (s := _title_step(page)) is not None and s != seen[-1] and s,
            "a new density step after ArrowLeft",
            20,
            "scrub",
        )
        seen.append(step)
    assert seen == sorted(seen, reverse=True), f"ArrowLeft should go back in time: {seen}"
    _until(page, lambda: _progress(page).startswith("replay"), "'replay' text", 10, "scrub")
    assert _progress_step(_progress(page)) == seen[-1]
    no_exception(page)
    _shot(page, "scrubbed")


def test_play_moves_through_the_recorded_steps(server, page):
    _open(page, server)
    try:
        _train_then_stop(page, "play")
    finally:
        _stop_if_training(page)
    thumb = _replay_thumb(page)
    thumb.wait_for(timeout=30_000)
    thumb.focus()
    page.keyboard.press("Home")  # the first recorded frame: Play goes forward from there
    _until(page, lambda: _title_step(page) == 0, "step 0 after Home", 20, "play")
    button(page, "Play").click()
    seen = [0]
    deadline = time.time() + 10.0
    while time.time() < deadline and len(seen) < 3:
        step = _title_step(page)
        if step is not None and step != seen[-1]:
            seen.append(step)
        time.sleep(0.05)
    path = _shot(page, "playing")
    assert len(seen) >= 3, f"Play drew only the steps {seen} in 10 s ({path})"
    assert seen == sorted(seen), f"Play went backwards: {seen} ({path})"
    no_exception(page)
    pause = page.locator('[data-testid="stMain"]').get_by_role("button", name="Pause")
    if pause.count():  # still playing: leave the page quiet
        pause.first.click()
