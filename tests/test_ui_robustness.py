"""A shared server: visitors never see each other's runs, cached results are copies, work is
capped, and stopping or leaving mid-training never leaves a run half-updated."""

from __future__ import annotations

import numpy as np
import pytest
from ui_pages import open_page, runs, shown_run, tiny

from ganlab import compare
from ganlab.config import preset
from ganlab.training import Run
from ganlab.ui import compare_view

V = "gan"


def consistent(run: Run) -> None:
    """Every record of a run agrees with its step count: nothing was half-done."""
    assert not run.evals.steps or run.evals.steps[-1] <= run.step
    assert run.step <= run.cfg.steps
    alive = run.alive
    for net in (run.G, run.D):
        assert np.isfinite(net.seed_params().numpy()[alive]).all()


@pytest.mark.slow
def test_two_visitors_training_at_once_never_see_each_other():
    a, b = tiny(open_page(V), V, steps=30), tiny(open_page(V), V, steps=40)
    b.slider(key=f"{V}.n_seeds").set_value(2).run()
    a.button(key=f"{V}.live.start").click().run()
    b.button(key=f"{V}.live.start").click().run()
    for _ in range(6):  # interleaved ticks of the two sessions
        a.run()
        b.run()
    assert not a.exception and not b.exception
    (ra,), (rb,) = runs(a), runs(b)
    assert (ra.cfg.steps, ra.cfg.n_seeds) == (30, 1) and (rb.cfg.steps, rb.cfg.n_seeds) == (40, 2)
    assert ra is not rb
    assert a.slider(key=f"{V}.n_seeds").value == 1  # settings stay per visitor too
    fresh = open_page(V)
    assert runs(fresh) == []


def test_too_much_work_is_refused_in_words_and_nothing_starts():
    at = open_page(V)
    at.number_input(key=f"{V}.steps").set_value(1_000_000)
    at.slider(key=f"{V}.n_seeds").set_value(32).run()
    assert not at.exception
    words = " ".join(e.value for e in at.error)
    assert "of the server's CPU" in words and "per visitor" in words  # budget.problem's words
    assert runs(at) == []


def test_a_shared_comparison_is_a_copy_for_each_visitor():
    cfgs = compare.build("normal", 1, 5, 0, {})
    results = []
    for v in compare.ORDER:
        run = Run(cfgs[v])
        run.advance()
        results.append(run.result(with_metrics=False))
    compare_view.shared_comparison.clear()
    compare_view.shared_comparison(tuple(cfgs[v] for v in compare.ORDER), _results=results)
    first, second = compare_view.lookup(cfgs), compare_view.lookup(cfgs)
    assert first["gan"] is not second["gan"]
    first["gan"].samples[:] = 123.0  # one visitor scribbles on what it was given
    first["gan"].history.loc[:, "d_loss"] = 0.0
    third = compare_view.lookup(cfgs)
    assert np.array_equal(third["gan"].samples, results[0].samples)
    assert third["gan"].history.equals(results[0].history)


@pytest.mark.slow
def test_stop_switch_reset_and_changes_mid_training_leave_runs_consistent():
    at = tiny(open_page(V), V, steps=20_000)
    at.button(key=f"{V}.live.start").click().run()
    at.run()  # one live tick
    run = shown_run(at, V)
    consistent(run)
    at.switch_page("pages/2_WGAN.py").run()  # leave while it trains
    at.switch_page("pages/1_Vanilla_GAN.py").run()
    assert not at.exception
    consistent(run)
    if not at.session_state[f"{V}.live.running"]:  # leaving the page paused it: resume
        at.button(key=f"{V}.live.start").click().run()
    at.run()
    at.button(key=f"{V}.live.stop").click().run()
    stopped_at = run.step
    consistent(run)
    at.select_slider(key=f"{V}.g_width").set_value(16).run()  # a change mid-way: new model
    assert run.step == stopped_at and not at.exception
    at.button(key=f"{V}.live.start").click().run()  # start the new settings
    at.run()
    at.button(key=f"{V}.live.reset").click().run()
    assert not at.exception
    for r in runs(at):
        consistent(r)


def test_a_run_is_consistent_after_every_chunk_of_any_size():
    run = Run(
        preset("wgan-gp", "tuned", target="bimodal", steps=120, data_size=1024, batch_size=64)
    )
    for n in (1, 5, 16, 33, 100):
        run.advance(n)
        consistent(run)
