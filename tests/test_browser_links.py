"""A seminar on one link, in headless Chromium against the real server: a variant-page link
opens exactly its run (a lesson on a custom mixture), a reload (F5) keeps the visitor's run, and
a second visitor opening the same link attaches to the run in progress instead of training it
again — and that visitor's Stop does not stop it for the first."""

from __future__ import annotations

import re
import time

import pytest
from browser_steps import (
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
LESSON_LINK = "preset=strong-d-collapse&target=custom&mix=0.25:-1.0:0.5,0.75:3.5:0.25&seeds=2"


def _open(page, url: str) -> None:
    page.goto(url)
    settle(page, 90)
    no_exception(page)


def _sidebar_value(page, label: str) -> str:
    """What a sidebar selectbox shows (its combobox input's value)."""
    box = page.locator(f'[data-testid="stSidebar"] input[aria-label="{label}"]')
    return box.first.input_value()


def test_a_lesson_link_on_a_custom_mixture_opens_that_run(server, page):
    url = f"{server}/{VARIANT_PAGES['vanilla']}?{LESSON_LINK}"
    _open(page, url)
    assert "lesson: Strong D, weak G" in _sidebar_value(page, "Preset")
    assert "custom Gaussian mixture" in _sidebar_value(page, "Target")
    # the mixture's rows are in the table, and the link stays as it was given
    assert page.url == url.replace(",", "%2C") or page.url == url
    sidebar = page.locator('[data-testid="stSidebar"]')
    # the link's rerun may still be drawing the sidebar when the page first settles
    seeds = sidebar.get_by_text("number of seeds")
    wait_for(lambda: seeds.count() == 1, "the link's seeds setting in the sidebar", 30)
    # the frame-0 density chart names seed 0 of 2 runs ("seed 0 · step 0")
    wait_for(lambda: page.get_by_text("step 0").count() > 0, "frame 0 of the linked run", 60)


def test_a_reload_keeps_the_visitors_run(server, page):
    url = f"{server}/{VARIANT_PAGES['vanilla']}?seed=2001"
    _open(page, url)
    button(page, "Start").click()
    wait_for(lambda: shown_step(page) >= 200, "step 200 on screen", 90)
    button(page, "Stop").click()
    wait_for(lambda: progress(page).startswith("stopped"), "'stopped' after Stop", 60)
    stopped = shown_step(page)
    page.reload()
    settle(page, 90)
    no_exception(page)
    wait_for(lambda: progress(page).startswith("stopped"), "the run after F5", 60)
    assert shown_step(page) == stopped
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_role("button", name=re.compile(r"^Resume")).count() == 1


def test_a_second_visitor_attaches_to_the_run_inprogress(server, browser, page):
    # 60 000 steps: the run must still be training when the owner presses Stop, some 10 s of
    # page opening and clicking after step 100 (a default 6 000-step run on a loaded machine
    # could finish first, and the page then says "finished", rightly).
    url = f"{server}/{VARIANT_PAGES['vanilla']}?seed=3001&steps=60000"
    _open(page, url)
    button(page, "Start").click()
    wait_for(lambda: shown_step(page) >= 100, "the first visitor's step 100", 90)
    with new_page(browser) as other:
        _open(other, url)
        # no Start pressed here: the page shows the same run, already past step 100, training
        wait_for(lambda: progress(other).startswith("training"), "'training' for the 2nd", 60)
        assert shown_step(other) >= 100
        main = other.locator('[data-testid="stMain"]')
        assert main.get_by_role("button", name=re.compile(r"^Training…")).count() == 1
        # the second visitor's Stop leaves the first visitor's training going
        button(other, "Stop").click()
        wait_for(
            lambda: other.get_by_text("other visitor is training this same run").count() > 0,
            "the toast that says why it goes on",
            30,
        )
        before = shown_step(page)
        time.sleep(2.0)
        assert progress(page).startswith("training") and shown_step(page) > before
    button(page, "Stop").click()
    wait_for(lambda: progress(page).startswith("stopped"), "'stopped' after the owner's Stop", 60)
    no_exception(page)


def test_a_restarted_server_still_shows_a_finished_comparison(browser, tmp_path, monkeypatch):
    """Finished results persist on disk (ganlab.result_store): a new server process, with
    nothing in memory, opens the same Compare link with its verdict — no Run pressed."""
    from appserver import running_app
    from browser_steps import COMPARE_TINY, run_comparison

    monkeypatch.setenv("GANLAB_RESULTS_DIR", str(tmp_path))
    with running_app() as (url, _), new_page(browser) as page:
        run_comparison(page, f"{url}/{COMPARE_TINY}")
        verdict = page.get_by_text("Verdict.", exact=True).locator("..").inner_text()
    assert list(tmp_path.glob("*.npz")), "the finished comparison was not stored"
    with running_app() as (url, _), new_page(browser) as page:
        _open(page, f"{url}/{COMPARE_TINY}")
        wait_for(lambda: page.get_by_text("Verdict.", exact=True).count() > 0, "the verdict", 60)
        assert page.get_by_text("Verdict.", exact=True).locator("..").inner_text() == verdict
        main = page.locator('[data-testid="stMain"]')
        assert main.get_by_role("button", name=re.compile(r"^Finished\b")).count() == 1


def test_the_default_comparison_opens_finished_from_the_shipped_gallery(browser, monkeypatch):
    """Before anyone presses Run, the Compare page shows the gallery's stored comparison and
    says where it comes from and how to make it again."""
    from appserver import running_app

    from ganlab import gallery

    monkeypatch.setenv("GANLAB_GALLERY_DIR", str(gallery.SHIPPED))
    with running_app() as (url, _), new_page(browser) as page:
        _open(page, f"{url}/Compare")
        wait_for(lambda: page.get_by_text("Verdict.", exact=True).count() > 0, "the verdict", 60)
        assert page.get_by_text("stored: the gallery shipped with ganlab").count() >= 1
        main = page.locator('[data-testid="stMain"]')
        assert main.get_by_role("button", name=re.compile(r"^Finished\b")).count() == 1
        no_exception(page)
