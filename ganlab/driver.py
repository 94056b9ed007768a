"""One training driver: advance several runs for a time budget in short slices, each on its
own or in lockstep, yielding between slices so a caller can draw (and be interrupted)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

from ganlab.training import Run

SLICE_S = 0.25  # one uninterrupted stretch of training: Stop and page switches land within it
FIRST_SLICE = 16  # steps in a first slice, before a run's speed is known (one engine chunk)


def steps_in(run: Run, seconds: float) -> int:
    """Generator steps that take about `seconds` at this run's measured speed. advance()'s own
    max_seconds is only checked between engine chunks, so the count is what bounds a slice."""
    if run.step == 0 or run.wall_s <= 0:
        return FIRST_SLICE
    return max(1, int(run.step / run.wall_s * seconds))


def train(
    runs: Sequence[Run],
    seconds: float | None = None,
    lockstep: bool = False,
    slice_s: float = SLICE_S,
) -> Iterator[None]:
    """Advance the unfinished runs for about `seconds` (None: to the end of their budgets), one
    slice of about slice_s at a time, yielding after each. In lockstep every slice brings the
    runs to one common step, so a stopped comparison holds every variant at the same step; a
    run that is ahead (trained further elsewhere) waits for the others."""
    deadline = None if seconds is None else time.perf_counter() + seconds
    while True:
        todo = [r for r in runs if not r.finished]
        if not todo:
            return
        if lockstep:
            known = all(r.step > 0 and r.wall_s > 0 for r in todo)
            per_step = sum(r.wall_s / r.step for r in todo) if known else 0.0
            n = max(1, int(slice_s / per_step)) if known else FIRST_SLICE
            goal = min(r.step for r in todo) + n
            for r in todo:
                if r.step < goal:  # no time cut here: every run must reach the common step
                    r.advance(n_steps=goal - r.step)
        else:
            for r in todo:
                r.advance(n_steps=steps_in(r, slice_s / len(todo)), max_seconds=slice_s)
        yield
        if deadline is not None and time.perf_counter() >= deadline:
            return
