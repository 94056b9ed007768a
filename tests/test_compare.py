"""The compare logic against known inputs: configs, JSON round trips, tables and the verdict."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ganlab import compare
from ganlab.config import PRESETS, ConfigError, preset
from ganlab.metrics import COLLAPSE_RULE
from ganlab.targets import TARGETS
from ganlab.user_targets import mixture
from ganlab.variants import VARIANTS

GAN, WGAN, GP = "Vanilla GAN", "WGAN (clip)", "WGAN-GP"


# --- configs ------------------------------------------------------------------------------------
def test_defaults_are_the_variant_pages_tuned_presets_so_runs_are_reused():
    cfgs = compare.default_configs()
    assert list(cfgs) == ["gan", "wgan", "wgan-gp"]
    for v, cfg in cfgs.items():
        assert cfg == preset(v, "tuned", target="bimodal", n_seeds=4, steps=2000, seed=0)


def test_build_shares_target_seeds_budget_and_applies_preset_then_knobs_then_extra():
    cfgs = compare.build(
        "mixture",
        3,
        500,
        7,
        {
            "gan": {"preset": "paper", "knobs": {"g_loss": "saturating", "lr": 5e-4}},
            "wgan": {"knobs": {"clip": 0.05, "d_steps": 3}},
            "wgan-gp": {"preset": "paper", "knobs": {"gp_lambda": 1.0}, "extra": {"g_width": 64}},
        },
    )
    for cfg in cfgs.values():
        assert (cfg.target, cfg.n_seeds, cfg.steps, cfg.seed) == (TARGETS["mixture"], 3, 500, 7)
    gan, wgan, gp = cfgs.values()
    assert (gan.g_loss, gan.lr_g, gan.lr_d, gan.beta1) == ("saturating", 5e-4, 5e-4, 0.5)
    assert (wgan.clip, wgan.d_steps, wgan.d_opt) == (0.05, 3, "rmsprop")
    assert wgan.lr_g == PRESETS["wgan"]["tuned"]["lr_g"]
    assert (gp.gp_lambda, gp.g_width, gp.lr_g) == (1.0, 64, PRESETS["wgan-gp"]["paper"]["lr_g"])


def test_knob_values_read_the_preset():
    assert compare.knob_values("wgan", "paper") == {"clip": 0.01, "d_steps": 5, "lr": 5e-5}
    assert compare.knob_values("gan", "tuned") == {
        "g_loss": "non-saturating",
        "d_steps": 1,
        "lr": 1e-3,
    }


def test_build_lists_every_problem_with_its_variant():
    with pytest.raises(ConfigError) as err:
        compare.build(
            "normal",
            2,
            100,
            0,
            {"wgan": {"knobs": {"clip": 50.0}}, "wgan-gp": {"knobs": {"d_steps": 0}}},
        )
    assert err.value.problems == [
        "WGAN (clip): clip value c 50 is outside 0.0001 … 10",
        "WGAN-GP: D steps per G step 0 is outside 1 … 10",
    ]


# --- saving and loading ---------------------------------------------------------------------------
def _odd_configs():
    """Everything a file can hold: a custom target, a preset, knobs and fields beyond them."""
    target = mixture([(1, 0.0, 0.5), (2, 3.0, 0.25)])
    return compare.build(
        target,
        5,
        300,
        11,
        {
            "gan": {"preset": "paper", "knobs": {"g_loss": "saturating"}},
            "wgan": {"knobs": {"clip": 0.05}, "extra": {"lr_d": 2e-3, "g_width": 16}},
            "wgan-gp": {"knobs": {"gp_lambda": 2.0}, "extra": {"standardize": False}},
        },
    )


@pytest.mark.parametrize("cfgs", [compare.default_configs(), _odd_configs()])
def test_json_out_and_back_in_gives_the_same_configs(cfgs):
    shared, choices = compare.from_json(compare.to_json(cfgs))
    again = compare.build(
        shared["target"], shared["n_seeds"], shared["steps"], shared["seed"], choices
    )
    assert again == cfgs


def test_loading_infers_the_preset_and_keeps_only_true_extras():
    _, choices = compare.from_json(compare.to_json(_odd_configs()))
    assert choices["gan"] == {
        "preset": "paper",
        "extra": {},
        "knobs": {"g_loss": "saturating", "d_steps": 1, "lr": 2e-4},
    }
    assert choices["wgan"]["preset"] == "tuned"
    assert choices["wgan"]["extra"] == {"lr_d": 2e-3, "g_width": 16}
    assert choices["wgan-gp"]["extra"] == {"standardize": False}


def _saved(**changes) -> str:
    data = json.loads(compare.to_json(compare.default_configs()))
    for v, fields in changes.items():
        data["configs"][v].update(fields)
    return json.dumps(data)


@pytest.mark.parametrize(
    "text, problem",
    [
        (
            "{not json",
            "not valid JSON (Expecting property name enclosed in double quotes at line 1)",
        ),
        ("[1, 2]", "not a saved comparison: expected an object with 'configs'"),
        (preset("gan").to_json(), "this looks like one run's settings"),
        (
            _saved(wgan={"steps": 500}),
            "the same steps for every variant (got Vanilla GAN 2,000, "
            "WGAN (clip) 500, WGAN-GP 2,000)",
        ),
        (_saved(gan={"lr_g": 5}), "gan: G learning rate 5 is outside 1e-05 … 1"),
        (_saved(gan={"target": "__import__('os').system('true')"}), "gan: target: unknown target"),
        (_saved(wgan={"variant": "gan"}), "the config under 'wgan' is for variant 'gan'"),
        (_saved(gan={"pickle": "x"}), "gan: unknown setting 'pickle'"),
    ],
)
def test_loading_a_bad_file_says_what_is_wrong_in_words(text, problem):
    with pytest.raises(ConfigError) as err:
        compare.from_json(text)
    assert any(problem in p for p in err.value.problems), err.value.problems


# --- the verdict ------------------------------------------------------------------------------
def seed(w1, covered=2, n_modes=2, diverged_at=-1, collapsed=None, **extra):
    d = {
        "w1": w1,
        "modes_covered": covered,
        "n_modes": n_modes,
        "diverged": diverged_at >= 0,
        "diverged_at": diverged_at,
        "collapsed": covered < n_modes if collapsed is None else collapsed,
        **extra,
    }
    if n_modes == 0:
        del d["modes_covered"], d["n_modes"]
    return d


def test_verdict_counts_seeds_that_cover_every_mode_best_first():
    seeds = {
        "gan": [seed(0.5, 1), seed(0.1), seed(0.2, 1), seed(0.15)],
        "wgan": [seed(0.9, 1)] * 4,
        "wgan-gp": [seed(0.05), seed(0.06), seed(0.04), seed(0.05)],
    }
    assert compare.verdict(seeds) == (
        "WGAN-GP covered both modes in 4/4 seeds; Vanilla GAN in 2/4 seeds; WGAN (clip) in "
        "0/4 seeds. Closest to the target by median W1: WGAN-GP (0.05), then Vanilla GAN "
        "(0.175) and WGAN (clip) (0.9)."
    )


def test_verdict_says_when_the_leader_is_within_the_spread_or_at_the_noise_floor():
    seeds = {
        "gan": [seed(0.03, 3, 3), seed(0.2, 3, 3)],
        "wgan": [seed(0.05, 3, 3), seed(0.06, 3, 3)],
        "wgan-gp": [seed(0.04, 2, 3), seed(0.5, 3, 3)],
    }
    text = compare.verdict(seeds, floor_w1=0.04)
    # equal coverage: the lower median W1 is named first
    assert text.startswith(
        "WGAN (clip) covered all 3 modes in 2/2 seeds; Vanilla GAN in 2/2 "
        "seeds; WGAN-GP in 1/2 seeds."
    )
    assert text.endswith(
        "by median W1: WGAN (clip) (0.055), then Vanilla GAN (0.115) and "
        "WGAN-GP (0.27) — WGAN (clip) and Vanilla GAN overlap across seeds — "
        "at the sampling noise floor (0.04)."
    )
    assert "noise floor" not in compare.verdict(seeds, floor_w1=0.01)


def test_verdict_for_a_target_without_modes_reports_collapse_and_divergence():
    seeds = {
        "gan": [seed(0.1, n_modes=0, collapsed=True), seed(0.1, n_modes=0, collapsed=False)],
        "wgan": [seed(0.2, n_modes=0, collapsed=False)] * 2,
        "wgan-gp": [
            seed(0.3, n_modes=0, collapsed=False, diverged_at=450),
            seed(np.nan, n_modes=0, collapsed=False, diverged_at=120),
        ],
    }
    text = compare.verdict(seeds)
    assert text.startswith(
        "Collapsed (spread far below the target's): Vanilla GAN in 1/2 seeds. Closest"
    )
    assert text.endswith("WGAN-GP diverged in 2/2 seeds (first at step 120).")
    quiet = {v: [seed(0.1, n_modes=0, collapsed=False)] for v in seeds}
    assert compare.verdict(quiet).startswith("No seed collapsed. Closest")
    assert compare.verdict({v: [] for v in seeds}) == "Nothing trained yet."


def test_conceptual_table_is_the_registry_beside_this_comparisons_settings():
    table = compare.conceptual(compare.default_configs())
    assert list(table.columns) == [VARIANTS[v].label for v in compare.ORDER]
    assert table.loc["distance minimised", GAN] == VARIANTS["gan"].minimises
    assert table.loc["Lipschitz constraint", GP] == VARIANTS["wgan-gp"].lipschitz
    assert table.loc["critic steps per G step", WGAN] == "n_critic = 5"
    assert table.loc["typical learning rate", WGAN] == "RMSprop 5e-5"
    assert table.loc["here: constraint", WGAN] == "clip value c 0.1"
    assert table.loc["here: constraint", GP] == "λ 0.02"
    assert "here: constraint" not in compare.conceptual().index
    assert "std" in COLLAPSE_RULE  # the rule shown under the table is the core's


def test_the_lr_knob_keeps_a_two_time_scale_preset_and_rebuilds_any_config():
    tuned = compare.build(
        "bimodal", 2, 50, 0, {"wgan-gp": {"preset": "tuned", "knobs": {"lr": 2.5e-4}}}
    )["wgan-gp"]
    base = PRESETS["wgan-gp"]["tuned"]
    assert tuned.lr_g == 2.5e-4
    assert tuned.lr_d == pytest.approx(2.5e-4 * base["lr_d"] / base["lr_g"])
    # lr 1.0 fits only presets whose D/G ratio is 1: choosing the preset must skip the others.
    cfg = compare.build(
        "mixture",
        2,
        10,
        0,
        {"wgan-gp": {"preset": "paper", "knobs": {"lr": 1.0}, "extra": {"g_opt": "sgd"}}},
    )["wgan-gp"]
    choice = compare.choice_of(cfg)
    assert choice["preset"] == "paper"
    assert compare.build("mixture", 2, 10, 0, {"wgan-gp": choice})["wgan-gp"] == cfg
