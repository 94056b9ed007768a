"""The timeline: its schedule, what a frame keeps, and that a frame is the run at that step."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganlab.budget import layer_shapes, n_params
from ganlab.config import preset
from ganlab.timeline import (
    EARLY,
    QUANTILES,
    WEIGHT_QUANTILES,
    frame_bytes,
    picks,
    quantiles,
    schedule,
)
from ganlab.training import Run


@pytest.mark.parametrize("steps", [1, 10, 300, 1000, 6000, 200_000, 1_000_000])
def test_schedule_is_dense_early_and_bounded_for_any_length(steps):
    s = schedule(steps)
    assert s[0] == 0 and s[-1] == steps
    assert np.all(np.diff(s) > 0)  # sorted, unique
    assert len(s) <= 126  # bounded: the same ~125 frames at any length
    if steps >= 1000:
        assert len(s) >= 100
        assert np.sum(s <= EARLY * steps) >= 20  # at least 20 in the first 5 %


def test_quantile_picks_are_the_order_statistics_at_the_midpoints():
    rng = np.random.default_rng(3)
    v = rng.normal(size=(2, 2000))
    q = quantiles(v, 500)
    ref = np.sort(v, axis=1)[:, [int((i + 0.5) * 4) for i in range(500)]]
    assert np.array_equal(q, ref.astype(np.float32))
    assert np.array_equal(picks(7, 500), np.arange(7))  # fewer values than quantiles: all


def test_a_histogram_of_the_quantiles_follows_the_samples_histogram():
    # Equally weighted quantiles hold 1/QUANTILES of the mass each: a bin's share can differ from
    # the samples' by at most one quantile's mass at each of its two edges.
    rng = np.random.default_rng(4)
    v = np.concatenate([rng.normal(-2, 0.3, 1000), rng.normal(1.5, 0.6, 1000)])[None]
    edges = np.linspace(-4, 4, 61)
    share_s = np.histogram(v[0], edges)[0] / v.size
    share_q = np.histogram(quantiles(v, QUANTILES)[0], edges)[0] / QUANTILES
    assert np.max(np.abs(share_s - share_q)) <= 2 / QUANTILES + 1e-12


@pytest.fixture(scope="module")
def trained():
    cfg = preset("gan", "tuned", steps=400, n_seeds=2, data_size=512, batch_size=64)
    run = Run(cfg)
    run.advance()
    return run


def test_a_run_records_a_frame_at_every_scheduled_step_and_frame_zero_before_training(trained):
    assert trained.timeline.steps == list(schedule(400))
    first = trained.timeline.frames[0]
    fresh = Run(trained.cfg)  # untrained: frame 0 is the run as created
    assert first.step == 0
    assert np.array_equal(np.sort(first.samples), np.sort(fresh.timeline.frames[0].samples))


def test_each_frame_carries_the_training_time_up_to_its_step(trained):
    # Trained in one advance(): a frame's clock is still its own moment's, so a replayed (or
    # stored) run can show its speed at every step, not "—" because the total came at the end.
    walls = [f.wall_s for f in trained.timeline.frames]
    assert walls[0] == 0.0
    assert all(w > 0 for w in walls[1:])
    assert walls == sorted(walls)
    assert walls[-1] <= trained.wall_s


@pytest.mark.parametrize("step", [12, 100, 400])
def test_a_frame_is_the_run_at_that_step(trained, step):
    # The reference: the same config trained to that step and looked at with result() (all
    # EVAL_SAMPLES samples, D on the grid, G on the latent line).
    other = Run(trained.cfg)
    other.advance(n_steps=step)
    ref = other.result(with_metrics=False)
    got = trained.result_at(trained.timeline.at(step))
    assert got.step == step == ref.step
    ref_q = np.sort(ref.samples, axis=1)[:, picks(ref.samples.shape[1], QUANTILES)]
    assert np.allclose(np.sort(got.samples, axis=1), ref_q, rtol=1e-6, atol=1e-6)
    for name in ("d_on_x", "grad_on_x", "g_on_z"):
        assert np.allclose(getattr(got, name), getattr(ref, name), rtol=1e-5, atol=1e-6), name
    # each sample keeps its own D score: D of the reference run at exactly those x
    x = torch.tensor(got.samples, dtype=torch.float32).unsqueeze(-1)
    with torch.no_grad():
        score = other.trainer.show(other.trainer.critic(x)).squeeze(-1).double().numpy()
    assert np.allclose(got.d_on_samples, score, rtol=1e-5, atol=1e-6)
    # the history up to that step only, equal to the other run's
    assert got.history.step.max() == step
    assert np.allclose(got.history.to_numpy(), ref.history.to_numpy(), equal_nan=True)
    assert np.allclose(got.evals.to_numpy(), ref.evals.to_numpy(), equal_nan=True)


def test_a_frame_holds_what_the_cost_model_says(trained):
    cfg = trained.cfg
    d = n_params(layer_shapes(1, cfg.d_layers, cfg.d_width))
    for frame in trained.timeline.frames:
        assert frame.nbytes == frame_bytes(cfg.n_seeds, d)
        assert frame.d_weights.shape == (cfg.n_seeds, min(d, WEIGHT_QUANTILES))


def test_a_long_run_keeps_a_bounded_timeline():
    cfg = preset("gan", "tuned", steps=200_000, data_size=512, batch_size=64)
    run = Run(cfg)
    run.advance(n_steps=4_000)  # the first 2 %: most of the dense part
    steps = run.timeline.steps
    assert sum(s <= 4_000 for s in steps) >= 10
    assert set(steps) <= set(schedule(200_000)) | {run.step}
    assert len(schedule(200_000)) <= 126


def test_a_stopped_run_shows_where_it_stopped(trained):
    run = Run(trained.cfg)
    run.advance(n_steps=37)  # off the schedule
    run.paused()
    assert run.timeline.steps[-1] == 37 == run.timeline.newest().step
    assert run.result_at(run.timeline.newest()).step == 37


def test_a_run_that_diverges_records_where_it_stopped():
    # WGAN-GP with plain SGD at 0.1 on an unstandardised target: the critic's scores explode.
    cfg = preset(
        "wgan-gp",
        "tuned",
        target="normal",
        g_opt="sgd",
        d_opt="sgd",
        lr_g=0.1,
        lr_d=0.1,
        d_steps=5,
        gp_lambda=10.0,
        standardize=False,
        steps=1000,
    )
    run = Run(cfg)
    run.advance()
    assert not run.alive.any()
    last = run.timeline.frames[-1]
    assert last.step == run.step < cfg.steps
    assert np.all(last.diverged_at >= 0)
