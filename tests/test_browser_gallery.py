"""Before class, in headless Chromium against the real server with the shipped gallery: a variant
page and a lesson link open on their finished run — at its last step, with its replay, saying it
is stored and how it was made — and Train it live trains the same settings from step 0."""

from __future__ import annotations

import re
import time

import pytest
from appserver import running_app
from browser_steps import VARIANT_PAGES, button, new_page, no_exception, progress, settle, wait_for

from ganlab import gallery

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def gallery_server(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GANLAB_GALLERY_DIR", str(gallery.SHIPPED))
        mp.setenv("GANLAB_RESULTS_DIR", str(tmp_path_factory.mktemp("results")))
        with running_app() as (url, _):
            yield url


def _opened_finished(page, url: str) -> float:
    """Open url; the seconds until the finished run's progress text is on screen."""
    t0 = time.perf_counter()
    page.goto(url)
    wait_for(lambda: progress(page).startswith("finished — step"), "a finished run", 60)
    seconds = time.perf_counter() - t0
    settle(page)
    no_exception(page)
    return seconds


def test_a_variant_page_opens_on_its_stored_run_with_its_replay(gallery_server, browser):
    with new_page(browser) as page:
        seconds = _opened_finished(page, f"{gallery_server}/{VARIANT_PAGES['vanilla']}")
        print(f"vanilla page on its stored run in {seconds:.1f} s")
        assert progress(page) == "finished — step 6,000 of 6,000"
        main = page.locator('[data-testid="stMain"]')
        assert main.get_by_text("A stored result: trained before class").count() == 1
        assert main.get_by_text(gallery.COMMAND).count() >= 1
        assert main.get_by_text(re.compile(r"Replay: step \(\d+ recorded frames\)")).count() == 1
        assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 6
        # the side-by-side table of the finished run is there too
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
        button(page, "Train it live").click()
        wait_for(lambda: progress(page).startswith("training — step"), "the live run", 60)
        button(page, "Stop").click()
        wait_for(lambda: progress(page).startswith("stopped — step"), "the stop", 60)
        no_exception(page)


def test_a_lesson_link_opens_on_its_stored_run(gallery_server, browser):
    with new_page(browser) as page:
        url = f"{gallery_server}/{VARIANT_PAGES['vanilla']}?preset=strong-d-collapse"
        seconds = _opened_finished(page, url)
        print(f"lesson link on its stored run in {seconds:.1f} s")
        assert progress(page) == "finished — step 2,000 of 2,000"
        assert page.get_by_text("A stored result").count() == 1
