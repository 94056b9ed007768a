"""The three variant pages through AppTest: train, draw, keep runs, and explain bad input."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from ui_pages import PAGES, open_page, runs, shown_run, tiny

from ganlab.config import PRESETS
from ganlab.ui import live

LABELS = {"gan": "Vanilla GAN", "wgan": "WGAN (clip)", "wgan-gp": "WGAN-GP"}


@pytest.fixture(autouse=True)
def short_ticks(monkeypatch):
    """AppTest runs the page in this process: a shorter tick keeps the tests fast."""
    monkeypatch.setattr(live, "TRAIN_S", 0.2)


def train(at: AppTest, v: str, ticks: int = 10) -> AppTest:
    """Press Start; each at.run() is one fragment tick (run_every never fires in AppTest)."""
    at.button(key=f"{v}.live.start").click().run()
    for _ in range(ticks):
        if not at.session_state[f"{v}.live.running"]:
            break
        at.run()
    assert not at.exception
    return at


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


@pytest.mark.parametrize("v", list(PAGES))
def test_page_trains_with_a_preset_and_draws_charts_and_table(v):
    at = open_page(v)
    at.selectbox(key=f"{v}.target").set_value("normal").run()
    at.selectbox(key=f"{v}.preset").set_value("paper").run()
    assert at.select_slider(key=f"{v}.lr_g").value == PRESETS[v]["paper"]["lr_g"]
    train(tiny(at, v), v)

    run = shown_run(at, v)
    assert run.cfg.variant == v and run.cfg.target.name == "normal"
    assert run.cfg.lr_g == PRESETS[v]["paper"]["lr_g"]
    assert run.finished and run.step == 30
    # six charts, plus the constraint panel (|f'| or weights) for the Wasserstein variants
    assert len(charts(at)) == (6 if v == "gan" else 7)
    table = at.dataframe[0].value
    this = f"{LABELS[v]} (this page)"
    assert this in table.columns and "target / noise floor" in table.columns
    assert table.loc["steps", this] == "30 of 30"
    assert table.loc["W1", this] != "—"
    others = [c for c in table.columns if c.split(" (")[0] in LABELS.values() and c != this]
    assert all(table.loc["steps", c] == "not run yet" for c in others)
    assert "blind to shape" in texts(at.caption)


@pytest.mark.slow
def test_stop_keeps_the_run_and_start_resumes_it():
    v = "gan"
    at = tiny(open_page(v), v, steps=100_000)
    at.button(key=f"{v}.live.start").click().run()  # one tick: the first short slice
    first = shown_run(at, v).step
    assert 0 < first < 100_000 and at.session_state[f"{v}.live.running"]
    at.button(key=f"{v}.live.stop").click().run()
    assert not at.session_state[f"{v}.live.running"]
    at.run()
    run = shown_run(at, v)
    assert run.step == first  # stopped: no more training, nothing thrown away
    assert at.button(key=f"{v}.live.start").label == "Resume"
    at.button(key=f"{v}.live.start").click().run()
    assert shown_run(at, v) is run and run.step > first
    at.button(key=f"{v}.live.stop").click().run()
    at.button(key=f"{v}.live.reset").click().run()
    assert not runs(at) and not at.exception


@pytest.mark.slow
def test_step_trains_exactly_one_epoch():
    v = "wgan"
    at = tiny(open_page(v), v, steps=1000)
    at.button(key=f"{v}.live.step").click().run()
    run = shown_run(at, v)
    assert run.step == run.cfg.steps_per_epoch and not at.session_state[f"{v}.live.running"]
    at.button(key=f"{v}.live.step").click().run()
    assert run.step == 2 * run.cfg.steps_per_epoch and not at.exception


@pytest.mark.slow
def test_switching_pages_keeps_every_run():
    at = train(tiny(open_page("gan"), "gan"), "gan")
    gan_run = shown_run(at, "gan")
    at.switch_page(PAGES["wgan"]).run()
    assert not at.exception
    # the WGAN page starts on the same target and shows the vanilla run in its table
    table = at.dataframe[0].value
    assert table.loc["steps", LABELS["gan"]] == "30 of 30"
    assert table.loc["steps", f"{LABELS['wgan']} (this page)"] == "not run yet"
    at.switch_page(PAGES["gan"]).run()
    assert not at.exception
    assert shown_run(at, "gan") is gan_run and gan_run.step == 30
    assert at.number_input(key="gan.steps").value == 30  # settings kept too
    assert len(charts(at)) == 6


@pytest.mark.slow
def test_a_changed_setting_says_it_needs_a_new_model_and_keeps_the_run():
    v = "wgan"
    at = train(tiny(open_page(v), v), v)
    old = shown_run(at, v)
    at.select_slider(key=f"{v}.lr_g").set_value(0.01).run()
    assert "need a new model" in texts(at.warning) and "learning rate" in texts(at.warning)
    assert shown_run(at, v) is old  # still shown, not discarded
    assert at.button(key=f"{v}.live.start").label == "Start new run"
    train(at, v)
    assert shown_run(at, v).cfg.lr_g == 0.01 and len(runs(at)) == 2
    # back to the old setting: the kept run is found again, never trained twice
    at.select_slider(key=f"{v}.lr_g").set_value(old.cfg.lr_g).run()
    assert shown_run(at, v) is old and len(runs(at)) == 2


@pytest.mark.slow
def test_custom_mixture_and_uploaded_csv_train():
    v = "gan"
    at = tiny(open_page(v), v)
    at.selectbox(key=f"{v}.target").set_value("custom mixture").run()
    train(at, v)
    assert shown_run(at, v).cfg.target.components is not None  # the table's default rows
    data = "\n".join(f"{x:.4f}" for x in np.random.default_rng(1).normal(3.0, 0.5, 300))
    at.selectbox(key=f"{v}.target").set_value("uploaded data").run()
    at.file_uploader(key=f"{v}.target.upload").set_value(
        ("heights.csv", data.encode(), "text/csv")
    ).run()
    assert "need a new model" in texts(at.warning)  # the mixture run stays until Start
    train(at, v)
    run = shown_run(at, v)
    assert run.cfg.target.name == "heights.csv" and run.step == 30 and len(runs(at)) == 2
    assert at.dataframe[-1].value.loc["steps", f"{LABELS[v]} (this page)"] == "30 of 30"


def test_bad_custom_mixture_shows_the_message_not_an_exception():
    v = "gan"
    at = open_page(v)
    at.selectbox(key=f"{v}.target").set_value("custom mixture").run()
    at.session_state[f"{v}.target.mixture"] = {
        "edited_rows": {0: {"std": -1.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert "mixture can't be used" in texts(at.error)
    assert at.button(key=f"{v}.live.start").disabled


def test_bad_csv_shows_the_message_not_an_exception():
    v = "wgan-gp"
    at = open_page(v)
    at.selectbox(key=f"{v}.target").set_value("uploaded data").run()
    at.file_uploader(key=f"{v}.target.upload").set_value(
        ("bad.csv", b"height\nabc\nxyz\n", "text/csv")
    ).run()
    assert not at.exception
    assert "bad.csv can't be used" in texts(at.error)
    assert at.button(key=f"{v}.live.start").disabled


def test_settings_that_cannot_run_are_explained():
    v = "gan"
    at = open_page(v)
    at.select_slider(key=f"{v}.data_size").set_value(256)
    at.select_slider(key=f"{v}.batch_size").set_value(512).run()
    assert not at.exception
    assert "batch size 512 is larger than the data set (256 samples)" in texts(at.error)
    assert at.button(key=f"{v}.live.start").disabled


@pytest.mark.slow
def test_a_diverged_run_shows_a_warning_with_the_step():
    v = "wgan-gp"
    at = tiny(open_page(v), v)
    at.selectbox(key=f"{v}.g_opt").set_value("sgd")
    at.selectbox(key=f"{v}.d_opt").set_value("sgd")
    at.select_slider(key=f"{v}.lr_g").set_value(1.0)
    at.select_slider(key=f"{v}.lr_d").set_value(1.0)
    at.select_slider(key=f"{v}.gp_lambda").set_value(100.0)
    at.toggle(key=f"{v}.standardize").set_value(False).run()
    train(at, v)
    run = shown_run(at, v)
    assert run.diverged_at[0] >= 0
    assert f"seed 0 at step {run.diverged_at[0]:,}" in texts(at.warning)


@pytest.mark.slow
def test_experiment_is_one_click_and_shows_its_question():
    v = "gan"
    at = tiny(open_page(v), v)
    at.button(key=f"{v}.exp.strong-d").click().run()
    for _ in range(10):
        if not at.session_state[f"{v}.live.running"]:
            break
        at.run()
    run = shown_run(at, v)
    assert (run.cfg.d_layers, run.cfg.d_width, run.cfg.g_layers, run.cfg.g_width) == (4, 128, 1, 8)
    assert run.step == 30 and at.slider(key=f"{v}.d_layers").value == 4
    assert "D (4×128) easily beats a small G" in texts(at.info)


def test_lesson_preset_sets_its_target_and_sentence():
    v = "gan"
    at = open_page(v)
    at.selectbox(key=f"{v}.preset").set_value("saturating-stall").run()
    assert at.selectbox(key=f"{v}.target").value == "normal"
    assert at.radio(key=f"{v}.g_loss").value == "saturating"
    assert not at.toggle(key=f"{v}.standardize").value
    assert "gets almost no gradient" in texts(at.info)


@pytest.mark.slow
def test_missing_variant_runs_in_one_click():
    at = train(tiny(open_page("gan"), "gan"), "gan")
    at.button(key="gan.table.run.wgan-gp").click().run()
    assert not at.exception
    wgp = [r for r in runs(at) if r.cfg.variant == "wgan-gp"]
    assert len(wgp) == 1 and wgp[0].finished and wgp[0].cfg.steps == 30
    assert wgp[0].cfg.gp_lambda == PRESETS["wgan-gp"]["tuned"]["gp_lambda"]
    assert at.dataframe[0].value.loc["steps", LABELS["wgan-gp"]] == "30 of 30"
