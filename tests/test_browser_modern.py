"""The Modern GANs page in headless Chromium: the picker switches the variant (its idea, its
knob, its charts), and the chosen variant trains live and stops."""

from __future__ import annotations

import re
import time

import pytest
from browser_steps import button, charts, no_exception, progress, settle, wait_for

pytestmark = pytest.mark.browser


def test_pick_rpgan_train_it_live_and_stop(server, page):
    page.goto(f"{server}/Modern_GANs")
    settle(page, 90)
    no_exception(page)
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_role("radio", name="LSGAN").is_checked()
    main.get_by_role("radio", name="RpGAN + R1 + R2").click()
    wait_for(lambda: main.get_by_text("relativistic pairing loss").count() > 0, "RpGAN's idea")
    settle(page, 60)
    # its γ in the sidebar, and seven charts: the six, and |∂D/∂x| against its target 0
    assert page.locator('[data-testid="stSidebar"]').get_by_text("γ", exact=True).count() == 1
    wait_for(lambda: charts(page) == 7, "seven charts")
    button(page, "Start").click()
    wait_for(lambda: progress(page).startswith("training"), "'training' text", 60)
    wait_for(lambda: re.search(r"step [1-9]", progress(page)) is not None, "a trained step", 60)
    time.sleep(1.0)
    button(page, "Stop").click()
    wait_for(lambda: progress(page).startswith("stopped"), "'stopped' after Stop", 60)
    no_exception(page)
