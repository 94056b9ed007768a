"""What a run costs before it starts (bytes, FLOPs, CPU time) and the one admission check."""

from __future__ import annotations

import ctypes
import functools
import itertools
import math
import os
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ganlab.config import TrainConfig
from ganlab.history import HISTORY_POINTS
from ganlab.timeline import frame_bytes, schedule
from ganlab.variants import PAIRED_G_LOSSES, VARIANTS

# The engine's sizes that set a run's cost. They live in torch modules that this one must not
# import; tests/test_budget.py holds each equal to the engine's own.
EVAL_SAMPLES = 2000  # snapshots.EVAL_SAMPLES: fixed latents per seed for the W1 curve
METRIC_SAMPLES = 10_000  # snapshots.METRIC_SAMPLES: samples per seed behind the tables
VOL_WINDOW = 200  # training.VOL_WINDOW: raw losses kept for volatility
VIEW_BLOCK = 1024  # samples per forward pass in the views: bounds their transient memory
GRID = 20_000  # metrics.GRID: the reference quantile grid of W1 and energy

F32, F64, I64 = 4, 8, 8  # bytes per element
MB = 2**20

# Speed of this engine on one thread of the reference machine (2-core AMD EPYC, torch 2.13 CPU):
# seconds per generator step ≈ matrix-product FLOPs / MM_RATE + element-wise FLOPs / EW_RATE +
# kernel launches × OP_S + random draws × DRAW_S (step_seconds). Fitted to the CPU time of 60
# random configurations, from tiny to the largest the sliders allow (`python bench/soak.py
# model`), then made 25 % slower so that most estimates err long: measured/estimated was
# 0.54–1.7 with the fit itself (10–90 %: 0.7–1.2).
MM_RATE = 32e9  # FLOP/s of the batched matrix products
EW_RATE = 1.5e9  # FLOP/s of element-wise kernels (memory-bound)
OP_S = 13e-6  # per kernel launch, with the Python around it
DRAW_S = 28e-9  # per random number numpy draws (latents, batch indices, ε)
# A chunk is the engine's unit between divergence checks (and the longest stretch a Stop waits
# for): the largest power of two ≤ MAX_CHUNK steps estimated to take ≤ CHUNK_S.
MAX_CHUNK = 16
CHUNK_S = 0.1
# Element-wise FLOPs per element of each activation and of its derivative (transcendental ones
# cost more), and per parameter of each optimiser's update (torch.optim's arithmetic).
ACT_FLOPS = {"relu": 1, "leaky_relu": 2, "silu": 4, "elu": 4, "tanh": 4}
OPT_FLOPS = {"adam": 13, "rmsprop": 8, "sgd": 2}
OPT_OPS = {"adam": 9, "rmsprop": 5, "sgd": 1}


# --- the networks and one step's arithmetic -------------------------------------------------------
def layer_shapes(n_in: int, layers: int, width: int) -> list[tuple[int, int]]:
    """(in, out) of each linear layer of an MLP with `layers` hidden layers (nets.mlp_sizes)."""
    return list(itertools.pairwise([n_in] + [width] * layers + [1]))


def n_params(shapes: list[tuple[int, int]]) -> int:
    return sum(a * b + b for a, b in shapes)


@dataclass
class Tally:
    """Arithmetic of some passes, per seed: matrix-product FLOPs, element-wise FLOPs, kernels."""

    mm: float = 0.0
    ew: float = 0.0
    ops: int = 0

    def product(self, n: int, a: int, b: int) -> None:
        """(n, a) @ (a, b): a batched matrix product, or broadcast-multiply and sum where a side
        is 1 wide (nets._linear's rule, for bit-identical seeds)."""
        if a == 1 or b == 1:
            self.ew += 2 * n * a * b
            self.ops += 1 if a == 1 else 2
        else:
            self.mm += 2 * n * a * b
            self.ops += 1

    def elementwise(self, elements: float, flops_each: float = 1, kernels: int = 1) -> None:
        self.ew += elements * flops_each
        self.ops += kernels


def _forward(t: Tally, shapes, n: int, act: int) -> None:
    for j, (a, b) in enumerate(shapes):
        t.product(n, a, b)
        t.elementwise(n * b)  # + bias
        if j < len(shapes) - 1:
            t.elementwise(n * b, act)


def _backward(t: Tally, shapes, n: int, act: int, weights: bool) -> None:
    """With weights: ∂/∂weights and biases of every layer and ∂/∂input of all but the first (the
    engine stops there); without: ∂/∂input through every layer only (the G step through D)."""
    for j in range(len(shapes) - 1, -1, -1):
        a, b = shapes[j]
        if j < len(shapes) - 1:
            t.elementwise(n * b, act)  # σ'
        if weights:
            t.product(n, a, b)  # hᵀ g
            t.elementwise(n * b)  # bias: Σ g
            if j == 0:
                return
        t.product(n, a, b)  # g wᵀ


def _penalty(t: Tally, shapes, n: int, act: int, smooth: bool) -> None:
    """The gradient penalty on n interpolates: D's slope by forward mode (a value and a
    derivative through every layer), its weight gradient, and the penalty's own arithmetic."""
    t.elementwise(n, 4, 3)  # x̂ = ε·real + (1 − ε)·fake
    hidden, (a_last, _) = shapes[:-1], shapes[-1]
    for j, (a, b) in enumerate(hidden):
        t.product(n, a, b)
        t.elementwise(n * b)  # + bias
        if j:
            t.product(n, a, b)  # the derivative's product
        t.elementwise(n * b, act)  # σ
        t.elementwise(n * b, act)  # σ'·derivative
    t.product(n, a_last, 1)
    t.elementwise(n, 12, 10)  # the penalty and ∂penalty/∂slope
    t.product(n, a_last, 1)  # last layer's weight gradient (from the slope)
    t.product(n, a_last, 1)  # ∂/∂(slope of h) below it
    for j in range(len(hidden) - 1, -1, -1):
        a, b = hidden[j]
        if smooth:  # σ'' terms: curvature, a second weight gradient, a second input gradient
            t.elementwise(n * b, 3 * act + 3, 5)
            t.product(n, a, b)
            t.elementwise(n * b)
            if j:
                t.product(n, a, b)
                t.elementwise(n * b, act)
        t.elementwise(n * b, act)  # σ'
        if j:
            t.product(n, a, b)  # weight gradient
            t.product(n, a, b)  # ∂/∂ below
        else:
            t.elementwise(n * b)


def step_tally(cfg: TrainConfig) -> Tally:
    """One generator step of one seed: d_steps × (G forward, D forward and backward on the real
    and fake batch together, the penalty's slope pass, D's optimiser, clipping) + the G step (G
    and D forward, back through D to its input, back through G, G's optimiser and EMA)."""
    v, b = VARIANTS[cfg.variant], cfg.batch_size
    act = ACT_FLOPS[cfg.activation]
    g = layer_shapes(cfg.latent_dim, cfg.g_layers, cfg.g_width)
    d = layer_shapes(1, cfg.d_layers, cfg.d_width)
    pg, pd = n_params(g), n_params(d)
    d_step = Tally()
    _forward(d_step, g, b, act)
    d_step.elementwise(2 * b, 1, 1)  # real and fake in one batch
    _forward(d_step, d, 2 * b, act)
    d_step.elementwise(2 * b, 8, 6)  # the loss and ∂loss/∂scores
    _backward(d_step, d, 2 * b, act, weights=True)
    d_step.elementwise(pd, OPT_FLOPS[cfg.d_opt], OPT_OPS[cfg.d_opt])
    if v.clip:
        d_step.elementwise(pd, 2)
    if v.penalty is not None:
        points = _penalty_points(cfg)
        _penalty(d_step, d, points, act, smooth=cfg.activation not in ("relu", "leaky_relu"))
    t = Tally()
    _forward(t, g, b, act)
    _forward(t, d, b, act)
    if v.g_loss(cfg.g_loss) in PAIRED_G_LOSSES:  # D on a real batch too (RpGAN's G loss)
        _forward(t, d, b, act)
    t.elementwise(b, 8, 6)
    _backward(t, d, b, act, weights=False)
    _backward(t, g, b, act, weights=True)
    t.elementwise(pg, OPT_FLOPS[cfg.g_opt], OPT_OPS[cfg.g_opt])
    if cfg.ema > 0:
        t.elementwise(pg, 3, 2)
    nd = cfg.d_steps
    return Tally(t.mm + nd * d_step.mm, t.ew + nd * d_step.ew, t.ops + nd * d_step.ops + 8)


def _penalty_points(cfg: TrainConfig) -> int:
    """The points a penalty's slope pass runs on (none without a penalty)."""
    penalty = VARIANTS[cfg.variant].penalty
    return 0 if penalty is None else penalty.batches * cfg.batch_size


def _draws_eps(cfg: TrainConfig) -> bool:
    penalty = VARIANTS[cfg.variant].penalty
    return penalty is not None and penalty.draws_eps


def step_flops(cfg: TrainConfig) -> float:
    """FLOPs of one generator step of all K seeds (step_tally's products and element-wise)."""
    t = step_tally(cfg)
    return float(cfg.n_seeds * (t.mm + t.ew))


def step_draws(cfg: TrainConfig) -> int:
    """Random numbers drawn for one step: batch indices, latents, and ε for a penalty."""
    k, nd, b = cfg.n_seeds, cfg.d_steps, cfg.batch_size
    eps = nd * b if _draws_eps(cfg) else 0
    return k * (nd * b + (nd + 1) * b * cfg.latent_dim + eps)


def step_seconds(cfg: TrainConfig) -> float:
    """Estimated seconds of one generator step on one thread of the reference machine. Kernel
    launches do not grow with K: seeds run in one batched kernel."""
    t, k = step_tally(cfg), cfg.n_seeds
    return k * t.mm / MM_RATE + k * t.ew / EW_RATE + t.ops * OP_S + step_draws(cfg) * DRAW_S


def chunk_steps(cfg: TrainConfig) -> int:
    """Steps between divergence checks: the largest power of two ≤ MAX_CHUNK whose estimated
    time fits CHUNK_S (at least 1). A function of the config alone, never of measured time, so
    where a diverging seed is frozen depends on nothing but the config."""
    m = MAX_CHUNK
    while m > 1 and m * step_seconds(cfg) > CHUNK_S:
        m //= 2
    return m


# --- bytes ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cost:
    """A run's cost, estimated from its config. Bytes: `held` while it can train (weights,
    gradients, optimiser state, EMA, data, evaluation latents, history), `compact` once finished
    (Run.compact() keeps what the views read), and the transient peaks on top: `step_peak` of one
    engine chunk, `view_peak` of seed_metrics() or result(). Compute: FLOPs and estimated seconds
    per generator step."""

    config: TrainConfig
    held: int
    compact: int
    step_peak: int
    view_peak: int
    flops: float
    seconds: float

    @property
    def peak(self) -> int:
        """Most bytes the run holds at any moment (training or looking)."""
        return self.held + max(self.step_peak, self.view_peak)

    @property
    def work_s(self) -> float:
        """Estimated CPU seconds of the whole budget of steps."""
        return self.seconds * self.config.steps


def estimate(cfg: TrainConfig) -> Cost:
    """The cost model: plain arithmetic on the config (tests/test_budget.py checks the bytes
    against what a Run really holds, bench/soak.py the seconds against the clock)."""
    v, k, b, nd, lat = (
        VARIANTS[cfg.variant],
        cfg.n_seeds,
        cfg.batch_size,
        cfg.d_steps,
        cfg.latent_dim,
    )
    g = layer_shapes(lat, cfg.g_layers, cfg.g_width)
    d = layer_shapes(1, cfg.d_layers, cfg.d_width)
    pg, pd = k * n_params(g), k * n_params(d)
    ema = 1 if cfg.ema > 0 else 0
    points = min(cfg.steps, HISTORY_POINTS) + 1
    history = points * (len(v.series) + 3) * k * F64 + VOL_WINDOW * 2 * k * F64
    data = k * cfg.data_size * F64
    frames = (len(schedule(cfg.steps)) + 1) * frame_bytes(k, n_params(d))  # + the live one
    held = (
        F32 * (pg * (4 + ema) + pd * 4)  # flat, grad, two optimiser moments (+ G's EMA)
        + data
        + k * cfg.data_size * F32  # the standardised copy training batches come from
        + F32 * (k * EVAL_SAMPLES * lat + EVAL_SAMPLES + 2 * b)  # eval latents, W1's grid, ±1s
        + history
        + frames
    )
    compact = F32 * (pg + pd) + data + history + frames
    # One chunk: the state saved for a divergence restore, its randomness (drawn per seed then
    # stacked: twice over for a moment), and the largest step's activations (tapes).
    m = chunk_steps(cfg)
    saved = F32 * (pg * (1 + ema) + pd)
    eps = 2 * F32 * nd if _draws_eps(cfg) else 0
    draws = m * k * b * (2 * F32 * (nd + 1) * lat + 3 * I64 * nd + eps)
    wg, wd = cfg.g_width, cfg.d_width
    d_tape = F32 * k * 2 * b * wd * (2 * cfg.d_layers + 2) + F32 * k * b * wg * 2
    gp_tape = F32 * k * _penalty_points(cfg) * wd * (4 * cfg.d_layers + 4)
    g_tape = F32 * k * b * (2 * cfg.g_layers * wg + 2 * cfg.d_layers * wd + 2 * max(wg, wd))
    check = 3 * F32 * (pg + pd)  # each seed's parameters in rows, and their isfinite masks
    step_peak = saved + draws + max(d_tape, gp_tape, g_tape, check)
    # The views: blocks of VIEW_BLOCK samples through G and D, the (K, n) samples as float32
    # pieces, joined, and as float64, scipy's work on one seed, and result()'s own arrays.
    blk = VIEW_BLOCK
    forward = F32 * k * blk * (lat + 3 * max(wg, wd))
    samples = k * METRIC_SAMPLES * (2 * F32 + F64) + 12 * F64 * (METRIC_SAMPLES + GRID)
    result = k * EVAL_SAMPLES * (F32 * lat + 6 * F64) + F32 * pd + 2 * history
    view_peak = forward + max(samples, result)
    return Cost(
        cfg,
        int(held),
        int(compact),
        int(step_peak),
        int(view_peak),
        step_flops(cfg),
        step_seconds(cfg),
    )


# --- budgets --------------------------------------------------------------------------------------
def _env(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if math.isfinite(value) and value > 0 else default


@dataclass(frozen=True)
class Limits:
    """What a shared server allows. Bytes are what runs hold (plus one transient peak per
    visitor: a visitor's script does one thing at a time); work is the estimated CPU seconds
    of steps not yet trained; `step_s` bounds one step, so that Stop answers within a chunk.
    None means unlimited."""

    server_bytes: int | None = None
    visitor_bytes: int | None = None
    server_work_s: float | None = None
    visitor_work_s: float | None = None
    step_s: float | None = None

    @classmethod
    def from_env(cls) -> Limits:
        """The hosted app's defaults (fit Community Cloud: ~1 shared CPU, the whole server under
        ~1.5 GB), each raised or lowered by an environment variable on a bigger host."""
        return cls(
            server_bytes=int(_env("GANLAB_SERVER_MB", 700) * MB),
            visitor_bytes=int(_env("GANLAB_VISITOR_MB", 300) * MB),
            server_work_s=_env("GANLAB_SERVER_WORK", 60) * 60,
            visitor_work_s=_env("GANLAB_VISITOR_WORK", 15) * 60,
            step_s=_env("GANLAB_STEP_S", 0.25),
        )


@dataclass(frozen=True)
class Usage:
    """What runs hold: `held` bytes, the `transient` bytes their scripts can add on top (the
    largest of a visitor's runs: a visitor's script does one thing at a time; summed over
    visitors for the server), and the estimated CPU seconds of steps not yet trained."""

    held: int = 0
    transient: int = 0
    work_s: float = 0.0
    runs: int = 0

    @property
    def bytes(self) -> int:
        return self.held + self.transient


def size(n: float) -> str:
    """Bytes in words: 940 kB, 12 MB, 1.3 GB."""
    if n >= 1000 * MB:
        return f"{n / 2**30:.1f} GB"
    if n >= 10 * MB:
        return f"{n / MB:.0f} MB"
    if n >= MB:
        return f"{n / MB:.1f} MB"
    return f"{max(n, 1024) / 1024:.0f} kB"


def duration(s: float) -> str:
    """CPU time in words: 0.25 s, 40 s, 12 min, 2.5 h."""
    if s < 1:
        return f"{s:.2g} s"
    if s < 90:
        return f"{s:.0f} s"
    if s < 90 * 60:
        return f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} h"


HEADLESS = "or run it headless with `python -m ganlab train`"


def _nets(c: TrainConfig) -> str:
    return (
        f"{c.n_seeds} seed{'s' if c.n_seeds > 1 else ''}, G {c.g_layers} × {c.g_width}, "
        f"D {c.d_layers} × {c.d_width}, batch {c.batch_size}, latent {c.latent_dim}, "
        f"{c.d_steps} D step{'s' if c.d_steps > 1 else ''} per G step"
    )


def problem(
    costs: Sequence[Cost],
    limits: Limits,
    mine: Usage = Usage(),
    everyone: Usage = Usage(),
    what: str = "this",
    host: str = "this server allows",
    per: str = " per visitor",
    advice: str = ", " + HEADLESS,
) -> str | None:
    """The admission check: why the runs `costs` describe cannot start next to what this visitor
    (`mine`) and everyone (`everyone`, this visitor included) already hold, in words naming what
    to lower; None when they fit every budget. `what` names the request ("this comparison");
    host, per and advice let the command line say it in its own words."""
    if not costs:
        return None
    step = max(costs, key=lambda c: c.seconds)
    if limits.step_s is not None and step.seconds > limits.step_s:
        return (
            f"one training step of {what} would take about {duration(step.seconds)} of CPU here "
            f"({_nets(step.config)}); {host} {duration(limits.step_s)} per step, so that Stop "
            f"answers at once — lower the seeds, widths, layers, batch size or D steps{advice}"
        )
    held = sum(c.held for c in costs)
    transient = max(max(c.step_peak, c.view_peak) for c in costs)
    need = held + transient
    # Next to what is held, the transient counts once: the larger of the visitor's and the new.
    visitor_total = mine.held + held + max(mine.transient, transient)
    server_total = everyone.bytes + held + max(0, transient - mine.transient)
    work = sum(c.work_s for c in costs)
    lower_bytes = f"lower the seeds, widths or latent dimension{advice}"
    lower_work = f"lower the steps, seeds, widths or D steps{advice}"
    if limits.visitor_bytes is not None:
        if need > limits.visitor_bytes:
            return (
                f"{what} would hold {size(need)} while it trains; {host} "
                f"{size(limits.visitor_bytes)}{per} — {lower_bytes}"
            )
        if visitor_total > limits.visitor_bytes:
            return (
                f"{what} would hold {size(need)} next to the {size(mine.bytes)} your other runs "
                f"hold (on other pages or tabs); {host} {size(limits.visitor_bytes)}{per} — "
                f"Reset runs you no longer need, or {lower_bytes}"
            )
    if limits.visitor_work_s is not None:
        if work > limits.visitor_work_s:
            return (
                f"{what} would take about {duration(work)} of the server's CPU; {host} "
                f"{duration(limits.visitor_work_s)}{per} — {lower_work}"
            )
        if mine.work_s + work > limits.visitor_work_s:
            return (
                f"{what} would take about {duration(work)} of CPU on top of the "
                f"{duration(mine.work_s)} your unfinished runs still need (on other pages or "
                f"tabs); {host} {duration(limits.visitor_work_s)}{per} — finish or Reset those "
                f"first, or {lower_work}"
            )
    if limits.server_bytes is not None and server_total > limits.server_bytes:
        return (
            f"the server is at its memory budget: everyone's runs hold {size(everyone.bytes)} "
            f"of {size(limits.server_bytes)} and {what} would add {size(need)} — try again in a "
            f"few minutes, or {lower_bytes}"
        )
    if limits.server_work_s is not None and everyone.work_s + work > limits.server_work_s:
        return (
            f"the server is busy: everyone's unfinished runs need about "
            f"{duration(everyone.work_s)} of CPU (it takes {duration(limits.server_work_s)}) "
            f"and {what} would add {duration(work)} — try again in a few minutes, or {lower_work}"
        )
    return None


def limit_problem(cfgs: Sequence[TrainConfig], max_mb: float | None) -> str | None:
    """The command line's `--max-mb` through the same check: its runs train one after another,
    so each must fit on its own. None when unlimited or when they fit."""
    if max_mb is None:
        return None
    if not (math.isfinite(max_mb) and max_mb > 0):
        return f"--max-mb {max_mb:g}: give a positive number of megabytes"
    limits = Limits(visitor_bytes=int(max_mb * MB))
    for cfg in cfgs:
        found = problem(
            [estimate(cfg)],
            limits,
            what=f"the {cfg.variant} run",
            host="--max-mb allows",
            per="",
            advice=" (or raise --max-mb)",
        )
        if found:
            return found
    return None


# --- the process-wide registry of runs ------------------------------------------------------------
@dataclass
class _Entry:
    owner: str
    session: str
    cost: Cost
    gone: weakref.finalize  # counts the run's bytes as freed when it is garbage-collected


class Ledger:
    """Every run the app holds, across all visitors (they share one process): who holds it and
    what it costs now. Thread-safe. Runs are weak keys: a run that is garbage-collected (its
    session ended) leaves by itself, and nothing here keeps a run alive."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Weak keys leave without our lock (the garbage collector may run inside it, in any
        # thread), and a WeakKeyDictionary defers removals while it is being iterated.
        self._entries: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self.released_bytes = 0  # freed since the last give_back(): worth returning to the OS

    def register(self, run, owner: str, session: str = "") -> None:
        cost = estimate(run.cfg)
        gone = weakref.finalize(run, self._freed, cost.held)
        with self._lock:
            self._entries[run] = _Entry(owner, session, cost, gone)

    def _freed(self, n: int) -> None:  # from a finalizer: no lock, only a hint for give_back
        self.released_bytes += n

    def release(self, run) -> None:
        """The app no longer holds `run` (evicted, Reset, its session ended)."""
        with self._lock:
            entry = self._entries.pop(run, None)
        if entry is not None and entry.gone.detach() is not None:
            self._freed(entry.cost.held)

    def owner(self, run) -> str | None:
        with self._lock:
            entry = self._entries.get(run)
        return None if entry is None else entry.owner

    def usage(self, owner: str | None = None, excluding: Iterable = ()) -> Usage:
        """What `owner`'s runs (everyone's when None), apart from `excluding`, hold now: bytes
        (held, compact once finished) and transient bytes (the largest of each visitor's runs,
        summed over visitors), and the CPU seconds of their steps still to train."""
        skip = {id(r) for r in excluding}
        with self._lock:
            entries = [
                (run, e)
                for run, e in self._entries.items()
                if id(run) not in skip and (owner is None or e.owner == owner)
            ]
        held, work = 0, 0.0
        transient: dict[str, int] = {}
        for run, e in entries:
            c, done = e.cost, run.finished
            held += c.compact if getattr(run, "compacted", False) else c.held
            peak = c.view_peak if done else max(c.step_peak, c.view_peak)
            transient[e.owner] = max(transient.get(e.owner, 0), peak)
            if not done:
                work += c.seconds * max(0, c.config.steps - run.step)
        return Usage(held, sum(transient.values()), work, len(entries))


LEDGER = Ledger()


# glibc serves a block of this size or more with its own mmap, returned to the OS when freed.
# Its default starts at 128 kB and rises to the largest block freed so far (up to 32 MB), so
# after a metrics pass or a big comparison, blocks of several MB come from the heap arenas and
# stay there. It is set in the server process only (training processes start from a fresh
# interpreter), where training runs on a one-core host. A fixed 4 MB keeps the engine's per-step
# tensors at the presets' sizes (≤ ~1 MB at 8 seeds) in the heap: at 256 kB WGAN-GP's 8-seed
# steps ran 4× slower, in page faults. The price is at the sliders' maxima (32 seeds × 4 × 128,
# 8 MB tensors): 1.3 → 0.7 steps/s. 16 MB kept that speed (1.1) but gave back less after a
# class of 30 (+105 MB against +82/+85).
try:  # GANLAB_MMAP_THRESHOLD=0: glibc's default
    MMAP_THRESHOLD = int(os.environ.get("GANLAB_MMAP_THRESHOLD", 4 * 2**20))
except ValueError:
    MMAP_THRESHOLD = 4 * 2**20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)


def _libc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


@functools.cache
def fix_mmap_threshold() -> bool:
    """Give glibc a fixed mmap threshold (MMAP_THRESHOLD) and the heap trim threshold it would
    pair with it (twice that), once per process, from the first page the server runs. Unlike
    MALLOC_ARENA_MAX, these take effect in every arena when set after the process started.
    False where there is no glibc or GANLAB_MMAP_THRESHOLD=0."""
    libc = _libc()
    if libc is None or MMAP_THRESHOLD <= 0:
        return False
    return bool(
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        and libc.mallopt(_M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD)
    )


def give_back() -> bool:
    """Ask glibc to return freed heap memory to the OS (malloc_trim(0)); False where there is no
    glibc, or with GANLAB_MALLOC_TRIM=0. Freed tensors otherwise stay in the allocator's arenas
    (one per thread that allocated: each visitor's script thread) and the process keeps its
    peak size (bench/soak.py trim measures the difference)."""
    LEDGER.released_bytes = 0
    if os.environ.get("GANLAB_MALLOC_TRIM", "1") == "0":  # to measure without it
        return False
    libc = _libc()
    return libc is not None and bool(libc.malloc_trim(0))
