"""The DiracGAN page through AppTest: every variant renders, the words follow the variant and γ,
and the eigenvalue table shows the closed forms (computed here from the paper's formulas)."""

from __future__ import annotations

import cmath
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ganlab.dirac import VARIANTS

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/5_DiracGAN.py"
F1 = 0.5  # f'(0) for f(t) = −log(1 + e^{−t})


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def _pick(at: AppTest, key: str) -> AppTest:
    at.selectbox(key="dirac.variant").set_value(VARIANTS[key].name).run()
    assert not at.exception
    return at


def _verdict(at: AppTest) -> str:
    """The bold sentence under the controls: '**name: classification.** why'."""
    return next(m.value for m in at.markdown if m.value.startswith("**"))


def _table(at: AppTest):
    return next(df.value for df in at.dataframe if "closed form" in df.value.columns)


def _parse(text: str) -> complex:
    """'−0.15 + 0.477i', '0.5i', '−0.5i', '-0.382' → complex (Python reads 'a+bj')."""
    return complex(text.replace("−", "-").replace(" ", "").replace("i", "j"))


def _eig_formula(trace: float, det: float) -> tuple[complex, complex]:
    """λ = tr/2 ± √(tr²/4 − det), the larger imaginary (then real) part first."""
    root = cmath.sqrt(trace * trace / 4 - det)
    return trace / 2 + root, trace / 2 - root


@pytest.mark.parametrize("key", list(VARIANTS))
def test_every_variant_renders(key):
    at = _pick(_open(), key)
    assert len(at.get("vega_lite_chart")) == 3  # field, distance, eigenvalues
    assert VARIANTS[key].name in _verdict(at)
    for mode in ("alternating", "simultaneous"):
        at.radio(key="dirac.mode").set_value(mode).run()
        assert not at.exception


def test_variant_and_gamma_change_the_words():
    at = _pick(_open(), "gan")
    assert "pure rotation: no convergence" in _verdict(at)
    _pick(at, "ns-gan-r1")
    assert "damped spiral: converges" in _verdict(at)  # γ = 0.3 < 2 f'(0) = 1
    slider = at.slider(key="dirac.ns-gan-r1.gamma")
    slider.set_value(1.0).run()  # γ = 2 f'(0): the eigenvalues meet on the real axis
    assert "critical damping" in _verdict(at)
    slider.set_value(2.0).run()
    assert "over-damped" in _verdict(at)
    slider.set_value(0.0).run()  # no penalty: the plain NS-GAN's rotation
    assert "pure rotation" in _verdict(at)
    _pick(at, "wgan-gp")
    assert "discontinuous" in _verdict(at)
    assert not at.exception


@pytest.mark.parametrize("gamma", [0.3, 1.0, 1.5])
def test_eigen_table_matches_the_closed_form(gamma):
    """NS-GAN + R1: J = [[0, −f'(0)], [f'(0), −γ]], λ = −γ/2 ± √(γ²/4 − f'(0)²) (the paper)."""
    at = _pick(_open(), "ns-gan-r1")
    at.slider(key="dirac.ns-gan-r1.gamma").set_value(gamma).run()
    table = _table(at)
    lam = _eig_formula(-gamma, F1 * F1)
    for row, expected in zip(range(2), lam, strict=True):
        for col in ("closed form", "numeric (finite differences)"):
            got = _parse(table[col].iloc[row])
            # three significant digits (report.number)
            assert abs(got - expected) <= 5e-3 * max(abs(expected), 1e-3), (row, col, got)
    # one simultaneous step at h = 0.2: μ = 1 + hλ
    h = 0.2
    at.radio(key="dirac.mode").set_value("simultaneous").run()
    table = _table(at)
    for row, expected in zip((2, 3), lam, strict=True):
        got = _parse(table["closed form"].iloc[row])
        assert abs(got - (1 + h * expected)) <= 5e-3 * abs(1 + h * expected)
    radius = float(table["closed form"].iloc[4])
    assert radius == pytest.approx(max(abs(1 + h * x) for x in lam), rel=5e-3)


def test_eigen_table_for_the_plain_gan_is_imaginary():
    at = _pick(_open(), "gan")
    table = _table(at)
    assert [_parse(x) for x in table["closed form"].iloc[:2]] == [0.5j, -0.5j]  # ±i f'(0)
    assert np.allclose(
        [_parse(x) for x in table["numeric (finite differences)"].iloc[:2]],
        [0.5j, -0.5j],
        atol=1e-3,
    )


def _live_button(at: AppTest):
    found = [b for b in at.button if b.label.startswith("Train it live")]
    return found[0] if found else None


@pytest.mark.parametrize(
    ("key", "title", "picked"),
    [
        ("wgan", "WGAN — weight clipping", None),
        ("hinge", "Modern GANs — LSGAN, hinge, R1, RpGAN + R1 + R2", "hinge"),
        ("rpgan-r1-r2", "Modern GANs — LSGAN, hinge, R1, RpGAN + R1 + R2", "rpgan"),
    ],
)
def test_a_variant_links_to_its_live_run(key, title, picked):
    at = _pick(_open(), key)
    _live_button(at).click().run()
    assert not at.exception
    assert at.title[0].value == title
    if picked is not None:  # the Modern GANs page opens with that variant chosen
        assert at.segmented_control(key="modern.variant").value == picked


def test_a_game_without_a_live_page_has_no_link():
    at = _pick(_open(), "instance-noise")  # a regulariser of the toy, not an engine variant
    assert _live_button(at) is None


@pytest.mark.parametrize(
    ("page", "pick", "dirac_key"),
    [
        ("app_pages/1_Vanilla_GAN.py", None, "ns-gan"),  # the page's default G loss
        ("app_pages/3_WGAN-GP.py", None, "wgan-gp"),
        ("app_pages/4_Modern_GANs.py", "r1", "ns-gan-r1"),
    ],
)
def test_a_live_page_links_to_its_dynamics(page, pick, dirac_key):
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(page).run()
    if pick is not None:
        at.segmented_control(key="modern.variant").set_value(pick).run()
    assert not at.exception
    [link] = [b for b in at.button if b.key and b.key.endswith(".to_dirac")]
    link.click().run()
    assert not at.exception
    assert at.title[0].value.startswith("DiracGAN")
    assert at.selectbox(key="dirac.variant").value == VARIANTS[dirac_key].name


@pytest.mark.parametrize(
    ("theta0", "psi0", "h", "steps"), [(-2.0, 2.0, 1.0, 2000), (0.0, 0.0, 0.01, 10)]
)
def test_slider_extremes_never_raise(theta0, psi0, h, steps):
    """Large steps run away (and stop at |·| > 10⁶), a start at the equilibrium has distance 0
    (nothing to draw on a log axis): every variant still renders, with its knobs at their ends."""
    at = _open()
    at.slider(key="dirac.theta0").set_value(theta0)
    at.slider(key="dirac.psi0").set_value(psi0)
    at.slider(key="dirac.h").set_value(h)
    at.slider(key="dirac.steps").set_value(steps).run()
    assert not at.exception
    for key, v in VARIANTS.items():
        _pick(at, key)
        for knob in v.knobs:
            at.slider(key=f"dirac.{key}.{knob.key}").set_value(
                int(knob.hi) if knob.key == "n_critic" else knob.hi
            ).run()
            assert not at.exception, (key, knob.key)
        assert len(at.get("vega_lite_chart")) == 3
