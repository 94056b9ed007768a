"""ganlab.dirac against trusted references only: the paper's notebook (LMescheder/GAN_stability,
notebooks/diracgan/gans.py and simulate.py, retyped here with scipy's expit), the players' losses
as the papers write them differentiated by torch's autograd, scipy's quadrature, numpy.linalg,
the paper's closed-form eigenvalues and its stated results (Mescheder et al. 2018)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import integrate
from scipy.special import expit

from ganlab import dirac

F1, F2 = 0.5, -0.25  # f'(0), f''(0) of f(t) = −log(1 + e^{−t})
H, START, STEPS = 0.2, (1.0, 1.0), 500  # the notebook's settings
RNG = np.random.default_rng(0)
POINTS = RNG.uniform(-2, 2, size=(40, 2))


# --- the notebook's fields (gans.py), retyped ---------------------------------------------------
def nb_fp(x):
    return expit(-x)


NOTEBOOK = {
    "gan": lambda t, p, q: (-p * nb_fp(p * t), t * nb_fp(p * t)),
    "ns-gan": lambda t, p, q: (-p * nb_fp(-p * t), t * nb_fp(p * t)),
    "wgan": lambda t, p, q: (-p, t),
    "wgan-gp": lambda t, p, q: (-p, t - q["gamma"] * (np.abs(p) - q["g0"]) * np.sign(p)),
    "gan-zc": lambda t, p, q: (-p * nb_fp(p * t), t * nb_fp(p * t) - q["gamma"] * p),
    "ns-gan-r1": lambda t, p, q: (-p * nb_fp(-p * t), t * nb_fp(p * t) - q["gamma"] * p),
}
# the notebook's constructor arguments: WGAN(1.), WGAN_GP(0.7, 1.), GradPenalty(0.3)
NB_PARAMS = {
    "gan": {},
    "ns-gan": {},
    "wgan": {"clip": 1.0},
    "wgan-gp": {"gamma": 0.7, "g0": 1.0},
    "gan-zc": {"gamma": 0.3},
    "ns-gan-r1": {"gamma": 0.3},
}


def nb_noise(t, p, sigma):
    """GAN_InstNoise's expectation (the notebook draws 1000 samples) by adaptive quadrature."""

    def e(g):
        return integrate.quad(
            lambda z: g(z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi), -12, 12, epsabs=1e-13
        )[0]

    v1 = e(lambda z: -p * nb_fp(p * (t + sigma * z)))
    v2 = e(lambda z: (t + sigma * z) * nb_fp(p * (t + sigma * z))) - e(
        lambda z: sigma * z * nb_fp(-p * sigma * z)
    )
    return v1, v2


def nb_simgd(field, q, clip, theta0, psi0, nsteps, h):
    """simulate.trajectory_simgd (clip = the notebook's WGAN postprocess)."""
    post = (lambda p: np.clip(p, -clip, clip)) if clip else (lambda p: p)
    theta, psi = theta0, post(psi0)
    out = [(theta, psi)]
    for _ in range(nsteps):
        v1, v2 = field(theta, psi, q)
        theta, psi = theta + h * v1, post(psi + h * v2)
        out.append((theta, psi))
    return np.array(out)


def nb_altgd(field, q, clip, theta0, psi0, nsteps, h, dsteps):
    """simulate.trajectory_altgd with gsteps = 1."""
    post = (lambda p: np.clip(p, -clip, clip)) if clip else (lambda p: p)
    theta, psi = theta0, post(psi0)
    out = [(theta, psi)]
    for _ in range(nsteps):
        theta = theta + h * field(theta, psi, q)[0]
        for _ in range(dsteps):
            psi = post(psi + h * field(theta, psi, q)[1])
        out.append((theta, psi))
    return np.array(out)


# --- the players' losses as the papers write them, D(x) = ψx, data at 0, G at θ ---------------
def f_gan(t):
    return -torch.nn.functional.softplus(-t)


def _losses(key, q):
    """(L_G, L_D) as functions of (θ, ψ) tensors; each player minimises its own."""
    sp, relu = torch.nn.functional.softplus, torch.relu
    zero = 0.0  # the data point

    def d(p, x):
        return p * x

    def game(t, p):  # the paper's L(θ, ψ) = f(D(θ)) + f(−D(0)); D maximises it
        return f_gan(d(p, t)) + f_gan(-d(p, zero))

    pen = q.get("gamma", 0.0) / 2
    table = {
        "gan": (game, lambda t, p: -game(t, p)),
        "ns-gan": (lambda t, p: -f_gan(-d(p, t)), lambda t, p: -game(t, p)),
        "wgan": (lambda t, p: d(p, t) - d(p, zero), lambda t, p: d(p, zero) - d(p, t)),
        "wgan-gp": (
            lambda t, p: d(p, t),
            lambda t, p: -d(p, t) + pen * (torch.abs(p) - q.get("g0", 1.0)) ** 2,
        ),
        "ns-gan-r1": (lambda t, p: -f_gan(-d(p, t)), lambda t, p: -game(t, p) + pen * p**2),
        "gan-zc": (game, lambda t, p: -game(t, p) + pen * p**2),
        # Mao et al. 2017 eq. 9: a = 0, b = 1, c = 1, with the ½ factors
        "lsgan": (
            lambda t, p: 0.5 * (d(p, t) - 1) ** 2,
            lambda t, p: 0.5 * (d(p, zero) - 1) ** 2 + 0.5 * (d(p, t) - 0) ** 2,
        ),
        # Lim & Ye 2017
        "hinge": (lambda t, p: -d(p, t), lambda t, p: relu(1 - d(p, zero)) + relu(1 + d(p, t))),
        # Huang et al. 2024: f = softplus on D(fake) − D(real), R1 and R2 each γ/2 |∇ₓD|² = γ/2 ψ²
        "rpgan-r1-r2": (
            lambda t, p: sp(d(p, zero) - d(p, t)),
            lambda t, p: sp(d(p, t) - d(p, zero)) + pen * p**2 + pen * p**2,
        ),
    }
    return table[key]


def autograd_field(key, q):
    """v(θ, ψ) = (−∂L_G/∂θ, −∂L_D/∂ψ) by autograd, on float64 tensors."""
    lg, ld = _losses(key, q)

    def v(x):
        t, p = x[0], x[1]
        g_t = torch.autograd.grad(lg(t, p), t, create_graph=True)[0]
        d_p = torch.autograd.grad(ld(t, p), p, create_graph=True)[0]
        return torch.stack([-g_t, -d_p])

    def at(theta, psi):
        x = torch.tensor([theta, psi], dtype=torch.float64, requires_grad=True)
        return v(x).detach().numpy()

    def jac(theta, psi):
        x = torch.tensor([theta, psi], dtype=torch.float64, requires_grad=True)
        return torch.autograd.functional.jacobian(v, x).numpy()

    return at, jac


AUTOGRAD = [k for k in dirac.VARIANTS if k != "instance-noise"]

# The paper's closed forms (and, for the variants it lacks, derived in dirac's docstrings).
CLOSED = {
    "gan": lambda q: [[0, -F1], [F1, 0]],
    "ns-gan": lambda q: [[0, -F1], [F1, 0]],
    "wgan": lambda q: [[0, -1], [1, 0]],
    "wgan-gp": lambda q: [[0, -1], [1, -q["gamma"]]],  # one-sided, ψ → 0+
    "ns-gan-r1": lambda q: [[0, -F1], [F1, -q["gamma"]]],
    "gan-zc": lambda q: [[0, -F1], [F1, -q["gamma"]]],
    "instance-noise": lambda q: [[0, -F1], [F1, 2 * q["sigma"] ** 2 * F2]],
    "lsgan": lambda q: [[0, 1], [0, 0]],
    "hinge": lambda q: [[0, 1], [-1, 0]],
    "rpgan-r1-r2": lambda q: [[0, F1], [-F1, -2 * q["gamma"]]],
}


# --- the field ----------------------------------------------------------------------------------
@pytest.mark.parametrize("key", list(NOTEBOOK))
def test_field_is_the_notebooks(key):
    q = NB_PARAMS[key]
    for t, p in POINTS:
        np.testing.assert_allclose(
            dirac.vector_field(key, t, p, q), NOTEBOOK[key](t, p, dirac.params(key, q)), atol=1e-14
        )


@pytest.mark.parametrize("sigma", [0.3, 0.7, 1.5])
def test_instance_noise_field_is_the_notebooks_expectation(sigma):
    for t, p in POINTS[:8]:
        got = dirac.vector_field("instance-noise", t, p, {"sigma": sigma})
        np.testing.assert_allclose(got, nb_noise(t, p, sigma), atol=1e-10)


def test_instance_noise_field_on_a_grid_is_pointwise():
    t, p = np.meshgrid(np.linspace(-2, 2, 4), np.linspace(-1, 1, 3))
    v1, v2 = dirac.vector_field("instance-noise", t, p)
    assert v1.shape == v2.shape == (3, 4)
    ref = nb_noise(float(t[1, 2]), float(p[1, 2]), 0.7)
    np.testing.assert_allclose((v1[1, 2], v2[1, 2]), ref, atol=1e-10)


@pytest.mark.parametrize("key", AUTOGRAD)
def test_field_is_minus_the_gradient_of_each_players_loss(key):
    q = dirac.params(key)
    at, _ = autograd_field(key, q)
    for t, p in POINTS[:15]:
        if key == "wgan-gp" and abs(p) < 1e-3:
            continue  # |ψ| has no derivative at 0
        np.testing.assert_allclose(dirac.vector_field(key, t, p), at(t, p), atol=1e-12)


def test_rpgan_is_ns_gan_r1_with_twice_the_weight_mirrored():
    """With the data at 0, D(G(z)) − D(x) = ψθ: RpGAN + R1 + R2 at γ is the notebook's
    NSGAN_GradPenalty at 2γ under ψ → −ψ (with v_ψ flipped)."""
    for t, p in POINTS:
        v1, v2 = dirac.vector_field("rpgan-r1-r2", t, p, {"gamma": 0.3})
        w1, w2 = NOTEBOOK["ns-gan-r1"](t, -p, {"gamma": 0.6})
        np.testing.assert_allclose((v1, -v2), (w1, w2), atol=1e-14)


def test_lsgan_has_a_line_of_stationary_points():
    _, jac = autograd_field("lsgan", {})
    for t in (-1.5, 0.0, 0.4, 2.0):
        np.testing.assert_array_equal(dirac.vector_field("lsgan", t, 0.0), (0.0, 0.0))
        # at (θ*, 0): [[0, 1], [0, −θ*²]], eigenvalues 0 and −θ*²
        np.testing.assert_allclose(jac(t, 0.0), [[0, 1], [0, -t * t]], atol=1e-12)
    assert dirac.classification("lsgan") == dirac.DEGENERATE


def test_wgan_gp_field_jumps_across_psi_zero():
    """The penalty's pull flips sign: v_ψ(θ, 0±) = θ ± γ·g0 (notebook formula), so there is
    no Jacobian at (0, 0) and the page says so."""
    q = {"gamma": 0.7, "g0": 1.0}
    for t in (-0.5, 0.0, 0.5):
        up = dirac.vector_field("wgan-gp", t, 1e-12, q)[1]
        down = dirac.vector_field("wgan-gp", t, -1e-12, q)[1]
        assert up - down == pytest.approx(2 * 0.7 * 1.0, abs=1e-9)
        assert up == pytest.approx(NOTEBOOK["wgan-gp"](t, 1e-12, q)[1])
    assert np.array_equal(dirac.vector_field("wgan-gp", 0.0, 0.0, q), (0.0, 0.0))
    assert dirac.classification("wgan-gp", q) == dirac.JUMP


# --- the Jacobian -------------------------------------------------------------------------------
@pytest.mark.parametrize("key", list(dirac.VARIANTS))
def test_closed_form_jacobian_is_the_papers(key):
    q = dirac.params(key)
    np.testing.assert_allclose(dirac.jacobian(key, q), CLOSED[key](q), atol=0)


@pytest.mark.parametrize("key", AUTOGRAD)
@pytest.mark.parametrize("weight", [0.0, 0.3, 1.0, 2.5])
def test_closed_form_jacobian_is_autograds(key, weight):
    q = dirac.params(key, {"gamma": weight})
    _, jac = autograd_field(key, q)
    t0, p0 = dirac.VARIANTS[key].point  # (0, 0); WGAN-GP on the ψ > 0 side
    np.testing.assert_allclose(dirac.jacobian(key, q), jac(t0, p0), atol=1e-12)


@pytest.mark.parametrize("key", list(NOTEBOOK))
def test_closed_form_jacobian_is_finite_differences_of_the_notebook(key):
    q = dirac.params(key, NB_PARAMS[key])
    t0, p0 = dirac.VARIANTS[key].point
    eps = 1e-6
    cols = [
        (np.array(NOTEBOOK[key](t0 + a, p0 + b, q)) - np.array(NOTEBOOK[key](t0 - a, p0 - b, q)))
        / (2 * eps)
        for a, b in ((eps, 0.0), (0.0, eps))
    ]
    np.testing.assert_allclose(dirac.jacobian(key, q), np.column_stack(cols), atol=1e-8)


@pytest.mark.parametrize("sigma", [0.0, 0.7, 1.5])
def test_instance_noise_jacobian_is_finite_differences_of_the_quadrature(sigma):
    eps = 1e-4
    cols = [
        (np.array(nb_noise(a, b, sigma)) - np.array(nb_noise(-a, -b, sigma))) / (2 * eps)
        for a, b in ((eps, 0.0), (0.0, eps))
    ]
    np.testing.assert_allclose(
        dirac.jacobian("instance-noise", {"sigma": sigma}), np.column_stack(cols), atol=1e-7
    )


@pytest.mark.parametrize("key", list(dirac.VARIANTS))
def test_numeric_jacobian_is_the_closed_form(key):
    q = dirac.params(key)
    np.testing.assert_allclose(dirac.numeric_jacobian(key, q), CLOSED[key](q), atol=1e-8)


# --- eigenvalues --------------------------------------------------------------------------------
def _sorted(lam):
    lam = np.asarray(lam, dtype=complex)
    return lam[np.lexsort((-lam.real, -lam.imag))]


@pytest.mark.parametrize("key", list(dirac.VARIANTS))
def test_eigenvalues_are_numpys(key):
    q = dirac.params(key)
    ref = _sorted(np.linalg.eigvals(np.array(CLOSED[key](q), dtype=float)))
    np.testing.assert_allclose(
        dirac.closed_form_eigenvalues(dirac.jacobian(key, q)), ref, atol=1e-7
    )


def test_eigenvalues_of_any_2x2_are_numpys():
    for j in RNG.normal(size=(50, 2, 2)):
        ref = _sorted(np.linalg.eigvals(j))
        np.testing.assert_allclose(dirac.closed_form_eigenvalues(j), ref, atol=1e-10)
        np.testing.assert_allclose(dirac.eigenvalues(j), ref, atol=1e-10)


@pytest.mark.parametrize("gamma", np.linspace(0, 3, 13))
def test_r1_eigenvalues_are_the_papers(gamma):
    """λ = −γ/2 ± √(γ²/4 − f'(0)²) (Mescheder et al. 2018, the zero-centred penalty)."""
    root = np.sqrt(complex(gamma**2 / 4 - F1**2))
    for key in ("ns-gan-r1", "gan-zc"):
        lam = dirac.closed_form_eigenvalues(dirac.jacobian(key, {"gamma": gamma}))
        np.testing.assert_allclose(lam, [-gamma / 2 + root, -gamma / 2 - root], atol=1e-12)


def test_instance_noise_eigenvalues_are_the_papers():
    """λ = f''(0)σ² ± √(f''(0)²σ⁴ − f'(0)²): complex below σ = √2, real above."""
    for sigma in (0.3, 0.7, 1.0, math.sqrt(2), 1.8):
        root = np.sqrt(complex(F2**2 * sigma**4 - F1**2))
        lam = dirac.closed_form_eigenvalues(dirac.jacobian("instance-noise", {"sigma": sigma}))
        np.testing.assert_allclose(lam, [F2 * sigma**2 + root, F2 * sigma**2 - root], atol=1e-12)
    assert dirac.classification("instance-noise", {"sigma": 0.7}) == dirac.DAMPED
    assert dirac.classification("instance-noise", {"sigma": math.sqrt(2)}) == dirac.CRITICAL
    assert dirac.classification("instance-noise", {"sigma": 1.8}) == dirac.OVERDAMPED


def test_r1_switches_from_spiral_to_real_at_twice_f_prime():
    """γ < 2f'(0) = 1: complex pair (numpy says so); γ = 1: one double eigenvalue −½;
    γ > 1: two real ones."""
    for gamma in (0.1, 0.5, 0.99):
        j = np.array([[0, -F1], [F1, -gamma]])
        assert np.all(np.abs(np.linalg.eigvals(j).imag) > 0)
        assert dirac.classification("ns-gan-r1", {"gamma": gamma}) == dirac.DAMPED
    np.testing.assert_allclose(
        dirac.closed_form_eigenvalues(dirac.jacobian("ns-gan-r1", {"gamma": 1.0})), [-0.5, -0.5]
    )
    assert dirac.classification("ns-gan-r1", {"gamma": 1.0}) == dirac.CRITICAL
    for gamma in (1.01, 2.0, 3.0):
        j = np.array([[0, -F1], [F1, -gamma]])
        assert np.all(np.linalg.eigvals(j).imag == 0) and np.all(np.linalg.eigvals(j).real < 0)
        assert dirac.classification("ns-gan-r1", {"gamma": gamma}) == dirac.OVERDAMPED
    assert dirac.classification("ns-gan-r1", {"gamma": 0.0}) == dirac.ROTATION
    # RpGAN + R1 + R2: the damping is 2γ, so the switch is at γ = ½
    assert dirac.classification("rpgan-r1-r2", {"gamma": 0.5}) == dirac.CRITICAL


def test_classification_words():
    assert dirac.classify(np.array([[0, -1], [1, 0]])) == dirac.ROTATION
    assert dirac.classify(np.array([[0, -1], [1, 0.2]])) == dirac.EXPANDING
    assert dirac.classify(np.array([[0, 1], [0, 0]])) == dirac.DEGENERATE
    assert dirac.classify(np.array([[1, 0], [0, -1]])) == dirac.SADDLE
    for key, words in [
        ("gan", dirac.ROTATION),
        ("wgan", dirac.ROTATION),
        ("hinge", dirac.ROTATION),
    ]:
        assert dirac.classification(key) == words


# --- the paper's facts about the unregularized game --------------------------------------------
@pytest.mark.parametrize("key", ["gan", "wgan"])
def test_unregularized_field_is_orthogonal_to_the_position(key):
    """v·(θ, ψ) = −ψθ f'(ψθ) + θψ f'(ψθ) = 0: the flow conserves θ² + ψ² (pure rotation)."""
    t, p = POINTS[:, 0], POINTS[:, 1]
    v1, v2 = dirac.vector_field(key, t, p, {"clip": 1e9})
    np.testing.assert_allclose(v1 * t + v2 * p, 0.0, atol=1e-15)


def test_simultaneous_steps_expand_the_gan_by_the_exact_factor():
    """One step: ‖x'‖² = (θ − hψf'(ψθ))² + (ψ + hθf'(ψθ))² = ‖x‖²(1 + h²f'(ψθ)²) exactly, so
    near the origin the factor is √(1 + h²f'(0)²): the singular values of I + hJ."""
    tr = dirac.trajectory("gan", START, H, 200, "simultaneous")
    x = tr.points
    norms = np.hypot(x[:, 0], x[:, 1])
    factor = np.sqrt(1 + H**2 * nb_fp(x[:-1, 0] * x[:-1, 1]) ** 2)
    np.testing.assert_allclose(norms[1:] / norms[:-1], factor, rtol=1e-13)
    assert np.all(norms[1:] > norms[:-1])  # it never comes closer
    near = dirac.trajectory("gan", (1e-4, 0.0), H, 50, "simultaneous").points
    r = np.hypot(near[:, 0], near[:, 1])
    np.testing.assert_allclose(r[1:] / r[:-1], math.sqrt(1 + H**2 * F1**2), rtol=1e-8)
    sv = np.linalg.svd(np.eye(2) + H * np.array(CLOSED["gan"]({})), compute_uv=False)
    np.testing.assert_allclose(sv, math.sqrt(1 + H**2 * F1**2), rtol=1e-14)


def test_linearised_steps_of_the_unregularized_game():
    """Simultaneous: μ = 1 ± ihf'(0), |μ| > 1. Alternating (G, then D): the product of two
    shears has det 1 and |trace| < 2, so both μ lie on the unit circle — no contraction."""
    j = np.array(CLOSED["gan"]({}))
    sim = np.linalg.eigvals(np.eye(2) + H * j)
    np.testing.assert_allclose(_sorted(sim), [1 + 1j * H * F1, 1 - 1j * H * F1])
    np.testing.assert_allclose(
        _sorted(np.linalg.eigvals(dirac.step_map("gan", H, "simultaneous"))), _sorted(sim)
    )
    g = np.array([[1, H * j[0, 1]], [0, 1]])
    d = np.array([[1, 0], [H * j[1, 0], 1]])
    alt = np.linalg.eigvals(d @ g)
    np.testing.assert_allclose(np.abs(alt), 1.0, atol=1e-14)
    np.testing.assert_allclose(
        _sorted(np.linalg.eigvals(dirac.step_map("gan", H, "alternating"))), _sorted(alt)
    )
    # WGAN with 5 critic steps: D's shear five times
    dw = np.array([[1, 0], [H, 1]])
    ref = np.linalg.matrix_power(dw, 5) @ np.array([[1, -H], [0, 1]])
    np.testing.assert_allclose(dirac.step_map("wgan", H, "alternating", {"n_critic": 5}), ref)


def test_alternating_wgan_conserves_the_modified_energy():
    """θ' = θ − hψ, ψ' = ψ + hθ' (symplectic Euler) keeps θ² + ψ² − hθψ exactly: alternating
    steps circle for ever (the clip set out of reach, one critic step)."""
    x = dirac.trajectory("wgan", START, H, 2000, "alternating", {"clip": 1e9, "n_critic": 1})
    t, p = x.points[:, 0], x.points[:, 1]
    q = t * t + p * p - H * t * p
    np.testing.assert_allclose(q, q[0], rtol=1e-11)


# --- trajectories: the notebook's simulate.py, and the paper's claims ---------------------------
@pytest.mark.parametrize("key", list(NOTEBOOK))
@pytest.mark.parametrize("dsteps", [1, 5])
def test_trajectories_are_the_notebooks(key, dsteps):
    q = dirac.params(key, {**NB_PARAMS[key], "n_critic": dsteps})
    clip = q.get("clip")
    sim = nb_simgd(NOTEBOOK[key], q, clip, *START, STEPS, H)
    np.testing.assert_allclose(
        dirac.trajectory(key, START, H, STEPS, "simultaneous", q).points, sim, atol=1e-12
    )
    if "n_critic" not in q and dsteps > 1:
        return  # critic steps belong to WGAN and WGAN-GP here
    alt = nb_altgd(NOTEBOOK[key], q, clip, *START, STEPS, H, dsteps)
    np.testing.assert_allclose(
        dirac.trajectory(key, START, H, STEPS, "alternating", q).points, alt, atol=1e-12
    )


def _tail_distance(tr) -> float:
    """The closest the last 100 iterates come to the equilibrium (0, 0)."""
    x = tr.points[-100:]
    return float(np.min(np.hypot(x[:, 0], x[:, 1])))


@pytest.mark.parametrize(
    ("key", "given"),
    [
        ("gan", {}),
        ("wgan", {"clip": 1.0, "n_critic": 1}),
        ("wgan", {"clip": 1.0, "n_critic": 5}),
        ("wgan-gp", {"gamma": 0.7, "n_critic": 1}),
        ("wgan-gp", {"gamma": 0.7, "n_critic": 5}),
    ],
)
@pytest.mark.parametrize("mode", dirac.MODES)
def test_paper_unregularized_gan_wgan_and_wgan_gp_do_not_converge(key, given, mode):
    """The paper: unregularized GAN training, WGAN and WGAN-GP with a finite number of critic
    steps do not converge (notebook settings: start (1, 1), h = 0.2, 500 iterations)."""
    tr = dirac.trajectory(key, START, H, STEPS, mode, given)
    assert tr.stopped_at is None
    assert _tail_distance(tr) > 0.3
    assert dirac.VARIANTS[key].converges is False


@pytest.mark.parametrize(
    ("key", "given"),
    [
        ("ns-gan-r1", {"gamma": 0.3}),
        ("gan-zc", {"gamma": 0.3}),
        ("gan-zc", {"gamma": 1.0}),  # the notebook's critical case
        ("instance-noise", {"sigma": 0.7}),
        ("rpgan-r1-r2", {"gamma": 0.3}),
    ],
)
@pytest.mark.parametrize("mode", dirac.MODES)
def test_paper_zero_centred_penalties_and_instance_noise_converge(key, given, mode):
    tr = dirac.trajectory(key, START, H, STEPS, mode, given)
    assert tr.distance[-1] < 1e-3 * tr.distance[0]
    assert dirac.VARIANTS[key].converges in (True, None)


def test_the_clip_holds_and_a_runaway_stops():
    tr = dirac.trajectory("wgan", (1.0, 1.7), H, 300, "simultaneous", {"clip": 0.5})
    assert np.all(np.abs(tr.points[:, 1]) <= 0.5)  # the start is clipped too, as in the notebook
    # unclipped rotation at h = 1: ‖x‖ grows by √2 a step, past 10⁶ after ~40 steps
    run = dirac.trajectory("wgan", START, 1.0, 500, "simultaneous", {"clip": 1e300})
    assert run.stopped_at == pytest.approx(40, abs=2)
    assert np.all(np.isfinite(run.points)) and len(run.points) == run.stopped_at
    with pytest.raises(ValueError, match="mode"):
        dirac.trajectory("gan", mode="sideways")
