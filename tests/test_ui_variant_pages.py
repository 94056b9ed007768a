"""The three variant pages through AppTest: frame 0, train in the background service, replay,
keep runs, and explain bad input."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest
from ui_pages import (
    PAGES,
    finish,
    open_page,
    progress,
    runs,
    shown_run,
    tiny,
    train,
    trained,
    training,
    wait_for,
)

from ganlab import gallery, result_store, stored_runs
from ganlab.config import PRESETS
from ganlab.service import SERVICE

LABELS = {"gan": "Vanilla GAN", "wgan": "WGAN (clip)", "wgan-gp": "WGAN-GP"}


def charts(at) -> list:
    return at.get("vega_lite_chart")


def density_title(at) -> str:
    """The label of chart 1 (real vs generated density): "seed S · step N" (data of the
    chart, sent as an Arrow dataset, so that its spec stays the same from frame to frame)."""
    chart = charts(at)[0].proto
    data = next(d.data.data for d in chart.datasets if d.name == "label")
    return pa.ipc.open_stream(data).read_all().to_pandas()["text"].iloc[0]


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


# ~2 s each: a page open builds and draws the frame-0 run, then a rerun
@pytest.mark.slow
@pytest.mark.parametrize("v", list(PAGES))
def test_frame_0_is_drawn_before_start(v):
    at = open_page(v)
    run = shown_run(at, v)
    assert run.step == 0 and not training(at, v) and not SERVICE.training(run)
    assert run.cfg == at.session_state[f"{v}.cfg"]  # the sidebar's settings, untrained
    # the target, untrained G and D: the same six charts as in training (and the constraint
    # panel of the Wasserstein variants)
    n_charts = 6 if v == "gan" else 7
    assert len(charts(at)) == n_charts
    assert density_title(at) == f"seed {run.cfg.seed} · step 0"
    assert "Step 0: the target and the untrained G and D. Press **Start**" in texts(at.info)
    assert progress(at) == [f"not started — step 0 of {run.cfg.steps:,}"]
    assert at.button(key=f"{v}.live.start").label == "Start"
    assert at.button(key=f"{v}.live.stop").disabled
    at.run()  # a rerun draws it again, and trains nothing
    assert not at.exception and run.step == 0 and len(charts(at)) == n_charts


@pytest.mark.slow  # ~3.5 s: a page open and one settings change
def test_frame_0_follows_the_sidebar_until_start():
    v = "gan"
    at = open_page(v)
    at.selectbox(key=f"{v}.target").set_value("normal").run()
    assert not at.exception
    assert "need a new model" not in texts(at.warning)  # nothing was trained: nothing to keep
    assert shown_run(at, v).cfg.target.name == "normal"


@pytest.mark.slow  # ~4 s: two page opens
def test_a_page_only_opened_is_not_run_yet_in_the_tables():
    at = open_page("wgan")  # opened, never started: frame 0 only
    assert shown_run(at, "wgan").step == 0
    at.switch_page(PAGES["gan"]).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table.loc["steps", LABELS["wgan"]] == "not run yet"
    # no variant trained yet: no distance rows at all, or "—" in this column
    assert "W1" not in table.index or table.loc["W1", LABELS["wgan"]] == "—"
    assert any(b.key == "gan.table.run.wgan" for b in at.button)  # still offered in one click


@pytest.mark.slow  # ~6–7 s each: open, four settings reruns, train, draw
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
    assert run.finished and run.step == 30 and not SERVICE.training(run)
    assert progress(at) == ["finished — step 30 of 30"]
    assert at.button(key=f"{v}.live.start").label == "Finished"
    # six charts, plus the constraint panel (|f'| or weights) for the Wasserstein variants
    assert len(charts(at)) == (6 if v == "gan" else 7)
    assert density_title(at) == f"seed {run.cfg.seed} · step 30"
    table = at.dataframe[0].value
    this = f"{LABELS[v]} (this page)"
    assert this in table.columns and "target / noise floor" in table.columns
    assert table.loc["steps", this] == "30 of 30"
    assert table.loc["W1", this] != "—"
    others = [c for c in table.columns if c.split(" (")[0] in LABELS.values() and c != this]
    assert all(table.loc["steps", c] == "not run yet" for c in others)
    assert "blind to shape" in texts(at.caption)


@pytest.mark.slow  # ~16 s: a 200-step run trained, then four replay reruns
def test_the_replay_slider_shows_the_chosen_recorded_step():
    v = "gan"
    at = train(tiny(open_page(v), v, steps=200), v)
    run = shown_run(at, v)
    steps = run.timeline.steps
    assert steps[0] == 0 and steps[-1] == 200 and len(steps) > 2
    slider = at.select_slider(key=f"{v}.live.scrub.{id(run)}")
    assert slider.label == f"Replay: step ({len(steps)} recorded frames)"
    assert slider.value == 200  # a finished run shows its last frame
    assert at.button(key=f"{v}.live.play").label == "Play"
    assert at.selectbox(key=f"{v}.live.speed").value == "normal"
    for step in (steps[len(steps) // 2], steps[1], 0):
        at.select_slider(key=f"{v}.live.scrub.{id(run)}").set_value(step).run()
        assert not at.exception
        assert progress(at) == [f"replay — step {step:,} of 200"]
        assert density_title(at) == f"seed {run.cfg.seed} · step {step:,}"
        assert at.metric[1].value == f"{step:,}"  # the readout's step, from the same frame
    assert run.step == 200  # replay only reads: the run is untouched
    at.select_slider(key=f"{v}.live.scrub.{id(run)}").set_value(200).run()
    assert progress(at) == ["finished — step 200 of 200"]


@pytest.mark.slow  # ~8 s: start, stop, resume, reset
def test_stop_keeps_the_run_and_start_resumes_it():
    v = "gan"
    at = tiny(open_page(v), v, steps=100_000)
    at.button(key=f"{v}.live.start").click().run()
    run = shown_run(at, v)
    assert run.cfg.steps == 100_000 and training(at, v)
    assert at.button(key=f"{v}.live.start").label == "Training…"
    assert not at.button(key=f"{v}.live.stop").disabled
    assert wait_for(lambda: run.step > 0)  # the service trains it off the script thread
    at.run()  # one live tick: the newest frame
    assert progress(at)[0].startswith("training — step ")
    at.button(key=f"{v}.live.stop").click().run()
    assert SERVICE.wait(run, timeout=30) and not training(at, v)
    first = run.step
    assert 0 < first < 100_000
    at.run()
    assert not at.exception
    assert run.step == first and not SERVICE.training(run)  # a rerun does not restart it
    assert run.timeline.newest().step == first  # the moment it stopped at is shown
    assert progress(at) == [f"stopped — step {first:,} of 100,000"]
    assert at.button(key=f"{v}.live.start").label == "Resume"
    at.button(key=f"{v}.live.start").click().run()
    assert shown_run(at, v) is run and training(at, v)
    assert wait_for(lambda: run.step > first)  # resumed from where it stopped, same run
    at.button(key=f"{v}.live.stop").click().run()
    assert SERVICE.wait(run, timeout=30)
    at.button(key=f"{v}.live.reset").click().run()
    assert not at.exception
    assert run not in runs(at) and not SERVICE.training(run)  # forgotten, and not trained on
    fresh = shown_run(at, v)  # the same settings from step 0: frame 0 again
    assert fresh is not run and fresh.cfg == run.cfg and fresh.step == 0
    assert progress(at) == ["not started — step 0 of 100,000"]


@pytest.mark.slow  # ~6 s: two epochs trained in the background
def test_step_trains_exactly_one_epoch_in_the_background():
    v = "wgan"
    at = tiny(open_page(v), v, steps=1000)
    at.button(key=f"{v}.live.step").click().run()
    assert not at.exception
    run = shown_run(at, v)
    epoch = run.cfg.steps_per_epoch
    assert 0 < epoch < 500 and run.cfg.steps == 1000
    assert SERVICE.goal(run) == epoch or run.step == epoch  # wanted up to one epoch, no more
    assert SERVICE.wait(run, timeout=120)
    assert run.step == epoch and not SERVICE.training(run)
    at.run()
    assert progress(at) == [f"stopped — step {epoch:,} of 1,000"]
    assert at.button(key=f"{v}.live.start").label == "Resume"
    at.button(key=f"{v}.live.step").click().run()
    assert SERVICE.wait(run, timeout=120)
    assert run.step == 2 * epoch and not at.exception


@pytest.mark.slow  # ~6 s: train, then two page switches
def test_switching_pages_keeps_every_run():
    at = train(tiny(open_page("gan"), "gan"), "gan")
    gan_run = shown_run(at, "gan")
    at.switch_page(PAGES["wgan"]).run()
    assert not at.exception
    # the WGAN page starts on the same target, shows its own untrained run (frame 0) and the
    # vanilla run in its table
    wgan_run = shown_run(at, "wgan")
    assert wgan_run.cfg.target == gan_run.cfg.target and wgan_run.step == 0
    table = at.dataframe[0].value
    assert table.loc["steps", LABELS["gan"]] == "30 of 30"
    # the WGAN page was opened, not trained: its own column says so
    assert table.loc["steps", f"{LABELS['wgan']} (this page)"] == "not run yet"
    at.switch_page(PAGES["gan"]).run()
    assert not at.exception
    assert shown_run(at, "gan") is gan_run and gan_run.step == 30
    assert at.number_input(key="gan.steps").value == 30  # settings kept too
    assert len(charts(at)) == 6
    assert progress(at) == ["finished — step 30 of 30"]


@pytest.mark.slow  # ~9 s: two runs trained
def test_a_changed_setting_says_it_needs_a_new_model_and_keeps_the_run():
    v = "wgan"
    at = train(tiny(open_page(v), v), v)
    old = shown_run(at, v)
    at.select_slider(key=f"{v}.lr_g").set_value(0.01).run()
    assert "need a new model" in texts(at.warning) and "learning rate" in texts(at.warning)
    assert shown_run(at, v) is old  # still shown, not discarded
    assert at.button(key=f"{v}.live.start").label == "Start new run"
    train(at, v)
    assert shown_run(at, v).cfg.lr_g == 0.01 and len(trained(at)) == 2
    # back to the old setting: the kept run is found again, never trained twice
    at.select_slider(key=f"{v}.lr_g").set_value(old.cfg.lr_g).run()
    assert shown_run(at, v) is old and len(trained(at)) == 2
    assert old in runs(at) and old.step == 30


@pytest.mark.slow  # ~10 s: two runs trained, one on an upload
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
    assert run.cfg.target.name == "heights.csv" and run.step == 30 and len(trained(at)) == 2
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


@pytest.mark.slow  # ~3 s: a run that diverges in the background
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
    assert run.diverged_at[0] >= 0 and not SERVICE.training(run)
    assert f"seed 0 at step {run.diverged_at[0]:,}" in texts(at.warning)
    assert progress(at) == [f"diverged at step {run.diverged_at[0]:,} of 30"]


@pytest.mark.slow  # ~6 s: an experiment's run (and its baseline) trained in the background
def test_experiment_is_one_click_and_shows_its_question():
    v = "gan"
    at = tiny(open_page(v), v)
    at.button(key=f"{v}.exp.strong-d").click().run()
    assert not at.exception
    finish(at, v)
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


def test_the_tuned_preset_sets_the_critic_it_was_measured_with_and_says_so():
    v = "wgan-gp"
    at = open_page(v)
    at.select_slider(key=f"{v}.d_width").set_value(16).run()
    at.selectbox(key=f"{v}.preset").set_value("paper").run()
    assert at.select_slider(key=f"{v}.d_width").value == 16  # paper names no sizes
    assert "It keeps your data and network sizes." in texts(at.caption)
    at.selectbox(key=f"{v}.preset").set_value("tuned").run()
    tuned = PRESETS[v]["tuned"]
    assert at.select_slider(key=f"{v}.d_width").value == tuned["d_width"] == 48
    assert at.slider(key=f"{v}.d_layers").value == tuned["d_layers"] == 3
    assert "D layers 3, D width 48: the sizes it was measured with." in texts(at.caption)


@pytest.mark.slow  # ~4 s: two runs trained, one under a progress bar
def test_missing_variant_runs_in_one_click():
    at = train(tiny(open_page("gan"), "gan"), "gan")
    at.button(key="gan.table.run.wgan-gp").click().run()  # waits for it under a progress bar
    assert not at.exception
    wgp = [r for r in runs(at) if r.cfg.variant == "wgan-gp"]
    assert len(wgp) == 1 and wgp[0].finished and wgp[0].cfg.steps == 30
    assert not SERVICE.training(wgp[0])
    assert wgp[0].cfg.gp_lambda == PRESETS["wgan-gp"]["tuned"]["gp_lambda"]
    assert at.dataframe[0].value.loc["steps", LABELS["wgan-gp"]] == "30 of 30"


# ~6 s: a page opened on the shipped gallery, a target changed, a live run from step 0
@pytest.mark.slow
def test_with_the_gallery_a_page_opens_on_its_finished_run_and_trains_it_live(monkeypatch):
    monkeypatch.setattr(gallery, "DIR", gallery.SHIPPED)
    v = "gan"
    at = open_page(v)
    run = shown_run(at, v)
    assert run.stored_in == gallery.SHIPPED and run.finished
    assert run.cfg == at.session_state[f"{v}.cfg"]  # exactly the sidebar's settings
    steps = run.cfg.steps
    assert progress(at) == [f"finished — step {steps:,} of {steps:,}"]
    assert "A stored result: trained before class" in texts(at.caption)
    assert gallery.COMMAND in texts(at.caption)
    assert at.select_slider(key=f"{v}.live.scrub.{id(run)}").value == steps  # the replay
    speed = next(m.value for m in at.metric if m.label == "steps/s")
    assert float(speed.replace(",", "")) == pytest.approx(steps / run.wall_s, rel=0.01)
    at.select_slider(key=f"{v}.live.scrub.{id(run)}").set_value(0).run()
    assert density_title(at) == f"seed {run.cfg.seed} · step 0"
    start = at.button(key=f"{v}.live.start")
    assert start.label == "Train it live" and not start.disabled
    # another target: the page follows the sidebar to that target's stored run
    at.selectbox(key=f"{v}.target").set_value("mixture").run()
    other = shown_run(at, v)
    assert other.cfg.target.name == "mixture" and other.stored_in == gallery.SHIPPED
    assert not at.warning  # no "needs a new model": nothing of the visitor's is set aside
    # Train it live: the same settings from step 0, trained here
    at.button(key=f"{v}.live.start").click().run()
    live_run = shown_run(at, v)
    assert live_run is not other and live_run.cfg == other.cfg and live_run.stored_in is None
    assert training(at, v) and wait_for(lambda: live_run.step > 0)
    at.button(key=f"{v}.live.stop").click().run()
    assert SERVICE.wait(live_run, timeout=30)
    at.run()
    assert at.button(key=f"{v}.live.start").label == "Resume"
    assert live_run.step < steps  # a stop keeps it where it was: it is not the stored run


@pytest.mark.slow  # ~4 s: a tiny run trained, then opened by a new visitor
def test_a_run_finished_here_is_kept_on_disk_for_later_visitors():
    v = "gan"
    at = train(tiny(open_page(v), v), v)
    run = shown_run(at, v)
    assert run.finished and stored_runs.load(run.cfg) is not None
    later = tiny(open_page(v), v)  # another session, as after a restart: nothing in memory
    again = shown_run(later, v)
    assert again is not run and again.stored_in == result_store.DIR
    assert progress(later) == ["finished — step 30 of 30"]
    assert "finished earlier on this server and kept on disk" in texts(later.caption)
    assert json.dumps(again.seed_metrics()) == json.dumps(run.seed_metrics())
