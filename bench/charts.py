"""What one redraw of a variant page's six charts costs on the server: the Altair builders
(build + to_dict, which Streamlit calls) against the plain Vega-Lite specs of charts.frames, for
the same moment of the same run, in interleaved rounds, side by side in one run.

    python bench/charts.py [--rounds 10] [--variant gan] [--seeds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--variant", default="gan")
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    from ganlab.charts import frames as F
    from ganlab.charts import training as T
    from ganlab.config import preset
    from ganlab.training import Run

    run = Run(preset(args.variant, "tuned", steps=1200, n_seeds=args.seeds))
    run.advance()
    res = run.result_at(run.timeline.at(600), full_history=True)
    dom = F.x_range(res, [f.samples for f in run.timeline.frames])

    def altair() -> None:
        charts = [
            T.density_chart(res, 0),
            T.critic_chart(res, 0, marker=(0.0, 0.5)),
            T.map_chart(res, 0, marker=(0.0, 0.0)),
            T.loss_chart(res),
            T.distance_chart(res, 0.03),
            T.moments_chart(res),
        ]
        for c in charts:
            c.to_dict()

    def frames() -> None:
        specs = [
            F.density(res, 0, dom),
            F.critic(res, 0, dom, marker=(0.0, 0.5)),
            F.generator_map(res, 0, marker=(0.0, 0.0)),
            F.losses(res, 600),
            F.distance(res, 0.03, 600),
            F.moments(res, 600),
        ]
        for s in specs:  # what Streamlit does with a dict spec: datasets to Arrow, spec to JSON
            for d in s["datasets"].values():
                d.to_dict("list")
            json.dumps({k: v for k, v in s.items() if k != "datasets"})

    times: dict[str, list[float]] = {"Altair builders + to_dict": [], "charts.frames specs": []}
    for _ in range(args.rounds):
        for name, fn in zip(times, (altair, frames), strict=True):
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    print(
        f"six charts of {args.variant}, {args.seeds} seeds, step 600; {args.rounds} rounds; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    base = statistics.median(times["Altair builders + to_dict"])
    print("| builders | ms per redraw (median) | speed-up |\n|---|---|---|")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"| {name} | {1000 * m:.0f} | {base / m:.1f}× |")


if __name__ == "__main__":
    main()
