"""The one training driver: slices, lockstep, and training to the end."""

from __future__ import annotations

from ganlab import driver
from ganlab.config import make
from ganlab.training import Run


def tiny(variant: str, steps: int = 40) -> Run:
    return Run(
        make(
            variant=variant,
            target="normal",
            steps=steps,
            g_width=8,
            d_width=8,
            batch_size=32,
            data_size=256,
            n_seeds=2,
        )
    )


def test_lockstep_keeps_every_run_at_one_step_after_each_slice():
    runs = [tiny("gan"), tiny("wgan"), tiny("wgan-gp")]
    runs[0].advance(n_steps=5)  # one run ahead (trained elsewhere): the others catch up to it
    seen = []
    for _ in driver.train(runs, lockstep=True, slice_s=0.01):
        seen.append([r.step for r in runs])
    assert seen and all(len(set(steps)) == 1 for steps in seen[1:])
    assert all(r.finished for r in runs) and seen[-1] == [40, 40, 40]


def test_without_a_time_budget_the_driver_trains_every_run_to_its_end():
    runs = [tiny("gan", 30), tiny("wgan", 50)]
    slices = sum(1 for _ in driver.train(runs))
    assert slices >= 1 and [r.step for r in runs] == [30, 50]


def test_a_first_slice_is_one_engine_chunk_then_sized_by_measured_speed():
    run = tiny("gan", 1000)
    assert driver.steps_in(run, 0.25) == driver.FIRST_SLICE
    run.advance(n_steps=32)
    assert driver.steps_in(run, 0.25) == max(1, int(run.step / run.wall_s * 0.25))
