"""Shared test set-up: the browser tests' rules and fixtures, and where helpers live.

Helper modules sit beside the tests (or in bench/, shared with the benches) and are imported by
name; no test module imports another (tests/test_layering.py checks it):
  chart_checks.py          walk a Vega-Lite dict for encodings, titles and inline datasets
  ui_pages.py              drive the variant pages through AppTest (open, shrink, read the runs)
  bench/appserver.py       start the real app (or any script) on a free port; launch Chromium
  bench/browser_steps.py   drive the app's pages in Chromium (settle, train, compare)

Browser tests (marked `browser`) get the fixtures below: `server` (the app's URL, one server per
test module), `browser` (Debian's Chromium, one per module) and `page` (a fresh context each).
"""

from __future__ import annotations

import gc
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import pytest

# Finished results persist on disk (ganlab.result_store): the tests keep theirs in a folder of
# their own, set before ganlab is imported, so no run of the suite sees another's.
os.environ["GANLAB_RESULTS_DIR"] = tempfile.mkdtemp(prefix="ganlab-results-test-")
# … and pages open without the shipped gallery (tests/test_gallery.py reads it itself), so a
# default comparison is not already finished.
os.environ["GANLAB_GALLERY_DIR"] = tempfile.mkdtemp(prefix="ganlab-gallery-test-")

TESTS = Path(__file__).resolve().parent
BENCH = TESTS.parent / "bench"
# Helpers are importable whatever pytest's --import-mode (rootdir-relative "prepend" adds this
# folder anyway; "importlib" does not). bench/ goes last, so it shadows nothing.
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))
if str(BENCH) not in sys.path:
    sys.path.append(str(BENCH))

from appserver import CHROMIUM, launch_chromium, running_app  # noqa: E402


def _browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"no {CHROMIUM} (apt-get install -y chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "no playwright (pip install -e '.[test]')"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A browser test starts the app and Chromium: it is slow, whatever its file says. Without
    Chromium or Playwright it is skipped, except in CI, which must run it."""
    browser = [item for item in items if item.get_closest_marker("browser")]
    for item in browser:
        if not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)
    missing = _browser_missing() if browser else None
    if missing and os.environ.get("CI"):
        raise pytest.UsageError(f"CI must run the browser tests: {missing} (.ci/run)")
    if missing:
        for item in browser:
            item.add_marker(pytest.mark.skip(reason=missing))


@pytest.fixture(scope="module")
def server():
    """The URL of the real app (`streamlit run app.py`), started once per test module."""
    with pytest.MonkeyPatch.context() as mp:
        # each module's server starts with an empty result store (as its memory is empty)
        mp.setenv("GANLAB_RESULTS_DIR", tempfile.mkdtemp(prefix="ganlab-results-server-"))
        with running_app() as (url, _):
            yield url


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through Playwright, launched once per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (its own session) with one page, closed after the test."""
    from browser_steps import new_page

    with new_page(browser) as pg:
        yield pg


@pytest.fixture(autouse=True)
def _no_training_left_behind():
    """A test's runs stop training when it ends: the process's one training service must not
    spend the next tests' CPU (or their server budget) on them."""
    yield
    if "ganlab.service" in sys.modules:
        sys.modules["ganlab.service"].SERVICE.stop_all()
    if "ganlab.result_store" in sys.modules:  # what a test finished is not the next one's start
        sys.modules["ganlab.result_store"].clear()
    if "ganlab.budget" in sys.modules:
        # A test's runs leave the budgets' ledger when they are collected; runs in reference
        # cycles (an AppTest's session) wait for a collection. AppTest's sessions all count as
        # one visitor, so leftovers could make the next test's run exceed the visitor's cap.
        gc.collect()
