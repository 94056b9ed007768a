"""Shared test set-up: the `slow` marker's rule for browser tests, and where helpers live.

Helper modules sit beside the tests and are imported by name; no test module imports another
(tests/test_layering.py checks it):
  chart_checks.py  walk a Vega-Lite dict for encodings, titles and inline datasets
  ui_pages.py      drive the variant pages through AppTest (open, shrink, read the runs)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
# Helpers are importable whatever pytest's --import-mode (rootdir-relative "prepend" adds this
# folder anyway; "importlib" does not).
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A browser test starts the app and Chromium: it is slow, whatever its file says."""
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)
