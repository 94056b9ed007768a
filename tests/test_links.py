"""ganlab.links: a page's link parsed against the field declaration, by hand-written cases and
by properties (every key is either a value or one named problem; user text is cut short)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ganlab import links, user_targets
from ganlab.config import FIELDS

SPEC = links.compare_spec()
BOTH = "non-saturating, saturating"
TARGETS = "normal, bimodal, uniform, exponential, mixture"
EVERY = "gan, wgan, wgan-gp, lsgan, hinge, r1, rpgan"


def test_the_compare_spec_is_every_parameter_the_compare_sidebar_binds():
    assert set(SPEC) == {
        "variants",
        "target",
        "seeds",
        "steps",
        "seed",
        "gan_preset",
        "gan_loss",
        "gan_k",
        "gan_lr",
        "wgan_preset",
        "wgan_clip",
        "wgan_ncritic",
        "wgan_lr",
        "gp_preset",
        "gp_lambda",
        "gp_ncritic",
        "gp_lr",
        # the newer variants' knobs: in the link whether they are chosen or not
        *("ls_preset", "ls_k", "ls_lr"),
        *("hinge_preset", "hinge_ndis", "hinge_lr"),
        *("r1_preset", "r1_gamma", "r1_k", "r1_lr"),
        *("rp_preset", "rp_gamma", "rp_k", "rp_lr"),
    }
    assert SPEC["variants"].kind == "subset"
    assert SPEC["variants"].choices == ("gan", "wgan", "wgan-gp", "lsgan", "hinge", "r1", "rpgan")
    assert (SPEC["rp_gamma"].kind, SPEC["rp_gamma"].range) == ("float", (0.0, 100.0))
    assert (SPEC["steps"].kind, SPEC["steps"].range) == ("int", (1, 1_000_000))
    assert (SPEC["seeds"].kind, SPEC["seeds"].range) == ("int", (1, 32))
    assert (SPEC["gp_lambda"].kind, SPEC["gp_lambda"].range) == ("float", (0.0, 100.0))
    assert SPEC["gp_lr"].range == (1e-5, 1.0) and 1e-3 in SPEC["gp_lr"].grid  # lr_g's
    assert SPEC["gan_loss"].choices == ("non-saturating", "saturating")
    assert SPEC["wgan_preset"].choices == ("paper", "tuned")


BAD = [
    ({"steps": "inf"}, "steps=inf is not a whole number between 1 and 1,000,000 — ignored"),
    ({"steps": "-inf"}, "steps=-inf is not a whole number between 1 and 1,000,000 — ignored"),
    ({"steps": "1e400"}, "steps=1e400 is not a whole number between 1 and 1,000,000 — ignored"),
    ({"steps": "0"}, "steps=0 is not a whole number between 1 and 1,000,000 — ignored"),
    ({"steps": "1000001"}, "steps=1000001 is not a whole number between 1 and 1,000,000 — ignored"),
    ({"steps": "5.5"}, "steps=5.5 is not a whole number between 1 and 1,000,000 — ignored"),
    ({"steps": "1e3"}, "steps=1e3 is not a whole number between 1 and 1,000,000 — ignored"),
    ({"steps": " 5 "}, "steps= 5  is not a whole number between 1 and 1,000,000 — ignored"),
    ({"steps": "0x10"}, "steps=0x10 is not a whole number between 1 and 1,000,000 — ignored"),
    ({"steps": "1_000"}, "steps=1_000 is not a whole number between 1 and 1,000,000 — ignored"),
    ({"steps": "１０"}, "steps=１０ is not a whole number between 1 and 1,000,000 — ignored"),
    ({"steps": "1,00"}, "steps=1,00 is not a whole number between 1 and 1,000,000 — ignored"),
    ({"steps": ""}, "steps has no value — ignored"),
    ({"steps": ["5", "7"]}, "steps is given 2 times (5, 7) — ignored: give it once"),
    (
        {"steps": ["1", "2", "3", "4"]},
        "steps is given 4 times (1, 2, 3, …) — ignored: give it once",
    ),
    ({"seed": "inf"}, "seed=inf is not a whole number between 0 and 2,147,483,647 — ignored"),
    ({"seed": "-1"}, "seed=-1 is not a whole number between 0 and 2,147,483,647 — ignored"),
    ({"seeds": "abc"}, "seeds=abc is not a whole number between 1 and 32 — ignored"),
    ({"seeds": "33"}, "seeds=33 is not a whole number between 1 and 32 — ignored"),
    ({"gp_lambda": "nan"}, "gp_lambda=nan is not a number between 0 and 100 — ignored"),
    ({"gp_lambda": "infinity"}, "gp_lambda=infinity is not a number between 0 and 100 — ignored"),
    ({"gp_lambda": "1e400"}, "gp_lambda=1e400 is not a number between 0 and 100 — ignored"),
    ({"gp_lambda": "100.5"}, "gp_lambda=100.5 is not a number between 0 and 100 — ignored"),
    ({"gp_lambda": "-0.1"}, "gp_lambda=-0.1 is not a number between 0 and 100 — ignored"),
    ({"gp_lr": "0"}, "gp_lr=0 is not a number between 1e-05 and 1 — ignored"),
    ({"wgan_clip": "1,5"}, "wgan_clip=1,5 is not a number between 0.0001 and 10 — ignored"),
    ({"gan_loss": "evil"}, f"gan_loss=evil is not one of {BOTH} — ignored"),
    ({"gan_loss": "Saturating"}, f"gan_loss=Saturating is not one of {BOTH} — ignored"),
    ({"gp_preset": "best"}, "gp_preset=best is not one of paper, tuned — ignored"),
    ({"target": "moons"}, f"target=moons is not one of {TARGETS} — ignored"),
    ({"zzz": "1"}, "zzz=1 is not a setting of this page — ignored"),
    ({"zzz": ["1", "2"]}, "zzz is not a setting of this page — ignored"),
    ({"n_seeds": "3"}, "n_seeds=3 is not a setting of this page — ignored"),  # it is "seeds"
    (
        {"target": "[x](https://evil.example/p)"},
        f"target=[x](https://evil.example/p) is not one of {TARGETS} — ignored",
    ),
    # long text is cut to 40 characters; invisible and control characters are spelled out
    (
        {"target": "a" * 500},
        f"target={'a' * 39}… is not one of {TARGETS} — ignored",
    ),
    ({"a\nb": "\u202eevil"}, "a\\nb=\\u202eevil is not a setting of this page — ignored"),
    # which variants: each a registered one, once, comma-separated
    ({"variants": "gan,dcgan"}, f"variants=gan,dcgan: 'dcgan' is not one of {EVERY} — ignored"),
    ({"variants": "GAN"}, f"variants=GAN: 'GAN' is not one of {EVERY} — ignored"),
    ({"variants": "gan, wgan"}, f"variants=gan, wgan: ' wgan' is not one of {EVERY} — ignored"),
    ({"variants": "gan,lsgan,gan"}, "variants=gan,lsgan,gan: 'gan' is named twice — ignored"),
    ({"variants": "gan,"}, "variants=gan, has an empty name (a stray comma) — ignored"),
    ({"variants": ""}, "variants has no value — ignored"),
    (
        {"variants": ["gan", "wgan"]},
        "variants is given 2 times (gan, wgan) — ignored: give it once",
    ),
    (
        {"variants": "gan," + "x" * 100},
        f"variants=gan,{'x' * 35}…: '{'x' * 19}…' is not one of {EVERY} — ignored",
    ),
    ({"rp_gamma": "101"}, "rp_gamma=101 is not a number between 0 and 100 — ignored"),
    ({"ls_preset": "best"}, "ls_preset=best is not one of paper, tuned — ignored"),
]


@pytest.mark.parametrize(("params", "problem"), BAD, ids=[repr(p) for p, _ in BAD])
def test_a_bad_parameter_is_named_in_words_and_ignored(params, problem):
    assert links.parse(params, SPEC) == ({}, [problem])


GOOD = [
    ({"steps": "40"}, {"steps": 40}),
    ({"steps": "+40"}, {"steps": 40}),
    ({"steps": "007"}, {"steps": 7}),
    ({"steps": "1,000,000"}, {"steps": 1_000_000}),  # a grid widget's label groups thousands
    ({"seed": "0"}, {"seed": 0}),
    ({"seed": "2147483647"}, {"seed": 2**31 - 1}),
    ({"gp_lambda": "10"}, {"gp_lambda": 10.0}),  # a float given as a whole number
    ({"gp_lambda": "0.3"}, {"gp_lambda": 0.3}),  # off the grid, inside the range: it joins
    ({"gp_lambda": "-0"}, {"gp_lambda": 0.0}),
    ({"gp_lr": "1e-05"}, {"gp_lr": 1e-5}),
    ({"gp_lr": "0.00001"}, {"gp_lr": 1e-5}),
    ({"gp_lr": ".5"}, {"gp_lr": 0.5}),
    ({"wgan_clip": "0.10"}, {"wgan_clip": 0.1}),
    ({"gan_loss": "saturating"}, {"gan_loss": "saturating"}),
    ({"gan_k": "10"}, {"gan_k": 10}),
    ({"target": "mixture", "gp_preset": "paper"}, {"target": "mixture", "gp_preset": "paper"}),
    ({"variants": "gan,lsgan,rpgan"}, {"variants": ["gan", "lsgan", "rpgan"]}),
    ({"variants": "rpgan,gan"}, {"variants": ["gan", "rpgan"]}),  # read in the columns' order
    ({"variants": "hinge"}, {"variants": ["hinge"]}),  # one variant is a comparison too
    ({"variants": ",".join(EVERY.split(", "))}, {"variants": EVERY.split(", ")}),
    (
        {"r1_gamma": "0", "hinge_ndis": "5", "ls_lr": "0.004"},
        {"r1_gamma": 0.0, "hinge_ndis": 5, "ls_lr": 0.004},
    ),
]


@pytest.mark.parametrize(("params", "values"), GOOD, ids=[repr(p) for p, _ in GOOD])
def test_a_good_parameter_is_read(params, values):
    got, problems = links.parse(params, SPEC)
    assert (got, problems) == (values, [])
    assert [type(v) for v in got.values()] == [type(v) for v in values.values()]


def test_good_and_bad_together_keep_the_good_and_name_each_bad_one_in_order():
    values, problems = links.parse(
        {"target": "mixture", "steps": "inf", "seeds": "3", "zz": "1", "gp_lambda": "nan"}, SPEC
    )
    assert values == {"target": "mixture", "seeds": 3}
    assert [p.split("=")[0] for p in problems] == ["steps", "zz", "gp_lambda"]


def test_a_page_with_no_parameters_ignores_every_one():
    values, problems = links.parse({"steps": "40", "x": ["1", "2"]}, {})
    assert values == {}
    assert problems == [
        "steps=40 is not a setting of this page — ignored",
        "x is not a setting of this page — ignored",
    ]


def test_every_declared_field_with_a_range_or_choices_is_a_link_parameter_of_its_kind():
    kinds = {n: links.field(n).kind for n, f in FIELDS.items() if f.range or f.choices}
    assert kinds["steps"] == kinds["d_steps"] == kinds["batch_size"] == "int"
    assert kinds["lr_g"] == kinds["gp_lambda"] == kinds["beta1"] == "float"
    assert kinds["latent"] == kinds["g_loss"] == kinds["variant"] == "choice"
    assert links.field("standardize").kind == "bool"
    assert links.field("gp_lambda").key == "lambda" and links.field("g_loss").key == "loss"
    with pytest.raises(ValueError, match="target"):
        links.field("target")  # its own page decides which names a link may carry


def test_a_bool_is_true_or_false():
    spec = {"std": links.field("standardize", "std")}
    assert links.parse({"std": "TRUE"}, spec) == ({"std": True}, [])
    assert links.parse({"std": "false"}, spec) == ({"std": False}, [])
    assert links.parse({"std": "1"}, spec) == ({}, ["std=1 is not true or false — ignored"])


def test_a_value_is_respelled_as_the_widget_writes_it():
    assert SPEC["gp_lr"].text(1e-5) == "1e-05"  # the grid's label
    assert SPEC["wgan_clip"].text(0.1) == "0.1"
    assert SPEC["gp_lambda"].text(10.0) == "10"
    assert SPEC["steps"].text(40) == "40"
    assert links.field("data_size").text(10_000) == "10,000"  # and it reads back
    assert links.parse({"data_size": "10,000"}, {"data_size": links.field("data_size")}) == (
        {"data_size": 10_000},
        [],
    )
    assert links.field("beta1").text(0.1 + 0.2) == "0.30000000000000004"  # no grid: exact
    assert links.field("standardize").text(False) == "false"
    assert SPEC["target"].text("mixture") == "mixture"
    assert SPEC["variants"].text(["rpgan", "gan"]) == "gan,rpgan"  # the columns' order


# --- properties ---------------------------------------------------------------------------------
INTS = [k for k, p in SPEC.items() if p.kind == "int"]
FLOATS = [k for k, p in SPEC.items() if p.kind == "float"]


@given(st.sampled_from(INTS), st.integers(-(10**30), 10**30))
def test_a_whole_number_is_read_exactly_when_it_is_in_range(key, n):
    lo, hi = SPEC[key].range or (0, 0)
    values, problems = links.parse({key: str(n)}, SPEC)
    if lo <= n <= hi:
        assert (values, problems) == ({key: n}, [])
    else:
        assert values == {} and problems[0].startswith(f"{key}={str(n)[:39]}")


@given(st.sampled_from(FLOATS), st.floats(allow_nan=True, allow_infinity=True))
def test_a_float_is_read_exactly_when_it_is_finite_and_in_range(key, x):
    lo, hi = SPEC[key].range or (0, 0)
    values, problems = links.parse({key: repr(x)}, SPEC)
    if math.isfinite(x) and lo <= x <= hi:
        assert (values, problems) == ({key: x + 0.0}, [])
    else:
        assert values == {} and problems == [
            f"{key}={x!r} is not a number between {lo:g} and {hi:g} — ignored"
        ]


PAYLOAD = st.sampled_from(["inf", "nan", "1e400", "", "[x](https://e.example)", "`", "\n"])


@settings(max_examples=100)
@given(
    st.dictionaries(
        st.sampled_from(list(SPEC)) | st.text(max_size=60),
        st.text(max_size=300) | PAYLOAD | st.lists(st.text(max_size=50) | PAYLOAD, max_size=4),
        max_size=8,
    )
)
def test_every_key_is_a_value_or_one_named_problem_quoting_short_excerpts(params):
    values, problems = links.parse(params, SPEC)
    assert set(values) <= set(params) & set(SPEC)
    assert len(values) + len(problems) == len(params)
    for key, value in values.items():
        assert params[key] == SPEC[key].text(value) or links.parse(
            {key: SPEC[key].text(value)}, SPEC
        ) == ({key: value}, [])  # respelled, it reads back the same
    for problem in problems:
        assert problem.endswith(("— ignored", "— ignored: give it once"))
    quoted = [k for k in params if k not in values] + [
        v
        for k, raw in params.items()
        if k not in values
        for v in ([raw] if isinstance(raw, str) else raw)
    ]
    for text in quoted:
        if len(text) > user_targets.EXCERPT:  # never more than the excerpt of a long user text
            assert not any(text[:41] in p for p in problems)
