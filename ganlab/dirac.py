"""The DiracGAN (Mescheder, Geiger & Nowozin 2018, "Which Training Methods for GANs do actually
Converge?"): why GAN training circles instead of settling, as a vector field in a plane.

The data are a point mass at 0, the generator a point mass at θ, the discriminator D(x) = ψ·x.
Each variant's training is then a vector field v(θ, ψ) = (−∂L_G/∂θ, −∂L_D/∂ψ): the directions
of gradient *descent* of both players' losses. Whether training converges is read off the
Jacobian J = ∂v/∂(θ, ψ) at the equilibrium (continuous time: eigenvalues with Re λ < 0) and off
the linearised update map (discrete time: eigenvalues inside the unit circle).

Where the settings come from: the paper's notebook, LMescheder/GAN_stability
`notebooks/DiracGAN.ipynb` (formulas in `notebooks/diracgan/gans.py` and `simulate.py`):
start θ0 = ψ0 = 1, step size h = 0.2 for both players, 500 iterations, the field drawn on a
10 × 10 grid over [−2, 2]²; WGAN clip c = 1 (`WGAN(1.)`); WGAN-GP γ = 0.7 and g0 = 1
(`WGAN_GP(0.7, 1.)`); instance noise σ = 0.7; zero-centred penalties γ = 0.3
(`GAN_GradPenalty(0.3)`, `NSGAN_GradPenalty(0.3)`, and γ = 1 as the critical case); critic steps
1 and 5 (`trajectory_altgd(..., dsteps=1)` and `dsteps=5`). Alternating steps update G first,
then the critic n times, and clipping is applied after every step and to the start point, as
there. Deviations: instance noise is integrated exactly (Gauss–Hermite quadrature, 80 nodes)
instead of the notebook's 1000 random draws per evaluation, so trajectories are deterministic;
LSGAN, hinge and RpGAN are not in the notebook: their losses are the papers' (below), γ = 0.3
by analogy with the notebook's R1.

Sign convention. The paper's GANs use L(θ, ψ) = f(ψθ) + f(0) with f(t) = −log(1 + e^{−t}),
f'(0) = ½, f''(0) = −¼, where D *maximises* L (D scores "fake"). LSGAN, hinge and RpGAN are
written as their papers do (D scores "real"): in this plane that is the mirror image ψ → −ψ,
so their pictures turn the other way round; eigenvalues do not change under the mirror.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any

import numpy as np

F1 = 0.5  # f'(0) of f(t) = −log(1 + e^{−t})
F2 = -0.25  # f''(0)
BOUND = 1e6  # a trajectory this far out has left the picture for good: it stops there
NOISE_NODES = 80  # Gauss–Hermite nodes: the quadrature error is ≲ 1e-12 for |ψ|·σ ≤ 6
Params = Mapping[str, float]
Field = Callable[[Any, Any, Params], tuple[Any, Any]]
MODES = ("simultaneous", "alternating")


def sigmoid(t):
    """1 / (1 + e^{−t}) without overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(t, dtype=float)))


def fp(t):
    """f'(t) = σ(−t) for f(t) = −log(1 + e^{−t})."""
    return sigmoid(-np.asarray(t, dtype=float))


# --- the fields ---------------------------------------------------------------------------------
def _gan(t, p, q):
    return -p * fp(p * t), t * fp(p * t)


def _ns_gan(t, p, q):
    return -p * fp(-p * t), t * fp(p * t)


def _wgan(t, p, q):
    return -p + 0.0 * t, t + 0.0 * p


def _wgan_gp(t, p, q):
    # d/dψ of γ/2 (|ψ| − g0)² is γ (|ψ| − g0) sign ψ: it jumps by 2γ·g0 across ψ = 0
    return -p + 0.0 * t, t - q["gamma"] * (np.abs(p) - q["g0"]) * np.sign(p)


def _ns_gan_r1(t, p, q):
    return -p * fp(-p * t), t * fp(p * t) - q["gamma"] * p


def _gan_zc(t, p, q):
    return -p * fp(p * t), t * fp(p * t) - q["gamma"] * p


_Z, _W = np.polynomial.hermite_e.hermegauss(NOISE_NODES)
_W = _W / _W.sum()  # E[g(Z)] ≈ Σ w g(z) for Z ~ N(0, 1)


def _noise(t, p, q):
    s = q["sigma"]
    t, p = (np.asarray(a, dtype=float)[..., None] for a in np.broadcast_arrays(t, p))
    fake, real = t + s * _Z, s * _Z  # (..., nodes): θ + σε and the noisy data σε'
    v1 = -(p * fp(p * fake)) @ _W
    v2 = (fake * fp(p * fake)) @ _W - (real * fp(-p * real)) @ _W
    return v1, v2


def _lsgan(t, p, q):
    # L_D = ½(D(0) − 1)² + ½ D(θ)², L_G = ½(D(θ) − 1)², D(x) = ψx (a = 0, b = c = 1)
    return -p * (p * t - 1.0), -p * t * t


def _hinge(t, p, q):
    # L_D = max(0, 1 − D(0)) + max(0, 1 + D(θ)) = 1 + max(0, 1 + ψθ), L_G = −ψθ
    return p + 0.0 * t, -t * (1.0 + p * t > 0)


def _rpgan(t, p, q):
    # L_D = softplus(D(θ) − D(0)) + γ/2 ψ² (R1) + γ/2 ψ² (R2), L_G = softplus(D(0) − D(θ))
    return p * sigmoid(-p * t), -t * sigmoid(p * t) - 2.0 * q["gamma"] * p


# --- the registry -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Knob:
    """A variant's own setting: its slider range and where its default comes from."""

    key: str
    label: str
    default: float
    lo: float
    hi: float
    step: float
    source: str


GAMMA = Knob("gamma", "γ (penalty weight)", 0.3, 0.0, 3.0, 0.05, "notebook: GradPenalty(0.3)")
CRITIC = Knob("n_critic", "critic steps per G step", 5, 1, 10, 1, "notebook: dsteps=5")


@dataclass(frozen=True)
class DiracVariant:
    """One variant: its losses, field, closed-form Jacobian and its words."""

    key: str
    name: str
    losses: str  # the two players' losses in the DiracGAN, in words
    field: Field
    jacobian: Callable[[Params], np.ndarray]  # closed form at `point`
    formula: str  # the closed form, for the page
    eig_formula: str
    knobs: tuple[Knob, ...] = ()
    equilibrium: str = "(θ, ψ) = (0, 0): G sits on the data and D is flat."
    point: tuple[float, float] = (0.0, 0.0)  # where it is linearised
    smooth: bool = True  # False: the field has no Jacobian at the equilibrium
    clips: bool = False  # |ψ| ≤ c after every step
    converges: bool | None = None  # the paper's claim, where it makes one
    mirrored: bool = False  # D scores "real" (its paper's convention): the plane's mirror image
    extra: dict[str, float] = _field(default_factory=dict)  # fixed settings (WGAN-GP's g0)
    # horizontal lines worth drawing in the plane: (ψ, what it is)
    guides: Callable[[Params], list[tuple[float, str]]] = lambda q: []


def _rot(a: float, d: Callable[[Params], float] = lambda q: 0.0):
    """J = [[0, −a], [a, −d]]: a rotation at rate a, damped by d."""
    return lambda q: np.array([[0.0, -a], [a, -d(q)]])


VARIANTS: dict[str, DiracVariant] = {
    v.key: v
    for v in [
        DiracVariant(
            "gan",
            "GAN (saturating)",
            "L = f(ψθ) + f(0), f(t) = −log(1 + e^{−t}); G minimises L, D maximises it",
            _gan,
            _rot(F1),
            "J = [[0, −f'(0)], [f'(0), 0]] = [[0, −½], [½, 0]]",
            "λ = ±i·f'(0) = ±½i",
            converges=False,
        ),
        DiracVariant(
            "ns-gan",
            "NS-GAN (non-saturating)",
            "D as GAN; G maximises f(−ψθ) instead of minimising f(ψθ)",
            _ns_gan,
            _rot(F1),
            "J = [[0, −f'(0)], [f'(0), 0]] = [[0, −½], [½, 0]] (same as GAN at 0)",
            "λ = ±i·f'(0) = ±½i",
            converges=False,
        ),
        DiracVariant(
            "wgan",
            "WGAN (clipping)",
            "L = ψθ (f(t) = t), |ψ| ≤ c enforced after every step",
            _wgan,
            _rot(1.0),
            "J = [[0, −1], [1, 0]] (the clip is inactive near 0)",
            "λ = ±i",
            knobs=(Knob("clip", "clip c", 1.0, 0.1, 2.0, 0.05, "notebook: WGAN(1.)"), CRITIC),
            clips=True,
            converges=False,
            guides=lambda q: [(q["clip"], "clip |ψ| = c"), (-q["clip"], "clip |ψ| = c")],
        ),
        DiracVariant(
            "wgan-gp",
            "WGAN-GP",
            "L = ψθ; D also pays γ/2 (|ψ| − g0)², its gradient norm's distance from g0",
            _wgan_gp,
            _rot(1.0, lambda q: q["gamma"]),
            "no Jacobian at (0, 0): ∂v/∂ψ jumps by 2γ·g0 across ψ = 0; on either side "
            "J = [[0, −1], [1, −γ]]",
            "one-sided: λ = −γ/2 ± √(γ²/4 − 1)",
            knobs=(
                Knob("gamma", "γ (penalty weight)", 0.7, 0.0, 3.0, 0.05, "notebook: WGAN_GP(0.7)"),
                CRITIC,
            ),
            equilibrium="(0, 0) is the only point where v = 0 (taking sign 0 = 0), but the field "
            "is discontinuous there: at θ = 0 the critic's own best reply is ψ = ±g0, where G "
            "is pushed on. No equilibrium attracts the iterates.",
            point=(0.0, 1e-3),  # one-sided (ψ → 0+), where the field is linear
            smooth=False,
            converges=False,
            extra={"g0": 1.0},
            guides=lambda q: [(q["g0"], "|ψ| = g0"), (-q["g0"], "|ψ| = g0")],
        ),
        DiracVariant(
            "ns-gan-r1",
            "NS-GAN + R1",
            "NS-GAN; D also pays R1 = γ/2·|∇D(x)|² on real data = γ/2 ψ²",
            _ns_gan_r1,
            _rot(F1, lambda q: q["gamma"]),
            "J = [[0, −f'(0)], [f'(0), −γ]] = [[0, −½], [½, −γ]]",
            "λ = −γ/2 ± √(γ²/4 − f'(0)²); critical at γ = 2f'(0) = 1",
            knobs=(GAMMA,),
            converges=True,
        ),
        DiracVariant(
            "gan-zc",
            "GAN + zero-centred penalty",
            "GAN; D also pays γ/2 ψ² (R1 or R2: both are γ/2 ψ² here)",
            _gan_zc,
            _rot(F1, lambda q: q["gamma"]),
            "J = [[0, −f'(0)], [f'(0), −γ]] = [[0, −½], [½, −γ]]",
            "λ = −γ/2 ± √(γ²/4 − f'(0)²); critical at γ = 2f'(0) = 1",
            knobs=(GAMMA,),
            converges=True,
        ),
        DiracVariant(
            "instance-noise",
            "GAN + instance noise",
            "GAN with N(0, σ²) noise added to real and generated samples",
            _noise,
            _rot(F1, lambda q: -2 * F2 * q["sigma"] ** 2),
            "J = [[0, −f'(0)], [f'(0), 2σ²f''(0)]] = [[0, −½], [½, −σ²/2]]",
            "λ = f''(0)σ² ± √(f''(0)²σ⁴ − f'(0)²); critical at σ = √2",
            knobs=(
                Knob("sigma", "σ (noise std)", 0.7, 0.0, 2.0, 0.05, "notebook: InstNoise(0.7)"),
            ),
            converges=True,
        ),
        DiracVariant(
            "lsgan",
            "LSGAN",
            "Mao et al. 2017 eq. 9 (a = 0, b = 1, c = 1): L_D = ½(D(0) − 1)² + ½D(θ)², "
            "L_G = ½(D(θ) − 1)²",
            _lsgan,
            lambda q: np.array([[0.0, 1.0], [0.0, 0.0]]),
            "J = [[0, 1], [0, 0]] at (0, 0); at (θ*, 0): [[0, 1], [0, −θ*²]]",
            "λ = 0, 0 at (0, 0); 0 and −θ*² on the line ψ = 0",
            equilibrium="the whole line ψ = 0 is stationary: D(x) = ψx has no bias, so D(0) = 0 "
            "can never reach b = 1, and once ψ = 0 G gets no gradient wherever it is. (0, 0) "
            "is only one point of that line.",
            guides=lambda q: [(0.0, "stationary line ψ = 0")],
            mirrored=True,
        ),
        DiracVariant(
            "hinge",
            "Hinge",
            "L_D = E max(0, 1 − D(x)) + E max(0, 1 + D(G(z))) = 1 + max(0, 1 + ψθ), "
            "L_G = −E D(G(z)) = −ψθ",
            _hinge,
            lambda q: np.array([[0.0, 1.0], [-1.0, 0.0]]),
            "J = [[0, 1], [−1, 0]] (the hinge is inactive near 0)",
            "λ = ±i",
            mirrored=True,
        ),
        DiracVariant(
            "rpgan-r1-r2",
            "RpGAN + R1 + R2",
            "L_D = softplus(D(θ) − D(0)) + γ/2 ψ² (R1) + γ/2 ψ² (R2), L_G = softplus(D(0) − D(θ))",
            _rpgan,
            lambda q: np.array([[0.0, F1], [-F1, -2.0 * q["gamma"]]]),
            "J = [[0, ½], [−½, −2γ]] — NS-GAN + R1 with weight 2γ, mirrored: with the data at "
            "0, D(G(z)) − D(x) = ψθ",
            "λ = −γ ± √(γ² − ¼); critical at γ = ½",
            knobs=(GAMMA,),
            converges=True,
            mirrored=True,
        ),
    ]
}


def params(key: str, given: Params | None = None) -> dict[str, float]:
    """The variant's settings: its knobs' defaults and fixed values, overridden by `given`."""
    v = VARIANTS[key]
    out = {k.key: float(k.default) for k in v.knobs} | dict(v.extra)
    out |= {k: float(x) for k, x in (given or {}).items() if k in out}
    return out


def guides(key: str, given: Params | None = None) -> list[tuple[float, str]]:
    """Lines ψ = const that belong in the picture: clip bounds, |ψ| = g0, a stationary line."""
    return VARIANTS[key].guides(params(key, given))


def vector_field(key: str, theta, psi, given: Params | None = None):
    """v(θ, ψ) = (−∂L_G/∂θ, −∂L_D/∂ψ) on arrays of any (broadcastable) shape."""
    q = params(key, given)
    v1, v2 = VARIANTS[key].field(np.asarray(theta, float), np.asarray(psi, float), q)
    return np.asarray(v1, dtype=float), np.asarray(v2, dtype=float)


# --- trajectories -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Trajectory:
    points: np.ndarray  # (n + 1, 2): (θ, ψ) after each generator step, the start first
    mode: str
    stopped_at: int | None  # the iteration where it left |·| ≤ BOUND (or went non-finite)

    @property
    def distance(self) -> np.ndarray:
        """‖(θ, ψ) − (0, 0)‖ per iteration: the distance to the Nash equilibrium."""
        return np.hypot(self.points[:, 0], self.points[:, 1])


def trajectory(
    key: str,
    start: tuple[float, float] = (1.0, 1.0),
    h: float = 0.2,
    steps: int = 500,
    mode: str = "simultaneous",
    given: Params | None = None,
) -> Trajectory:
    """Gradient steps of size h from `start`: both players at once ("simultaneous") or G first,
    then n critic steps on the new θ ("alternating", n = the variant's critic steps, else 1)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    v, q = VARIANTS[key], params(key, given)
    n = int(q.get("n_critic", 1)) if mode == "alternating" else 1
    c = q.get("clip", np.inf)
    t, p = float(start[0]), float(np.clip(start[1], -c, c))
    out = [(t, p)]
    stopped = None
    for i in range(1, steps + 1):
        if mode == "simultaneous":
            v1, v2 = v.field(np.float64(t), np.float64(p), q)
            t, p = t + h * float(v1), float(np.clip(p + h * float(v2), -c, c))
        else:
            t = t + h * float(v.field(np.float64(t), np.float64(p), q)[0])
            for _ in range(n):
                p = float(
                    np.clip(p + h * float(v.field(np.float64(t), np.float64(p), q)[1]), -c, c)
                )
        if not (np.isfinite(t) and np.isfinite(p)) or max(abs(t), abs(p)) > BOUND:
            stopped = i
            break
        out.append((t, p))
    return Trajectory(np.array(out), mode, stopped)


# --- linearisation ------------------------------------------------------------------------------
def jacobian(key: str, given: Params | None = None) -> np.ndarray:
    """The closed-form Jacobian ∂v/∂(θ, ψ) at the variant's linearisation point (one-sided for
    WGAN-GP, whose field has none at (0, 0))."""
    return VARIANTS[key].jacobian(params(key, given))


def numeric_jacobian(key: str, given: Params | None = None, eps: float = 1e-6) -> np.ndarray:
    """Central finite differences of the field at the variant's linearisation point."""
    t0, p0 = VARIANTS[key].point
    cols = []
    for dt, dp in ((eps, 0.0), (0.0, eps)):
        hi = vector_field(key, t0 + dt, p0 + dp, given)
        lo = vector_field(key, t0 - dt, p0 - dp, given)
        cols.append((np.array(hi) - np.array(lo)) / (2 * eps))
    return np.column_stack(cols)


def closed_form_eigenvalues(j: np.ndarray) -> np.ndarray:
    """λ = tr/2 ± √(tr²/4 − det) of a 2 × 2 matrix, the larger imaginary (then real) part first."""
    tr, det = float(np.trace(j)), float(np.linalg.det(j))
    root = np.sqrt(complex(tr * tr / 4 - det))
    return np.array([tr / 2 + root, tr / 2 - root])


def eigenvalues(j: np.ndarray) -> np.ndarray:
    """numpy's eigenvalues, ordered as closed_form_eigenvalues orders them."""
    lam = np.linalg.eigvals(np.asarray(j, dtype=float)).astype(complex)
    return lam[np.lexsort((-lam.real, -lam.imag))]


def step_matrix(j: np.ndarray, h: float, mode: str, n_critic: int = 1) -> np.ndarray:
    """The linearised update (θ, ψ) ↦ M (θ, ψ) for a Jacobian j: I + hJ for simultaneous
    steps; (I + h J_D)ⁿ (I + h J_G) for alternating ones, J_G and J_D being J's G and D rows."""
    if mode == "simultaneous":
        return np.eye(2) + h * j
    g = np.array([[1 + h * j[0, 0], h * j[0, 1]], [0.0, 1.0]])
    d = np.array([[1.0, 0.0], [h * j[1, 0], 1 + h * j[1, 1]]])
    return np.linalg.matrix_power(d, n_critic) @ g


def step_map(key: str, h: float, mode: str, given: Params | None = None) -> np.ndarray:
    """The variant's linearised update at the equilibrium, with its critic steps."""
    q = params(key, given)
    return step_matrix(jacobian(key, q), h, mode, int(q.get("n_critic", 1)))


TOL = 1e-9
ROTATION = "pure rotation: no convergence"
DAMPED = "damped spiral: converges"
CRITICAL = "critical damping"
OVERDAMPED = "over-damped"
EXPANDING = "expanding spiral: diverges"
DEGENERATE = "degenerate: a zero eigenvalue, no isolated equilibrium"
SADDLE = "saddle or unstable node: diverges"
JUMP = "discontinuous at the equilibrium: no linearisation"


def classify(j: np.ndarray) -> str:
    """The continuous-time behaviour near the point, from the trace and determinant of J."""
    tr, det = float(np.trace(j)), float(np.linalg.det(j))
    scale = max(1.0, tr * tr / 4, abs(det))
    disc = tr * tr / 4 - det
    if abs(det) <= TOL * scale:
        return DEGENERATE
    if disc < -TOL * scale:
        if abs(tr) <= TOL * scale:
            return ROTATION
        return DAMPED if tr < 0 else EXPANDING
    if det < 0 or tr > 0:
        return SADDLE
    return CRITICAL if abs(disc) <= TOL * scale else OVERDAMPED


def classification(key: str, given: Params | None = None) -> str:
    return JUMP if not VARIANTS[key].smooth else classify(jacobian(key, given))


def explain(key: str, given: Params | None = None) -> str:
    """One sentence: why this variant converges or not, from its eigenvalues."""
    q = params(key, given)
    lam = closed_form_eigenvalues(jacobian(key, q))
    kind = classification(key, q)
    if kind == JUMP:
        return (
            "The penalty pulls |ψ| towards g0 = 1, never to 0: its push flips sign across ψ = 0, "
            "so the critic overshoots zero again and again and G is always chased somewhere — "
            "with a finite number of critic steps the iterates circle without settling."
        )
    if kind == DEGENERATE:
        return (
            "A zero eigenvalue: once D goes flat (ψ = 0) G feels nothing, so the iterates stop "
            "wherever they are on the line ψ = 0, usually not at the data (θ = 0)."
        )
    re, im = lam[0].real, abs(lam[0].imag)
    if kind == ROTATION:
        return (
            f"The eigenvalues ±{im:.3g}i are purely imaginary: near the equilibrium the field "
            "only turns around it and nothing pulls inwards — simultaneous steps spiral "
            "outwards, alternating ones circle, and any approach is left to slow higher-order "
            "effects."
        )
    if kind == DAMPED:
        return (
            f"Re λ = {re:.3g} < 0: the regulariser damps the rotation, so the iterates spiral "
            "in (for a small enough step)."
        )
    if kind == CRITICAL:
        return (
            f"Both eigenvalues meet at λ = {re:.3g} on the real axis: the rotation is just "
            "damped out — the fastest approach without overshooting."
        )
    if kind == OVERDAMPED:
        slow = max(x.real for x in lam)
        return (
            f"Both eigenvalues are real and negative: no spiral, but the slower one "
            f"(λ = {slow:.3g}) sets the pace, so more damping makes convergence slower."
        )
    return f"An eigenvalue with Re λ = {re:.3g} > 0 pushes the iterates away."


# The engine's variants (ganlab.variants) and their DiracGAN counterparts, both ways: a live page
# links to its dynamics here, and this page to the live run of the same game.
ENGINE = {
    "gan": "gan",
    "ns-gan": "gan",
    "wgan": "wgan",
    "wgan-gp": "wgan-gp",
    "ns-gan-r1": "r1",
    "lsgan": "lsgan",
    "hinge": "hinge",
    "rpgan-r1-r2": "rpgan",
}


def for_engine(variant: str, g_loss: str = "non-saturating") -> str | None:
    """The DiracGAN variant of an engine variant (the vanilla GAN's by its G loss)."""
    if variant == "gan":
        return "ns-gan" if g_loss == "non-saturating" else "gan"
    return next((k for k, v in ENGINE.items() if v == variant and k != "ns-gan"), None)
