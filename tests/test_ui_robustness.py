"""A shared server: visitors never see each other's runs, cached results are copies, work is
capped, and stopping or leaving mid-training never leaves a run half-updated."""

from __future__ import annotations

import numpy as np
import pytest
from ui_pages import finish, open_page, runs, shown_run, tiny, trained, training, wait_for

from ganlab import compare, result_store
from ganlab.config import preset
from ganlab.service import SERVICE
from ganlab.training import Run
from ganlab.ui import compare_view

V = "gan"


def consistent(run: Run) -> None:
    """Every record of a run agrees with its step count: nothing was half-done. Read under the
    run's lock, as every view does, since the service may be training it right now."""
    with run.lock:
        _consistent(run)


def _consistent(run: Run) -> None:
    assert not run.evals.steps or run.evals.steps[-1] <= run.step
    assert run.step <= run.cfg.steps
    alive = run.alive
    for net in (run.G, run.D):
        assert np.isfinite(net.seed_params().numpy()[alive]).all()


@pytest.mark.slow  # ~8–40 s: two sessions train at once (the first run starts the workers)
def test_two_visitors_training_at_once_never_see_each_other():
    a, b = tiny(open_page(V), V, steps=30), tiny(open_page(V), V, steps=40)
    b.slider(key=f"{V}.n_seeds").set_value(2).run()
    a.button(key=f"{V}.live.start").click().run()
    b.button(key=f"{V}.live.start").click().run()
    for _ in range(3):  # interleaved ticks of the two sessions, while the service trains both
        a.run()
        b.run()
    finish(a, V)
    finish(b, V)
    assert not a.exception and not b.exception
    (ra,), (rb,) = trained(a), trained(b)
    assert (ra.cfg.steps, ra.cfg.n_seeds) == (30, 1) and (rb.cfg.steps, rb.cfg.n_seeds) == (40, 2)
    assert ra is not rb and ra.step == 30 and rb.step == 40
    assert ra not in runs(b) and rb not in runs(a)
    assert a.slider(key=f"{V}.n_seeds").value == 1  # settings stay per visitor too
    fresh = open_page(V)  # a third visitor: only its own untrained frame-0 run
    assert trained(fresh) == [] and not {id(r) for r in runs(fresh)} & {id(ra), id(rb)}


def test_too_much_work_is_refused_in_words_and_nothing_starts():
    at = open_page(V)
    at.number_input(key=f"{V}.steps").set_value(1_000_000)
    at.slider(key=f"{V}.n_seeds").set_value(32).run()
    assert not at.exception
    words = " ".join(e.value for e in at.error)
    assert "of the server's CPU" in words and "per visitor" in words  # budget.problem's words
    assert at.button(key=f"{V}.live.start").disabled
    # only the untrained frame-0 run of the settings the page opened with: none was made for
    # the refused settings, and nothing trains
    assert all(r.cfg.n_seeds == 1 and r.step == 0 for r in runs(at)) and not training(at, V)


def test_a_shared_comparison_is_a_copy_for_each_visitor():
    cfgs = compare.build("normal", 1, 5, 0, {})
    results = []
    for v in cfgs:
        run = Run(cfgs[v])
        run.advance()
        results.append(run.result(with_metrics=False))
    compare_view.shared_comparison.clear()
    result_store.clear()  # and the copies on disk: this one trains
    compare_view.shared_comparison(tuple(cfgs.values()), _results=results)
    first, second = compare_view.lookup(cfgs), compare_view.lookup(cfgs)
    assert first["gan"] is not second["gan"]
    first["gan"].samples[:] = 123.0  # one visitor scribbles on what it was given
    first["gan"].history.loc[:, "d_loss"] = 0.0
    third = compare_view.lookup(cfgs)
    assert np.array_equal(third["gan"].samples, results[0].samples)
    assert third["gan"].history.equals(results[0].history)


@pytest.mark.slow  # ~6 s: start, page switches, stop, a new run, reset
def test_stop_switch_reset_and_changes_mid_training_leave_runs_consistent():
    at = tiny(open_page(V), V, steps=20_000)  # trains on through the page switches
    at.button(key=f"{V}.live.start").click().run()
    run = shown_run(at, V)
    assert wait_for(lambda: run.step > 0)
    at.run()  # one live tick
    consistent(run)
    at.switch_page("app_pages/2_WGAN.py").run()  # leave while it trains
    assert training(at, V)  # the service trains on while another page is open
    at.switch_page("app_pages/1_Vanilla_GAN.py").run()
    assert not at.exception
    assert shown_run(at, V) is run
    consistent(run)
    if not training(at, V):  # only if it finished meanwhile (a very fast machine): resume
        at.button(key=f"{V}.live.start").click().run()
    at.run()
    at.button(key=f"{V}.live.stop").click().run()
    assert SERVICE.wait(run, timeout=30)
    stopped_at = run.step
    consistent(run)
    at.select_slider(key=f"{V}.g_width").set_value(16).run()  # a change mid-way: new model
    assert run.step == stopped_at and not at.exception
    at.button(key=f"{V}.live.start").click().run()  # start the new settings
    new = shown_run(at, V)
    assert not at.error, at.error[0].value  # not refused by a budget
    assert new is not run and new.cfg.g_width == 16 and training(at, V)
    assert run.step == stopped_at  # the old run stays stopped
    at.run()
    at.button(key=f"{V}.live.reset").click().run()  # forget the new run mid-training
    assert not at.exception
    assert SERVICE.wait(new, timeout=30) and new not in runs(at)
    consistent(new)
    assert run in runs(at) and run.step == stopped_at
    for r in runs(at):
        assert not SERVICE.training(r)
        consistent(r)


@pytest.mark.slow  # ~6 s: a 120-step wgan-gp run, every view checked after five chunk sizes
def test_a_run_is_consistent_after_every_chunk_of_any_size():
    run = Run(
        preset("wgan-gp", "tuned", target="bimodal", steps=120, data_size=1024, batch_size=64)
    )
    for n in (1, 5, 16, 33, 100):
        run.advance(n)
        consistent(run)
