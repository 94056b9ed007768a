"""Export for slides: one moment of a run as a PNG, its timeline as an animated GIF (no torch).

Both draw the same 2×2 panel — density, D/critic, G map, losses — from the plain Vega-Lite
specs of charts.frames (a few ms a chart), concatenated into one spec. In the GIF every axis
keeps one domain for the whole animation: x is the replay's range over every frame's samples
(also G's output axis), density's and an unbounded critic's y span every frame shown, and the
losses, drawn growing left to right, keep the whole run's step and loss axes.

Rendering is vl-convert (no browser): ~0.45 s of CPU a frame, nearly all Vega's layout in
JavaScript, whatever the pixels. It holds the GIL, so a GIF's frames render in worker
processes, one per core: bare interpreters with vl-convert alone (~1 s of CPU to start, where
multiprocessing's, importing ganlab, cost ~4 s). A GIF has at most MAX_FRAMES frames, picked
evenly by index from the timeline, which is dense early already, so early learning stays
dense. Frames share one palette and each is stored as its changed pixels over the previous
one (~300 KB for a default run's 48 frames at 960 px). bench/export.py measures all of it.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import selectors
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
import vl_convert as vlc
from PIL import Image

from ganlab.charts import frames as cf
from ganlab.result import RunResult
from ganlab.variants import VARIANTS

# A frame costs ~0.45 s of CPU to render (bench/export.py): 48 frames are ~22 s of CPU in all,
# ~11 s of wall on two free cores; picked from the ~125 of a default timeline they keep 9 over
# its first 5 % of steps, where G learns.
MAX_FRAMES = 48
DEFAULT_FPS = 6.0  # 48 frames ≈ 8 s, then the last one held
DEFAULT_WIDTH = 960  # pixels: legible on half a 1080p slide or a whole 720p one
CHART_WIDTH = 340  # each chart's plot, at layout scale 1 (the render scale then fits `width`)
CHART_HEIGHT = 190
COLORS = 128  # one GIF palette for every frame: chart colours, their blends, anti-aliasing
LAST_FRAME_HOLD = 2.0  # seconds the last frame stays before the GIF loops
SERIAL_BELOW = 8  # fewer frames than this render here: a worker's start costs ~1 s of CPU
BLANK = "\u00a0"  # a subtitle that keeps its line, so every frame has the same layout

# Each chart keeps its own colours and legends: concatenated views would merge them.
_CHANNELS = ("color", "strokeDash")
APART: dict[str, Any] = {
    "scale": dict.fromkeys(_CHANNELS, "independent"),
    "legend": dict.fromkeys(_CHANNELS, "independent"),
}
SLIDE_CONFIG: dict[str, Any] = {
    "font": "Liberation Sans",
    "background": "white",
    "view": {"stroke": "#DDDDDD"},
    "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 12, "offset": 6},
    "axis": {"labelFontSize": 12, "titleFontSize": 13},
    "legend": {"labelFontSize": 12, "labelLimit": 400, "symbolSize": 120},
}

Spec = dict[str, Any]
Domains = dict[str, tuple[float, float]]  # "density", "critic", "loss", "g_loss" -> (lo, hi)


# --- the panel ---------------------------------------------------------------------------------
def panel_title(result: RunResult, seed_index: int = 0) -> str:
    """'Vanilla GAN on bimodal · step 1,200 of 6,000 · seed 0'."""
    cfg = result.config
    return (
        f"{VARIANTS[cfg.variant].label} on {cfg.target.name} · step {result.step:,} of "
        f"{cfg.steps:,} · seed {result.seeds[seed_index]}"
    )


def _retitle(spec: Spec, text: str, subtitle: str | None = None) -> Spec:
    spec["title"] = {"text": text, "subtitle": subtitle or BLANK}
    return spec


def charts(
    result: RunResult,
    seed_index: int = 0,
    x_domain: tuple[float, float] | None = None,
) -> list[Spec]:
    """The four charts of one moment as charts.frames specs (their data as DataFrames):
    density, D/critic, G map (its output axis on `x_domain`), losses. The losses are drawn up
    to the moment's history; a history that goes further gets the moment as a red rule."""
    v = VARIANTS[result.config.variant]
    x_domain = x_domain or cf.x_range(result)
    density = cf.density(result, seed_index, x_domain)
    note = density["datasets"]["label"]["text"].iloc[1]  # "N % of generated samples lie outside"
    critic = cf.critic(result, seed_index, x_domain)
    gmap = cf.generator_map(result, seed_index, x_domain=x_domain)
    fixed = re.sub(r"^seed \d+:?\s*", "", gmap.get("title") or "")  # "latent axes 2…d fixed"
    h = result.history
    later = len(h) > 0 and int(h["step"].max()) > result.step
    losses = cf.losses(result, step=result.step if later else None)
    return [
        _retitle(density, "Real vs generated density", note or None),
        _retitle(critic, f"The {v.d_name} {v.d_symbol}(x)", None),
        _retitle(gmap, "The generator as a map z → x", fixed),
        _retitle(losses, "Losses", None),
    ]


def _units(spec: Spec) -> Iterator[Spec]:
    """Every unit view (a layer with an encoding) of a spec or layer, depth first."""
    if "encoding" in spec:
        yield spec
    for sub in spec.get("layer", []):
        yield from _units(sub)


def _finite(*arrays) -> np.ndarray:
    v = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays] or [np.empty(0)])
    return v[np.isfinite(v)]


def _loss_values(data: pd.DataFrame, right: bool, band: bool) -> list[np.ndarray]:
    if data.empty:
        return []
    rows = data[(data["series"] == "G loss") == right]
    return [rows[c].to_numpy() for c in (("median", "lo", "hi") if band else ("median",))]


def extents(panels: list[Spec], result: RunResult) -> dict[str, np.ndarray]:
    """What one frame's charts plot on the y axes that move (finite values, by axis name)."""
    density, critic, _, losses = panels
    v = VARIANTS[result.config.variant]
    d = density["datasets"]
    out = {"density": _finite(d["bars"]["density"], d["pdf"]["density"])}
    if v.score_domain is None:
        c = critic["datasets"]
        parts = [c[k]["score"] for k in ("curve", "points", "neutral") if k in c]
        out["critic"] = _finite(*parts)
    curves, refs = losses["datasets"]["curves"], losses["datasets"]["refs"]
    band = len(result.seeds) > 1
    if v.g_level_arbitrary:
        left_refs = refs[refs["series"] != "G loss"]["value"]
        out["loss"] = _finite(left_refs, *_loss_values(curves, False, band))
        out["g_loss"] = _finite(*_loss_values(curves, True, False))
    else:
        out["loss"] = _finite(refs["value"], *_loss_values(curves, False, band))
        out["loss"] = _finite(out["loss"], *_loss_values(curves, True, band))
    return out


def union(all_extents: Sequence[dict[str, np.ndarray]]) -> Domains:
    """One (lo, hi) per axis over every frame; density from 0; a single value widened."""
    out: Domains = {}
    for name in {k for e in all_extents for k in e}:
        v = _finite(*(e[name] for e in all_extents if name in e))
        if v.size == 0:
            continue
        lo, hi = float(v.min()), float(v.max())
        if name == "density":
            lo, hi = 0.0, hi * 1.04
        else:  # a curve on the frame's edge is hard to see: 4 % of room either side
            lo, hi = lo - 0.04 * (hi - lo), hi + 0.04 * (hi - lo)
        if hi <= lo:
            pad = abs(lo) * 0.1 or 0.5
            lo, hi = lo - pad, hi + pad
        out[name] = (lo, hi)
    return out


def _set_y(layers: Spec, domain: tuple[float, float] | None) -> None:
    """Every data-scaled y of `layers` on `domain`; a y in pixels (`"scale": None`, the
    density's moment label) stays in pixels."""
    if domain is None:
        return
    for unit in _units(layers):
        y = unit["encoding"].get("y")
        if isinstance(y, dict) and "field" in y and y.get("scale", {}) is not None:
            y["scale"] = {**(y.get("scale") or {}), "domain": list(domain), "nice": True}


def fix_domains(panels: list[Spec], domains: Domains) -> list[Spec]:
    """The charts with every moving y axis set to its domain over the whole GIF (in place)."""
    density, critic, _, losses = panels
    _set_y(density, domains.get("density"))
    _set_y(critic, domains.get("critic"))
    if losses.get("resolve", {}).get("scale", {}).get("y") == "independent":
        left, right = losses["layer"]
        _set_y(left, domains.get("loss"))
        _set_y(right, domains.get("g_loss"))
    else:
        _set_y(losses, domains.get("loss"))
    return panels


def _rename_data(spec: Spec, names: dict[str, str]) -> None:
    data = spec.get("data")
    if isinstance(data, dict) and data.get("name") in names:
        spec["data"] = {**data, "name": names[data["name"]]}
    for sub in spec.get("layer", []):
        _rename_data(sub, names)


def combine(panels: list[Spec], title: str) -> Spec:
    """The four charts as one self-contained Vega-Lite spec, 2×2: one `datasets` (each chart's
    names suffixed by its place), colours and legends kept apart, JSON rows (for vl-convert)."""
    datasets: dict[str, Any] = {}
    views = []
    for k, panel in enumerate(panels):
        view = {key: val for key, val in panel.items() if key != "datasets"}
        names = {name: f"{name}_{k}" for name in panel.get("datasets", {})}
        view["layer"] = copy.deepcopy(view["layer"])
        _rename_data(view, names)
        view.update(width=CHART_WIDTH, height=CHART_HEIGHT)
        for unit in _units(view):  # legends in one row: three entries fit a chart's width
            legend = unit["encoding"].get("color", {}).get("legend")
            if isinstance(legend, dict) and "columns" in legend:
                unit["encoding"]["color"] = {
                    **unit["encoding"]["color"],
                    "legend": {k: v for k, v in legend.items() if k != "columns"},
                }
        datasets.update({names[n]: df for n, df in panel.get("datasets", {}).items()})
        views.append(view)
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "fontSize": 18, "anchor": "middle", "offset": 12},
        "vconcat": [
            {"hconcat": views[:2], "spacing": 36, "resolve": APART},
            {"hconcat": views[2:], "spacing": 36, "resolve": APART},
        ],
        "spacing": 24,
        "resolve": APART,
        "datasets": datasets,
        "config": SLIDE_CONFIG,
    }
    spec["datasets"] = {k: _records(v) for k, v in datasets.items()}
    return spec


def _records(frame: pd.DataFrame | list) -> list:
    """A DataFrame as JSON rows, NaN as null (charts.frames.inline, ~10× faster: a GIF
    converts a few hundred frames' worth of them)."""
    if not isinstance(frame, pd.DataFrame):
        return frame
    cols = []
    for name in frame.columns:
        v = frame[name].to_numpy()
        if v.dtype.kind == "f" and not np.isfinite(v).all():
            v = np.where(np.isfinite(v), v, None)
        cols.append(v.tolist())
    names = [str(c) for c in frame.columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*cols, strict=True)]


def panel_spec(result: RunResult, seed_index: int = 0) -> Spec:
    """The 2×2 panel of one moment as a Vega-Lite spec, each chart on its own axes."""
    return combine(charts(result, seed_index), panel_title(result, seed_index))


def panel_png(result: RunResult, seed_index: int = 0, width: int = DEFAULT_WIDTH) -> bytes:
    """The 2×2 panel of one moment as a PNG `width` pixels wide (its own axes)."""
    raw = _png(panel_spec(result, seed_index), width)
    with Image.open(io.BytesIO(raw)) as im:
        if im.width == width:
            return raw
        buf = io.BytesIO()
        im.crop((0, 0, width, im.height)).save(buf, format="PNG")
        return buf.getvalue()


# --- rendering ---------------------------------------------------------------------------------
def _svg_width(svg: str) -> float:
    found = re.search(r'<svg[^>]*? width="([\d.]+)"', svg)
    if not found:
        raise ValueError("vl-convert's SVG has no width")
    return float(found.group(1))


def _png(spec: Spec, width: int) -> bytes:
    """A spec as a PNG `width` pixels wide (at least; the canvas crops the odd extra pixel)."""
    svg = vlc.vegalite_to_svg(spec)
    return vlc.svg_to_png(svg, scale=(width + 0.5) / _svg_width(svg))


# A render worker is a bare interpreter with vl-convert and nothing else: importing ganlab in
# it (multiprocessing's spawn re-imports the caller's main module and this one, pandas, scipy,
# altair) cost ~4 s of CPU per worker, this ~1 s (vl-convert's JavaScript engine). It starts
# that engine while the parent builds the specs, then renders `i.json` to `i.png` in a shared
# directory for every index `i` it reads, and prints `i` when the PNG is there.
_WORKER = r"""
import json, os, re, sys
import vl_convert as vlc
folder, width = sys.argv[1], float(sys.argv[2])
vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{}]}})
for line in sys.stdin:
    i = line.strip()
    with open(os.path.join(folder, i + ".json"), encoding="utf-8") as f:
        svg = vlc.vegalite_to_svg(json.load(f))
    w = float(re.search(r'<svg[^>]*? width="([\d.]+)"', svg).group(1))
    png = vlc.svg_to_png(svg, scale=(width + 0.5) / w)
    with open(os.path.join(folder, i + ".tmp"), "wb") as f:
        f.write(png)
    os.replace(os.path.join(folder, i + ".tmp"), os.path.join(folder, i + ".png"))
    print(i, flush=True)
"""


class _Local:
    """Renders in this process, when asked for a frame (a short GIF, or workers=1)."""

    def __init__(self, width: int):
        self.width = width
        self.specs: dict[int, Spec] = {}

    def send(self, i: int, spec: Spec) -> None:
        self.specs[i] = spec

    def get(self, i: int) -> bytes:
        return _png(self.specs.pop(i), self.width)

    def close(self) -> None:
        self.specs.clear()


class _Workers:
    """`count` worker processes (_WORKER); frames go to them in turn as they are sent."""

    def __init__(self, count: int, width: int, folder: str):
        self.folder, self.next = folder, 0
        self.ready: set[int] = set()
        self.errors = open(os.path.join(folder, "errors.txt"), "w+b")  # noqa: SIM115
        cmd = [sys.executable, "-I", "-c", _WORKER, folder, str(width)]
        self.procs = [
            subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors)
            for _ in range(count)
        ]
        self.select = selectors.DefaultSelector()
        for p in self.procs:
            self.select.register(p.stdout, selectors.EVENT_READ, p)  # type: ignore[arg-type]

    def send(self, i: int, spec: Spec) -> None:
        with open(os.path.join(self.folder, f"{i}.json"), "w", encoding="utf-8") as f:
            json.dump(spec, f, separators=(",", ":"))
        p = self.procs[self.next % len(self.procs)]
        self.next += 1
        assert p.stdin is not None
        p.stdin.write(f"{i}\n".encode())
        p.stdin.flush()

    def get(self, i: int) -> bytes:
        while i not in self.ready:
            if not self.select.get_map():
                self._failed()
            for key, _ in self.select.select():
                line = key.fileobj.readline()  # type: ignore[union-attr]
                if line:
                    self.ready.add(int(line))
                else:  # the worker has exited
                    self.select.unregister(key.fileobj)
                    if key.data.wait() != 0:
                        self._failed()
        path = os.path.join(self.folder, f"{i}.png")
        with open(path, "rb") as f:
            png = f.read()
        os.remove(path)
        return png

    def _failed(self) -> None:
        self.errors.seek(0)
        said = self.errors.read().decode(errors="replace").strip().splitlines()[-3:]
        raise RuntimeError("a GIF render worker failed: " + (" / ".join(said) or "no output"))

    def close(self) -> None:
        for p in self.procs:
            if p.stdin and not p.stdin.closed:
                p.stdin.close()
            if p.poll() is None:
                p.kill()
            p.wait()
            if p.stdout:
                p.stdout.close()
        self.select.close()
        self.errors.close()


def pick_frames(frames: Sequence, limit: int = MAX_FRAMES) -> list:
    """At most `limit` frames, evenly by index, keeping the first and the last."""
    n = len(frames)
    if n <= limit:
        return list(frames)
    if limit < 2:
        return [frames[-1]]
    keep = sorted({round(i * (n - 1) / (limit - 1)) for i in range(limit)})
    return [frames[i] for i in keep]


def _shared(
    frames: Sequence[RunResult], seed_index: int, max_frames: int
) -> tuple[list[RunResult], list[list[Spec]], Domains, tuple[float, float]]:
    chosen = pick_frames(frames, max_frames)
    pool = [f.samples[seed_index] for f in frames]
    x_domain = cf.x_range(chosen[-1], pool)
    built = [charts(r, seed_index, x_domain) for r in chosen]
    domains = union([extents(p, r) for p, r in zip(built, chosen, strict=True)])
    return chosen, built, domains, x_domain


def gif_specs(
    frames: Sequence[RunResult], seed_index: int = 0, max_frames: int = MAX_FRAMES
) -> list[Spec]:
    """The GIF's frames as panel specs: at most `max_frames` of `frames`, picked evenly by
    index, every moving axis fixed over the frames shown, x over every frame's samples."""
    chosen, built, domains, _ = _shared(frames, seed_index, max_frames)
    return [
        combine(fix_domains(p, domains), panel_title(r, seed_index))
        for p, r in zip(built, chosen, strict=True)
    ]


def timeline_gif(
    frames: Sequence[RunResult],
    seed_index: int = 0,
    fps: float = DEFAULT_FPS,
    progress: Callable[[float], None] | None = None,
    width: int = DEFAULT_WIDTH,
    workers: int | None = None,
    max_frames: int | None = None,
) -> bytes:
    """An animated GIF of a run's timeline, `width` pixels wide: at most `max_frames` (default
    MAX_FRAMES) of `frames`, picked evenly by index, each the 2×2 panel with the same axes
    throughout. Pass `[run.result_at(f) for f in run.timeline.frames]`: each moment with its
    history up to its step draws the losses growing. `progress(f)` hears 0 ≤ f ≤ 1 as the work
    goes on, 0 first and 1 last. `workers`: render processes (default: one per core, up to 2;
    none, rendering here, for a short GIF or workers=1)."""
    if not frames:
        raise ValueError("timeline_gif needs at least one frame")
    if fps <= 0:
        raise ValueError(f"fps must be positive (got {fps})")
    cap = MAX_FRAMES if max_frames is None else max_frames
    if cap < 1:
        raise ValueError(f"max_frames must be at least 1 (got {max_frames})")
    report = progress or (lambda f: None)
    report(0.0)
    n = min(len(frames), cap)
    if workers is None:
        workers = 1 if n < SERIAL_BELOW else max(1, min(2, os.cpu_count() or 1))
    with tempfile.TemporaryDirectory(prefix="ganlab-gif-") as folder:
        # Workers start first: their engines warm up while the specs are built here.
        renderer: _Local | _Workers = (
            _Workers(workers, width, folder) if workers > 1 else _Local(width)
        )
        try:
            chosen, built, domains, _ = _shared(frames, seed_index, cap)
            # The first and last frames first: the palette comes from them.
            for i in [0, *([n - 1] if n > 1 else []), *range(1, n - 1)]:
                spec = combine(fix_domains(built[i], domains), panel_title(chosen[i], seed_index))
                renderer.send(i, spec)
            del built
            report(0.05)
            done = [0]

            def png(i: int) -> bytes:
                out = renderer.get(i)
                done[0] += 1
                report(0.05 + 0.85 * done[0] / n)
                return out

            gif = _encode(png, n, fps, width)
        finally:
            renderer.close()
    report(1.0)
    return gif


def _encode(png: Callable[[int], bytes], n: int, fps: float, width: int) -> bytes:
    """Frames 0…n−1 (`png(i)`) as a looping GIF `width` pixels wide on a white canvas of the
    first frame's height, with one palette from the first and last frames, not dithered: flat
    colours stay flat, so a pixel that did not change keeps its palette index, and Pillow's
    optimize writes it transparent in the frame's changed rectangle (GIF disposal 1: draw over
    the previous frame). Frames are quantized as they arrive, while later ones render."""

    def rgb(raw: bytes, size: tuple[int, int] | None = None) -> Image.Image:
        with Image.open(io.BytesIO(raw)) as im:
            size = size or (width, im.height)
            canvas = Image.new("RGB", size, "white")
            canvas.paste(im.convert("RGB"), (0, 0))
            return canvas

    first = rgb(png(0))
    size = first.size
    probes = [first, rgb(png(n - 1), size)] if n > 1 else [first]
    montage = Image.new("RGB", (size[0], size[1] * len(probes)), "white")
    for k, p in enumerate(probes):
        montage.paste(p, (0, k * size[1]))
    palette = montage.quantize(COLORS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)

    def quantized(im: Image.Image) -> Image.Image:
        return im.quantize(palette=palette, dither=Image.Dither.NONE)

    def rest() -> Iterator[Image.Image]:
        for i in range(1, n - 1):
            yield quantized(rgb(png(i), size))
        if n > 1:
            yield quantized(probes[1])

    # GIF delays count hundredths of a second, and viewers slow down delays under 20 ms.
    frame_ms = 10 * max(2, round(100 / fps))
    durations = [frame_ms] * (n - 1) + [max(frame_ms, round(1000 * LAST_FRAME_HOLD))]
    buf = io.BytesIO()
    quantized(first).save(
        buf,
        format="GIF",
        save_all=True,
        append_images=rest(),
        duration=durations if n > 1 else durations[0],
        loop=0,
        optimize=True,
        disposal=1,
    )
    return buf.getvalue()


def gif_domains(gif_spec: Spec) -> dict[str, Any]:
    """Every explicit scale domain of a panel spec by chart and channel (for tests): keys like
    'density.y', 'losses.y.0' (the left axis of two)."""
    out: dict[str, Any] = {}
    names = ("density", "critic", "map", "losses")
    views = [v for row in gif_spec["vconcat"] for v in row["hconcat"]]
    for name, view in zip(names, views, strict=True):
        subs = view["layer"] if "resolve" in view else [view]
        for j, sub in enumerate(subs):
            for unit in _units(sub):
                for ch in ("x", "y"):
                    enc = unit["encoding"].get(ch)
                    dom = (enc.get("scale") or {}).get("domain") if enc else None
                    if dom is not None:
                        key = f"{name}.{ch}" + (f".{j}" if "resolve" in view and ch == "y" else "")
                        out.setdefault(key, dom)
    return out
