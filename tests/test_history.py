"""History keeps means over step-aligned windows, checked against numpy on the raw steps, and
records the same bits however the steps are handed to it."""

from __future__ import annotations

import numpy as np
import pytest
from pandas.testing import assert_frame_equal

from ganlab.config import preset
from ganlab.history import HISTORY_POINTS, History
from ganlab.training import Run

NAMES, K = ("a", "b", "c"), 4


def feed(data: np.ndarray, ends) -> History:
    """data (n, series, K) for steps 1..n, appended in slices ending at `ends`."""
    h, start = History(NAMES, data.shape[2]), 0
    for end in ends:
        h.append(end, data[start:end])
        start = end
        assert len(h.steps) <= HISTORY_POINTS  # bounded all along, not just at the end
    return h


def slicings(n: int, seed: int) -> dict[str, list[int]]:
    rng = np.random.default_rng(seed)
    ends = {"one step": list(range(1, n + 1)), "16 steps": [*range(16, n, 16), n], "one": [n]}
    for i, top in enumerate((40, 500, 5000)):
        cuts = np.cumsum(rng.integers(1, top, size=n))
        ends[f"random {i}"] = [*cuts[cuts < n].tolist(), n]
    return ends


# n = 100,003: ~2–4 s, six slicings of 100,003 steps (one of them a step at a time)
@pytest.mark.parametrize("n", [20_000, pytest.param(100_003, marks=pytest.mark.slow)])
def test_windows_are_aligned_means_and_slicing_never_changes_a_bit(n):
    rng = np.random.default_rng(n)
    data = rng.normal(size=(n, len(NAMES), K))
    diverged = n // 3 + 7  # seed 2 diverges at this step: NaN from it on, as the engine records
    data[diverged - 1 :, :, 2] = np.nan
    runs = {name: feed(data, ends) for name, ends in slicings(n, seed=1).items()}

    # Trusted reference: the smallest power-of-two window that keeps ≤ HISTORY_POINTS windows,
    # each the flat mean of its aligned block (j·w, (j+1)·w] of raw steps.
    w = 1
    while n // w > HISTORY_POINTS:
        w *= 2
    m = n // w
    expected = data[: m * w].reshape(m, w, len(NAMES), K).mean(1)
    ref = runs["one"]
    assert ref.window == w and w >= 64  # several doublings happened
    assert ref.steps == list(range(w, m * w + 1, w))
    assert np.allclose(ref.values, expected, rtol=1e-12, atol=0, equal_nan=True)

    # The divergence: NaN from the window holding it on, for that seed only.
    nan = np.isnan(ref.values)
    held = np.asarray(ref.steps) >= diverged
    assert nan[:, :, 2].all(1).tolist() == held.tolist() and not nan[:, :, :2].any()
    assert not nan[~held].any()

    for name, h in runs.items():
        assert h.window == w and h.steps == ref.steps, name
        assert np.array_equal(h.values, ref.values, equal_nan=True), name


def test_sparse_records_average_the_steps_they_have():
    # The evals: a row at step 0 (the initial state), then one every few steps, with holes.
    rng = np.random.default_rng(0)
    n = 60_000
    steps = np.sort(rng.choice(np.arange(1, n + 1), size=3000, replace=False))
    steps = steps[(steps < 20_000) | (steps > 30_000)]
    steps = np.concatenate([steps, np.arange(40_001, 41_001)])  # and a dense stretch
    steps = np.unique(steps)
    data = rng.normal(size=(n + 1, len(NAMES), K))  # row s is step s

    def sparse_feed(seed: int) -> History:
        h, r, i = History(NAMES, K), np.random.default_rng(seed), 0
        h.append(0, data[:1])
        while i < len(steps):  # runs of consecutive steps, cut at random
            j = i + 1
            while j < len(steps) and steps[j] == steps[j - 1] + 1 and r.random() < 0.8:
                j += 1
            h.append(steps[j - 1], data[steps[i] : steps[j - 1] + 1])
            i = j
        return h

    a, b = sparse_feed(1), sparse_feed(2)
    assert a.steps == b.steps and np.array_equal(a.values, b.values)
    w, end = a.window, int(steps[-1])
    m = end // w
    inside = steps[steps <= m * w]  # the rest are in the window still open
    block = (inside - 1) // w  # the window of each recorded step
    kept = np.unique(block)
    assert w > 1 and len(a.steps) <= HISTORY_POINTS
    assert a.steps == [0, *((kept + 1) * w).tolist()]  # step 0 stays a point of its own
    expected = [data[inside[block == j]].mean(0) for j in kept]
    assert np.array_equal(a.values[0], data[0])
    assert np.allclose(a.values[1:], expected, rtol=1e-12, atol=0)

    with pytest.raises(ValueError, match="overlap"):
        a.append(end, data[end : end + 1])


@pytest.mark.slow  # two 1 000-step runs: ~4–6 s
def test_a_run_records_the_same_history_whatever_it_is_advanced_by():
    cfg = preset("gan", "tuned", steps=1000, data_size=1024, batch_size=128)
    whole, sliced = Run(cfg), Run(cfg)
    whole.advance()
    while not sliced.finished:
        sliced.advance(n_steps=37)
    assert whole.history.window > 1  # the history merged at least once
    for a, b in ((whole.history, sliced.history), (whole.evals, sliced.evals)):
        assert_frame_equal(a.frame(cfg.seeds), b.frame(cfg.seeds), check_exact=True)


@pytest.mark.parametrize("n", [37, 1000, 5000])
def test_shards_of_seeds_fed_apart_join_into_the_history_fed_whole(n):
    # Seed shards (a slice split over processes) each keep a history of their own seeds; joined
    # back, it must be the history of all seeds fed together, open windows included, so that
    # feeding goes on from it as from the whole one.
    rng = np.random.default_rng(n)
    data = rng.normal(size=(n + 100, len(NAMES), K))
    whole = feed(data[:n], [n])
    parts = [whole.take(0, 1), whole.take(1, K)]
    assert [p.k for p in parts] == [1, K - 1]
    shards = [feed(data[:n, :, a:b].copy(), [n]) for a, b in ((0, 1), (1, K))]
    for h in (History.joined(parts), History.joined(shards)):
        h.append(n + 100, data[n:])
        ref = feed(data, [n, n + 100])
        assert h.steps == ref.steps and np.array_equal(h.values, ref.values)
