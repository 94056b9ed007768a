"""ganlab.stored_runs: a finished page run read back from disk answers every view exactly as the
run that was trained (weights, history, evals, seed metrics bit for bit; the timeline's frames
as their half-precision values), only for exactly its config, and never through pickle."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from ganlab import result_store, stored_runs
from ganlab.config import preset
from ganlab.training import Run
from ganlab.user_targets import mixture

VIEWS = ("samples", "d_on_samples", "d_on_x", "grad_on_x", "g_on_z", "d_weights", "data", "x")


def trained(cfg) -> Run:
    run = Run(cfg)
    run.advance()
    return run


@pytest.fixture(scope="module")
def runs():
    small = {"steps": 300, "n_seeds": 2, "g_width": 8, "d_layers": 2, "d_width": 8}
    return [
        trained(preset("gan", "tuned", **small)),  # G's EMA: what compaction keeps
        trained(preset("wgan-gp", "tuned", **small, ema=0.0)),  # G's own weights
        trained(
            preset("rpgan", "tuned", **small).replace(
                target=mixture([(0.3, -1.0, 0.5), (0.7, 2.0, 0.25)])
            )
        ),
        # every seed diverges: the steps where, and the last good weights, are kept
        trained(
            preset(
                "wgan-gp", "tuned", **small, g_opt="sgd", d_opt="sgd", lr_g=1.0, lr_d=1.0
            ).replace(gp_lambda=100.0, standardize=False)
        ),
    ]


def test_a_stored_run_answers_every_view_exactly(tmp_path, runs):
    for run in runs:
        stored_runs.save(run, tmp_path)
        back = stored_runs.load(run.cfg, tmp_path)
        assert back is not None and back.stored_in == tmp_path, run.cfg.variant
        assert back.finished and back.compacted and back.step == run.step
        assert np.array_equal(back.diverged_at, run.diverged_at)
        if run is runs[-1]:
            assert (run.diverged_at >= 0).all()
        was, got = run.result(), back.result()
        for name in VIEWS:
            assert np.array_equal(getattr(got, name), getattr(was, name), equal_nan=True), name
        pd.testing.assert_frame_equal(got.history, was.history)
        pd.testing.assert_frame_equal(got.evals, was.evals)
        assert json.dumps(back.seed_metrics()) == json.dumps(run.seed_metrics())
        assert np.array_equal(back.samples(5000), run.samples(5000), equal_nan=True)


def test_frames_come_back_as_their_half_precision_values(tmp_path, runs):
    run = runs[0]
    stored_runs.save(run, tmp_path)
    back = stored_runs.load(run.cfg, tmp_path)
    assert back.timeline.steps == run.timeline.steps
    for a, b in zip(run.timeline.frames, back.timeline.frames, strict=True):
        assert (a.step, a.wall_s) == (b.step, b.wall_s)
        for name in stored_runs.FRAME_ARRAYS:
            half = getattr(a, name).astype(np.float16).astype(np.float32)
            assert np.array_equal(getattr(b, name), half, equal_nan=True), name


def test_the_frame_packing_is_numpys_half_precision_and_never_overflows():
    rng = np.random.default_rng(0)
    smooth = np.cumsum(rng.normal(size=(3, 4, 500)), axis=-1).astype(np.float32)
    assert np.array_equal(
        stored_runs._unpack(stored_runs._pack(smooth)), smooth.astype(np.float16).astype(np.float32)
    )
    # beyond half's range (a critic's scores can be): kept in single precision, exactly
    wide = np.array([[1.0, 2e5, np.nan, -3.0], [np.inf, 0.0, -7e9, 2.0]], dtype=np.float32)
    assert np.array_equal(stored_runs._unpack(stored_runs._pack(wide)), wide, equal_nan=True)


def test_other_configs_and_unfinished_runs_are_not_stored(tmp_path, runs):
    run = runs[0]
    stored_runs.save(run, tmp_path)
    assert stored_runs.load(run.cfg.replace(seed=run.cfg.seed + 1), tmp_path) is None
    assert stored_runs.load(run.cfg.replace(lr_g=run.cfg.lr_g * 2), tmp_path) is None
    with pytest.raises(ValueError, match="only a finished run"):
        stored_runs.save(Run(run.cfg), tmp_path)


def test_a_stored_run_and_a_comparison_of_the_same_config_are_two_files(tmp_path, runs):
    run = runs[0]
    stored_runs.save(run, tmp_path)
    assert result_store.load((run.cfg,), tmp_path) is None  # not mistaken for a comparison
    result_store.save((run.cfg,), (run.result(),), tmp_path)
    assert stored_runs.load(run.cfg, tmp_path) is not None
    assert len(list(tmp_path.glob("*.npz"))) == 2


def test_an_edited_or_broken_file_is_ignored_and_removed(tmp_path, runs):
    run = runs[0]
    path = stored_runs.save(run, tmp_path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
        meta = json.loads(np.lib.format.read_array(z.open("meta.npy")).item())
    meta["config"]["lr_d"] = 0.5  # another config under this config's name
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            if name != "meta.npy":
                z.writestr(name, data)
        with z.open("meta.npy", "w") as f:
            np.lib.format.write_array(f, np.array(json.dumps(meta)))
    assert stored_runs.load(run.cfg, tmp_path, prune=False) is None and path.exists()
    assert stored_runs.load(run.cfg, tmp_path) is None and not path.exists()
    path.write_bytes(b"not a zip file")
    assert stored_runs.load(run.cfg, tmp_path) is None and not path.exists()
