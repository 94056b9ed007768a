"""Refresh the README's pictures: docs/screenshots/*.png, taken in headless Chromium at 1400×1000.

    python bench/screenshots.py                  # every picture
    python bench/screenshots.py compare home     # only these
    python bench/screenshots.py --out /tmp/shots # somewhere else
    python bench/screenshots.py --size 1280x720 --out /tmp/projector   # a projector's screen

Starts `streamlit run app.py` (bench/appserver.py) and brings each page into the state the browser
tests check (bench/browser_steps.py): the variant pages after a short live run and Stop, the
Compare page after a tiny comparison. Tests never write here; run this on purpose and commit the
pictures that changed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from appserver import CHROMIUM, ROOT, launch_chromium, running_app
from browser_steps import new_page, tour
from playwright.sync_api import sync_playwright

NAMES = list(tour(""))  # home, the variant pages, the teaching pages, compare, modern, dirac


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"pictures to take (default: all of {', '.join(NAMES)})",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=ROOT / "docs" / "screenshots",
        help="folder for the PNGs (default: docs/screenshots, the README's)",
    )
    p.add_argument("--size", default="1400x1000", help="viewport WIDTHxHEIGHT (default 1400x1000)")
    args = p.parse_args(argv)
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        p.error(f"--size: {args.size!r} is not WIDTHxHEIGHT, e.g. 1280x720")
    unknown = sorted(set(args.names) - set(NAMES))
    if unknown:
        p.error(f"no picture called {', '.join(unknown)}; choose from {', '.join(NAMES)}")
    if not Path(CHROMIUM).exists():
        print(f"no {CHROMIUM}: apt-get install -y chromium", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with running_app() as (url, _), sync_playwright() as pw:
        steps = tour(url)
        browser = launch_chromium(pw)
        try:
            for name in args.names or NAMES:
                t0 = time.perf_counter()
                with new_page(browser, viewport={"width": width, "height": height}) as page:
                    steps[name](page)
                    path = args.out / f"{name}.png"
                    page.screenshot(path=str(path), full_page=False)
                print(f"{path}  ({time.perf_counter() - t0:.0f} s)")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
