"""A training run: K seeds of one variant advancing in chunks, with a bounded history."""

from __future__ import annotations

import functools
import io
import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from ganlab import budget, service
from ganlab.config import SEED_MAX, TrainConfig
from ganlab.history import History
from ganlab.nets import BatchedMLP
from ganlab.optim import FlatOptimizer
from ganlab.result import RunResult
from ganlab.service import SERVICE
from ganlab.snapshots import EVAL_SAMPLES, METRIC_SAMPLES, Views
from ganlab.steps import Trainer
from ganlab.timeline import Frame, Timeline, joined

__all__ = ["CHUNK", "EVAL_SAMPLES", "METRIC_SAMPLES", "Run", "RunResult", "use_one_thread"]

LIVE_S = 0.2  # while training, the newest moment is captured this often (Timeline.live)

VOL_WINDOW = 200  # raw steps kept for loss volatility
EVAL_POINTS = 100  # W1 / mean / std checkpoints over the budget
# Steps between divergence checks, at most: a run's own chunk (Run.chunk) is the largest power of
# two ≤ CHUNK whose estimated time fits ~0.1 s (budget.chunk_steps), so that
# advance(max_seconds=…) and Stop return quickly at any network size. A function of the config
# alone, on a fixed grid of steps (not of calls): where a diverged seed is frozen never depends
# on timing.
CHUNK = budget.MAX_CHUNK
STREAMS = ("data", "g_init", "d_init", "batch", "noise", "eps", "eval")
# What a slice's trip to a training process leaves out (Run.state): the lock, the timeline, and
# the training data, which never changes (a process draws it again: _standardised).
_NOT_CARRIED = ("lock", "timeline", "data", "_data_std")


def _streams(cfg: TrainConfig) -> dict[str, list[np.random.Generator]]:
    """Each seed's own random stream for every use, all spawned from the seed."""
    spawned = [np.random.SeedSequence(s).spawn(len(STREAMS)) for s in cfg.seeds]
    return {
        name: [np.random.default_rng(ss[i]) for ss in spawned] for i, name in enumerate(STREAMS)
    }


def training_data(cfg: TrainConfig) -> np.ndarray:
    """(K, data_size): each seed's training set, drawn from its own "data" stream (a function of
    the config alone: a stored result keeps it out of its file)."""
    return np.stack([cfg.target.sample(cfg.data_size, r) for r in _streams(cfg)["data"]])


def _training_set(cfg: TrainConfig):
    """The training data (K, N), each seed's loc and scale (K, 1, 1) and the data in D's units
    (K, N) as float32. Standardised with each seed's own training data (never the true target):
    one learning rate then suits targets at any location and scale."""
    k = cfg.n_seeds
    data = training_data(cfg)
    loc, scale = (data.mean(1), data.std(1)) if cfg.standardize else (0.0, 1.0)
    loc_t = torch.tensor(loc, dtype=torch.float32).expand(k).reshape(k, 1, 1)
    scale_t = torch.tensor(scale, dtype=torch.float32).expand(k).reshape(k, 1, 1)
    data_std = (torch.tensor(data, dtype=torch.float32) - loc_t.view(k, 1)) / scale_t.view(k, 1)
    return data, loc_t, scale_t, data_std


@functools.lru_cache(maxsize=2)
def _standardised(cfg: TrainConfig) -> torch.Tensor:
    """In a training process: a run's data in D's units, drawn again (20 ms for 8 seeds × 50 000
    samples) rather than carried both ways with every slice (with the raw data, 6 MB of that
    run's 7), and kept for the next slices of the last two runs (or seed shards) this process
    trained (at most 2 × 6.4 MB, 32 seeds × 50 000)."""
    return _training_set(cfg)[3]


def use_one_thread() -> None:
    """Tiny MLPs run fastest on one thread, and two threads under load can be 10× slower
    (bench/speed.py measures it). Process-wide, so set it where training starts."""
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def train_slice(
    blob: bytes,
    n_steps: int,
    max_seconds: float | None,
    slot: int | None,
    seeds: tuple[int, int] | None = None,
) -> bytes:
    """In a training process: a Run from state() (or its shard of `seeds` a..b−1), advanced
    (until the service's worker `slot` cuts it short, service.cut), and its state back with the
    frames it recorded."""
    run = Run.from_state(blob, seeds)
    run._advance(
        n_steps, max_seconds, None if slot is None else functools.partial(service.cut, slot)
    )
    return run.state(with_frames=True)


class Run(Views):
    """K seeds of one configuration. `advance` trains in chunks and can be called again and
    again (stop/resume loses nothing); the Views methods read it as plain data."""

    shard = False  # in a training process: some of a run's seeds, for one slice (train_in)

    def __init__(self, cfg: TrainConfig):
        use_one_thread()
        # Streamlit runs one script thread per visitor, but a stale rerun may still be inside
        # advance() when a new one calls result(): never let the two interleave.
        self.lock = threading.RLock()
        self.cfg = cfg
        k = cfg.n_seeds
        self._rng = _streams(cfg)
        self.data, loc_t, scale_t, self._data_std = _training_set(cfg)
        self.trainer = Trainer(cfg, loc_t, scale_t, self._rng["g_init"], self._rng["d_init"])
        self.variant = self.trainer.variant
        self.series = self.variant.series
        self.step = 0
        self.wall_s = 0.0
        self.diverged_at = np.full(k, -1)
        self.history = History(self.series, k)
        self.evals = History(("w1", "mean", "std"), k)
        self.eval_every = max(1, cfg.steps // EVAL_POINTS)
        self.chunk = budget.chunk_steps(cfg)
        self.compacted = False  # see compact()
        self.stored_in: Path | None = None  # the folder it was loaded from (ganlab.stored_runs)
        self._vol = np.full((VOL_WINDOW, 2, k), np.nan)  # ring of raw d_loss, g_loss
        self._memo = None  # (step, n, diverged) and the seed metrics then
        self._eval_z: torch.Tensor | None = self._eval_latents()
        self._grid = torch.tensor(cfg.target.quantile_grid(EVAL_SAMPLES), dtype=torch.float32)
        self._evaluate()
        self.timeline = Timeline(cfg.steps)
        self._live_t = time.perf_counter()
        self.timeline.add(self.frame())

    @property
    def G(self) -> BatchedMLP:
        return self.trainer.G

    @property
    def D(self) -> BatchedMLP:
        return self.trainer.D

    @property
    def alive(self) -> np.ndarray:
        return self.diverged_at < 0

    @property
    def finished(self) -> bool:
        return self.step >= self.cfg.steps or not self.alive.any()

    def _eval_latents(self) -> torch.Tensor:
        """(K, EVAL_SAMPLES, L): the fixed latents of the W1 curve and of result(), the first
        draws of each seed's "eval" stream (so a compacted run draws the same ones again)."""
        rngs = self._rng["eval"] if "eval" in self._rng else _streams(self.cfg)["eval"]
        return torch.from_numpy(np.stack([self._latent(r, (EVAL_SAMPLES,)) for r in rngs]))

    def compact(self) -> None:
        """Once the run is finished, free what only training needs: both optimisers' state, the
        gradients, the standardised data, the random streams and, when samples come from G's
        EMA, G's own weights; the evaluation latents are drawn again when a view needs them.
        Every view (decode, samples, seed_metrics, result) answers the same, bit for bit; the
        run cannot train any more (it has nothing left to do). Does nothing before the end."""
        with self.lock:
            if self.compacted or not self.finished:
                return
            t, none = self.trainer, torch.empty(0)
            t.g_opt = FlatOptimizer(self.cfg.g_opt, none, 0.0, t.g_opt.betas)
            t.d_opt = FlatOptimizer(self.cfg.d_opt, none, 0.0, t.d_opt.betas)
            for net in (t.G, t.D):
                net.grad, net.grads = none, []
            if t.g_ema is not None:  # G's own weights are only what the EMA follows
                t.G.flat, t.G.params = t.g_ema, t.G.views(t.g_ema)
            self._data_std = self._grid = none
            self._rng = {}
            self._eval_z = None
            self.compacted = True

    # --- chunks ---------------------------------------------------------------------------
    def _draw(self, m: int):
        """All randomness for m steps, from each seed's own streams (order-independent of m)."""
        cfg, k = self.cfg, self.cfg.n_seeds
        nd, b = cfg.d_steps, cfg.batch_size
        idx = np.stack([r.integers(0, cfg.data_size, (m, nd, b)) for r in self._rng["batch"]])
        real = torch.gather(self._data_std, 1, torch.from_numpy(idx.reshape(k, -1)))
        real = real.view(k, m, nd, b).permute(1, 2, 0, 3).unsqueeze(-1)  # (m, nd, K, B, 1)
        z = np.stack([self._latent(r, (m, nd + 1, b)) for r in self._rng["noise"]], axis=2)
        eps = None
        if self.variant.penalty is not None and self.variant.penalty.draws_eps:
            eps_np = np.stack(
                [r.random((m, nd, b, 1), dtype=np.float32) for r in self._rng["eps"]], axis=2
            )
            eps = torch.from_numpy(eps_np)
        return real, torch.from_numpy(z), eps  # z: (m, nd+1, K, B, L)

    def _train_chunk(self, m: int) -> None:
        saved = [t.clone() for t in self.trainer.state()]
        rec = self.trainer.steps(self.step, *self._draw(m))  # (m, series, K)
        self._check_divergence(rec, saved)
        rec[:, :, ~self.alive] = np.nan
        self.step += m
        self.history.append(self.step, rec)
        self._vol = np.concatenate([self._vol, rec[:, :2]])[-VOL_WINDOW:]

    def _check_divergence(self, rec: np.ndarray, saved: list[torch.Tensor]) -> None:
        """A seed whose losses or weights went NaN/inf is frozen at its state before this chunk,
        with the step where it happened; the other seeds go on."""
        bad_row = ~np.isfinite(rec).all(axis=1)  # (m, K)
        bad_w = np.zeros(self.cfg.n_seeds, dtype=bool)
        for net in (self.G, self.D):
            bad_w |= ~torch.isfinite(net.seed_params()).all(1).numpy()
        newly = self.alive & (bad_row.any(0) | bad_w)
        for i in np.flatnonzero(newly):
            first = np.flatnonzero(bad_row[:, i])
            self.diverged_at[i] = self.step + (first[0] + 1 if first.size else len(rec))
            rec[first[0] if first.size else 0 :, :, i] = np.nan
        dead = torch.from_numpy(~self.alive)
        if dead.any():  # restore dead seeds every chunk, since the batch keeps computing them
            for net, now, before in zip(
                self.trainer.nets(), self.trainer.state(), saved, strict=True
            ):
                net.set_seed_params(net.seed_params(before), dead, flat=now)

    def _evaluate(self) -> None:
        assert self._eval_z is not None  # a run that trains is not compacted
        x = self._generate(self._eval_z).squeeze(-1)  # (K, n)
        xs, _ = torch.sort(x, dim=1)
        # W1 between n samples and the target's n quantile midpoints is the mean gap between
        # matched order statistics (1-D optimal transport), exact for equal sizes.
        w1 = (xs - self._grid).abs().mean(1)
        row = torch.stack([w1, x.mean(1), x.std(1, correction=0)]).numpy()[None]
        row[:, :, ~self.alive] = np.nan
        self.evals.append(self.step, row)

    def _record(self) -> None:
        """A frame on the timeline's schedule (and the last step of a run that every seed's
        divergence ended early); otherwise, every LIVE_S, the newest moment for the live view."""
        now = time.perf_counter()
        if self.timeline.due(self.step) or (self.finished and self.step < self.cfg.steps):
            self.timeline.add(self.frame())
        elif now - self._live_t >= LIVE_S:
            self.timeline.live = self.frame()
        else:
            return
        self._live_t = now

    # --- training in another process (ganlab.service) --------------------------------------------
    def state(self, with_frames: bool = False) -> bytes:
        """Everything training needs and changes, as bytes for a training process: all but the
        lock, the timeline (frames recorded there come back with_frames) and the training data
        (the process draws it again, _standardised)."""
        with self.lock:
            st = {k: v for k, v in self.__dict__.items() if k not in _NOT_CARRIED}
            if with_frames:
                st["frames"], st["live"] = self.timeline.frames, self.timeline.live
            buf = io.BytesIO()
            torch.save(st, buf)
            return buf.getvalue()

    @classmethod
    def from_state(cls, blob: bytes, seeds: tuple[int, int] | None = None) -> Run:
        """In a training process: the Run of state() (with any frames it carries), or its shard
        of `seeds` a..b−1, with its training data drawn again."""
        run = cls._loaded(blob)
        if seeds is not None:
            run._keep_seeds(*seeds)
        run._data_std = _standardised(run.cfg)
        return run

    @staticmethod
    def _unpacked(blob: bytes) -> tuple[dict, list[Frame], Frame | None]:
        """state()'s bytes: the run's attributes, and the frames and live moment they carry."""
        # Only ever bytes that one of our own processes made from a Run (state()); nothing a
        # visitor sends is loaded here.
        st = torch.load(io.BytesIO(blob), weights_only=False)
        return st, st.pop("frames", []), st.pop("live", None)

    @classmethod
    def _loaded(cls, blob: bytes) -> Run:
        st, frames, live = cls._unpacked(blob)
        run = cls.__new__(cls)
        run.__dict__.update(st)
        run.lock = threading.RLock()
        run.timeline = Timeline(run.cfg.steps)
        for frame in frames:
            run.timeline.add(frame)
        run.timeline.live = live
        return run

    def train_in(
        self, pool, n_steps: int, max_seconds: float, slot: int, processes: int = 1
    ) -> int:
        """One slice of training in a process of `pool` (an executor), or split by seeds over
        up to `processes` of them, taken back here: the numbers are those of advance(), bit for
        bit. Returns the steps done."""
        step0 = self.step
        blob = self.state()
        shards = self._shards(processes)
        parts = (
            self._train_shards(pool, blob, n_steps, max_seconds, slot, shards)
            if shards > 1
            else None
        )
        if parts is None:
            blob = pool.submit(train_slice, blob, n_steps, max_seconds, slot).result()
        with self.lock:
            if self.step != step0:  # trained here meanwhile: keep that, drop the slice
                return 0
            if parts is not None:
                self._join(parts)
                return self.step - step0
            st, frames, live = self._unpacked(blob)
            self.__dict__.update(st)
            if self.compacted:  # compact() there freed the data in D's units, which stays here
                self._data_std = torch.empty(0)
            for frame in frames:
                self.timeline.add(frame)
            newest = self.timeline.newest()
            if live is not None and (newest is None or live.step > newest.step):
                self.timeline.live = live
            return self.step - step0

    # --- seed shards: one slice on several processes ---------------------------------------------
    def _shards(self, processes: int) -> int:
        """Into how many shards of seeds a slice splits: one per process offered, at most one
        per seed. One where a shard's numbers might differ from the batch's in the last bits:
        sizes off the app's grids (widths not multiples of 8, batches not of 32: ganlab.nets),
        or smooth activations, whose kernels (exp) round a seed's values on the views' grids
        (the 121-point latent line of the G map) by its place in the batch. One, too, once a
        seed has diverged: a shard's seeds could all stop early, where the batch goes on."""
        cfg = self.cfg
        if cfg.batch_size % 32 or cfg.g_width % 8 or cfg.d_width % 8:
            return 1
        if cfg.seed + cfg.n_seeds - 1 > SEED_MAX:  # a shard's first seed must be valid
            return 1
        if self.G.act.d2 is not None:  # not piecewise-linear
            return 1
        return min(processes, cfg.n_seeds) if self.alive.all() else 1

    def _train_shards(self, pool, blob, n_steps, max_seconds, slot, shards) -> list[Run] | None:
        """The slice trained as `shards` shards of seeds at once, each in a process; None if a
        seed diverged in it (then it is trained again whole: a diverged seed is frozen where the
        whole batch would freeze it)."""
        bounds = np.linspace(0, self.cfg.n_seeds, shards + 1).round().astype(int).tolist()
        seeds = list(itertools.pairwise(bounds))
        futures = [pool.submit(train_slice, blob, n_steps, max_seconds, slot, s) for s in seeds]
        return self._even_up(pool, [f.result() for f in futures])

    @staticmethod
    def _even_up(pool, blobs: list[bytes]) -> list[Run] | None:
        """The shards a slice trained (their states), all at one step: each checks the time and
        Stop on its own, between engine chunks, and one that stopped sooner trains on to where
        the others stopped (a chunk or two), without a cut. None if a seed diverged."""
        parts = [Run._loaded(b) for b in blobs]
        end = max(p.step for p in parts)
        for i, part in enumerate(parts):
            if part.step < end and part.alive.all():
                parts[i] = Run._loaded(
                    pool.submit(train_slice, blobs[i], end - part.step, None, None).result()
                )
        if any(not p.alive.all() or p.step != end for p in parts):
            return None
        return parts

    def _keep_seeds(self, a: int, b: int) -> None:
        """In a training process: become the shard of seeds a..b−1 of this run."""
        self.cfg = self.cfg.replace(seed=self.cfg.seed + a, n_seeds=b - a)
        self.trainer.keep_seeds(self.cfg, a, b)
        self._rng = {name: rngs[a:b] for name, rngs in self._rng.items()}
        self.diverged_at = self.diverged_at[a:b].copy()
        self.history, self.evals = self.history.take(a, b), self.evals.take(a, b)
        self._vol = self._vol[:, :, a:b].copy()
        assert self._eval_z is not None  # a run that trains is not compacted
        self._eval_z = self._eval_z[a:b].clone()  # a slice would carry all K seeds' back
        self._memo = None
        self.shard = True

    def _join(self, parts: list[Run]) -> None:
        """Take back the shards of a slice (their seeds, in order, are ours)."""
        self.trainer.join_seeds([p.trainer for p in parts])
        self._rng = {name: [r for p in parts for r in p._rng[name]] for name in self._rng}
        self.step = parts[0].step
        self.wall_s = max(p.wall_s for p in parts)  # each started from ours
        self.diverged_at = np.concatenate([p.diverged_at for p in parts])
        self.history = History.joined([p.history for p in parts])
        self.evals = History.joined([p.evals for p in parts])
        self._vol = np.concatenate([p._vol for p in parts], axis=2)
        self._memo = None
        for frames in zip(*(p.timeline.frames for p in parts), strict=True):
            self.timeline.add(joined(list(frames)))
        if self.finished:
            self.compact()
        else:
            self.paused()  # the moment the slice ended at, for the live view

    def paused(self) -> None:
        """Called by the training service when it stops training this run: the moment it
        stopped at becomes the newest frame, so a replay ends where training did."""
        with self.lock:
            newest = self.timeline.newest()
            if newest is None or newest.step < self.step:
                self.timeline.live = self.frame()

    def advance(
        self,
        n_steps: int | None = None,
        max_seconds: float | None = None,
        cut: Callable[[], bool] | None = None,
    ) -> int:
        """Train up to n_steps more generator steps (default: to the end of the budget), or
        until max_seconds have passed or cut() says so (asked between engine chunks); returns
        the steps done. Safe to call repeatedly. Runs on a worker of the training service while
        the caller waits (ganlab.service)."""
        return SERVICE.call(lambda: self._advance_locked(n_steps, max_seconds, cut))

    def _advance_locked(self, n_steps, max_seconds, cut) -> int:
        with self.lock:
            return self._advance(n_steps, max_seconds, cut)

    def _advance(
        self,
        n_steps: int | None,
        max_seconds: float | None,
        cut: Callable[[], bool] | None = None,
    ) -> int:
        use_one_thread()
        left = self.cfg.steps - self.step
        n = left if n_steps is None else min(n_steps, left)
        t0 = last = time.perf_counter()
        done = chunks = 0
        while done < n and self.alive.any():
            m = min(
                n - done,
                self.chunk - self.step % self.chunk,
                self.eval_every - self.step % self.eval_every,
                self.timeline.next_step(self.step) - self.step,
            )
            self._train_chunk(m)
            done, chunks = done + m, chunks + 1
            if self.step % self.eval_every == 0 or self.step == self.cfg.steps:
                self._evaluate()
            # Kept current chunk by chunk, so each frame carries the training time up to it.
            now = time.perf_counter()
            self.wall_s, last = self.wall_s + now - last, now
            self._record()
            # Stop before a chunk that would likely end past the budget (chunks of a run take
            # about the same time): with long chunks, a slice then never lasts twice max_seconds.
            spent = time.perf_counter() - t0
            if max_seconds is not None and spent + spent / chunks > max_seconds:
                break
            if cut is not None and cut():
                break
        self.wall_s += time.perf_counter() - last
        if self.finished and not self.shard:  # a shard goes back to be joined whole
            self.compact()
        return done
