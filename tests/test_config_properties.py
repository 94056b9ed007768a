"""Any configuration either trains a few steps without an exception or is refused in words
that name the field (hypothesis explores the space, including out-of-range values)."""

import dataclasses
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ganlab.config import CHOICES, INTEGER_FIELDS, RANGES, ConfigError, TrainConfig, label
from ganlab.targets import TARGETS
from ganlab.training import Run

# Keep the valid ones cheap to train: the property is about crashing, not learning.
CHEAP = {
    "data_size": 512,
    "g_width": 32,
    "d_width": 32,
    "steps": 3,
    "n_seeds": 3,
    "batch_size": 128,
}


def value_for(name):
    lo, hi = RANGES[name]
    cap = CHEAP.get(name, hi)
    if name in INTEGER_FIELDS:
        inside = st.integers(int(lo), int(min(hi, cap)))
        outside = st.sampled_from([int(lo) - 1, int(hi) + 1])
    else:
        inside = st.floats(lo, hi, allow_nan=False)
        outside = st.sampled_from([lo - 1.0, hi * 2 + 1.0, math.nan, math.inf])
    return st.one_of(inside, inside, inside, outside)


FIELDS = {name: value_for(name) for name in RANGES}
FIELDS.update({name: st.sampled_from([*choices, "bogus"]) for name, choices in CHOICES.items()})
FIELDS["target"] = st.sampled_from(list(TARGETS.values()))
FIELDS["standardize"] = st.booleans()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({}, optional=FIELDS))
def test_every_config_trains_or_is_refused_by_name(fields):
    try:
        cfg = TrainConfig(**fields)
    except ConfigError as exc:
        assert exc.problems
        names = {label(f.name) for f in dataclasses.fields(TrainConfig)} | {"batch size"}
        for problem in exc.problems:
            assert any(problem.startswith(n) for n in names), problem
        return
    run = Run(cfg)
    run.advance(min(cfg.steps, 3))
    res = run.result(with_metrics=False)
    assert res.samples.shape[0] == cfg.n_seeds
    # Every seed, diverged or not, samples finite numbers (a diverged one from its frozen,
    # last finite state).
    assert np.isfinite(res.samples).all()
