"""The Modern GANs page in AppTest: each newer variant is picked, shows its knobs and frame 0,
trains live in the service, and lands in the table beside the classic variants."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from ui_pages import APP, finish, shown_run, tiny

from ganlab.service import SERVICE
from ganlab.ui.modern_view import MODERN, PICK
from ganlab.variants import VARIANTS

PAGE = "app_pages/4_Modern_GANs.py"


def _open(variant: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(PAGE).run()
    assert not at.exception
    if variant != MODERN[0]:
        at.segmented_control(key=PICK).set_value(variant).run()
        assert not at.exception
    return at


def test_the_picker_offers_exactly_the_newer_variants():
    assert set(MODERN) == {"lsgan", "hinge", "r1", "rpgan"}
    at = _open(MODERN[0])
    assert at.segmented_control(key=PICK).options == [VARIANTS[k].label for k in MODERN]


@pytest.mark.slow  # ~5–8 s each: open, pick, shrink, train 30 steps, draw
@pytest.mark.parametrize("v", MODERN)
def test_each_newer_variant_trains_live_and_joins_the_table(v):
    at = _open(v)
    run = shown_run(at, v)
    assert run.cfg.variant == v and run.step == 0  # frame 0 before Start
    penalised = VARIANTS[v].penalty is not None
    assert (f"{v}.r1_gamma" in [s.key for s in at.select_slider]) == penalised
    at = tiny(at, v)
    at.button(key=f"{v}.live.start").click().run()
    assert not at.exception
    finish(at, v)
    run = shown_run(at, v)
    assert run.finished and run.step == 30 and not SERVICE.training(run)
    # six charts, and the |∂D/∂x| panel of a penalised variant
    assert len(at.get("vega_lite_chart")) == (7 if penalised else 6)
    table = at.dataframe[0].value
    this = f"{VARIANTS[v].label} (this page)"
    assert table.loc["steps", this] == "30 of 30"
    assert table.loc["W1", this] != "—"
