"""The training service: trains in the background to a goal, stops, shares the workers, and gives
the numbers training in the caller's thread gives."""

from __future__ import annotations

import gc
import multiprocessing as mp
import threading
import time
import weakref
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
import torch

from ganlab import lessons
from ganlab.config import preset
from ganlab.service import FIRST_SLICE, PREFIX, SERVICE, Service, steps_in
from ganlab.training import Run, train_slice
from ganlab.variants import VARIANTS

CFG = preset("gan", "tuned", steps=300, n_seeds=2, data_size=512, batch_size=64)


@pytest.fixture(params=["threads", "processes"])
def service(request):
    service = Service(2, processes=request.param == "processes")
    service.warm(wait=True)  # every slice in a process (before they answer, slices train here)
    return service


def test_a_run_trained_by_the_service_matches_one_trained_in_place(service):
    here, there = Run(CFG), Run(CFG)
    here.advance(n_steps=120)
    service.start(there, until=120)
    assert service.wait(there, timeout=120)
    assert there.step == 120 and not service.training(there)
    assert np.array_equal(here.history.values, there.history.values, equal_nan=True)
    assert np.array_equal(here.evals.values, there.evals.values, equal_nan=True)
    assert np.array_equal(here.samples(500), there.samples(500))


def test_a_run_started_cold_trains_at_once_and_moves_to_the_process():
    """The first Start after the server starts: its training processes take 1–2 s to answer (a
    fork server importing torch). Meanwhile slices train in the worker thread, so the first
    frames come at once; then the run goes on in the process, with in-place numbers throughout."""
    there = Run(CFG.replace(steps=1_000_000))
    service = Service(1, processes=True)
    service.start(there)
    deadline = time.monotonic() + 120
    while there.step == 0 and time.monotonic() < deadline:
        time.sleep(0.002)
    assert there.step > 0 and not service.ready  # trained here before a process answered
    while not service.ready and time.monotonic() < deadline:
        time.sleep(0.01)
    steps = [there.step]  # the slice in progress then may have started here: two more
    while len(steps) < 3 and time.monotonic() < deadline:
        if there.step != steps[-1]:
            steps.append(there.step)
        time.sleep(0.002)
    service.stop(there)
    assert service.wait(there, timeout=60) and service.error(there) is None
    assert len(steps) == 3  # the second slice after it answered trained in the process
    here = Run(CFG.replace(steps=1_000_000))
    here.advance(n_steps=there.step)
    assert np.array_equal(here.history.values, there.history.values, equal_nan=True)
    assert np.array_equal(here.samples(500), there.samples(500))


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v != "gan"])
def test_every_variant_trains_in_a_process_bit_identically(variant):
    # A slice carries the run's state to a training process and back: every variant's engine
    # (its losses, penalty, optimisers) must survive the trip and give the in-place numbers.
    cfg = preset(variant, "tuned", steps=60, data_size=512, batch_size=64, d_steps=2)
    here, there = Run(cfg), Run(cfg)
    here.advance(n_steps=40)
    service = Service(1, processes=True)
    service.warm(wait=True)
    service.start(there, until=40)
    assert service.wait(there, timeout=120) and service.error(there) is None
    assert there.step == 40
    assert np.array_equal(here.history.values, there.history.values, equal_nan=True)
    assert np.array_equal(here.samples(500), there.samples(500))


def test_a_run_finished_in_a_process_comes_back_compacted_like_one_finished_here():
    # A slice leaves the training data here (the process draws it again): compact() there must
    # free it here too, or every run finished in a process would hold it for good.
    cfg = CFG.replace(steps=40)
    here, there = Run(cfg), Run(cfg)
    here.advance()
    service = Service(1, processes=True)
    service.warm(wait=True)
    service.start(there)
    assert service.wait(there, timeout=120) and service.error(there) is None

    def held(run: Run) -> dict[str, int]:
        return {k: v.numel() for k, v in vars(run).items() if isinstance(v, torch.Tensor)}

    assert here.compacted and there.compacted
    assert held(here)["_data_std"] == 0 and held(there) == held(here)
    assert np.array_equal(here.samples(500), there.samples(500))


@pytest.fixture(scope="module")
def two_processes():
    ctx = mp.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        yield pool


def _same_run(here: Run, there: Run) -> None:
    assert there.step == here.step
    assert np.array_equal(here.diverged_at, there.diverged_at)
    for a, b in [(here.history, there.history), (here.evals, there.evals)]:
        assert a.steps == b.steps and np.array_equal(a.values, b.values, equal_nan=True)
    assert np.array_equal(here.samples(500), there.samples(500))
    assert here.timeline.steps == there.timeline.steps
    for f, g in zip(here.timeline.shown(), there.timeline.shown(), strict=True):
        assert np.array_equal(f.samples, g.samples) and np.array_equal(f.d_on_x, g.d_on_x)
        assert np.array_equal(f.d_weights, g.d_weights)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_slice_split_by_seeds_over_two_processes_gives_the_batchs_numbers(variant, two_processes):
    # A run trained alone takes both cores: its seeds split into shards (here 2 and 1), each
    # trained in a process, joined back. No op mixes seeds, so nothing may differ in any bit.
    cfg = preset(variant, "tuned", steps=60, data_size=512, batch_size=64, d_steps=2, n_seeds=3)
    here, there = Run(cfg), Run(cfg)
    here.advance(n_steps=25)
    assert there._shards(2) == 2
    assert there.train_in(two_processes, 25, 60.0, 0, processes=2) == 25
    _same_run(here, there)
    here.advance()  # and to the end: the joined run finishes and compacts as one
    while not there.finished:
        there.train_in(two_processes, 60, 60.0, 0, processes=2)
    assert there.compacted
    _same_run(here, there)


def test_shards_that_stopped_at_different_steps_are_evened_up(two_processes):
    # Stop, or a slice's time, ends each shard after an engine chunk of its own: here shard
    # (0, 2) stopped at step 16 and (2, 3) at step 48. The first trains on to 48, uncut, and
    # the joined run is the batch's at 48.
    cfg = preset("wgan-gp", "tuned", steps=100, data_size=512, batch_size=64, n_seeds=3)
    here, there = Run(cfg), Run(cfg)
    here.advance(n_steps=48)
    blob = there.state()
    blobs = [
        two_processes.submit(train_slice, blob, n, None, None, seeds).result()
        for n, seeds in ((16, (0, 2)), (48, (2, 3)))
    ]
    parts = Run._even_up(two_processes, blobs)
    assert parts is not None and [p.step for p in parts] == [48, 48]
    there._join(parts)
    _same_run(here, there)


def test_a_slice_where_a_seed_diverges_is_trained_again_whole(two_processes):
    # A shard whose seeds all diverge stops, where the batch goes on: such a slice is trained
    # again in one process, and each seed freezes where the batch freezes it.
    cfg = lessons.LESSONS["lr-diverges"].config(seed=4, n_seeds=2, steps=100)
    here, there = Run(cfg), Run(cfg)
    here.advance(n_steps=80)
    assert (here.diverged_at > 0).all() and here.finished  # seeds 4 and 5 diverge by step 35
    assert there.train_in(two_processes, 80, 60.0, 0, processes=2) == here.step
    _same_run(here, there)
    assert there._shards(2) == 1  # and a run with a diverged seed is not split again


def test_a_run_whose_shards_could_round_differently_is_not_split():
    # At such sizes element-wise kernels vectorise across seed boundaries (ganlab.nets): a
    # shard's last bits could differ from the batch's.
    assert Run(CFG)._shards(2) == 2
    assert Run(CFG.replace(batch_size=60))._shards(2) == 1
    assert Run(CFG.replace(d_width=20))._shards(2) == 1
    # nor smooth activations: exp's vector and scalar paths round a seed's G map (121 points)
    # by its place in the batch (seen with silu and elu at G width 8)
    assert Run(CFG.replace(activation="silu"))._shards(2) == 1
    assert Run(CFG.replace(activation="leaky_relu"))._shards(2) == 2
    assert Run(CFG.replace(n_seeds=1))._shards(2) == 1
    assert Run(CFG.replace(seed=2**31 - 1))._shards(2) == 1  # seed + 1 is no valid seed


def test_started_without_a_goal_it_trains_to_the_budget(service):
    run = Run(CFG)
    service.start(run)
    assert service.wait(run, timeout=120)
    assert run.finished and run.step == CFG.steps
    assert run.timeline.steps[-1] == CFG.steps


def test_a_run_dropped_after_training_is_freed(service):
    # An idle worker must not keep the last run it trained: a finished run whose visitors have
    # left would hold its memory (and its place in the server's budget) until the next job.
    run = Run(CFG.replace(steps=40))
    service.start(run)
    assert service.wait(run, timeout=120)
    gone = weakref.ref(run)
    del run
    deadline = time.monotonic() + 10  # the worker lets go as it finishes the slice
    while gone() is not None and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.01)
    assert gone() is None


def test_stop_ends_training_and_keeps_everything(service):
    run = Run(CFG.replace(steps=1_000_000))
    service.start(run)
    deadline = time.monotonic() + 60
    while run.step < 50 and time.monotonic() < deadline:
        time.sleep(0.01)
    service.stop(run)
    assert service.wait(run, timeout=30)
    stopped = run.step
    assert stopped >= 50 and not service.training(run)
    time.sleep(0.3)
    assert run.step == stopped  # nothing trains it any more
    assert run.timeline.newest().step == stopped  # the moment it stopped at is a frame
    service.start(run, until=stopped + 10)  # and it resumes from there
    assert service.wait(run, timeout=60)
    assert run.step == stopped + 10


def test_stop_cuts_a_slice_in_progress_short_and_keeps_its_numbers(service):
    # Slices of a minute: without the cut, Stop would wait for the slice to end.
    service.slice_s = 60.0
    run = Run(CFG.replace(steps=1_000_000))
    run.advance(n_steps=200)  # its speed is known: the next slice is ~60 s of steps
    service.start(run)
    time.sleep(2.0)  # inside the first long slice (a training process starts in ~1 s)
    service.stop(run)
    assert service.wait(run, timeout=30)  # cut after an engine chunk, not after 60 s
    stopped = run.step
    assert 200 < stopped < 200 + steps_in(run, 30)
    again = Run(CFG.replace(steps=1_000_000))  # a chunk boundary changes no number
    again.advance(n_steps=stopped)
    assert np.array_equal(again.history.values, run.history.values, equal_nan=True)


def test_runs_share_the_workers_in_turn():
    one = Service(1)  # one worker, three runs: each gets slices in turn, none waits for the rest
    runs = [Run(CFG.replace(steps=1_000_000, seed=s)) for s in range(3)]
    for r in runs:
        one.start(r)
    deadline = time.monotonic() + 60
    while min(r.step for r in runs) == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    for r in runs:
        one.stop(r)
    for r in runs:
        assert one.wait(r, timeout=30)
    assert all(r.step > 0 for r in runs)


def test_call_runs_on_a_worker_and_hands_back_results_and_errors(service):
    assert service.call(lambda: threading.current_thread().name).startswith(PREFIX)
    with pytest.raises(ZeroDivisionError):
        service.call(lambda: 1 / 0)
    # advance() from a caller's thread goes through the process's service the same way
    run = Run(CFG)
    assert run.advance(n_steps=5) == 5 and SERVICE.call(lambda: 7) == 7


def test_a_slice_is_sized_from_the_runs_measured_speed():
    run = Run(CFG)
    assert steps_in(run, 0.25) == FIRST_SLICE
    run.advance(n_steps=32)
    assert steps_in(run, 0.25) == max(1, int(run.step / run.wall_s * 0.25))


def _one_process_and_a_timed_run() -> tuple[Service, Run, int]:
    """A one-process service, a long run with 200 steps trained here (its speed is known:
    slices are sized from it), and the most steps a default slice of it can take."""
    service = Service(1, processes=True)
    service.warm(wait=True)
    run = Run(CFG.replace(steps=1_000_000))
    run.advance(n_steps=200)
    return service, run, steps_in(run, service.slice_s)


def _first_slice(service: Service, run: Run) -> int:
    """The steps of the first slice the service trains of `run` (from step 200); then stopped."""
    deadline = time.monotonic() + 60
    while run.step == 200 and time.monotonic() < deadline:
        time.sleep(0.005)
    steps = run.step - 200
    service.stop(run)
    assert service.wait(run, timeout=30)
    return steps


def test_a_caller_may_ask_for_longer_slices_in_a_process():
    """A page that redraws every 0.5 s (Compare) needs a run's new frames no more often: its
    slices are that long, so the state's trip to the process and back is paid half as often. A
    slice is at most steps_in(run, its seconds) steps, so one longer than the default's most
    can only come from a longer slice."""
    service, run, most_by_default = _one_process_and_a_timed_run()
    service.start(run, slice_s=8 * service.slice_s)  # 4× the default's most at ¼ of the speed
    first_slice = _first_slice(service, run)
    assert first_slice > 2 * most_by_default


@pytest.mark.parametrize("order", ["long first", "default first"])
def test_a_run_two_pages_train_gets_the_shorter_slices(order):
    """Compare asks for 0.5 s slices, a variant page watching the same run (a shared config)
    for the default: whichever asks first, the run gets the default, so the live view keeps its
    frame rate. A default slice is at most steps_in(run, default) steps, by construction."""
    service, run, most_by_default = _one_process_and_a_timed_run()
    working, busy = threading.Event(), threading.Event()

    def occupy() -> None:  # the one worker waits here until both pages have asked
        working.set()
        busy.wait()

    threading.Thread(target=service.call, args=(occupy,), daemon=True).start()
    assert working.wait(30)
    asks = [dict(slice_s=8 * service.slice_s), {}]
    for ask in asks if order == "long first" else asks[::-1]:
        service.start(run, **ask)
    busy.set()
    first_slice = _first_slice(service, run)
    assert 0 < first_slice <= most_by_default
