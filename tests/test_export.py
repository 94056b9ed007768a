"""Export for slides: the GIF and PNG decoded with Pillow (frames, size, delays, pixels), and
shared axes checked against the frames' own numbers (numpy), not against the export's output."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest
from PIL import Image

from ganlab import export
from ganlab.charts import training as ct
from ganlab.config import preset
from ganlab.training import Run


@pytest.fixture(scope="module")
def frames():
    """A real run at three moments: before training, early, at the end (RunResults with the
    1 000 samples per seed a timeline holds)."""
    run = Run(preset("gan", "tuned", steps=600))
    out = [run.result(n_samples=1000, with_metrics=False)]
    for n in (60, 540):
        run.advance(n_steps=n)
        out.append(run.result(n_samples=1000, with_metrics=False))
    return out


def decoded(gif: bytes) -> list[tuple[np.ndarray, int]]:
    """Every frame of a GIF as RGB pixels, with its delay in ms."""
    out = []
    with Image.open(io.BytesIO(gif)) as im:
        assert im.format == "GIF"
        for i in range(im.n_frames):
            im.seek(i)
            out.append((np.asarray(im.convert("RGB")), im.info["duration"]))
    return out


@pytest.fixture(scope="module")
def tiny():
    """A few steps of small nets: a RunResult in a fraction of a second."""
    run = Run(preset("gan", "tuned", steps=600, seed=3, g_width=8, d_width=8))
    run.advance(n_steps=20)
    return run.result(n_samples=100, with_metrics=False)


def test_title_names_variant_target_step_and_seed(tiny):
    assert export.panel_title(tiny) == "Vanilla GAN on bimodal · step 20 of 600 · seed 3"


@pytest.mark.slow
def test_frames_share_every_axis_and_each_covers_every_frame(frames):
    specs = [export.panel_spec(r) for r in frames]
    shared = export.union([export.extents(s) for s in specs])
    fixed = [export.domains_of(export.fix_domains(s, shared)) for s in specs]
    assert fixed[0] == fixed[1] == fixed[2]
    # Every chart has a fixed x and y: 4 charts, the losses' axes included.
    assert {k[-1] for k in fixed[0]} == {"x", "y"} and len(fixed[0]) >= 8

    def covering(lo: float, hi: float) -> bool:
        return any(d[0] <= lo and hi <= d[1] for d in fixed[0].values())

    lo, hi = frames[0].config.target.plot_range
    edges = np.linspace(lo, hi, ct.BINS + 1)
    densest = max(np.histogram(r.samples[0], edges)[0].max() for r in frames)
    assert covering(0, densest / (1000 * (edges[1] - edges[0])))  # generated histogram
    g = np.concatenate([r.g_on_z[0] for r in frames])
    assert covering(g.min(), g.max())  # G(z) over every frame
    h = frames[-1].history
    assert covering(h.step.min(), h.step.max())  # losses: step axis of the whole run
    assert covering(h.g_loss.min(), h.d_loss.max())


@pytest.mark.slow
def test_gif_has_one_frame_per_result_at_width_with_delays(frames):
    seen: list[float] = []
    gif = export.timeline_gif(frames, fps=5, progress=seen.append, width=480, workers=1)
    got = decoded(gif)
    assert len(got) == len(frames)
    assert all(px.shape[1] == 480 for px, _ in got)
    assert len({px.shape for px, _ in got}) == 1
    assert [d for _, d in got] == [200, 200, 2000]  # 1/fps, the last frame held
    # The data differ at each step, so do the pictures.
    for (a, _), (b, _) in itertools.pairwise(got):
        assert np.mean(np.any(a != b, axis=-1)) > 0.005
    assert seen[0] == 0 and seen[-1] == 1 and seen == sorted(seen) and len(seen) > 3
    assert len(gif) < 400_000


@pytest.mark.slow
def test_gif_frames_match_a_png_of_the_same_moment_with_the_shared_axes(frames):
    """The GIF's last frame is the same panel as a PNG rendered straight from its spec."""
    gif = export.timeline_gif(frames[1:], width=480, workers=1)
    specs = [export.panel_spec(r) for r in frames[1:]]
    shared = export.union([export.extents(s) for s in specs])
    spec = export.fix_domains(specs[-1], shared)
    ref = export.vlc.vegalite_to_png(spec, scale=1)
    with Image.open(io.BytesIO(ref)) as im:
        ref_px = np.asarray(im.convert("RGB").resize((480, round(480 * im.height / im.width))))
    last, _ = decoded(gif)[-1]
    assert abs(last.shape[0] - ref_px.shape[0]) <= 2
    h = min(last.shape[0], ref_px.shape[0])
    diff = np.abs(last[:h].astype(int) - ref_px[:h].astype(int)).mean()
    assert diff < 12  # same picture, up to scale (anti-aliasing) and the 128-colour palette


@pytest.mark.slow
def test_worker_processes_give_the_same_gif(frames):
    one = decoded(export.timeline_gif(frames[:2], width=320, workers=1))
    two = decoded(export.timeline_gif(frames[:2], width=320, workers=2))
    assert len(one) == len(two) == 2
    for (a, da), (b, db) in zip(one, two, strict=True):
        assert da == db and np.array_equal(a, b)


@pytest.mark.slow
def test_png_is_the_panel_at_width(frames):
    png = export.panel_png(frames[-1], width=640)
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and abs(im.width - 640) <= 1
        px = np.asarray(im.convert("RGB")).reshape(-1, 3)
    # The generated histogram is drawn in the variant's colour (opacity 0.7 over white).
    color = np.array([int(ct.VARIANTS["gan"].color[i : i + 2], 16) for i in (1, 3, 5)])
    blended = 0.7 * color + 0.3 * 255
    assert np.sum(np.all(np.abs(px - blended) < 12, axis=1)) > 500


def test_long_timelines_are_thinned_evenly_keeping_both_ends():
    picked = export.pick_frames(list(range(400)), limit=150)  # type: ignore[arg-type]
    assert len(picked) == 150 and picked[0] == 0 and picked[-1] == 399
    gaps = np.diff(picked)
    assert gaps.min() >= 2 and gaps.max() <= 3
    assert export.pick_frames(list(range(20)), limit=150) == list(range(20))  # type: ignore[arg-type]


def test_bad_arguments_say_what_is_wrong(tiny):
    with pytest.raises(ValueError, match="at least one frame"):
        export.timeline_gif([])
    with pytest.raises(ValueError, match="fps"):
        export.timeline_gif([tiny], fps=0)


@pytest.mark.slow
def test_independent_axes_get_their_own_domains():
    """WGAN's loss chart draws G's loss on its own right axis: that axis spans G's loss, the
    left one the critic's series, each over every frame."""
    run = Run(preset("wgan", "tuned", steps=40, g_width=8, d_width=8))
    frames = []
    for _ in range(2):
        run.advance(n_steps=20)
        frames.append(run.result(n_samples=200, with_metrics=False))
    specs = [export.panel_spec(r) for r in frames]
    shared = export.union([export.extents(s) for s in specs])
    loss_y = {k: v for k, v in shared.items() if k[:4] == ("vconcat", 1, "hconcat", 1)}
    loss_y = {k: v for k, v in loss_y.items() if k[-1] == "y"}
    assert len(loss_y) == 2  # left and right
    h = frames[-1].history
    g = (h.g_loss.min(), h.g_loss.max())
    d = (h.d_loss.min(), h.d_loss.max())
    right = [v for v in loss_y.values() if v[0] <= g[0] and g[1] <= v[1]]
    left = [v for v in loss_y.values() if v[0] <= d[0] and d[1] <= v[1]]
    assert right and left and right != left
