"""The visitor's runs, kept in session state by config; admitted, evicted and released by cost.
On a server, sessions asking for the same config share one run (ganlab.shared): it trains once
however many visitors watch, a reload attaches to it again, and it lives while a session holds
it. AppTest has no server: each test's sessions keep runs of their own."""

from __future__ import annotations

import binascii
import contextlib
import dataclasses
import functools
import hashlib
import os
import sys
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterable

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ganlab import budget, gallery, stored_runs
from ganlab.config import TrainConfig
from ganlab.service import SERVICE
from ganlab.shared import Shared
from ganlab.training import Run

KEY = "ganlab.runs"
FRESH = "ganlab.fresh"  # configs this session asked to train from step 0 (not from disk)
MAX_RUNS = 24  # per tab, whatever their size: the oldest not on screen goes first
# What the shared server allows (budget.Limits.from_env: GANLAB_SERVER_MB, GANLAB_VISITOR_MB,
# GANLAB_SERVER_WORK, GANLAB_VISITOR_WORK, GANLAB_STEP_S). The command line has no such limits.
LIMITS = budget.Limits.from_env()
# Session-state keys that name the run a page shows: never evicted (ui/live's
# f"{variant}.live.active", one config; ui/compare_view's ACTIVE, a dict of them).
SHOWN_SUFFIX, SHOWN_COMPARISON = ".live.active", "cmp.active"
XSRF_COOKIE = "_streamlit_xsrf"  # set by Streamlit for the whole browser, every tab
SWEEP_S = 5.0  # how often the janitor looks for sessions that ended
# How long before its TTL runs out the janitor ends a disconnected session (at most half its
# TTL): a sweep later, Streamlit's storage would no longer hand it to its own close.
CLOSE_EARLY_S = 2 * SWEEP_S + 1
TRIM_BYTES = 16 * budget.MB  # freed run memory worth handing back to the OS
STOP_WAIT_S = 0.5  # Stop waits this long at most for the slice in progress to be cut


_ADMITTING = threading.Lock()
SHARED: Shared[Run] = Shared()
_KEPT: weakref.WeakSet[Run] = weakref.WeakSet()  # runs store.keep() has saved


def _sharing() -> bool:
    """Runs are shared between the sessions of a server. AppTest's runtime is a stand-in (all
    its sessions have one id): there each test keeps runs of its own."""
    return runtime.exists() and type(runtime.get_instance()) is runtime.Runtime


class Refused(Exception):
    """The budgets refuse a request; str() says why and what to lower, in words."""


def _runs() -> OrderedDict[TrainConfig, Run]:
    if KEY not in st.session_state:
        st.session_state[KEY] = OrderedDict()
        _watch(st.session_state[KEY])
    return st.session_state[KEY]


def find(cfg: TrainConfig) -> Run | None:
    """The visitor's run for exactly this config, if it has one."""
    runs = _runs()
    if cfg in runs:
        runs.move_to_end(cfg)
        return runs[cfg]
    return None


def _what(cfgs: list[TrainConfig]) -> str:
    return "this run" if len(cfgs) == 1 else "this comparison"


def work_problem(cfgs: Iterable[TrainConfig]) -> str | None:
    """Why these configs cannot run on this server even on their own (too big a step, more
    memory or CPU than a visitor may have), in words; None if they could. Sidebars show it before
    anything starts; get_runs() checks again against what is held when it starts."""
    wanted = list(cfgs)
    costs = [budget.estimate(c) for c in wanted if c not in _runs()]
    return budget.problem(costs, LIMITS, what=_what(wanted))


def get_runs(cfgs: Iterable[TrainConfig], what: str | None = None) -> list[Run]:
    """The visitor's runs for these configs, created on first use (the same config is never
    trained twice for one visitor). New runs go through the one admission check: this visitor's
    oldest runs not on screen are evicted to make room; if they cannot make enough, raises
    Refused, and nothing is created or dropped."""
    wanted = list(dict.fromkeys(cfgs))
    runs = _runs()
    new = [c for c in wanted if c not in runs]
    if new:
        # Finished runs from disk are read before the lock (~70 ms each): other visitors'
        # admissions never wait for this one's disk.
        stored = {
            c: r
            for c in new
            if (not _sharing() or SHARED.find(c) is None) and (r := _stored(c)) is not None
        }
        with _ADMITTING:  # check and register as one: two visitors never both take the last room
            sid, sharing = _session_id(), _sharing()
            # Attaching to a run another session holds costs nothing new: only new runs are
            # admitted against the budgets; a finished run from disk costs memory, no work.
            fresh = [c for c in new if not sharing or SHARED.find(c) is None]
            problem = (
                _admit(fresh, set(wanted), what or _what(wanted), set(stored)) if fresh else None
            )
            if problem:
                raise Refused(problem)
            for cfg in new:
                done = stored.get(cfg)
                make = (
                    functools.partial(Run, cfg) if done is None else functools.partial(_same, done)
                )
                if sharing:
                    run, made = SHARED.attach(cfg, sid, make)
                else:
                    run, made = make(), True
                runs[cfg] = run
                if made:
                    budget.LEDGER.register(run, visitor(), sid)
        _evict(runs, keep=set(wanted) | _shown())
    return [find(c) or runs[c] for c in wanted]


def get_run(cfg: TrainConfig, what: str = "this run") -> Run:
    """get_runs for one config."""
    return get_runs([cfg], what)[0]


def _admit(
    new: list[TrainConfig], keep: set[TrainConfig], what: str, done: set[TrainConfig]
) -> str | None:
    """None once the new runs fit every budget (after evicting the fewest of this tab's oldest
    runs outside `keep` and the pages' shown runs), else why they do not. Runs in `done` come
    finished: they need no work."""
    costs = [
        dataclasses.replace(budget.estimate(c), seconds=0.0) if c in done else budget.estimate(c)
        for c in new
    ]
    alone = budget.problem(costs, LIMITS, what=what)
    if alone:
        return alone
    runs, owner = _runs(), visitor()
    shown = keep | _shown()
    # oldest first; a run other sessions hold frees nothing when this one lets go of it
    candidates = [r for c, r in runs.items() if c not in shown and not _held_by_others(r)]
    problem = None
    for n in range(len(candidates) + 1):
        gone = candidates[:n]
        mine = budget.LEDGER.usage(owner, excluding=gone)
        everyone = budget.LEDGER.usage(None, excluding=gone)
        problem = budget.problem(costs, LIMITS, mine, everyone, what)
        if problem is None:
            for run in gone:
                _drop(runs, run.cfg)
            return None
    return problem


def _shown() -> set[TrainConfig]:
    """The configs some page of this session shows (its active run): never evicted."""
    out: set[TrainConfig] = set()
    for key in list(st.session_state.keys()):
        value = st.session_state.get(key)
        if str(key).endswith(SHOWN_SUFFIX) and isinstance(value, TrainConfig):
            out.add(value)
        elif key == SHOWN_COMPARISON and isinstance(value, dict):
            out |= {c for c in value.values() if isinstance(c, TrainConfig)}
    return out


def _evict(runs: OrderedDict[TrainConfig, Run], keep: set[TrainConfig]) -> None:
    """At most MAX_RUNS per tab: the oldest not on screen go first."""
    for cfg in [c for c in runs if c not in keep][: max(0, len(runs) - MAX_RUNS)]:
        _drop(runs, cfg)


def _held_by_others(run: Run) -> bool:
    return _sharing() and SHARED.holders(run) > 1


def _drop(runs: OrderedDict[TrainConfig, Run], cfg: TrainConfig, sid: str | None = None) -> None:
    """This session lets go of cfg's run; the last holder stops it and gives its memory back."""
    run = runs.pop(cfg, None)
    if run is None:
        return
    sid = _session_id() if sid is None else sid
    if not _sharing() or SHARED.detach(cfg, run, sid):
        SERVICE.stop(run)  # a run nobody holds is never trained on
        budget.LEDGER.release(run)


def forget(cfg: TrainConfig, fresh: bool = False) -> None:
    """Drop this session's run for cfg; `fresh` (Reset, Train it live): the next one asked for
    starts from step 0 — not from disk, even while other sessions go on with the old one."""
    run = _runs().get(cfg)
    if fresh:
        st.session_state.setdefault(FRESH, set()).add(cfg)
        if run is not None and _sharing():
            SHARED.retire(cfg, run)
    _drop(_runs(), cfg)


def _same(run: Run) -> Run:
    return run


# --- finished runs on disk: the gallery's, and this server's own ----------------------------------
def _stored(cfg: TrainConfig) -> Run | None:
    """cfg's finished run from disk (this server's cache, else the gallery), unless this
    session asked to train it afresh."""
    if cfg in st.session_state.get(FRESH, ()):
        return None
    return gallery.stored_run(cfg)


def keep(run: Run) -> None:
    """Store a run that finished training here in the results cache (once), so a restart or a
    sleeping app does not lose it."""
    if run.finished and run.stored_in is None and run not in _KEPT:
        _KEPT.add(run)
        with contextlib.suppress(OSError):  # a full or read-only disk: the run is still here
            stored_runs.save(run)


def attach_in_progress(cfgs: Iterable[TrainConfig]) -> bool:
    """Take this session to other sessions' runs of exactly these configs when every one has
    begun (a comparison a classmate started): nothing new is trained or admitted."""
    wanted = list(cfgs)
    if not _sharing() or not wanted:
        return False
    found = [SHARED.find(c) for c in wanted]
    if any(r is None or r.step == 0 for r in found):
        return False
    get_runs(wanted)
    return True


# --- training a run several sessions may watch ----------------------------------------------------
def train(run: Run, until: int | None = None, slice_s: float | None = None) -> None:
    """Train `run` (up to `until`, else its budget) for this session, in slices of `slice_s`
    (a page that redraws less often than a variant page's live view: Service.start). Someone
    else's run in progress is never cut short: its goal only grows."""
    if _sharing():
        going = SERVICE.training(run)
        SHARED.want(run, _session_id(), going)
        goal = SERVICE.goal(run)
        if going and goal is not None and until is not None and until < goal:
            until = goal
    SERVICE.start(run, until, slice_s)


def stop(run: Run) -> int:
    """Stop `run` for this session: it stops unless other sessions asked it to train; how many
    did (0: it stopped). A slice in progress is cut after its engine chunk, and waited for
    (at most STOP_WAIT_S), so the page's redraw after the click already shows it stopped."""
    others = SHARED.unwant(run, _session_id()) if _sharing() else 0
    if others == 0:
        SERVICE.stop(run)
        SERVICE.wait(run, timeout=STOP_WAIT_S, slice_only=True)
    return others


# --- how often live views redraw, however many there are ----------------------------------------
FULL_RATE_VIEWS = 4  # live views on the server that each redraw at their page's full rate
LIVE_WINDOW_S = 10.0  # a view counts this long after it last asked (or 3 of its periods)
_LIVE: dict[str, float] = {}  # session id -> until when its live view counts
_LEVEL = [1]  # the server's current slowdown


def slowdown(views: int, level: int = 1) -> int:
    """How many times slower than its own period each of `views` live views redraws, from the
    current `level`: 1 up to FULL_RATE_VIEWS, doubled each time the views double, and halved
    again only once there is one view fewer than the lower level holds (a count that hovers at
    a boundary does not flip every page's period back and forth). A room of 30 watching one
    training (or visitors watching runs of their own) redraws as often in total as 2–4
    visitors would, so the CPU goes to training; the levels are few, so a page changes period
    (an app rerun) only a few times while a room joins."""
    while views > FULL_RATE_VIEWS * level:
        level *= 2
    while level > 1 and views < FULL_RATE_VIEWS * level // 2:
        level //= 2
    return level


def period(base_s: float) -> float:
    """A live view's redraw period: base_s, slowed down by the number of live views on this
    server (this one included). Call it on each redraw: that is how a view stays counted, for
    LIVE_WINDOW_S or three of its periods, whichever is longer. AppTest has no server: base_s."""
    if not _sharing():
        return base_s
    now, me = time.monotonic(), _session_id()
    with _LOCK:
        for sid in [k for k, until in _LIVE.items() if until < now]:
            del _LIVE[sid]
        views = len(_LIVE) + (me not in _LIVE)
        level = _LEVEL[0] = slowdown(views, _LEVEL[0])
        _LIVE[me] = now + max(LIVE_WINDOW_S, 3 * base_s * level)
    return base_s * level


def all_runs() -> list[Run]:
    """Every run of this visitor, most recently used last."""
    return list(_runs().values())


def latest(variant: str | None = None, target=None, where=None) -> Run | None:
    """The most recently used run matching variant / target / a predicate on the run."""
    for run in reversed(all_runs()):
        if variant is not None and run.cfg.variant != variant:
            continue
        if target is not None and run.cfg.target != target:
            continue
        if where is not None and not where(run):
            continue
        return run
    return None


# --- who is asking: a visitor is a browser (all its tabs), not a tab ------------------------------
def _session_id() -> str:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else ""


def visitor() -> str:
    """An id for this browser: a digest of the token in Streamlit's XSRF cookie, which every tab
    of a browser shares (the cookie's text is masked anew on each page load, the token is not);
    this tab's session id where there is no such cookie."""
    try:
        cookie = st.context.cookies.get(XSRF_COOKIE) or ""
    except Exception:  # no request behind this script run (tests, bare mode)
        cookie = ""
    parts = cookie.strip("\"'").split("|")
    try:
        if len(parts) == 4 and parts[0] == "2":
            mask, masked = binascii.a2b_hex(parts[1]), binascii.a2b_hex(parts[2])
            token = bytes(b ^ mask[i % 4] for i, b in enumerate(masked))
            return "browser:" + hashlib.sha256(token).hexdigest()[:16]
    except (binascii.Error, IndexError):
        pass
    return "tab:" + _session_id()


# --- sessions that end give their runs back ----------------------------------------------------
# A closed tab's session stays in Streamlit's storage for server.disconnectedSessionTTL; then the
# storage only hides it, and drops it on some later write without shutting it down (its session
# state and download files stay). So the janitor ends a session itself just before its TTL runs
# out: it lets go of the session's runs, shuts the session down through Streamlit's own close,
# and hands freed memory back on its next sweep.
_STORES: dict[str, weakref.ref] = {}
_GONE_SINCE: dict[str, float] = {}
_JANITOR: list[threading.Thread] = []
_LOCK = threading.Lock()


def _watch(runs: OrderedDict) -> None:
    sid = _session_id()
    if not sid or not runtime.exists():  # AppTest and bare scripts: no server, no sessions
        return
    with _LOCK:
        _STORES[sid] = weakref.ref(runs)
        if not _JANITOR:
            thread = threading.Thread(target=_janitor, name="ganlab-janitor", daemon=True)
            _JANITOR.append(thread)
            thread.start()


def _janitor() -> None:
    while True:
        time.sleep(SWEEP_S)
        with contextlib.suppress(Exception):  # housekeeping must never take the server down
            sweep()


def sweep(now: float | None = None) -> int:
    """End the sessions disconnected for nearly their TTL (CLOSE_EARLY_S before it): their runs
    are released and the sessions shut down; returns how many runs that released. Then give
    freed memory back to the OS when enough was freed."""
    if not runtime.exists():
        return 0
    rt, now = runtime.get_instance(), time.monotonic() if now is None else now
    ttl = float(st.get_option("server.disconnectedSessionTTL"))
    ends = max(ttl - CLOSE_EARLY_S, ttl / 2)
    released = 0
    closed, _CLOSED[0] = _CLOSED[0], 0  # by the last sweep: their memory is free by now
    with _LOCK:
        for sid, ref in list(_STORES.items()):
            runs = ref()
            if runs is None:
                del _STORES[sid]
                _GONE_SINCE.pop(sid, None)
            elif rt.is_active_session(sid):
                _GONE_SINCE.pop(sid, None)
            elif now - _GONE_SINCE.setdefault(sid, now) >= ends:
                for cfg in list(runs):
                    _drop(runs, cfg, sid)
                    released += 1
                del _STORES[sid]
                del _GONE_SINCE[sid]
                _close(rt, sid)
    if budget.LEDGER.released_bytes >= TRIM_BYTES or closed:
        budget.give_back()
    if os.environ.get("GANLAB_BUDGET_LOG"):  # for bench/soak.py: the registry, seen from outside
        _log(released)
    return released


_CLOSED = [0]  # sessions closed by the last sweep: the next one hands their memory back


def _close(rt, sid: str) -> None:
    """Shut down a disconnected session as Streamlit does one that logs out: marked so that no
    connection resumes it, then closed on Streamlit's event loop (its session state, widget
    values and download files go). `_close_inactive_session_on_event_loop` is Streamlit's own
    (1.67, not public API): a Streamlit without it leaves the session to its storage."""
    close = getattr(rt, "_close_inactive_session_on_event_loop", None)
    if close is not None:
        with contextlib.suppress(Exception):
            rt.mark_session_nonresumable(sid)
            close(sid)
            _CLOSED[0] += 1


_LOGGED: list[str] = [""]


def _log(released: int) -> None:
    u = budget.LEDGER.usage()
    line = (
        f"ganlab budget: {u.runs} runs in {len(_STORES)} sessions, {u.held} B held, "
        f"{u.transient} B transient, {u.work_s:.0f} s of work outstanding"
    )
    if line != _LOGGED[0] or released:
        _LOGGED[0] = line
        print(f"{line}; {released} runs of ended sessions released", file=sys.stderr, flush=True)
