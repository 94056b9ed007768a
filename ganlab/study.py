"""Equal-budget studies (Lucic et al., 2018): N sampled configurations × K seeds per variant,
trained as tasks on Dask distributed (or in this process), streamed to a JSON-lines file that
resumes. Torch and Dask are imported only where a task runs, so reading a study is cheap."""

from __future__ import annotations

import dataclasses
import functools
import gzip
import io
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganlab import report, search_space, targets
from ganlab.config import TrainConfig
from ganlab.search_space import DEFAULT_SPACE, Space, SpaceError
from ganlab.user_targets import excerpt
from ganlab.variants import VARIANTS

FORMAT = "ganlab-study/1"  # the header's "format": a file without it is not a study
MAX_FILE_MB = 50  # the largest result file read (a 7 × 2 × 100 × 8 study is ~7 MB)
POLL_S = 0.1  # how often the client looks for finished tasks
MAX_LINE = 100_000  # characters of one line: a result line is ~700
LIMITS = {"configs": (1, 1000), "seeds": (1, 32), "steps": (1, 1_000_000)}
# The shipped example study (the Study page opens it) and the command that made it; the file is
# the command's --out, gzipped.
EXAMPLE = Path(__file__).resolve().parent / "data" / "study_example.jsonl.gz"
EXAMPLE_COMMAND = (
    "nice -n 10 python -m ganlab study --variant all --target bimodal,mixture --configs 16 "
    "--seeds 4 --steps 500 --out study_example.jsonl && gzip -9 study_example.jsonl"
)


class StudyError(ValueError):
    """A bad study spec or result file, said in one line."""


@dataclass(frozen=True)
class StudySpec:
    """Everything that decides a study's numbers; the header line of its result file."""

    variants: tuple[str, ...]
    targets: tuple[str, ...] = ("bimodal",)
    configs: int = 16  # N configurations sampled per variant
    seeds: int = 4  # K training seeds per configuration: 0 … K−1, the same for every config
    steps: int = 2000
    seed: int = 0  # the sampling seed: which configurations are drawn
    space: Space = DEFAULT_SPACE

    def __post_init__(self):
        problems = []
        for v in self.variants:
            if v not in VARIANTS:
                problems.append(f"variant '{excerpt(v)}' is not one of {', '.join(VARIANTS)}")
        for t in self.targets:
            if t not in targets.TARGETS:
                problems.append(f"target '{excerpt(t)}' is not one of {', '.join(targets.TARGETS)}")
        if len(self.variants) == 0 or len(self.targets) == 0:
            problems.append("a study needs at least one variant and one target")
        for name, (lo, hi) in LIMITS.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                problems.append(f"{name} must be a whole number in {lo:,} … {hi:,}")
        seed: object = self.seed  # from a file: checked whatever its type
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
            problems.append("seed must be a whole number in 0 … 2³¹−1")
        if problems:
            raise StudyError("; ".join(problems))

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {
            **d,
            "variants": list(self.variants),
            "targets": list(self.targets),
            "space": self.space.to_dict(),
        }

    @classmethod
    def from_dict(cls, raw) -> StudySpec:
        if not isinstance(raw, dict):
            raise StudyError("the study spec must be an object")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(raw) - names)
        if unknown:
            raise StudyError(f"the study spec has an unknown key '{excerpt(unknown[0])}'")
        try:
            space = search_space.space_from_dict(raw.get("space", DEFAULT_SPACE.to_dict()))
        except SpaceError as exc:
            raise StudyError(f"search space: {exc}") from None
        lists = {k: raw[k] for k in ("variants", "targets") if k in raw}
        for k, v in lists.items():
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise StudyError(f"{k} must be a list of names")
        kw: dict[str, Any] = {k: v for k, v in raw.items() if k not in ("space", *lists)}
        kw.update({k: tuple(v) for k, v in lists.items()}, space=space)
        return cls(**kw)

    def sampled(self, variant: str, index: int) -> dict:
        return search_space.sample(self.space, variant, index, self.seed)

    def tasks(self, per_seed: bool = False) -> list[Task]:
        """Every task in a fixed order: per configuration all K seeds in one batched run, or
        (per_seed) one task per seed. Seed i of a K-seed run equals a 1-seed run, bit for bit."""
        seeds = [(s,) for s in range(self.seeds)] if per_seed else [tuple(range(self.seeds))]
        return [
            Task(t, v, i, s)
            for t in self.targets
            for v in self.variants
            for i in range(self.configs)
            for s in seeds
        ]


@dataclass(frozen=True)
class Task:
    """One unit of work: a configuration of a variant on a target, trained on some seeds."""

    target: str
    variant: str
    index: int
    seeds: tuple[int, ...]

    def line_keys(self) -> list[tuple]:
        return [(self.target, self.variant, self.index, s) for s in self.seeds]


def task_config(spec: StudySpec, task: Task) -> TrainConfig:
    """The TrainConfig a task trains: its sampled configuration on its target and seeds."""
    return search_space.config(
        spec.space,
        task.variant,
        spec.sampled(task.variant, task.index),
        target=task.target,
        steps=spec.steps,
        seed=task.seeds[0],
        n_seeds=len(task.seeds),
    )


def run_task(spec: dict, task: Task) -> list[dict]:
    """Train one task and return its result lines (plain data): what a worker runs. The spec
    travels as plain data and the configuration is sampled again here, so a task means the same
    on any machine with the same ganlab."""
    from ganlab.training import use_one_thread  # torch: only where training happens

    use_one_thread()
    study = StudySpec.from_dict(spec)
    cfg = task_config(study, task)
    assert cfg.seeds == list(task.seeds)  # consecutive seeds: one batched run
    run = _quiet_run()(cfg)
    run._advance(None, None)  # in this process: no training service around a task
    return task_rows(study, task, run)


def task_rows(spec: StudySpec, task: Task, run) -> list[dict]:
    """The result lines of a task's run (of task_config(spec, task)) trained to its end, where
    ever it trained: here by run_task, or by the app's training service (the Study page)."""
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    # scipy's W1 and energy end in a BLAS dot product, whose last digits depend on how many
    # threads BLAS uses: one, so a task gives the same numbers on every worker and machine.
    with threadpool_limits(limits=1, user_api="blas"):
        seeds = run.seed_metrics()
    sampled = spec.sampled(task.variant, task.index)
    return [
        {
            "target": task.target,
            "variant": task.variant,
            "config": task.index,
            "seed": m["seed"],
            "params": sampled,
            "metrics": report.json_safe(m),
        }
        for m in seeds
    ]


@functools.cache
def _quiet_run():
    """Run without its timeline: a study reads only the final metrics, and the frames (one
    every 0.2 s of wall time, more under load) cost about half of a 500-step task's CPU.
    A frame reads the state and draws no randomness: the numbers are the same, bit for bit
    (tests/test_study.py checks them against a plain Run)."""
    from ganlab.training import Run

    class StudyRun(Run):
        def _record(self) -> None:
            pass

    return StudyRun


# --- the result file ------------------------------------------------------------------------------
def header(spec: StudySpec) -> str:
    return json.dumps({"format": FORMAT, "spec": spec.to_dict()}, sort_keys=True)


def line(row: dict) -> str:
    return json.dumps(row, sort_keys=True)


def _key(row: dict) -> tuple:
    return (row["target"], row["variant"], row["config"], row["seed"])


def _read_text(path: Path) -> str:
    """A result file's text (gzip if it starts like one), at most MAX_FILE_MB."""
    with open(path, "rb") as f:
        raw = f.read(MAX_FILE_MB * 2**20 + 1)
    return decode(raw, path.name)


def decode(raw: bytes, name: str = "the file") -> str:
    """Bytes of a result file (plain or gzip, e.g. an upload) as text, size-limited."""
    limit = MAX_FILE_MB * 2**20
    if len(raw) > limit:
        raise StudyError(f"{excerpt(name)} is larger than {MAX_FILE_MB} MB")
    if raw[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as g:
                raw = g.read(limit + 1)
        except (OSError, EOFError) as exc:
            raise StudyError(f"{excerpt(name)} is a damaged gzip file ({exc})") from None
        if len(raw) > limit:
            raise StudyError(f"{excerpt(name)} holds more than {MAX_FILE_MB} MB")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise StudyError(f"{excerpt(name)} is not text (not a study result file)") from None


@dataclass
class Results:
    """A parsed result file: its spec and its lines by key; `torn` is True when its last line
    was cut off mid-write (an interrupted study), which resuming drops and trains again."""

    spec: StudySpec
    rows: dict[tuple, dict]
    torn: bool = False


def parse(text: str, name: str = "the file") -> Results:
    """A result file's text, checked line by line: JSON only (never executed or unpickled), a
    header naming the format, every line of the shape a study writes and of a task the spec
    has. Raises StudyError naming the first problem and its line."""
    lines = text.split("\n")
    torn = False
    if lines and lines[-1] == "":
        lines.pop()
    elif lines:
        torn = True  # no final newline: the last write was interrupted
    if not lines:
        raise StudyError(f"{excerpt(name)} is empty: not a study result file")
    head = _json(lines[0], 1, name)
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise StudyError(
            f"{excerpt(name)} is not a study result file (its first line has no "
            f'"format": "{FORMAT}")'
        )
    try:
        spec = StudySpec.from_dict(head.get("spec"))
    except (StudyError, TypeError) as exc:
        raise StudyError(f"{excerpt(name)}, line 1: {exc}") from None
    wanted = {k for t in spec.tasks() for k in t.line_keys()}
    rows: dict[tuple, dict] = {}
    for n, text_line in enumerate(lines[1:], start=2):
        last = n == len(lines)
        try:
            row = _json(text_line, n, name)
        except StudyError:
            if last and torn:
                return Results(spec, rows, torn=True)
            raise
        _check_row(row, n, name, spec, wanted)
        if _key(row) in rows:
            raise StudyError(f"{excerpt(name)}, line {n}: a second result for the same task")
        rows[_key(row)] = row
    return Results(spec, rows, torn=torn)


def _json(text: str, n: int, name: str):
    if len(text) > MAX_LINE:
        raise StudyError(f"{excerpt(name)}, line {n}: longer than {MAX_LINE:,} characters")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise StudyError(f"{excerpt(name)}, line {n}: not valid JSON") from None


def _check_row(row, n: int, name: str, spec: StudySpec, wanted: set) -> None:
    where = f"{excerpt(name)}, line {n}"
    if not isinstance(row, dict) or set(row) != {
        "target",
        "variant",
        "config",
        "seed",
        "params",
        "metrics",
    }:
        raise StudyError(f"{where}: not a study result line")
    key = _key(row)
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in key[2:]) or key not in (
        wanted
    ):
        raise StudyError(f"{where}: a task this study does not have ({excerpt(key)})")
    if row["params"] != spec.sampled(row["variant"], row["config"]):
        raise StudyError(f"{where}: its settings are not the configuration the spec samples")
    m = row["metrics"]
    if not isinstance(m, dict) or not all(
        v is None or isinstance(v, bool | int | float | list) for v in m.values()
    ):
        raise StudyError(f"{where}: metrics must be an object of numbers")
    if m.get("seed") != row["seed"]:
        raise StudyError(f"{where}: its metrics are of another seed")


def load(path: str | os.PathLike) -> Results:
    path = Path(path)
    return parse(_read_text(path), path.name)


# --- running -----------------------------------------------------------------------------------
def _open_for(spec: StudySpec, path: Path) -> tuple[dict[tuple, dict], bool]:
    """The results already in `path` (a new or empty file gets the header). Refuses a file of
    another spec or not a study, with the difference named."""
    if not path.exists() or path.stat().st_size == 0:
        path.write_text(header(spec) + "\n")
        return {}, False
    if path.suffix == ".gz":
        raise StudyError(f"{excerpt(path.name)} is gzip: a study writes plain JSON lines")
    old = load(path)
    if old.spec != spec:
        a, b = old.spec.to_dict(), spec.to_dict()
        diff = [k for k in a if a[k] != b[k]]
        raise StudyError(
            f"{excerpt(path.name)} holds another study (its {', '.join(diff)} differ): "
            "give another --out, or the same settings to resume it"
        )
    if old.torn:  # cut the torn line, so appended lines start on a line of their own
        text = _read_text(path)
        path.write_text(text[: text.rfind("\n") + 1])
    return old.rows, old.torn


def pending(spec: StudySpec, done: Iterable[tuple], per_seed: bool = False) -> list[Task]:
    """Tasks with any key not done; a batched task with some seeds done keeps only the rest
    (as single-seed tasks, so every seed's numbers are those of a 1-seed run anyway)."""
    done = set(done)
    out: list[Task] = []
    for t in spec.tasks(per_seed):
        left = [k for k in t.line_keys() if k not in done]
        if len(left) == len(t.seeds):
            out.append(t)
        else:
            out += [Task(t.target, t.variant, t.index, (k[3],)) for k in left]
    return out


def run(
    spec: StudySpec,
    out: str | os.PathLike,
    workers: int | None = None,
    scheduler: str | None = None,
    per_seed: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Run the study into `out`, resuming what it holds. workers=0 trains in this process;
    otherwise a Dask LocalCluster of `workers` single-threaded processes (default: one per
    usable core), or the cluster at `scheduler`. Lines are appended as tasks finish; at the end
    the file is rewritten in task order, so its bytes depend on nothing but the spec."""
    path = Path(out)
    done, _ = _open_for(spec, path)
    todo = pending(spec, done, per_seed)
    total = spec.configs * spec.seeds * len(spec.variants) * len(spec.targets)
    t0 = time.perf_counter()
    with open(path, "a", encoding="utf-8") as f:
        for rows in execute(spec, todo, workers, scheduler):
            for row in rows:
                f.write(line(row) + "\n")
                done[_key(row)] = row
            f.flush()
            if progress is not None:
                progress(len(done), total)
    finish(spec, path)
    return {
        "trained": sum(len(t.seeds) for t in todo),
        "skipped": total - sum(len(t.seeds) for t in todo),
        "seconds": time.perf_counter() - t0,
    }


def finish(spec: StudySpec, path: Path) -> None:
    """Rewrite a complete study's file in task order (atomically): same spec ⇒ same bytes."""
    rows = load(path).rows
    keys = [k for t in spec.tasks() for k in t.line_keys()]
    if any(k not in rows for k in keys):
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(dumps(spec, rows))
    os.replace(tmp, path)


def dumps(spec: StudySpec, rows: dict[tuple, dict]) -> str:
    """A result file's text: the header and the lines held, in task order (a finished study's
    is the bytes `finish` leaves; an unfinished one's reads back as that study, unfinished)."""
    keys = [k for t in spec.tasks() for k in t.line_keys() if k in rows]
    return "\n".join([header(spec), *(line(rows[k]) for k in keys)]) + "\n"


def cost(spec: StudySpec, task: Task) -> float:
    """A task's estimated CPU seconds (the app's cost model), to start the longest first."""
    from ganlab import budget

    return budget.estimate(task_config(spec, task)).work_s


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def execute(
    spec: StudySpec, tasks: list[Task], workers: int | None = None, scheduler: str | None = None
) -> Iterator[list[dict]]:
    """Each task's result lines, as tasks finish (in any order)."""
    if not tasks:
        return
    plain = spec.to_dict()
    if workers == 0 and scheduler is None:
        for t in sorted(tasks, key=lambda t: t.index):  # as execute_on: index first
            yield run_task(plain, t)
        return
    with cluster(workers, scheduler) as client:
        yield from execute_on(client, spec, tasks)


def execute_on(client, spec: StudySpec, tasks: list[Task]) -> Iterator[list[dict]]:
    """Each task's result lines from a Dask client's workers, as tasks finish."""
    plain = spec.to_dict()
    # Configuration 0 of every variant first, then 1, …: an interrupted study holds the first
    # configurations of every variant, an unbiased equal budget. Within one index, largest
    # first (more D steps, wider nets cost more), so no worker idles long at the end of it.
    # pure=False: a task is never merged with another.
    tasks = sorted(tasks, key=lambda t: (t.index, -cost(spec, t)))
    futures = client.map(run_task, [plain] * len(tasks), tasks, pure=False)
    # Polled, not a blocking wait: Ctrl-C reaches this thread within POLL_S, and leaving the
    # cluster's `with` then stops its workers.
    waiting = list(futures)
    while waiting:
        done = [f for f in waiting if f.done()]
        if not done:
            time.sleep(POLL_S)
            continue
        for fut in done:
            waiting.remove(fut)
            yield fut.result()  # a task's exception is raised here, in words
            fut.release()


# Dask's nanny starts workers with glibc's heap trimmed at 64 kB (MALLOC_TRIM_THRESHOLD_=65536),
# which makes the engine's many small tensor allocations fault pages in again and again: the
# same tasks took 2–2.3× as long in such a worker as in a plain process (bench/study.py). Our
# local workers start with glibc's own (dynamic) threshold; workers on other machines: see README.
UNTRIMMED = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"


class cluster:
    """A Dask client: on the scheduler at `address`, or on a LocalCluster of single-threaded
    worker processes that it starts and stops."""

    def __init__(self, workers: int | None = None, address: str | None = None):
        self.workers, self.address = workers, address
        self._cluster: Any = None
        self.client: Any = None

    def __enter__(self):
        import dask
        from distributed import Client, LocalCluster

        if self.address is not None:
            self.client = Client(self.address, timeout="10s")
            return self.client
        n = self.workers or usable_cores()
        # One thread per worker: tiny MLPs run fastest on one thread (bench/speed.py), and the
        # env var reaches torch in the worker before it starts its thread pools.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        with dask.config.set({UNTRIMMED: None}):
            self._cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: never clashes with another cluster
                silence_logs=40,  # logging.ERROR: the CLI prints its own progress
            )
        self.client = Client(self._cluster)
        return self.client

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()
