"""The one field declaration, presets and lessons: every value a control offers is valid, every
preset sets exactly its declared fields, every lesson and experiment builds a config."""

from __future__ import annotations

import dataclasses

import pytest

from ganlab import compare, config
from ganlab.config import (
    CHOICES,
    FIELDS,
    MEASURED_WITH,
    PRESETS,
    RANGES,
    RECIPE,
    TrainConfig,
    apply_preset,
    make,
    preset,
)
from ganlab.lessons import EXPERIMENTS, LESSONS
from ganlab.variants import VARIANTS


def test_every_config_field_is_declared_once_with_a_widget_a_range_or_choices():
    names = [f.name for f in dataclasses.fields(TrainConfig)]
    assert list(FIELDS) == [n for n in FIELDS if n in names] and set(FIELDS) == set(names)
    for f in FIELDS.values():
        assert f.label and f.key
        if f.widget in ("grid", "slider", "number"):
            assert f.range is not None, f.name
        if f.widget in ("radio", "select"):
            assert f.choices, f.name
    assert len({f.key for f in FIELDS.values()}) == len(FIELDS)  # link names are unique
    assert len({f.flag for f in FIELDS.values()}) == len(FIELDS)


@pytest.mark.parametrize("name", [n for n, f in FIELDS.items() if f.grid])
def test_every_grid_value_is_within_the_range_and_builds_a_config(name):
    lo, hi = RANGES[name]
    grid = FIELDS[name].grid
    assert list(grid) == sorted(grid) and lo <= grid[0] and grid[-1] <= hi
    base = make(batch_size=32, data_size=10_000)
    for value in grid:
        assert getattr(base.replace(**{name: value}), name) == value


def test_every_preset_value_and_lesson_value_is_on_its_widget_grid():
    # Otherwise a slider would have to invent a position for it (it joins the grid, but a
    # preset should be reachable by hand too).
    settings = [p for by in PRESETS.values() for p in by.values()]
    settings += [lesson.settings for lesson in LESSONS.values()]
    for s in settings:
        for name, value in s.items():
            if FIELDS[name].grid:
                assert value in FIELDS[name].grid, (name, value)


def test_presets_name_only_recipe_and_measured_with_fields():
    for by_name in PRESETS.values():
        for fields in by_name.values():
            assert set(fields) <= set(RECIPE) | set(MEASURED_WITH)


@pytest.mark.parametrize(("variant", "name"), [(v, p) for v in PRESETS for p in PRESETS[v]])
def test_applying_a_preset_sets_its_recipe_and_named_sizes_and_keeps_the_users_other_settings(
    variant, name
):
    user = make(
        variant=variant,
        target="mixture",
        data_size=512,
        batch_size=64,
        g_width=64,
        d_layers=1,
        steps=1234,
        seed=9,
        n_seeds=3,
        ema=0.99,
        lr_decay=0.7,
        beta1=0.8,
        latent_dim=4,
        activation="elu",
    )
    got = apply_preset(user, name)
    declared = PRESETS[variant][name]
    for f in RECIPE:  # named: the preset's value; not named: TrainConfig's default
        assert getattr(got, f) == declared.get(f, getattr(TrainConfig, f)), f
    for f in MEASURED_WITH:
        assert getattr(got, f) == declared.get(f, getattr(user, f)), f
    untouched = set(FIELDS) - set(RECIPE) - set(MEASURED_WITH)
    for f in untouched:
        assert getattr(got, f) == getattr(user, f), f
    # The paper presets name no data or network sizes: a user's 512 / 64 and 1 layer survive.
    if name == "paper":
        assert (got.data_size, got.batch_size, got.d_layers) == (512, 64, 1)
    # The same result as building the preset from scratch on the user's other settings.
    assert got == preset(
        variant,
        name,
        **{f: getattr(user, f) for f in untouched if f != "variant"},
        **{f: getattr(got, f) for f in MEASURED_WITH},
    )


@pytest.mark.parametrize("key", list(LESSONS))
def test_every_lesson_builds_a_valid_config_of_its_variant(key):
    lesson = LESSONS[key]
    for overrides in ({}, {"seed": 3, "n_seeds": 8}):
        cfg = lesson.config(**overrides)
        assert cfg.variant == lesson.variant
        for name, value in lesson.settings.items():
            got = getattr(cfg, name)
            assert (got.name if name == "target" else got) == value


@pytest.mark.parametrize("key", list(EXPERIMENTS))
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_experiment_applies_to_every_variants_tuned_preset(key, variant):
    exp = EXPERIMENTS[key]
    base = preset(variant, "tuned")
    cfg = make(**{**base.to_dict(), **exp.settings})
    for name, value in exp.settings.items():
        got = getattr(cfg, name)
        assert (got.name if name == "target" else got) == value


def test_field_words_come_from_the_one_declaration():
    assert config.label("gp_lambda") == FIELDS["gp_lambda"].label
    assert config.label("d_steps", "wgan") == VARIANTS["wgan"].steps_label
    assert config.fmt(10_000) == "10,000" and config.fmt(0.001) == "0.001"
    assert config.fmt(True) == "on" and config.fmt("relu") == "relu"
    old, new = preset("gan"), preset("gan", lr_g=0.01, standardize=False)
    assert config.changes(old, new) == [
        "G learning rate 0.001 → 0.01",
        "standardize the data for the networks on → off",
    ]


def test_a_variants_knobs_are_declared_fields_and_reach_the_compare_page():
    for key, v in VARIANTS.items():
        assert set(v.knobs) <= set(FIELDS)
        assert compare.knobs(key) == (*v.knobs, "lr")
    assert set(CHOICES["g_loss"]) == set(VARIANTS["gan"].g_losses)
