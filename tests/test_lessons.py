"""The lessons show what their sentence says, measured by real training."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab.lessons import LESSONS
from ganlab.training import Run


@pytest.mark.slow  # ~20-40 s on a loaded 2-core machine: three seeds train until all diverge
def test_lr_lesson_climbs_for_tens_of_steps_then_diverges():
    # The visitor's default seed (0) and the two after it; the run stops once all diverge.
    cfg = LESSONS["lr-diverges"].config(seed=0, n_seeds=3)
    run = Run(cfg)
    run.advance()
    frame = run.history.frame(cfg.seeds)
    for i, seed in enumerate(cfg.seeds):
        at = int(run.diverged_at[i])
        assert at >= 30, (seed, at)  # tens of steps to watch, not a NaN at step 1
        # The history row labelled at − 1 already holds the step that overflowed.
        rows = frame[(frame.seed == seed) & (frame.step < at - 1)]
        size = np.maximum(rows.d_loss.abs(), rows.g_loss.abs()).to_numpy()
        assert len(size) >= 28 and np.isfinite(size).all(), seed
        early, near = size[:3].mean(), size[-5:].max()
        assert near >= 10 * early, (seed, early, near)


@pytest.mark.slow  # ~20-40 s on a loaded 2-core machine: 2 × 3 seeds × 2000 small steps
def test_r1_off_does_not_settle_where_r1_does():
    # The visitor's default seeds; the lesson's own rule, and its γ > 0 counterpart.
    lesson = LESSONS["r1-off"]
    shown = {}
    for gamma in (0.0, 10.0):
        run = Run(lesson.config(seed=0, n_seeds=3, r1_gamma=gamma))
        run.advance()
        shown[gamma] = [bool(lesson.shows(m)) for m in run.seed_metrics(10_000)]
    assert shown[0.0] == [True] * 3, shown
    assert shown[10.0] == [False] * 3, shown
