"""Export for slides: the GIF and PNG decoded with Pillow (frames, size, delays, pixels), and
the shared axes checked against the frames' own numbers (numpy), not against the export."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest
from PIL import Image

from ganlab import export
from ganlab.charts import frames as cf
from ganlab.config import preset
from ganlab.training import Run
from ganlab.variants import VARIANTS


@pytest.fixture(scope="module")
def run():
    """A short real run with its whole timeline (~125 recorded moments)."""
    r = Run(preset("gan", "tuned", steps=600))
    r.advance()
    return r


@pytest.fixture(scope="module")
def frames(run):
    """The timeline as the UI passes it: each moment with its history up to its step."""
    return [run.result_at(f) for f in run.timeline.frames]


def decoded(gif: bytes) -> list[tuple[np.ndarray, int]]:
    """Every frame of a GIF as the viewer shows it (RGB pixels), with its delay in ms."""
    out = []
    with Image.open(io.BytesIO(gif)) as im:
        assert im.format == "GIF"
        for i in range(getattr(im, "n_frames", 1)):
            im.seek(i)
            out.append((np.asarray(im.convert("RGB")), im.info["duration"]))
    return out


@pytest.fixture(scope="module")
def tiny():
    """A few steps of small nets: a RunResult in a fraction of a second."""
    r = Run(preset("gan", "tuned", steps=600, seed=3, g_width=8, d_width=8))
    r.advance(n_steps=20)
    return r.result(n_samples=100, with_metrics=False)


def test_title_names_variant_target_step_and_seed(tiny):
    assert export.panel_title(tiny) == "Vanilla GAN on bimodal · step 20 of 600 · seed 3"


def test_panel_is_one_self_contained_2x2_spec_with_charts_kept_apart(tiny):
    spec = export.panel_spec(tiny)
    views = [v for row in spec["vconcat"] for v in row["hconcat"]]
    assert len(views) == 4
    used = set()

    def names(view):
        if "data" in view:
            used.add(view["data"]["name"])
        for sub in view.get("layer", []):
            names(sub)

    for view in views:
        names(view)
    assert used == set(spec["datasets"])  # every chart's data, renamed apart, all there
    for level in [spec, *spec["vconcat"]]:
        assert level["resolve"]["scale"]["color"] == "independent"
        assert level["resolve"]["legend"]["color"] == "independent"
    rows = spec["datasets"]["bars_0"]
    assert isinstance(rows, list) and {"x0", "x1", "density", "series"} <= set(rows[0])


def test_frames_are_picked_evenly_by_index_keeping_both_ends():
    picked = export.pick_frames(list(range(125)), limit=48)
    assert len(picked) == 48 and picked[0] == 0 and picked[-1] == 124
    gaps = np.diff(picked)
    assert gaps.min() >= 2 and gaps.max() <= 3
    assert export.pick_frames(list(range(20)), limit=48) == list(range(20))
    assert export.pick_frames(list(range(20)), limit=1) == [19]


def test_bad_arguments_say_what_is_wrong(tiny):
    with pytest.raises(ValueError, match="at least one frame"):
        export.timeline_gif([])
    with pytest.raises(ValueError, match="fps"):
        export.timeline_gif([tiny], fps=0)
    with pytest.raises(ValueError, match="max_frames"):
        export.timeline_gif([tiny], max_frames=0)


@pytest.mark.slow
def test_every_frame_has_the_same_axes_and_they_hold_every_frame(frames):
    cap = 6
    chosen = export.pick_frames(frames, cap)
    doms = [export.gif_domains(s) for s in export.gif_specs(frames, max_frames=cap)]
    assert len(doms) == cap and all(d == doms[0] for d in doms)
    d = doms[0]
    assert {
        "density.x",
        "density.y",
        "critic.x",
        "critic.y",
        "map.y",
        "losses.x",
        "losses.y",
    } <= set(d)
    # x: the replay's range over every frame's samples, on the density, D and G's output.
    x = list(cf.x_range(frames[-1], [f.samples[0] for f in frames]))
    assert d["density.x"] == d["critic.x"] == d["map.y"] == x
    # Density: the tallest generated bar and the target's pdf of any frame shown.
    edges = np.linspace(x[0], x[1], cf.BINS + 1)
    tallest = max(
        np.histogram(r.samples[0], edges)[0].max() / (r.samples.shape[1] * (edges[1] - edges[0]))
        for r in chosen
    )
    peak = frames[0].config.target.pdf(np.linspace(x[0], x[1], 2001)).max()
    assert d["density.y"][0] == 0 and d["density.y"][1] >= max(tallest, 0.98 * peak)
    assert d["critic.y"] == [0.0, 1.0]  # D is a probability
    # Losses: the whole run's steps and losses, though early frames draw only a little.
    h = frames[-1].history
    assert d["losses.x"] == [0.0, 600.0]
    lo, hi = d["losses.y"]
    assert lo <= min(h.d_loss.min(), h.g_loss.min()) and hi >= max(h.d_loss.max(), h.g_loss.max())
    assert len(chosen[1].history) < len(h)  # each frame has its history up to its step


@pytest.mark.slow
def test_a_critics_axes_span_every_frame_each_on_its_own():
    """WGAN: the critic's unbounded score over every frame; its loss chart's two y axes (the
    critic's series left, G's loss right) each over the whole run."""
    r = Run(preset("wgan", "tuned", steps=200, g_width=8, d_width=8))
    r.advance()
    frames = [r.result_at(f) for f in r.timeline.frames]
    chosen = export.pick_frames(frames, 5)
    d = export.gif_domains(export.gif_specs(frames, max_frames=5)[2])
    scores = np.concatenate(
        [np.r_[f.d_on_x[0], f.d_on_samples[0][: cf.MAX_POINTS]] for f in chosen]
    )
    assert d["critic.y"][0] <= scores.min() and d["critic.y"][1] >= scores.max()
    h = frames[-1].history
    left, right = d["losses.y.0"], d["losses.y.1"]
    assert left[0] <= h.d_loss.min() and left[1] >= h.d_loss.max()
    assert right[0] <= h.g_loss.min() and right[1] >= h.g_loss.max()
    assert left != right


@pytest.mark.slow
def test_gif_has_the_capped_frames_at_width_with_delays(frames):
    seen: list[float] = []
    gif = export.timeline_gif(
        frames, fps=5, progress=seen.append, width=480, workers=1, max_frames=4
    )
    got = decoded(gif)
    assert len(got) == 4 <= len(frames)
    assert all(px.shape[1] == 480 for px, _ in got)
    assert len({px.shape for px, _ in got}) == 1
    # The GIF's shared axes leave the layout as it is: a frame is the shape of the panel PNG
    # of the same moment (the density's moment label stays in pixels, not on the y axis).
    png = export.panel_png(export.pick_frames(frames, 4)[-1], width=480)
    with Image.open(io.BytesIO(png)) as im:
        assert abs(got[-1][0].shape[0] - im.height) <= 0.03 * im.height
    assert [d for _, d in got] == [200, 200, 200, 2000]  # 1/fps, the last frame held
    # Training moves the data at each step shown, so the pictures differ.
    for (a, _), (b, _) in itertools.pairwise(got):
        assert np.mean(np.any(a != b, axis=-1)) > 0.003
    assert seen[0] == 0 and seen[-1] == 1 and seen == sorted(seen) and len(seen) > 4
    assert len(gif) < 150_000

    # The last frame, decoded through every delta frame before it, is the panel rendered
    # straight from its spec (up to the 128-colour palette).
    spec = export.gif_specs(frames, max_frames=4)[-1]
    with Image.open(io.BytesIO(export._png(spec, 480))) as im:
        ref = np.asarray(im.convert("RGB"))[:, :480]
    last, _ = got[-1]
    h = min(last.shape[0], ref.shape[0])
    assert abs(last.shape[0] - ref.shape[0]) <= 1
    assert np.abs(last[:h].astype(int) - ref[:h].astype(int)).mean() < 4


@pytest.mark.slow
def test_worker_processes_give_the_same_gif(frames):
    one = decoded(export.timeline_gif(frames, width=320, workers=1, max_frames=3))
    two = decoded(export.timeline_gif(frames, width=320, workers=2, max_frames=3))
    assert len(one) == len(two) == 3
    for (a, da), (b, db) in zip(one, two, strict=True):
        assert da == db and np.array_equal(a, b)


@pytest.mark.slow
def test_png_is_the_panel_at_width(frames):
    png = export.panel_png(frames[-1], width=640)
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and im.width == 640
        px = np.asarray(im.convert("RGB")).reshape(-1, 3)
    # The generated histogram is drawn in the variant's colour (opacity 0.7 over white).
    color = np.array([int(VARIANTS["gan"].color[i : i + 2], 16) for i in (1, 3, 5)])
    blended = 0.7 * color + 0.3 * 255
    assert np.sum(np.all(np.abs(px - blended) < 12, axis=1)) > 300
