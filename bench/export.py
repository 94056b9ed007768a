"""Export for slides: how long a default run's timeline takes to become a GIF, and how big it is.

    python bench/export.py --cache /tmp/ganlab_timeline.pkl   # trains once (~30–90 s), reuses
    python bench/export.py --max-frames 40 --workers 1
    python bench/export.py --frames 60                       # a shorter timeline, same cap

Trains the default run (preset("gan", "tuned"), 6 000 steps) and takes its timeline as the UI
does, `[run.result_at(f) for f in run.timeline.frames]` (~125 moments, each with its history
up to its step), then times `export.timeline_gif` and one `export.panel_png`. Prints wall
seconds, CPU seconds (this process and its worker processes) and the load average, since on
a shared 2-core machine wall time follows the load. The GIF's first and last frames are saved
as PNGs (--out) to look at.
"""

from __future__ import annotations

import argparse
import io
import os
import pickle
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image

from ganlab import export


def cpu_s() -> float:
    """CPU seconds of this process and its finished children (the export's worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timeline(cache: str | None) -> list:
    """The default run's timeline as RunResults, trained (or read from `cache` if it is there,
    and written there if not)."""
    if cache and Path(cache).exists():
        with open(cache, "rb") as src:
            return pickle.load(src)
    from ganlab.config import preset
    from ganlab.training import Run

    t, c = time.perf_counter(), cpu_s()
    run = Run(preset("gan", "tuned"))
    run.advance()
    frames = [run.result_at(f) for f in run.timeline.frames]
    print(
        f"trained {run.step:,} steps: {time.perf_counter() - t:.1f} s wall, {cpu_s() - c:.1f} s CPU"
    )
    if cache:
        with open(cache, "wb") as dst:
            pickle.dump(frames, dst)
    return frames


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default=None, help="pickle of the timeline: read, or write")
    ap.add_argument("--frames", type=int, default=None, help="use N of the timeline's moments")
    ap.add_argument("--max-frames", type=int, default=export.MAX_FRAMES, help="the GIF's frame cap")
    ap.add_argument("--width", type=int, default=export.DEFAULT_WIDTH, help="GIF width, pixels")
    ap.add_argument("--fps", type=float, default=export.DEFAULT_FPS)
    ap.add_argument("--workers", type=int, default=None, help="processes (default: auto)")
    ap.add_argument("--out", default="/tmp/ganlab_export", help="where the GIF and PNGs go")
    args = ap.parse_args()

    frames = timeline(args.cache)
    if args.frames:
        frames = export.pick_frames(frames, args.frames)
    print(f"timeline: {len(frames)} moments to step {frames[-1].step:,}")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seen: list[float] = []
    load0 = os.getloadavg()[0]
    t, c = time.perf_counter(), cpu_s()
    gif = export.timeline_gif(
        frames,
        fps=args.fps,
        width=args.width,
        workers=args.workers,
        max_frames=args.max_frames,
        progress=seen.append,
    )
    wall, cpu = time.perf_counter() - t, cpu_s() - c
    (out / "timeline.gif").write_bytes(gif)
    with Image.open(io.BytesIO(gif)) as im:
        size, n = im.size, getattr(im, "n_frames", 1)
        im.seek(0)
        im.convert("RGB").save(out / "first.png")
        im.seek(n - 1)
        im.convert("RGB").save(out / "last.png")
    load = os.getloadavg()
    print(
        f"GIF: {wall:.1f} s wall, {cpu:.1f} s CPU, {len(gif) / 1024:.0f} KB, "
        f"{size[0]}×{size[1]} px, {n} frames; load average {load0:.1f} → {load[0]:.1f} on "
        f"{os.cpu_count()} cores; {len(seen)} progress calls"
    )
    t, c = time.perf_counter(), cpu_s()
    png = export.panel_png(frames[-1], width=args.width)
    wall, cpu = time.perf_counter() - t, cpu_s() - c
    (out / "panel.png").write_bytes(png)
    print(f"PNG: {wall:.2f} s wall, {cpu:.2f} s CPU, {len(png) / 1024:.0f} KB")
    print(f"wrote {out}/timeline.gif, first.png, last.png, panel.png")


if __name__ == "__main__":  # the export's worker processes import this module again
    main()
