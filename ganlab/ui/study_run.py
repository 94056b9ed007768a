"""A small study started from the Study page, trained on the server within the visitor's work cap.

Each configuration (all its seeds, one batched run) is one run of the store: admitted together
at Start by the one admission check (store.get_runs: the visitor's work cap, the server's
budgets, the ledger), trained by the training service, a few at a time in the command line's
order (configuration 0 of every variant first), so a stopped study holds an unbiased equal
budget. A finished run's result lines are the command line's own (study.task_rows), and the
study is a result file like any other: the page analyses and offers the same JSON lines."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

import streamlit as st

from ganlab import budget, study, targets
from ganlab.config import TrainConfig
from ganlab.service import SERVICE
from ganlab.variants import VARIANTS

from . import store, text

ss = st.session_state
KEY = "study.local"  # the page's own study (a Local), kept while the session lasts
REFUSED = "study.run.refused"  # why Start was refused, shown once under the button
PIN = "study.pin.{}" + store.SHOWN_SUFFIX  # its runs count as shown: never evicted meanwhile
TICK_S = 0.5  # the progress line's period while the study trains
# Bounds of a study here: small on purpose (a big one belongs on the command line or a cluster).
DEFAULT_VARIANTS = ("gan", "wgan-gp", "r1")  # the baseline, the classic fix, a modern one
CONFIGS = (1, 8, 4)  # min, max, default configurations per variant (a verdict needs 3)
SEEDS = (1, 4, 4)
STEPS = (50, 2000, 500, 50)  # min, max, default, increment (the shipped example: 500)
MAX_RUNS = store.MAX_RUNS  # variants × configurations: all are held at once while it trains
HEADLESS = ", or run it headless with `python -m ganlab study`"


@dataclass
class Local:
    """A study started here: its tasks in training order, each task's config, and the result
    lines of the tasks finished so far. `state`: training, stopped or finished; `note` says why
    it stopped on its own (an error)."""

    spec: study.StudySpec
    order: list[study.Task]
    cfgs: dict[study.Task, TrainConfig]
    rows: dict[tuple, dict] = field(default_factory=dict)
    done: set[study.Task] = field(default_factory=set)
    state: str = "training"
    note: str | None = None

    @property
    def training(self) -> bool:
        return self.state == "training"

    def text(self) -> str:
        return study.dumps(self.spec, self.rows)

    def comparable(self) -> bool:
        """Every variant has its first configuration finished: something to compare."""
        return all(t in self.done for t in self.order if t.index == 0)


def plan(spec: study.StudySpec) -> Local:
    """The study's tasks in the command line's order (study.execute_on): configuration 0 of
    every variant first, then 1, …; within one index the costliest first."""
    tasks = sorted(spec.tasks(), key=lambda t: (t.index, -study.cost(spec, t)))
    return Local(spec, tasks, {t: study.task_config(spec, t) for t in tasks})


def command(spec: study.StudySpec) -> str:
    """The command line that runs the same study (same spec, same numbers, same file)."""
    flags = {
        "--variant": ",".join(spec.variants),
        "--target": ",".join(spec.targets),
        "--configs": spec.configs,
        "--seeds": spec.seeds,
        "--steps": spec.steps,
        "--out": "study.jsonl",
    }
    args = [str(x) for kv in flags.items() for x in kv]
    return shlex.join(["python", "-m", "ganlab", "study", *args])


def problem(local: Local) -> str | None:
    """Why this study cannot run here even on its own, in words (None if it could): too many
    runs for the page, or more than the budgets allow (the cost model the budgets use)."""
    spec, n = local.spec, len(local.order)
    if n > MAX_RUNS:
        return (
            f"this study has {n} runs ({len(spec.variants)} variants × {spec.configs} "
            f"configurations); the page trains at most {MAX_RUNS} — choose fewer variants or "
            f"configurations{HEADLESS}"
        )
    costs = [budget.estimate(c) for c in local.cfgs.values()]
    return budget.problem(costs, store.LIMITS, what="this study", advice=HEADLESS)


def work_s(local: Local) -> float:
    return sum(budget.estimate(c).work_s for c in local.cfgs.values())


# --- the study's life: start, feed the service, stop -------------------------------------------
def start(spec: study.StudySpec) -> None:
    """Admit every run of the study at once (or refuse it, in words, with nothing started),
    then train the first few. Replaces the page's previous study."""
    local = plan(spec)
    old = ss.get(KEY)
    if isinstance(old, Local) and old.training:
        stop()
    try:
        store.get_runs(local.cfgs.values(), what="this study")
    except store.Refused as exc:
        ss[REFUSED] = str(exc)
        return
    ss[KEY] = local
    _pin(local)
    feed(local)


def feed(local: Local, more: bool = True) -> None:
    """Collect the result lines of runs that finished, and (`more`) keep the service's workers
    busy with the next tasks in order. Runs while the page is open (each tick of the progress
    line); the runs in training go on without it."""
    if not local.training:
        return
    waiting = []
    busy = 0
    for task in local.order:
        if task in local.done:
            continue
        run = store.find(local.cfgs[task])
        if run is None:  # gone from the store (a Reset elsewhere): admitted again
            try:
                run = store.get_run(local.cfgs[task], what="this study")
            except store.Refused as exc:
                _end(local, "stopped", f"a configuration could not start again: {exc}")
                return
        failed = SERVICE.error(run)
        if failed:
            _end(local, "stopped", f"training stopped on an error: {failed}")
            return
        if SERVICE.training(run):
            busy += 1
        elif run.finished:
            try:
                rows = study.task_rows(local.spec, task, run)
            except Exception as exc:  # said in words; the configurations measured are kept
                _end(local, "stopped", f"measuring a configuration failed ({exc})")
                return
            for row in rows:
                local.rows[(row["target"], row["variant"], row["config"], row["seed"])] = row
            local.done.add(task)
            ss.pop(PIN.format(local.order.index(task)), None)
        else:
            waiting.append(run)
    for run in waiting[: max(0, SERVICE.workers - busy) if more else 0]:  # one per worker
        store.train(run)
    if len(local.done) == len(local.order):
        _end(local, "finished")


def stop() -> None:
    """Stop the page's study: runs in training stop, the unfinished ones are let go (their
    work no longer counts against the budgets); the finished configurations are its results."""
    local = ss.get(KEY)
    if isinstance(local, Local) and local.training:
        feed(local, more=False)  # whatever finished meanwhile still counts
        if local.training:
            _end(local, "stopped")


def _end(local: Local, state: str, note: str | None = None) -> None:
    local.state, local.note = state, note
    for task in local.order:
        cfg = local.cfgs[task]
        run = store.find(cfg)
        if run is not None and task not in local.done:
            store.stop(run)
            store.forget(cfg)
    _unpin(local)


def _pin(local: Local) -> None:
    for i, task in enumerate(local.order):
        ss[PIN.format(i)] = local.cfgs[task]


def _unpin(local: Local) -> None:
    for i in range(len(local.order)):
        ss.pop(PIN.format(i), None)


# --- what the page shows ----------------------------------------------------------------------
def _label(v: str) -> str:
    return VARIANTS[v].label


def form() -> None:
    """The settings of a study, its estimated cost and Start; or why it cannot start."""
    lo, hi, default = CONFIGS
    c1, c2 = st.columns([3, 1])
    chosen = c1.multiselect(
        "Variants",
        list(VARIANTS),
        default=list(DEFAULT_VARIANTS),
        format_func=_label,
        key="study.run.variants",
    )
    names = list(targets.TARGETS)
    target = c2.selectbox("Target", names, index=names.index("bimodal"), key="study.run.target")
    c3, c4, c5 = st.columns(3)
    configs = c3.number_input(
        "Configurations per variant",
        lo,
        hi,
        default,
        key="study.run.configs",
        help="N, sampled at random from the search space below (a verdict needs 3 or more)",
    )
    seeds = c4.number_input(
        "Seeds", SEEDS[0], SEEDS[1], SEEDS[2], key="study.run.seeds", help="K per configuration"
    )
    steps = c5.number_input(
        "Steps",
        STEPS[0],
        STEPS[1],
        STEPS[2],
        STEPS[3],
        key="study.run.steps",
        help="generator steps per run",
    )
    local = None
    if not chosen:
        why: str | None = "choose at least one variant"
    else:
        spec = study.StudySpec(
            variants=tuple(v for v in VARIANTS if v in chosen),  # the registry's order
            targets=(target,),
            configs=int(configs),
            seeds=int(seeds),
            steps=int(steps),
        )
        local = plan(spec)
        why = problem(local)
        cap = store.LIMITS.visitor_work_s
        allowed = f"up to {budget.duration(cap)} per visitor" if cap else "no limit per visitor"
        st.markdown(
            f"**Estimated cost: about {budget.duration(work_s(local))} of CPU** for "
            f"{len(local.order)} runs of {spec.seeds} seed{'s' * (spec.seeds > 1)} × "
            f"{spec.steps:,} steps (the cost model the server's budgets use; this server "
            f"allows {allowed})."
        )
        st.caption(f"The same study headless, with the same numbers: `{command(spec)}`")
    if why:
        st.error(f"Can't start it here: {why}.")
    refused = ss.pop(REFUSED, None)
    if refused:
        st.error(f"Can't start it here: {refused}.")
    st.button(
        "Start the study",
        key="study.run.start",
        type="primary",
        disabled=local is None or why is not None,
        on_click=start,
        args=(local.spec if local is not None else None,),
    )
    SERVICE.warm()  # the training processes start while the visitor chooses


def _progress(local: Local) -> tuple[float, str]:
    """How much of the study's estimated work is done, and the line that says so."""
    total = done = 0.0
    steps = 0
    for task in local.order:
        cost = budget.estimate(local.cfgs[task]).work_s
        total += cost
        run = store.find(local.cfgs[task])
        frac = 1.0 if task in local.done else (run.step / run.cfg.steps if run else 0.0)
        done += cost * min(frac, 1.0)
        steps += round(frac * local.spec.steps)
    n = len(local.order)
    frac = done / total if total else 1.0
    return frac, (
        f"{len(local.done)} of {n} configurations trained — {steps:,} of "
        f"{n * local.spec.steps:,} steps, about {frac:.0%} of the estimated work"
    )


def progress() -> None:
    """The page's study while it trains: a progress line that moves (a fragment polling the
    runs, which also hands the service the next tasks) and Stop."""
    local = ss.get(KEY)
    if not isinstance(local, Local) or not local.training:
        return

    @st.fragment(run_every=TICK_S)
    def tick() -> None:
        feed(local)
        if not local.training:  # finished (or stopped on an error): the page shows it now
            st.rerun(scope="app")
        frac, line = _progress(local)
        st.progress(frac, text=f"Your study is training: {line}")

    tick()
    st.button("Stop the study", key="study.run.stop", on_click=stop)
    st.caption(
        "It trains on the server, a few configurations at a time, while this page is open; the "
        "**Stop** button here stops it (finished configurations are kept as results). If you "
        "open another page, the configurations in training finish and the rest waits for you."
    )


def panel() -> tuple[bytes, str] | None:
    """The "Run a small study here" view: the form, the study training, or the study done —
    then its result file's bytes and name, for the page to analyse like any other."""
    local = ss.get(KEY)
    if isinstance(local, Local) and local.training:
        progress()
        return None
    done = isinstance(local, Local) and bool(local.rows)
    with st.expander("Start another study" if done else "A new study", expanded=not done):
        st.caption(
            "Every chosen variant gets the same budget: N configurations sampled from the search "
            "space (sampling seed 0, as the command line), each trained on K seeds."
        )
        form()
    if not isinstance(local, Local):
        return None
    n = len(local.order)
    if local.note:
        st.error(f"Your study {local.state}: {text.plain(local.note, text.MESSAGE)}.")
    if not local.rows:
        st.info("Your study stopped before any configuration finished: no results.")
        return None
    raw = local.text().encode()
    st.success(
        f"Your study {local.state}: {len(local.done)} of {n} configurations trained."
        if local.state == "stopped"
        else f"Your study finished: {n} configurations trained."
    )
    st.download_button(
        "Its results (JSON lines)",
        raw,
        "ganlab-study.jsonl",
        "application/jsonl",
        key="study.run.jsonl",
        on_click="ignore",
        help="The command line's format: `python -m ganlab study --analyse FILE` reads it, and "
        "so does this page's upload.",
    )
    if not local.comparable():
        st.info("Nothing to compare yet: some variant has no finished configuration.")
        return None
    return raw, "your study"
