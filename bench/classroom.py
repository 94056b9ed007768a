"""A class of 30 on one CPU: thirty visitors open the same not-yet-computed Compare link within a
few seconds, press Run if the page offers it, and wait for the verdict; the server is pinned to
one core (a hosted app's shared CPU), the browsers to the other.

    python bench/classroom.py            # 30 visitors (~6 min)
    python bench/classroom.py --quick    # 8 visitors

Loopback only (127.0.0.1), bounded in visitors and time. Printed side by side, in one run:
the server CPU of one visitor running the comparison alone, of opening the finished comparison
(a visitor's page cost), and of the class; runs the server created; peak RSS; RSS after the
class has left (the session TTL is 20 s here, through STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

GOAL_CPU_X, GOAL_PEAK_MB, GOAL_BACK_MB = 1.5, 1229, 100
TTL_S = 20
LINK = "Compare?seed={seed}"  # the default comparison (3 variants × 4 seeds × 2,000 steps)
RUNS = re.compile(r"ganlab budget: (\d+) runs")


def cpu_s(server) -> float:
    """The server's CPU seconds so far, with its training processes'."""
    t = server.ps.cpu_times()
    return t.user + t.system + _workers(server)


def _workers(server) -> float:
    """CPU of the training processes the server started (they outlive no one: children)."""
    total = 0.0
    for p in server.ps.children(recursive=True):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except Exception:  # a process that just ended
            pass
    return total


def _button(page, name: str):
    main = page.locator('[data-testid="stMain"]')
    return main.get_by_role("button", name=re.compile(rf"^{re.escape(name)}"))


def verdict(page) -> bool:
    return page.get_by_text("Verdict.", exact=True).count() > 0


def class_of(browser, base: str, n: int, seed: int, limit_s: float) -> dict:
    """n visitors open the same link at once; each presses Run if offered; until all verdicts."""
    from browser_steps import VIEWPORT

    ctxs = [browser.new_context(viewport=VIEWPORT) for _ in range(n)]
    pages = [c.new_page() for c in ctxs]
    t0 = time.time()
    for p in pages:  # all requests out within a few seconds, without waiting for each page
        p.goto(f"{base}/{LINK.format(seed=seed)}", wait_until="commit", timeout=120_000)
    opened = time.time() - t0
    pressed, done, times = set(), set(), {}
    while len(done) < n and time.time() - t0 < limit_s:
        for i, p in enumerate(pages):
            if i in done:
                continue
            try:
                if verdict(p):
                    done.add(i)
                    times[i] = time.time() - t0
                elif i not in pressed and _button(p, "Run comparison").count():
                    b = _button(p, "Run comparison").first
                    if b.is_enabled():
                        b.click(timeout=5_000)
                        pressed.add(i)
            except Exception:  # a page still loading: next round
                pass
        time.sleep(0.5)
    for c in ctxs:
        c.close()
    return {
        "visitors": n,
        "opened_s": opened,
        "pressed_run": len(pressed),
        "verdicts": len(done),
        "last_verdict_s": max(times.values()) if times else float("nan"),
    }


def alone(browser, base: str, seed: int) -> None:
    """One visitor: open, Run, verdict."""
    from browser_steps import button, new_page, open_settled, wait_for

    with new_page(browser) as page:
        open_settled(page, f"{base}/{LINK.format(seed=seed)}")
        button(page, "Run").click()
        wait_for(lambda: verdict(page), "the verdict", 900)


def open_finished(browser, base: str, seed: int, n: int) -> None:
    """n visitors open a finished comparison (a visitor's page cost: no training)."""
    from browser_steps import new_page, open_settled, wait_for

    for _ in range(n):
        with new_page(browser) as page:
            open_settled(page, f"{base}/{LINK.format(seed=seed)}")
            wait_for(lambda page=page: verdict(page), "the stored verdict", 120)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--visitors", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="8 visitors")
    ap.add_argument("--limit", type=float, default=900.0, help="seconds the class may take")
    ap.add_argument("--steps", type=int, help="a shorter comparison than the default 2,000 steps")
    args = ap.parse_args()
    global LINK
    if args.steps:
        LINK += f"&steps={args.steps}"
    n = 8 if args.quick else args.visitors

    from appserver import launch_chromium, running_app
    from playwright.sync_api import sync_playwright
    from soak import Server, chromium_roots, pin

    os.environ["STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"] = str(TTL_S)
    os.environ["GANLAB_BUDGET_LOG"] = "1"
    os.environ["GANLAB_RESULTS_DIR"] = tempfile.mkdtemp(prefix="ganlab-classroom-")
    with running_app() as (url, proc), sync_playwright() as pw:
        server = Server(proc)
        two = len(os.sched_getaffinity(0)) >= 2
        if two:
            pin(proc.pid, {0})
        browser = launch_chromium(pw)
        if two:
            for root in chromium_roots():
                pin(root, {1})
        from browser_steps import new_page, open_settled

        with new_page(browser) as page:  # warm: imports, caches, the training processes
            for path in ("", "Vanilla_GAN", "Compare"):
                open_settled(page, f"{url}/{path}")
        time.sleep(TTL_S + 15)
        idle = server.mb()

        c0 = cpu_s(server)
        t0 = time.time()
        alone(browser, url, seed=101)
        one_cpu, one_wall = cpu_s(server) - c0, time.time() - t0

        k = 5
        c0 = cpu_s(server)
        open_finished(browser, url, seed=101, n=k)
        page_cpu = (cpu_s(server) - c0) / k

        def runs_in(lines: list[str]) -> list[int]:
            return [int(m.group(1)) for line in lines if (m := RUNS.search(line))]

        time.sleep(TTL_S + 15)  # the reference visitors' sessions end and release their runs
        before_runs = (runs_in(server.log) or [0])[-1]
        mark, t_class = len(server.log), time.time()
        c0 = cpu_s(server)
        res = class_of(browser, url, n, seed=202, limit_s=args.limit)
        class_cpu = cpu_s(server) - c0
        made = max(runs_in(server.log[mark:]), default=before_runs) - before_runs
        peak = server.peak_since(t_class)
        time.sleep(TTL_S + 25)  # the class's sessions end; the janitor releases and trims
        back = server.mb()
        server.stop.set()
        browser.close()

    budget = GOAL_CPU_X * one_cpu + n * page_cpu
    print(f"\n### A class of {n} on one core (`python bench/classroom.py`)\n")
    print("| measure | goal | measured |")
    print("|---|---|---|")
    print(
        f"| one visitor alone: the comparison's server CPU (wall) | — | {one_cpu:.0f} s "
        f"({one_wall:.0f} s) |"
    )
    print(f"| a visitor opening the finished comparison: server CPU | — | {page_cpu:.1f} s |")
    print(
        f"| visitors who reached the verdict (pressed Run) | {n} | **{res['verdicts']}** "
        f"({res['pressed_run']}); links opened in {res['opened_s']:.1f} s, last verdict after "
        f"{res['last_verdict_s']:.0f} s |"
    )
    print(f"| runs the server created for the class | 3 (one per variant) | **{made}** |")
    print(
        f"| server CPU of the class | ≤ {GOAL_CPU_X} × alone + {n} × page = {budget:.0f} s "
        f"| **{class_cpu:.0f} s** ({class_cpu / budget:.2f} of it) |"
    )
    print(f"| peak RSS | ≤ {GOAL_PEAK_MB} MB | **{peak:.0f} MB** |")
    print(
        f"| RSS after they left (idle {idle:.0f} MB) | ≤ idle + {GOAL_BACK_MB} MB | "
        f"**{back:.0f} MB** ({back - idle:+.0f}) |"
    )


if __name__ == "__main__":
    main()
