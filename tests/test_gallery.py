"""The gallery shipped with ganlab: every built-in target's default comparison and every page's
run (variant × preset × target, and every lesson) is stored, reads back as exactly those
configs, nothing else is shipped, and training an entry again reproduces its stored numbers
exactly (the same configs and seeds, the same machine's engine)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from ganlab import budget, gallery, result_store, stored_runs
from ganlab.lessons import LESSONS
from ganlab.targets import TARGETS


def test_every_built_in_targets_default_comparison_is_shipped():
    for target, cfgs in gallery.comparisons().items():
        stored = result_store.load(tuple(cfgs.values()), gallery.SHIPPED, prune=False)
        assert stored is not None, f"{target}: not in {gallery.SHIPPED} ({gallery.COMMAND})"
        for res, cfg in zip(stored, cfgs.values(), strict=True):
            assert res.config == cfg and res.step == cfg.steps
            assert len(res.seed_metrics) == cfg.n_seeds


def test_every_page_run_is_shipped_finished_and_nothing_else():
    cfgs = gallery.page_runs()
    assert len(cfgs) == len(set(cfgs)) >= 7 * 2 * len(TARGETS) + len(LESSONS)
    for cfg in cfgs:
        run = stored_runs.load(cfg, gallery.SHIPPED, prune=False)
        assert run is not None, (
            f"{cfg.variant} on {cfg.target.name}: not stored ({gallery.COMMAND})"
        )
        assert run.cfg == cfg and run.finished  # to its budget, or every seed diverged
        assert run.timeline.steps[-1] == (run.cfg.steps if run.alive.any() else run.step)
    assert gallery.stale(gallery.SHIPPED) == []


def test_the_gallery_is_compact():
    size = sum(p.stat().st_size for p in gallery.SHIPPED.glob("*.npz"))
    assert size <= 10 * 2**20, f"{size / 2**20:.1f} MB"


@pytest.mark.slow  # ~1.5 min: three variants × 4 seeds × 2,000 steps trained again
def test_training_an_entry_again_reproduces_its_stored_numbers():
    cfgs = tuple(gallery.comparisons(["normal"])["normal"].values())
    stored = result_store.load(cfgs, gallery.SHIPPED, prune=False)
    assert stored is not None
    for cfg, was in zip(cfgs, stored, strict=True):
        now = gallery.finished(cfg)
        # The engine's numbers exactly; the metrics computed from them (float64, scipy) to the
        # last bits, which depend on the CPU's vector width (AVX-512 or AVX2 sums).
        assert np.array_equal(now.samples, was.samples)
        assert now.seed_metrics == [pytest.approx(m, rel=1e-12) for m in was.seed_metrics]
        pd.testing.assert_frame_equal(now.history, was.history)


@pytest.mark.slow  # ~15 s: the cheapest page run of the gallery trained again
def test_training_a_page_run_again_reproduces_it(tmp_path):
    cfg = min(gallery.page_runs(), key=lambda c: budget.estimate(c).work_s)
    gallery.store_trained(cfg, tmp_path)
    was = stored_runs.load(cfg, gallery.SHIPPED, prune=False)
    now = stored_runs.load(cfg, tmp_path)
    assert was is not None and now is not None
    assert json.dumps(now.seed_metrics()) == json.dumps(was.seed_metrics())
    pd.testing.assert_frame_equal(now.result().history, was.result().history)
    assert np.array_equal(now.result().samples, was.result().samples)
    for a, b in zip(now.timeline.frames, was.timeline.frames, strict=True):
        assert a.step == b.step and np.array_equal(a.samples, b.samples)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--targets", "bogus"], "--targets bogus: choose from " + ", ".join(TARGETS)),
        (["--targets", ""], "--targets : choose from"),
        (["--out", __file__], "is a file, not a folder"),
    ],
)
def test_bad_gallery_options_are_one_line_and_exit_2(args, said):
    out = subprocess.run(
        [sys.executable, "-m", "ganlab", "gallery", *args], capture_output=True, text=True
    )
    assert out.returncode == 2 and said in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and out.stdout == ""
