"""A variant page's whole run in its link: a link opens exactly that run (preset or lesson,
target or custom mixture, every setting), the page writes its settings back into the link with
the defaults left out, and its own link never overrides what the visitor changes next."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ganlab.config import preset
from ganlab.lessons import LESSONS
from ganlab.targets import TARGETS
from ganlab.user_targets import mixture

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = {
    "gan": "app_pages/1_Vanilla_GAN.py",
    "wgan": "app_pages/2_WGAN.py",
    "wgan-gp": "app_pages/3_WGAN-GP.py",
    "modern": "app_pages/4_Modern_GANs.py",
    "sampling": "app_pages/6_Inverse_transform.py",
    "slerp": "app_pages/7_Slerp_vs_lerp.py",
    "dirac": "app_pages/5_DiracGAN.py",
}


def open_link(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(PAGES[page]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def said(at: AppTest) -> str:
    """Every warning on the page, with ui.text.plain's Markdown escapes undone."""
    shown = " ".join(w.value for w in at.warning).replace("\u2060", "")
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", shown)


def link(at: AppTest) -> dict[str, str]:
    return {k: at.query_params[k] for k in at.query_params}


def test_a_fresh_page_has_an_empty_link():
    at = open_link("gan", {})
    assert link(at) == {}
    assert at.session_state["gan.cfg"] == preset("gan", "tuned")


def test_a_lesson_on_a_custom_mixture_opens_exactly_that_run():
    at = open_link(
        "gan",
        {
            "preset": "strong-d-collapse",
            "target": "custom",
            "mix": "0.25:-1:0.5,0.75:3.5:0.25",
            "lr_g": "0.002",
            "seeds": "3",
        },
    )
    want = LESSONS["strong-d-collapse"].config(
        target=mixture([(0.25, -1.0, 0.5), (0.75, 3.5, 0.25)]), lr_g=2e-3, n_seeds=3
    )
    assert at.session_state["gan.cfg"] == want
    assert at.selectbox(key="gan.preset").value == "strong-d-collapse"
    assert at.selectbox(key="gan.target").value == "custom mixture"
    assert not [w for w in at.warning if "link" in w.value]


def test_the_link_the_page_writes_reopens_the_same_run():
    at = open_link("wgan-gp", {})
    at.selectbox(key="wgan-gp.preset").set_value("paper").run()
    at.selectbox(key="wgan-gp.target").set_value("mixture").run()
    at.select_slider(key="wgan-gp.gp_lambda").set_value(0.5).run()
    at.number_input(key="wgan-gp.steps").set_value(1500).run()
    cfg = at.session_state["wgan-gp.cfg"]
    assert cfg.gp_lambda == 0.5 and cfg.steps == 1500 and cfg.target == TARGETS["mixture"]
    written = link(at)
    # Only what differs from the paper preset, spelled as the declaration's link names.
    assert written == {"preset": "paper", "target": "mixture", "lambda": "0.5", "steps": "1500"}
    again = open_link("wgan-gp", written)
    assert again.session_state["wgan-gp.cfg"] == cfg
    assert link(again) == written


def test_the_visitor_changes_a_linked_page_and_the_link_follows():
    at = open_link("gan", {"lr_g": "0.01"})
    assert at.session_state["gan.cfg"].lr_g == 0.01
    at.select_slider(key="gan.lr_g").set_value(1e-4).run()  # not reset to the link's 0.01
    assert at.session_state["gan.cfg"].lr_g == 1e-4
    assert link(at) == {"lr_g": "0.0001"}


def test_the_modern_page_link_names_its_variant():
    at = open_link("modern", {"variant": "r1", "gamma": "5"})
    assert at.session_state["modern.variant"] == "r1"
    assert at.session_state["r1.cfg"] == preset("r1", "tuned", r1_gamma=5.0)
    assert link(at) == {"variant": "r1", "gamma": "5"}
    at.session_state["modern.variant"] = "hinge"
    at.run()
    assert at.session_state["modern.variant"] == "hinge"  # the old link does not pull it back
    assert link(at) == {"variant": "hinge"}
    assert at.session_state["hinge.cfg"] == preset("hinge", "tuned")


@pytest.mark.parametrize(
    ("params", "why"),
    [
        ({"target": "custom"}, "target=custom needs its mixture"),
        ({"target": "custom", "mix": "1:0:0"}, "std 0 must be greater than 0"),
        ({"target": "custom", "mix": "1:0"}, "mix component 1 (1:0) is not weight:mean:std"),
        ({"target": "normal", "mix": "1:0:1"}, "mix is only read with target=custom"),
        ({"batch_size": "512", "data_size": "256"}, "batch size 512 is larger than the data"),
    ],
)
def test_a_link_that_cannot_run_says_why_and_keeps_the_page(params, why):
    at = open_link("gan", params)
    shown = said(at)
    assert "This link's settings can't run" in shown and why in shown
    assert at.session_state["gan.cfg"] == preset("gan", "tuned")


def test_a_lesson_of_another_variant_is_named_and_ignored():
    at = open_link("wgan", {"preset": "strong-d-collapse", "steps": "700"})
    shown = said(at)
    assert "preset=strong-d-collapse is not one of tuned, paper" in shown
    assert at.session_state["wgan.cfg"] == preset("wgan", "tuned", steps=700)


# --- the teaching pages: their widgets in the link ------------------------------------------------
@pytest.mark.parametrize(
    ("page", "params", "widgets"),
    [
        (
            "sampling",
            {"seed": "3", "source": "other", "target": "mixture", "u": "0.7"},
            {
                "sampling.seed": 3,
                "sampling.source": "built-in, custom mixture or your data",
                "sampling.target": "mixture",
                "sampling.u": 0.7,
            },
        ),
        ("sampling", {"rate": "2.5"}, {"sampling.rate": 2.5}),
        (
            "slerp",
            {"d": "64", "points": "41", "seed": "7", "pairs": "100"},
            {"interp.d": 64, "interp.points": 41, "interp.seed": 7, "interp.pairs": 100},
        ),
        (
            "dirac",
            {"variant": "wgan-gp", "mode": "alternating", "h": "0.1", "wgan-gp_n_critic": "3"},
            {
                "dirac.variant": "WGAN-GP",
                "dirac.mode": "alternating",
                "dirac.h": 0.1,
                "dirac.wgan-gp.n_critic": 3,
            },
        ),
    ],
)
def test_a_teaching_page_link_sets_its_widgets_and_is_written_back(page, params, widgets):
    at = open_link(page, params)
    for key, value in widgets.items():
        assert at.session_state[key] == value, key
    assert link(at) == params  # the page writes the same link back: nothing lost, no defaults
    assert not said(at)


def test_a_teaching_page_writes_a_changed_widget_into_its_link():
    at = open_link("slerp", {})
    assert link(at) == {}
    at.slider(key="interp.points").set_value(33).run()
    assert link(at) == {"points": "33"}
    again = open_link("slerp", link(at))
    assert again.session_state["interp.points"] == 33
