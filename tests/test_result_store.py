"""ganlab.result_store: finished results read back from disk exactly as they were (every array,
table and metric), only for exactly the configs asked for, never through pickle, and the folder
bounded in bytes with the least recently used file going first."""

from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pandas as pd
import pytest

from ganlab import result_store
from ganlab.config import preset
from ganlab.training import Run
from ganlab.user_targets import mixture


@pytest.fixture(scope="module")
def finished():
    cfgs = (
        preset("gan", "tuned", steps=20, n_seeds=2, g_width=8, d_width=8),
        preset("wgan-gp", "tuned", steps=20, n_seeds=2, g_width=8, d_width=8).replace(
            target=mixture([(0.3, -1.0, 0.5), (0.7, 2.0, 0.25)])
        ),
    )
    results = []
    for cfg in cfgs:
        run = Run(cfg)
        run.advance()
        results.append(run.result())
    return cfgs, tuple(results)


def test_results_read_back_exactly(tmp_path, finished):
    cfgs, results = finished
    result_store.save(cfgs, results, tmp_path)
    back = result_store.load(cfgs, tmp_path)
    assert back is not None and len(back) == 2
    for was, got in zip(results, back, strict=True):
        assert got.config == was.config
        assert (got.step, got.seeds, got.diverged_at, got.wall_s) == (
            was.step,
            was.seeds,
            was.diverged_at,
            was.wall_s,
        )
        for name in result_store.ARRAYS:
            a, b = getattr(was, name), getattr(got, name)
            assert a.dtype == b.dtype and np.array_equal(a, b), name
        for name in result_store.TABLES:
            pd.testing.assert_frame_equal(getattr(got, name), getattr(was, name))
        assert json.dumps(got.seed_metrics) == json.dumps(was.seed_metrics, default=float)


def test_other_configs_find_nothing(tmp_path, finished):
    cfgs, results = finished
    result_store.save(cfgs, results, tmp_path)
    assert result_store.load(cfgs[:1], tmp_path) is None
    assert result_store.load((cfgs[0].replace(seed=1), cfgs[1]), tmp_path) is None
    assert result_store.load(cfgs[::-1], tmp_path) is None


def _path(tmp_path, cfgs):
    return tmp_path / f"{result_store.key(cfgs)}.npz"


def test_a_garbled_file_is_ignored_and_removed(tmp_path, finished):
    cfgs, _ = finished
    _path(tmp_path, cfgs).write_bytes(b"PK\x03\x04 not a zip at all")
    assert result_store.load(cfgs, tmp_path) is None
    assert not _path(tmp_path, cfgs).exists()


def test_a_file_that_would_need_pickle_is_never_unpickled(tmp_path, finished):
    cfgs, _ = finished

    class Boom:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    evil = np.array([Boom()], dtype=object)
    with open(_path(tmp_path, cfgs), "wb") as f:
        np.savez(f, meta=evil, **{"0.x": evil})
    assert pickle.dumps(evil)  # it is a real pickle payload …
    assert result_store.load(cfgs, tmp_path) is None  # … that load() refuses to run
    assert not (tmp_path / "pwned").exists()


def test_an_edited_config_or_format_is_not_taken(tmp_path, finished):
    cfgs, results = finished
    path = result_store.save(cfgs, results, tmp_path)
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    meta = json.loads(str(arrays["meta"]))
    meta["results"][0]["config"]["lr_g"] = 0.5
    with open(path, "wb") as f:
        np.savez(f, **{**arrays, "meta": np.array(json.dumps(meta))})
    assert result_store.load(cfgs, tmp_path) is None
    meta["results"][0]["config"]["lr_g"] = cfgs[0].lr_g
    meta["format"] = result_store.FORMAT + 1
    result_store.save(cfgs, results, tmp_path)
    with open(path, "wb") as f:
        np.savez(f, **{**arrays, "meta": np.array(json.dumps(meta))})
    assert result_store.load(cfgs, tmp_path) is None


def test_the_folder_keeps_the_most_recently_used_within_its_bytes(tmp_path, finished):
    cfgs, results = finished
    sets = [(c.replace(seed=s),) for s in range(3) for c in cfgs[:1]]
    paths = []
    for i, one in enumerate(sets):
        paths.append(result_store.save(one, results[:1], tmp_path))
        os.utime(paths[-1], (1000 + i, 1000 + i))
    assert result_store.load(sets[0], tmp_path) is not None  # used: now the newest
    size = max(p.stat().st_size for p in paths)
    assert result_store.evict(tmp_path, max_bytes=2 * size) == 1
    assert [p.exists() for p in paths] == [True, False, True]  # the oldest unused went
    assert result_store.clear(tmp_path) == 2 and not list(tmp_path.glob("*.npz"))
