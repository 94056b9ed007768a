"""The training service: a bounded pool of worker threads that advance runs off the callers'
threads, in short round-robin slices, until each reaches the step it was asked for."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import spawn
from typing import Any, Protocol

SLICE_S = 0.1  # one uninterrupted stretch of a run's training: Stop acts within about this
# In a process a slice also carries the run's state there and back (0.94 MB, ~6 ms to write
# and ~6 to read for WGAN-GP's 8 seeds, the training data left behind; the process waits
# meanwhile): longer slices keep that small beside the training. Stop cuts a slice after
# its engine chunk whatever its length; what bounds it is the live view, which gets a run's new
# frames at the end of each slice. A caller that redraws less often asks for longer ones
# (start(slice_s=): Compare, every 0.5 s).
PROCESS_SLICE_S = 0.25
FIRST_SLICE = 16  # steps in a first slice, before a run's speed is known (one engine chunk)
# Workers yield the CPU to the visitors' script threads (Linux nice is per thread): with three
# 16-seed comparisons training on a server pinned to one core, a new visitor's home page loaded
# in 4.2–5.5 s with nice workers against 4.9–8.3 s with training on the script threads.
NICE = int(os.environ.get("GANLAB_TRAIN_NICE", "10"))
PREFIX = "ganlab-train"  # worker thread names: Run.advance on one of them trains in place


class Trainable(Protocol):
    step: int
    wall_s: float

    @property
    def finished(self) -> bool: ...

    def paused(self) -> None: ...

    def train_in(
        self, pool: Any, n_steps: int, max_seconds: float, slot: int, processes: int = 1
    ) -> int: ...

    def advance(
        self,
        n_steps: int | None = None,
        max_seconds: float | None = None,
        cut: Callable[[], bool] | None = None,
    ) -> int: ...


def steps_in(run: Trainable, seconds: float) -> int:
    """Generator steps that take about `seconds` at this run's measured speed. advance()'s own
    max_seconds is only checked between engine chunks, so the count is what bounds a slice."""
    if run.step == 0 or run.wall_s <= 0:
        return FIRST_SLICE
    return max(1, int(run.step / run.wall_s * seconds))


def cores() -> int:
    """The cores this process may use (a container's CPU set, not the machine's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


# Under Streamlit a page script runs as the __main__ module, and a new process would run its
# main module again (multiprocessing's spawn preparation): a page inside a training process.
# Processes started from the service's own threads leave the main module out; they need nothing
# from it (they run ganlab.training.train_slice).
_OWN = threading.local()
_preparation_data = spawn.get_preparation_data


def _without_main(name: str) -> dict:
    data = _preparation_data(name)
    if getattr(_OWN, "worker", False):
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


spawn.get_preparation_data = _without_main


def _lower_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)


# In a training process: the service's flags, one per worker, by which Stop cuts short the slice
# that worker's process is training (checked between engine chunks).
_CUTS: Any = None


def _start_process(cuts: Any) -> None:
    global _CUTS
    _lower_priority()
    _CUTS = cuts


def cut(slot: int) -> bool:
    """In a training process: whether Stop asked the slice of worker `slot` to end now."""
    return _CUTS is not None and bool(_CUTS[slot])


class Service:
    """Runs wanted up to a goal step are trained by `workers` threads, a slice at a time and in
    turn, so that many runs share the cores fairly and a new goal acts within a slice; Stop cuts
    the slice in progress after its engine chunk. One-off jobs (`call`) go before the next
    slice. Nothing here waits for a page."""

    def __init__(self, workers: int, processes: bool = False, split_seeds: bool = True):
        self.workers = workers
        # A run that no other run waits behind may split its seeds over the idle workers'
        # processes (_spare); bench/service_wall.py measures it against not splitting.
        self.split_seeds = split_seeds
        # Train in worker processes (each worker thread hands its run's slice to one and waits,
        # without the GIL) or in the worker threads themselves; bench/threads.py measures which
        # uses the cores.
        self.processes = processes
        self.slice_s = PROCESS_SLICE_S if processes else SLICE_S
        self._pool: ProcessPoolExecutor | None = None
        # warm()'s start of the training processes, done once they answer (`ready`): until
        # then slices train in the worker threads, so the first Start after a cold start draws
        # its first frames at once (starting the processes takes 1–2 s) instead of waiting.
        self._warming: Future | None = None
        self._cv = threading.Condition()
        self._goals: dict[Any, int] = {}  # run -> the step it should reach
        self._slice_s: dict[Any, float] = {}  # run -> its slice in a process, if not slice_s
        self._queue: deque[Any] = deque()  # runs waiting for their next slice, in turn
        self._busy: dict[Any, int] = {}  # runs inside a slice now -> the worker training it
        # Per worker: Stop asks the slice it trains to end after the engine chunk in progress
        # (in shared memory once there are training processes: one array for every pool).
        self._cuts: Any = [0] * workers
        self._jobs: deque[tuple[Callable[[], Any], Future]] = deque()
        self._threads: list[threading.Thread] = []
        # run -> why its training failed, for the page; forgotten with the run
        self._errors: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()

    # --- what callers ask -------------------------------------------------------------------
    def start(self, run: Trainable, until: int | None = None, slice_s: float | None = None) -> None:
        """Train `run` in the background up to step `until` (its whole budget by default), in
        slices of `slice_s` seconds where they go to a process (default PROCESS_SLICE_S; never
        shorter), or shorter if it is already wanted with shorter ones."""
        with self._cv:
            self._errors.pop(run, None)
            # A run several pages watch gets the shortest slice any of them asked for (None,
            # the default, is the shortest): a variant page's live view keeps its frame rate.
            wanted = run in self._goals
            if slice_s is None or (wanted and run not in self._slice_s):
                self._slice_s.pop(run, None)
            else:
                self._slice_s[run] = min(slice_s, self._slice_s.get(run, slice_s))
            self._goals[run] = until if until is not None else 1 << 62
            if run not in self._busy and run not in self._queue:
                self._queue.append(run)
            self._spawn()
            self._cv.notify()

    def stop(self, run: Trainable) -> None:
        """No more slices for `run`; one in progress ends after its engine chunk."""
        with self._cv:
            self._goals.pop(run, None)
            self._slice_s.pop(run, None)
            if run in self._busy:
                self._cuts[self._busy[run]] = 1
            waiting = run in self._queue
            if waiting:
                self._queue.remove(run)
        if waiting:  # between slices: the moment it stopped at becomes its newest frame here
            run.paused()

    def stop_all(self) -> None:
        """Stop every run (tests, between one and the next)."""
        with self._cv:
            runs = list(self._goals)
        for run in runs:
            self.stop(run)
        for run in runs:
            self.wait(run)

    def training(self, run: Trainable) -> bool:
        """Whether `run` is wanted and has steps left to train, or is still inside its last
        slice (a stopped run counts as training until its newest moment is recorded)."""
        with self._cv:
            return (run in self._goals and not run.finished) or run in self._busy

    def error(self, run: Trainable) -> str | None:
        """Why the service stopped training `run` on an error (None if it did not)."""
        with self._cv:
            return self._errors.get(run)

    def goal(self, run: Trainable) -> int | None:
        with self._cv:
            return self._goals.get(run)

    def wait(self, run: Trainable, timeout: float | None = None, slice_only: bool = False) -> bool:
        """Block until `run` is no longer training (True) or the timeout passes (False);
        `slice_only`: until no slice of it is in progress (someone may want it trained on)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cv:
            while (run in self._goals and not slice_only) or run in self._busy:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cv.wait(left if left is not None else 1.0)
        return True

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run fn on a worker (before any further slice) and return its result: synchronous
        training from a caller's thread, so it never takes more cores than the pool."""
        if threading.current_thread().name.startswith(PREFIX):
            return fn()
        future: Future = Future()
        with self._cv:
            self._jobs.append((fn, future))
            self._spawn()
            self._cv.notify()
        return future.result()

    def warm(self, wait: bool = False) -> None:
        """Start the training processes now, in the background (a fork server importing the
        engine takes 1–2 s); slices train in the worker threads until they answer. Returns
        at once, or once they answer with wait=True."""
        if not self.processes:
            return
        with self._cv:
            if self._warming is None:

                def start_all() -> None:
                    pool = self._processes()
                    for f in [pool.submit(int) for _ in range(self.workers)]:
                        f.result()

                self._warming = Future()
                self._jobs.append((start_all, self._warming))
                self._spawn()
                self._cv.notify()
            warming = self._warming
        if wait:
            warming.result()

    @property
    def ready(self) -> bool:
        """Whether slices train in the training processes (else in the worker threads)."""
        warming = self._warming
        return warming is not None and warming.done() and warming.exception() is None

    @property
    def active(self) -> int:
        with self._cv:
            return len(self._goals)

    # --- the workers ------------------------------------------------------------------------
    def _processes(self) -> ProcessPoolExecutor:
        with self._cv:
            if self._pool is None:
                ctx = mp.get_context("forkserver")
                # Forked from a fork server (a fresh interpreter, started once) that has
                # imported the engine: each starts in milliseconds and shares torch's pages
                # with it. Nothing the server set in glibc (budget.fix_mmap_threshold) reaches
                # them: they train with glibc's own thresholds.
                ctx.set_forkserver_preload(["ganlab.training"])
                if isinstance(self._cuts, list):
                    self._cuts = ctx.RawArray("b", self._cuts)
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=ctx,
                    initializer=_start_process,
                    initargs=(self._cuts,),
                )
            return self._pool

    def _spawn(self) -> None:
        while len(self._threads) < self.workers:  # started on first use, never more
            slot = len(self._threads)
            t = threading.Thread(
                target=self._work, args=(slot,), name=f"{PREFIX}-{slot}", daemon=True
            )
            self._threads.append(t)
            t.start()

    def _next(self, slot: int) -> tuple[str, Any]:
        with self._cv:
            while not self._jobs and not self._queue:
                self._cv.wait()
            if self._jobs:
                return "job", self._jobs.popleft()
            run = self._queue.popleft()
            self._busy[run] = slot
            self._cuts[slot] = 0
            return "slice", run

    def _spare(self) -> int:
        """The training processes a slice may take: its own, and, when no other run waits for
        a slice, one for each idle worker (a run trained alone, such as WGAN-GP's 8 seeds
        after the rest of a comparison finished, then splits its seeds over the cores). A run
        that comes meanwhile waits at most for that slice."""
        with self._cv:
            if not self.split_seeds or self._queue or self._jobs:
                return 1
            return 1 + self.workers - len(self._busy)

    def _work(self, slot: int) -> None:
        _lower_priority()
        _OWN.worker = True
        while True:
            kind, item = self._next(slot)
            if kind == "job":
                self._job(*item)
            else:
                self._slice(item, slot)
            # An idle worker holds nothing: a run whose visitors left is freed now, not when
            # this worker next gets work (a local here would keep it, invisible to gc).
            del item

    @staticmethod
    def _job(fn: Callable[[], Any], future: Future) -> None:
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed to the caller, never lost here
                future.set_exception(exc)

    def _slice(self, run: Trainable, slot: int) -> None:
        pool = None
        try:
            goal = self.goal(run)
            if goal is not None and run.step < goal and not run.finished:
                seconds = self.slice_s
                if self.processes:
                    seconds = max(seconds, self._slice_s.get(run, 0.0))
                n = min(goal - run.step, steps_in(run, seconds))
                if self.processes and self.ready:
                    pool = self._processes()
                    run.train_in(pool, n, seconds, slot, self._spare())
                else:
                    if self.processes:  # they are starting: this slice trains here meanwhile
                        self.warm()
                    run.advance(n, seconds, cut=lambda: bool(self._cuts[slot]))
        except Exception as exc:  # a run that fails stops; the service goes on for others
            if isinstance(exc, BrokenProcessPool):  # a process died: new ones next time
                with self._cv:
                    if pool is not None and self._pool is pool:  # not a newer one
                        self._pool = None
                        self._warming = None  # the next slice starts new ones
                        pool.shutdown(wait=False, cancel_futures=True)
            with self._cv:
                self._errors[run] = f"{type(exc).__name__}: {exc}"
            self.stop(run)
        finally:
            with self._cv:
                goal = self._goals.get(run)
                done = goal is None or run.step >= goal or run.finished
                if done:
                    self._goals.pop(run, None)
                    self._slice_s.pop(run, None)
                elif run not in self._queue:
                    self._queue.append(run)
            if done:
                with contextlib.suppress(Exception):
                    run.paused()
            with self._cv:
                self._busy.pop(run, None)
                self._cv.notify_all()


def _mode() -> bool:
    """GANLAB_WORKERS=processes|threads; by default processes where there are cores to use."""
    how = os.environ.get("GANLAB_WORKERS", "").strip().lower()
    return how == "processes" if how in ("processes", "threads") else cores() > 1


SERVICE = Service(cores(), processes=_mode())
