"""Peak memory of a full comparison in a running server, driven from headless Chromium.

    python bench/server_memory.py                      # 8 seeds × the default budget
    python bench/server_memory.py --seeds 2 --steps 200

Starts `streamlit run app.py`, opens the Compare page with the configuration in its URL, presses
Run comparison, and samples the server's RSS (psutil) until the verdict appears.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import psutil
from appserver import launch_chromium, running_app
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ganlab.config import TrainConfig


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=8)
    p.add_argument("--steps", type=int, default=TrainConfig.steps)
    p.add_argument("--timeout", type=float, default=3600)
    args = p.parse_args()
    with running_app() as (url, proc), sync_playwright() as pw:
        server = psutil.Process(proc.pid)
        peak, done = [0.0], threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], server.memory_info().rss / 2**20)
                time.sleep(0.2)

        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(120_000)
        page.goto(f"{url}/Compare?seeds={args.seeds}&steps={args.steps}")
        page.wait_for_selector('[data-testid="stMain"] h1')
        time.sleep(2)
        idle = server.memory_info().rss / 2**20
        threading.Thread(target=sample, daemon=True).start()
        t0 = time.time()
        page.get_by_role("button", name="Run").first.click()
        while page.get_by_text("Verdict.", exact=True).count() == 0:
            if time.time() - t0 > args.timeout:
                raise SystemExit("no verdict before the timeout")
            time.sleep(1)
        time.sleep(3)  # the final draw with full metrics
        done.set()
        print(
            f"comparison of 3 variants × {args.seeds} seeds × {args.steps} steps in a running "
            f"server: RSS idle {idle:.0f} MB, peak {peak[0]:.0f} MB, "
            f"{time.time() - t0:.0f} s to the verdict"
        )
        browser.close()


if __name__ == "__main__":
    main()
