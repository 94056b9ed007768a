"""Soak: simulated visitors do the worst allowed things to the running app while the server's RSS
and CPU and an idle visitor's page loads are recorded; then RSS after they have all left.

    python bench/soak.py               # 4 visitors × 6 min, then past the session TTL (≤ 10 min)
    python bench/soak.py --quick       # 2 visitors × 90 s (~3 min)
    python bench/soak.py stop          # how long Stop waits, at the largest networks
    python bench/soak.py trim          # RSS after runs are dropped, with and without malloc_trim
    python bench/soak.py model         # the cost model against measured bytes and CPU time
    GANLAB_ENGINE=/tmp/old python bench/soak.py stop   # the same, on another copy of ganlab/

Loopback only (127.0.0.1), bounded in visitors and time. Each visitor is a Playwright browser
context (its own cookies: one visitor to the server) with two tabs, driven in turn from this
thread through Debian's Chromium: maximal comparisons with new seeds each time, the largest
networks a variant page takes, the table's "Run … here" buttons, the teaching pages' trainers,
page switches and reloads. The server runs with a short session TTL
(STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL, 20 s here; Streamlit's default is 120 s) so that
"after they leave" fits in the bench, and GANLAB_BUDGET_LOG=1, so the registry of runs prints
what it holds. The browsers share the server's two cores: page loads are measured under that.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import statistics
import sys
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path[:0] = [os.environ.get("GANLAB_ENGINE", str(HERE.parent)), str(HERE)]

GOAL_PEAK_MB, GOAL_BACK_MB, GOAL_LOAD_S = 1536, 150, 3.0
TTL_S = 20
TARGETS = ("bimodal", "mixture", "normal", "uniform", "exponential")
VARIANT_PAGES = ("Vanilla_GAN", "WGAN", "WGAN-GP")
IDLE_PAGES = ("", "WGAN", "Compare")  # what the idle visitor opens, in turn
BIG = ("batch size", "latent dimension", "G layers", "G width", "D layers", "D width")


# --- the soak -------------------------------------------------------------------------------------
class Server:
    """The app's process: RSS sampled every 0.5 s, CPU per 5 s, its log kept (and drained)."""

    def __init__(self, proc):
        self.ps, self.log, self.rss, self.cpu = psutil.Process(proc.pid), [], [], []
        self.stop = threading.Event()
        threading.Thread(target=self._drain, args=(proc,), daemon=True).start()
        threading.Thread(target=self._sample, daemon=True).start()

    def _drain(self, proc) -> None:
        for line in proc.stdout:
            self.log.append(line.rstrip())

    def _sample(self) -> None:
        last, t_last = self.ps.cpu_times(), time.time()
        while not self.stop.is_set():
            self.rss.append((time.time(), self.mb()))
            time.sleep(0.5)
            if time.time() - t_last >= 5:
                now, t = self.ps.cpu_times(), time.time()
                used = (now.user + now.system) - (last.user + last.system)
                self.cpu.append(100 * used / (t - t_last))
                last, t_last = now, t

    def mb(self) -> float:
        return self.ps.memory_info().rss / 2**20

    def peak_since(self, t0: float) -> float:
        return max(m for t, m in self.rss if t >= t0)

    def budget_lines(self) -> list[str]:
        return [line for line in self.log if line.startswith("ganlab budget:")]


class Visitor:
    """A browser (one context, two tabs) that keeps asking for the most the app allows."""

    def __init__(self, browser, base: str, rng: random.Random):
        from browser_steps import VIEWPORT

        self.ctx = browser.new_context(viewport=VIEWPORT)
        self.tabs = [self.ctx.new_page(), self.ctx.new_page()]
        for tab in self.tabs:
            tab.set_default_timeout(60_000)
        self.base, self.rng, self.turn = base, rng, 0
        self.actions, self.refusals, self.errors, self.last = 0, 0, [], ""

    def step(self) -> None:
        tab = self.tabs[self.turn % 2]
        self.turn += 1
        act = self.rng.choice(
            [
                self.compare,
                self.compare,
                self.variant,
                self.variant,
                self.table,
                self.teach,
                self.reload,
                self.elsewhere,
            ]
        )
        t0 = time.perf_counter()
        try:
            act(tab)
        except Exception as exc:  # a timeout under load is data, not the end of the bench
            self.errors.append(f"{act.__name__} on {tab.url}: {type(exc).__name__}")
            if os.environ.get("SOAK_SHOTS"):
                with contextlib.suppress(Exception):
                    tab.screenshot(path=f"/tmp/soak-{len(self.errors)}-{act.__name__}.png")
        self.actions += 1
        self.last = f"a visitor's last action: {act.__name__}, {time.perf_counter() - t0:.1f} s"

    def _open(self, tab, path: str) -> None:
        from browser_steps import settle

        tab.goto(f"{self.base}/{path}")
        settle(tab)

    def _refused(self, tab) -> bool:
        text = " ".join(tab.locator('[data-testid="stAlert"]').all_inner_texts()).lower()
        hit = bool(re.search(r"can't (run|start|train)", text))
        self.refusals += hit
        return hit

    def compare(self, tab) -> None:
        """The biggest comparison the server takes, with new seeds each time (many configs)."""
        from browser_steps import button

        target, seed = self.rng.choice(TARGETS), self.rng.randrange(10**6)
        for seeds, steps in ((32, 20000), (32, 6000), (16, 6000), (8, 2000)):
            self._open(tab, f"Compare?seeds={seeds}&steps={steps}&seed={seed}&target={target}")
            if not self._refused(tab):
                button(tab, "Run comparison").click()
                time.sleep(2)
                if not self._refused(tab):
                    return

    def variant(self, tab) -> None:
        """A variant page with every network slider at its maximum, seeds lowered until the
        server takes it; Start, and leave it training."""
        from browser_steps import button, settle

        self._open(tab, self.rng.choice(VARIANT_PAGES))
        for name in (*BIG, "number of seeds"):
            tab.get_by_role("slider", name=name).first.press("End")
            settle(tab, 30)
        for _ in range(6):
            if not self._refused(tab):
                break
            tab.get_by_role("slider", name="number of seeds").first.press("PageDown")
            settle(tab, 30)
        start = button(tab, "Start")
        if start.is_enabled():
            start.click()
            time.sleep(2)
            self._refused(tab)

    def table(self, tab) -> None:
        from browser_steps import settle

        self._open(tab, self.rng.choice(VARIANT_PAGES))
        runs = tab.locator('[data-testid="stMain"]').get_by_role("button", name=re.compile("^Run "))
        if runs.count():
            runs.first.click()
            time.sleep(2)
            settle(tab, 30)
            self._refused(tab)

    def teach(self, tab) -> None:
        from browser_steps import button

        page, label = self.rng.choice(
            [("Slerp_vs_lerp", "Train one here"), ("Inverse_transform", "Train a latent-1")]
        )
        self._open(tab, page)
        found = button(tab, label)
        if found.count():
            found.click()
            time.sleep(2)
            self._refused(tab)

    def reload(self, tab) -> None:
        from browser_steps import settle

        if tab.url.startswith("about:"):  # a tab that has not opened the app yet
            return self.elsewhere(tab)
        tab.reload()
        settle(tab)

    def elsewhere(self, tab) -> None:
        self._open(tab, "")

    def close(self) -> None:
        self.ctx.close()


def page_load(page, url: str) -> float:
    """Time for `page` to open url afresh (a new session) to the page's title and the script
    finished (the status widget gone)."""
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)
    while page.locator('[data-testid="stStatusWidget"]').count():
        if time.perf_counter() - t0 > 60:
            break
        time.sleep(0.05)
    return time.perf_counter() - t0


def pin(pid: int, cpus: set[int], nice: int | None = None) -> None:
    """Every thread of a process (so every thread it starts later) onto `cpus`."""
    with contextlib.suppress(OSError):  # a process or thread that just ended
        for tid in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                os.sched_setaffinity(int(tid), cpus)
                if nice is not None:
                    os.setpriority(os.PRIO_PROCESS, int(tid), nice)


def chromium_roots() -> set[int]:
    """This process's Chromium browser processes (not their renderers)."""
    kids = [p for p in psutil.Process().children(recursive=True) if "chrom" in p.name()]
    ids = {p.pid for p in kids}
    return {p.pid for p in kids if p.ppid() not in ids}


def keep_pinned(roots: dict[int, int], stop: threading.Event) -> None:
    """Browsers on the second core, the visitors' below the idle visitor's priority: renderers
    start all the time, so this looks again every second."""
    while not stop.is_set():
        for root, nice in roots.items():
            with contextlib.suppress(psutil.Error):
                for p in [psutil.Process(root), *psutil.Process(root).children(recursive=True)]:
                    pin(p.pid, {1}, nice)
        time.sleep(1)


class Idler(threading.Thread):
    """The idle visitor, on its own thread and browser: opens a page afresh every ~15 s
    (cycling through IDLE_PAGES) from warm-up until told to stop."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.loads, self.quiet = url, [], []
        self.warm, self.stop = threading.Event(), threading.Event()

    def run(self) -> None:
        from appserver import launch_chromium
        from browser_steps import VIEWPORT
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            page = browser.new_context(viewport=VIEWPORT).new_page()
            for path in ("", *VARIANT_PAGES, "Inverse_transform", "Slerp_vs_lerp", "Compare"):
                page_load(page, f"{self.url}/{path}")  # imports, caches, noise floors
            self.quiet = [page_load(page, f"{self.url}/{p}") for p in IDLE_PAGES]
            self.warm.set()
            while not self.stop.wait(15 if self.loads else 0):
                path = IDLE_PAGES[len(self.loads) % len(IDLE_PAGES)]
                try:
                    self.loads.append((time.time(), path, page_load(page, f"{self.url}/{path}")))
                except Exception:  # no page within 60 s: that is the measurement
                    self.loads.append((time.time(), path, float("inf")))
            browser.close()


def soak(args) -> None:
    from appserver import launch_chromium, running_app
    from playwright.sync_api import sync_playwright

    os.environ["STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"] = str(TTL_S)
    os.environ["GANLAB_BUDGET_LOG"] = "1"
    n, minutes = (2, 1.5) if args.quick else (args.visitors, args.minutes)
    rng = random.Random(args.seed)
    with running_app() as (url, proc), sync_playwright() as pw:
        server = Server(proc)
        # The server gets one core, like the hosted app's one shared CPU; the browsers the
        # other, the visitors' niced below the idle visitor's, so that a page load measures the
        # server and not the bench's own browsers.
        cores = len(os.sched_getaffinity(0)) >= 2
        if cores:
            pin(proc.pid, {0})
        browser = launch_chromium(pw)
        visitors_root = chromium_roots()
        idler = Idler(url)
        idler.start()
        idler.warm.wait(300)
        if cores:
            roots = {r: 0 for r in chromium_roots() - visitors_root}
            roots |= {r: 10 for r in visitors_root}
            threading.Thread(target=keep_pinned, args=(roots, server.stop), daemon=True).start()
        time.sleep(5)
        idle = server.mb()
        quiet = " / ".join(f"/{p} {t:.2f} s" for p, t in zip(IDLE_PAGES, idler.quiet, strict=True))
        print(f"idle server: RSS {idle:.0f} MB; page loads with no visitors: {quiet}", flush=True)
        visitors = [Visitor(browser, url, random.Random(rng.random())) for _ in range(n)]
        t0, shown = time.time(), 0
        while time.time() - t0 < minutes * 60:
            for v in visitors:
                v.step()
            for when, path, took in idler.loads[shown:]:
                print(f"  {when - t0:5.0f} s  RSS {server.mb():6.0f} MB  idle visitor's /{path} "
                      f"in {took:.2f} s; {visitors[0].last}", flush=True)  # fmt: skip
            shown = len(idler.loads)
        peak = server.peak_since(t0)
        busy = list(server.cpu)
        during = [x for x in idler.loads if x[0] >= t0]
        for v in visitors:
            v.close()
        left = time.time()
        print(f"visitors gone; waiting {TTL_S} s (session TTL) + 40 s", flush=True)
        time.sleep(TTL_S + 40)
        after = server.mb()
        idler.stop.set()
        idler.join(90)
        server.stop.set()
        browser.close()
    actions = sum(v.actions for v in visitors)
    refusals = sum(v.refusals for v in visitors)
    errors = [e for v in visitors for e in v.errors]

    def load_row(path: str, goal: bool) -> tuple:
        times = [t for _, p, t in during if p == path] or [float("nan")]
        return (
            f"idle visitor's page load, /{path}: median / max of {len(times)} "
            f"(no visitors: {idler.quiet[IDLE_PAGES.index(path)]:.2f} s)",
            f"≤ {GOAL_LOAD_S:g} s" if goal else "—",
            f"{statistics.median(times):.2f} / {max(times):.2f} s",
            max(times) <= GOAL_LOAD_S if goal else "",
        )

    rows = [
        ("server RSS, idle (every page loaded once)", "—", f"{idle:.0f} MB", ""),
        (
            f"peak RSS, {n} visitors × {minutes:g} min",
            f"≤ {GOAL_PEAK_MB / 1024:.1f} GB",
            f"{peak:.0f} MB",
            peak <= GOAL_PEAK_MB,
        ),
        (
            f"RSS {time.time() - left:.0f} s after they left (TTL {TTL_S} s)",
            f"≤ idle + {GOAL_BACK_MB} MB",
            f"{after:.0f} MB ({after - idle:+.0f})",
            after - idle <= GOAL_BACK_MB,
        ),
        load_row("", True),
        *(load_row(p, False) for p in IDLE_PAGES[1:]),
        (
            "server CPU (its one core), mean / peak over 5 s",
            "—",
            f"{statistics.mean(busy):.0f} % / {max(busy):.0f} %",
            "",
        ),
        (
            "visitor actions / requests refused by the budgets / timed out",
            "—",
            f"{actions} / {refusals} / {len(errors)}",
            "",
        ),
    ]
    print("\n| measure | goal | measured | met |\n|---|---|---|---|")
    for name, goal, value, ok in rows:
        print(f"| {name} | {goal} | {value} | {'' if ok == '' else 'yes' if ok else 'NO'} |")
    print("\nthe server's registry of runs, last lines:")
    for line in server.budget_lines()[-3:]:
        print("  " + line)
    for line in [x for x in server.log if "Traceback" in x or "Error" in x][:5]:
        print("  server log: " + line)
    for e in errors[:8]:
        print("  timed out: " + e)


# --- Stop latency -------------------------------------------------------------------------------
def stop(args) -> None:
    """The training service trains a run in slices and a Stop lands at the end of the slice in
    progress: time from a Stop at a random moment until training has stopped."""
    from ganlab.config import preset
    from ganlab.service import SERVICE
    from ganlab.training import Run

    try:
        from ganlab import budget
    except ImportError:  # an engine from before the cost model
        budget = None
    largest = dict(
        n_seeds=32,
        g_width=128,
        d_width=128,
        g_layers=4,
        d_layers=4,
        latent_dim=32,
        batch_size=512,
        steps=100_000,
    )
    cases = [("gan", 1, 32), ("wgan-gp", 5, 32)]
    if budget is not None:  # and the largest the hosted app admits at these networks
        limits = budget.Limits(step_s=budget.Limits.from_env().step_s)  # its step limit alone
        for v, nd in (("gan", 1), ("wgan-gp", 5), ("wgan-gp", 10)):
            ok = [
                k
                for k in range(1, 33)
                if budget.problem(
                    [budget.estimate(preset(v, "tuned", **{**largest, "n_seeds": k}, d_steps=nd))],
                    limits,
                )
                is None
            ]
            if ok:
                cases.append((v, nd, max(ok)))
    rng = random.Random(0)
    print(f"engine: {sys.path[0]}")
    print("| config | admitted | chunk | Stop waits: median / max |\n|---|---|---|---|")
    for v, nd, k in cases:
        cfg = preset(v, "tuned", **{**largest, "n_seeds": k}, d_steps=nd)
        run, waits = Run(cfg), []
        admitted = "—"
        if budget is not None:
            said = budget.problem([budget.estimate(cfg)], limits)
            admitted = "yes" if said is None else "no (step limit)"
        deadline = time.time() + args.seconds
        while len(waits) < args.stops and time.time() < deadline:
            SERVICE.start(run)
            time.sleep(rng.uniform(0.2, 1.5))
            t_stop = time.perf_counter()
            SERVICE.stop(run)
            SERVICE.wait(run)  # until the slice in progress has ended: training has stopped
            waits.append(time.perf_counter() - t_stop)
        chunk = getattr(run, "chunk", 16)
        name = f"{v}, {k} seeds, 4 × 128, latent 32, batch 512, {nd} D steps"
        print(
            f"| {name} | {admitted} | {chunk} | "
            f"{statistics.median(waits):.2f} / {max(waits):.2f} s ({len(waits)} stops) |",
            flush=True,
        )


# --- malloc_trim ----------------------------------------------------------------------------------
def trim(args) -> None:
    """Four threads (visitors' script threads) each train and look at large runs; the runs are
    dropped; RSS before and after glibc's malloc_trim(0). Twice, in fresh processes."""
    import subprocess

    for _ in range(2):
        subprocess.run([sys.executable, __file__, "trim-child"], check=True)


def trim_child(args) -> None:
    import ctypes
    import gc

    from ganlab.config import preset
    from ganlab.training import Run

    def rss() -> float:
        return psutil.Process().memory_info().rss / 2**20

    runs: list = []
    base = rss()

    def visitor(i: int) -> None:
        for v in ("gan", "wgan", "wgan-gp"):
            cfg = preset(
                v,
                "tuned",
                n_seeds=8,
                g_width=128,
                d_width=128,
                g_layers=3,
                d_layers=3,
                latent_dim=16,
                steps=12,
                seed=i,
            )
            run = Run(cfg)
            run.advance()
            run.seed_metrics()
            run.result()
            runs.append(run)

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    held = rss()
    runs.clear()
    gc.collect()
    time.sleep(1)
    dropped = rss()
    t0 = time.perf_counter()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    took = time.perf_counter() - t0
    trimmed = rss()
    print(
        f"RSS: before {base:.0f} MB, holding 12 runs {held:.0f} MB, runs dropped {dropped:.0f} "
        f"MB, after malloc_trim(0) {trimmed:.0f} MB (it took {took * 1000:.0f} ms)"
    )


# --- the cost model -----------------------------------------------------------------------------
def model(args) -> None:
    """Random configurations, tiny to the largest the sliders allow: the model's held bytes
    against what the Run holds, and its seconds per step against CPU time (fitting anew)."""
    import numpy as np
    from held import held_bytes
    from scipy.optimize import nnls

    from ganlab import budget
    from ganlab.config import preset
    from ganlab.training import Run

    rng, rows = random.Random(args.seed), []
    while len(rows) < args.configs:
        v = rng.choice(["gan", "wgan", "wgan-gp"])
        kw = dict(
            n_seeds=rng.choice([1, 2, 4, 8, 16, 32]),
            g_width=rng.choice([8, 32, 64, 128]),
            d_width=rng.choice([8, 32, 64, 128]),
            g_layers=rng.randint(1, 4),
            d_layers=rng.randint(1, 4),
            latent_dim=rng.choice([1, 2, 8, 32]),
            batch_size=rng.choice([32, 128, 512]),
            d_steps=rng.choice([1, 2, 5, 10]),
            activation=rng.choice(["relu", "leaky_relu", "silu", "tanh", "elu"]),
        )
        cfg = preset(v, "tuned", steps=6000, **kw)
        if budget.step_seconds(cfg) > 2.5:
            continue
        run = Run(cfg)
        run.advance(1)
        n = max(1, min(64, int(0.4 / budget.step_seconds(cfg))))
        spent = []
        for _ in range(3):
            t = time.process_time()
            run.advance(n)
            spent.append((time.process_time() - t) / n)
        t = budget.step_tally(cfg)
        k = cfg.n_seeds
        rows.append(
            (
                k * t.mm,
                k * t.ew,
                t.ops,
                budget.step_draws(cfg),
                min(spent),
                budget.step_seconds(cfg),
                held_bytes(run),
                budget.estimate(cfg).held,
            )
        )
    a = np.array(rows)
    print(
        f"held bytes, model / measured over {len(a)} configs: "
        f"{(a[:, 7] / a[:, 6]).min():.2f} … {(a[:, 7] / a[:, 6]).max():.2f}"
    )
    ratio = a[:, 5] / a[:, 4]
    print(
        f"seconds per step, model / CPU time: {ratio.min():.2f} … {ratio.max():.2f} "
        f"(median {np.median(ratio):.2f}; {np.mean(ratio > 1):.0%} estimated long)"
    )
    coef, _ = nnls(a[:, :4] / a[:, 4:5], np.ones(len(a)))
    print(
        f"refit (no margin): MM_RATE {1 / coef[0]:.3g}, EW_RATE "
        f"{1 / max(coef[1], 1e-30):.3g}, OP_S {coef[2]:.3g}, DRAW_S {coef[3]:.3g}"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "what", nargs="?", default="soak", choices=["soak", "stop", "trim", "trim-child", "model"]
    )
    p.add_argument("--quick", action="store_true", help="2 visitors × 90 s")
    p.add_argument("--visitors", type=int, default=4, choices=range(1, 9))
    p.add_argument("--minutes", type=float, default=6.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--stops", type=int, default=8, help="stop: Stops per configuration")
    p.add_argument("--seconds", type=float, default=120, help="stop: at most this per config")
    p.add_argument("--configs", type=int, default=40, help="model: configurations measured")
    args = p.parse_args()
    if args.minutes > 8:
        p.error("--minutes: at most 8 (the bench stays under 10 minutes)")
    {"soak": soak, "stop": stop, "trim": trim, "trim-child": trim_child, "model": model}[args.what](
        args
    )


if __name__ == "__main__":
    main()
