"""ganlab.run_links: any valid run of any variant survives the trip config → link → config
exactly, whichever starting point it was made from, and a link leaves out what the starting
point already gives."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ganlab import links, run_links
from ganlab.config import FIELDS, ConfigError, TrainConfig, make
from ganlab.targets import TARGETS, TargetError
from ganlab.user_targets import mixture
from ganlab.variants import VARIANTS


def _value(name: str):
    f = FIELDS[name]
    if f.choices:
        return st.sampled_from(f.choices)
    if f.widget == "toggle":
        return st.booleans()
    lo, hi = f.range
    if isinstance(getattr(TrainConfig, name), int) and not isinstance(
        getattr(TrainConfig, name), bool
    ):
        return st.integers(int(lo), int(hi))
    return st.sampled_from(f.grid) if f.grid else st.floats(lo, hi)


_targets = st.sampled_from(list(TARGETS.values())) | st.lists(
    st.tuples(st.floats(0.01, 5), st.floats(-20, 20), st.floats(0.01, 5)), min_size=1, max_size=10
).map(mixture)


@st.composite
def runs(draw):
    variant = draw(st.sampled_from(list(VARIANTS)))
    start = draw(st.sampled_from(run_links.presets(variant)))
    was = run_links.base(variant, start)
    changed = draw(st.lists(st.sampled_from(run_links.SETTINGS), unique=True, max_size=8))
    fields = {n: getattr(was, n) for n in run_links.SETTINGS}
    fields |= {n: draw(_value(n)) for n in changed}
    target = draw(st.one_of(st.just(was.target), _targets))
    try:
        cfg = make(variant=variant, target=target, **fields)
    except ConfigError:
        cfg = None
    return variant, start, cfg


@settings(max_examples=300, deadline=None)
@given(runs())
def test_every_valid_run_survives_its_link_exactly(case):
    variant, start, cfg = case
    if cfg is None:  # an impossible combination (batch > data): no page shows it
        return
    text = run_links.link(cfg, start)
    values, problems = links.parse(text, run_links.spec(variant))
    assert problems == []
    assert run_links.config(variant, values) == (cfg, start)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_starting_point_as_it_is_is_one_short_link(variant):
    for start in run_links.presets(variant):
        want = {} if start == run_links.DEFAULT_PRESET else {"preset": start}
        assert run_links.link(run_links.base(variant, start), start) == want


def test_a_link_names_only_what_differs_by_its_declared_name():
    cfg = run_links.base("wgan-gp", "tuned").replace(gp_lambda=0.5, n_seeds=4)
    assert run_links.link(cfg, "tuned") == {"lambda": "0.5", "seeds": "4"}


def test_every_setting_with_a_declaration_can_travel():
    travel = set(run_links.SETTINGS)
    left = {f.name for f in dataclasses.fields(TrainConfig)} - travel
    assert left == {"variant", "target"}  # the page and the target have their own parameters


@pytest.mark.parametrize(
    "text",
    ["", "1", "1:2", "a:b:c", "1:2:3:4", "1:2:3;4:5:6", "inf:0:1", "1:0:1e400", "1:0:1," * 11],
)
def test_a_malformed_mix_is_a_target_error(text):
    with pytest.raises(TargetError):
        run_links.parse_mix(text)
