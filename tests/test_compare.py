"""The compare logic against known inputs: configs, JSON round trips, tables and the verdict."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ganlab import cli, compare
from ganlab.config import PRESETS, ConfigError, preset
from ganlab.metrics import COLLAPSE_RULE
from ganlab.targets import TARGETS
from ganlab.user_targets import mixture
from ganlab.variants import CLASSICS, VARIANTS

GAN, WGAN, GP = "Vanilla GAN", "WGAN (clip)", "WGAN-GP"
NEWER = ("gan", "lsgan", "rpgan")  # a subset with newer variants, as a link names it


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


def test_a_subset_is_built_in_registry_order_with_each_variants_own_preset():
    cfgs = compare.build("mixture", 2, 300, 3, {"rpgan": {"knobs": {"r1_gamma": 5.0}}}, NEWER[::-1])
    assert list(cfgs) == ["gan", "lsgan", "rpgan"]  # the columns' order, however given
    assert cfgs["gan"] == preset("gan", "tuned", target="mixture", n_seeds=2, steps=300, seed=3)
    assert cfgs["lsgan"] == preset("lsgan", "tuned", target="mixture", n_seeds=2, steps=300, seed=3)
    assert cfgs["rpgan"] == preset(
        "rpgan", "tuned", target="mixture", n_seeds=2, steps=300, seed=3, r1_gamma=5.0
    )
    assert list(compare.default_configs(variants=compare.ORDER)) == list(VARIANTS)
    assert list(compare.default_configs(variants=["hinge"])) == ["hinge"]  # one is enough


@pytest.mark.parametrize(
    "variants, problem",
    [
        ([], "variants: no variant is named: a comparison needs at least one"),
        (["gan", "dcgan"], "variants: 'dcgan' is not among gan, wgan, wgan-gp, lsgan, hinge"),
        (["gan", "gan"], "variants: 'gan' is named twice"),
    ],
)
def test_build_refuses_a_list_that_is_no_subset_of_the_variants(variants, problem):
    with pytest.raises(ConfigError) as err:
        compare.build("normal", 2, 100, 0, {}, variants)
    assert any(p.startswith(problem) for p in err.value.problems), err.value.problems


def test_every_variant_knob_has_a_value_in_every_preset():
    # a knob's widget starts at its preset's value, so each must have one
    for v in compare.ORDER:
        for name in PRESETS[v]:
            values = compare.knob_values(v, name)
            cfg = preset(v, name)
            assert values["lr"] == cfg.lr_g
            assert all(values[k] == getattr(cfg, k) for k in VARIANTS[v].knobs)


def test_the_cli_trains_the_same_configs_for_the_same_subset():
    """`python -m ganlab train --variant gan,lsgan,rpgan` and the page's default comparison of
    the same variants: the same configs, so the same numbers (same config ⇒ same numbers is
    tested in test_engine and test_service)."""
    args = cli.build_parser().parse_args(
        [
            *("train", "--variant", "gan,lsgan,rpgan", "--target", "bimodal"),
            *("--seeds", "4", "--steps", "2000", "--seed", "0"),
        ]
    )
    assert cli.configs_from_args(args) == list(compare.default_configs(variants=NEWER).values())


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


def _odd_subset():
    """Newer variants with knobs and extras, on a custom target."""
    target = mixture([(1, -1.0, 0.3), (1, 2.0, 0.6)])
    return compare.build(
        target,
        3,
        200,
        5,
        {
            "lsgan": {"preset": "paper", "knobs": {"d_steps": 2}},
            "rpgan": {"knobs": {"r1_gamma": 1.0}, "extra": {"g_width": 16}},
        },
        ("lsgan", "hinge", "rpgan"),
    )


@pytest.mark.parametrize(
    "cfgs",
    [
        compare.default_configs(),
        _odd_configs(),
        _odd_subset(),
        compare.default_configs(variants=["r1"]),
        compare.default_configs(variants=compare.ORDER),
    ],
)
def test_json_out_and_back_in_gives_the_same_configs(cfgs):
    text = compare.to_json(cfgs)
    assert json.loads(text)["variants"] == list(cfgs)  # a saved comparison names its variants
    shared, choices = compare.from_json(text)
    assert list(choices) == list(cfgs)
    again = compare.build(**shared, choices=choices, variants=choices)
    assert again == cfgs


def test_a_file_saved_before_subsets_loads_as_the_classics():
    """Files saved before comparisons held any subset have no "variants": they are the three
    classics, in the format they were written in (written out here by hand, not by to_json)."""
    cfgs = _odd_configs()
    old = {
        "format": "ganlab-compare",
        "presets": {},
        "configs": {v: cfgs[v].to_dict() for v in ("gan", "wgan", "wgan-gp")},
    }
    shared, choices = compare.from_json(json.dumps(old))
    assert list(choices) == list(CLASSICS)
    assert compare.build(**shared, choices=choices, variants=choices) == cfgs


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


def _listed(variants) -> str:
    """The default comparison's file with its "variants" field replaced."""
    data = json.loads(compare.to_json(compare.default_configs()))
    data["variants"] = variants
    return json.dumps(data)


def _without_list(**configs) -> str:
    """The default comparison's file without "variants" (an old file), with `configs` added."""
    data = json.loads(compare.to_json(compare.default_configs()))
    del data["variants"]
    data["configs"].update(configs)
    return json.dumps(data)


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
        (
            _listed(["gan", "dcgan"]),
            "variants: 'dcgan' is not among gan, wgan, wgan-gp, lsgan, hinge, r1, rpgan",
        ),
        (_listed(["gan", "x" * 500]), f"variants: '{'x' * 19}…' is not among"),  # cut short
        (_listed(["gan", 7]), "variants: '7' is not among"),
        (_listed(["gan", "gan"]), "variants: 'gan' is named twice"),
        (_listed([]), "variants: no variant is named: a comparison needs at least one"),
        (_listed("gan,wgan"), "'variants' must be a list of variant names (got gan,wgan)"),
        (_listed(["gan", "lsgan"]), "'configs' lacks lsgan"),
        (_listed(["gan", "wgan"]), "'configs' holds 'wgan-gp', which 'variants' does not list"),
        (
            _without_list(lsgan=preset("lsgan").to_dict()),
            "'configs' holds 'lsgan', but a file without 'variants' compares gan, wgan, wgan-gp",
        ),
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


def test_a_verdict_on_one_variant_measures_it_without_ranking_it():
    text = compare.verdict({"lsgan": [seed(0.05), seed(0.07, 1)]}, floor_w1=0.01)
    assert text == ("LSGAN covered both modes in 1/2 seeds. Median W1 to the target: LSGAN (0.06).")


def test_a_verdict_on_newer_variants_names_them_by_their_labels():
    seeds = {"hinge": [seed(0.2)] * 2, "r1": [seed(0.04)] * 2, "rpgan": [seed(0.03)] * 2}
    assert compare.verdict(seeds) == (
        "RpGAN + R1 + R2 covered both modes in 2/2 seeds; NS-GAN + R1 in 2/2 seeds; Hinge GAN "
        "in 2/2 seeds. Closest to the target by median W1: RpGAN + R1 + R2 (0.03), then "
        "NS-GAN + R1 (0.04) and Hinge GAN (0.2)."
    )


def test_the_conceptual_table_has_a_column_per_chosen_variant_and_says_what_it_knows():
    cfgs = compare.default_configs(variants=("lsgan", "r1", "rpgan"))
    table = compare.conceptual(cfgs)
    assert list(table.columns) == ["LSGAN", "NS-GAN + R1", "RpGAN + R1 + R2"]
    assert table.loc["distance minimised", "LSGAN"] == VARIANTS["lsgan"].minimises
    # D's output, where the entry leaves it to its flag: R1's D is the vanilla D (a probability);
    # RpGAN's is a raw score whose differences count
    assert VARIANTS["r1"].probability and not VARIANTS["rpgan"].probability
    assert table.loc["output activation", "NS-GAN + R1"] == "sigmoid (probability real)"
    assert table.loc["output activation", "RpGAN + R1 + R2"] == "linear (unbounded score)"
    assert table.loc["typical learning rate", "NS-GAN + R1"] == (
        "RMSprop 1e-4, γ = 10 (Mescheder et al., 2018)"
    )
    assert table.loc["here: constraint", "LSGAN"] == "none"  # its only knob is its D steps
    assert table.loc["here: constraint", "RpGAN + R1 + R2"] == "γ 50"
    assert all(table.loc[row].str.len().min() > 0 for row in table.index)  # no empty cell
    every = compare.conceptual(variants=reversed(compare.ORDER))
    assert list(every.columns) == [VARIANTS[v].label for v in VARIANTS]


def test_conceptual_table_is_the_registry_beside_this_comparisons_settings():
    table = compare.conceptual(compare.default_configs())
    assert list(table.columns) == [VARIANTS[v].label for v in CLASSICS]
    assert table.loc["distance minimised", GAN] == VARIANTS["gan"].minimises
    assert table.loc["Lipschitz constraint or penalty", GP] == VARIANTS["wgan-gp"].lipschitz
    assert table.loc["D / critic steps per G step", WGAN] == "n_critic = 5"
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
