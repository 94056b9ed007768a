"""The training engine against closed forms, torch's own losses, and known outcomes."""

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from ganlab import losses, variants
from ganlab.config import CHOICES, ConfigError, TrainConfig, make, preset
from ganlab.history import HISTORY_POINTS
from ganlab.nets import ACTIVATIONS, BatchedMLP
from ganlab.training import Run
from ganlab.variants import LOG2, PAIRED_G_LOSSES


def tiny(variant="gan", **kw):
    base = dict(
        variant=variant,
        target="normal",
        steps=60,
        g_width=16,
        d_width=16,
        batch_size=64,
        data_size=512,
    )
    if variant != "gan":
        base.update(d_steps=2, lr_g=1e-3, lr_d=1e-3)
    return make(**{**base, **kw})


# --- losses -------------------------------------------------------------------------------------
def test_vanilla_losses_at_d_equal_half():
    zero = torch.zeros(3, 64, 1)  # logit 0 ⇔ D ≡ ½
    assert losses.d_loss_gan(torch.cat([zero, zero], 1), losses.sides(64))[0] == pytest.approx(
        [2 * LOG2] * 3
    )
    assert losses.g_loss_non_saturating(zero)[0] == pytest.approx([LOG2] * 3)
    assert losses.g_loss_saturating(zero)[0] == pytest.approx([-LOG2] * 3)


def test_vanilla_losses_match_torch_bce_on_sigmoid():
    g = torch.Generator().manual_seed(0)
    real, fake = torch.randn(2, 50, 1, generator=g) * 3, torch.randn(2, 50, 1, generator=g) * 3
    d_loss = losses.d_loss_gan(torch.cat([real, fake], 1), losses.sides(50))[0]
    bce = nn.BCELoss()
    for k in range(2):
        pr, pf = torch.sigmoid(real[k]), torch.sigmoid(fake[k])
        want = bce(pr, torch.ones_like(pr)) + bce(pf, torch.zeros_like(pf))
        assert d_loss[k].item() == pytest.approx(want.item(), rel=1e-5)
        assert losses.g_loss_non_saturating(fake)[0][k].item() == pytest.approx(
            bce(pf, torch.ones_like(pf)).item(), rel=1e-5
        )
        assert losses.g_loss_saturating(fake)[0][k].item() == pytest.approx(
            torch.log(1 - pf).mean().item(), rel=1e-5
        )


def test_vanilla_losses_stay_finite_for_extreme_logits():
    huge = torch.full((1, 4, 1), 200.0)
    loss, grad = losses.d_loss_gan(torch.cat([huge, -huge], 1), losses.sides(4))
    assert loss.item() == pytest.approx(0.0, abs=1e-6) and torch.isfinite(grad).all()
    loss, grad = losses.g_loss_non_saturating(-huge)
    assert loss.item() == pytest.approx(200.0)
    assert grad.flatten().tolist() == pytest.approx([-1 / 4] * 4)  # −(1/n)·σ(200) = −¼


@pytest.mark.parametrize("name", [*(f"d_{k}" for k in losses.D_LOSSES), *losses.G_LOSSES])
def test_loss_gradients_equal_autograd(name):
    gen = torch.Generator().manual_seed(1)
    out = (torch.randn(3, 40, 1, generator=gen) * 4).requires_grad_()
    if name.startswith("d_"):
        loss, grad = losses.D_LOSSES[name[2:]].fn(out, losses.sides(20))
    else:
        real = torch.randn(3, 40, 1, generator=gen) * 4  # D on real data, for a paired loss
        loss, grad = losses.G_LOSSES[name](out, real if name in PAIRED_G_LOSSES else None)
    (want,) = torch.autograd.grad(loss.sum(), out)
    assert grad.shape == out.shape
    assert torch.allclose(grad, want, atol=1e-7, rtol=1e-5)


def _linear_critic(a: float, k: int = 2) -> BatchedMLP:
    """A ReLU critic that is f(x) = a·x + const for |x| < 100: every hidden unit is x + 100."""
    d = BatchedMLP([1, 8, 1], [np.random.default_rng(i) for i in range(k)])
    w1, b1, w2, b2 = d.params
    w1.fill_(1.0), b1.fill_(100.0), w2.fill_(a / 8), b2.fill_(0.0)
    return d


@pytest.mark.parametrize("a", [-3.0, 0.25, 1.0, 2.5])
def test_gradient_penalty_of_a_linear_critic(a):
    lam = 10.0
    slope = _linear_critic(a).slope(torch.randn(2, 100, 1))
    gp, norms, _ = losses.gradient_penalty(slope, lam)
    assert gp.tolist() == pytest.approx([lam * (abs(a) - 1) ** 2] * 2)
    assert torch.allclose(norms, torch.full_like(norms, abs(a)))


def _autograd_mlp(net: BatchedMLP):
    """The same network written plainly, on leaf copies of its weights: autograd's reference."""
    leaves = [p.clone().requires_grad_() for p in net.params]

    def f(h):
        for i in range(0, len(leaves), 2):
            h = h @ leaves[i] + leaves[i + 1]
            if i + 2 < len(leaves):
                h = net.act.fn(h)
        return h

    return f, leaves


def _grads(loss, leaves):
    grads = torch.autograd.grad(loss, leaves, allow_unused=True)
    return [torch.zeros_like(p) if g is None else g for g, p in zip(grads, leaves, strict=True)]


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("sizes", [[1, 16, 16, 1], [3, 8, 1], [1, 12, 12, 12, 12, 1]])
def test_hand_written_backward_equals_autograd(activation, sizes):
    g = torch.Generator().manual_seed(2)
    net = BatchedMLP(sizes, [np.random.default_rng(i) for i in range(3)], activation)
    f, leaves = _autograd_mlp(net)
    x = torch.randn(3, 20, sizes[0], generator=g)
    w = torch.randn(3, 20, 1, generator=g)  # ∂loss/∂output of loss = Σ w·f(x)
    tape = []
    assert torch.allclose(net(x, tape=tape), f(x), atol=1e-6)
    net.backward(tape, w)
    for ours, want in zip(net.grads, _grads((w * f(x)).sum(), leaves), strict=True):
        assert torch.allclose(ours, want, atol=1e-6, rtol=1e-5)
    x_in = x.clone().requires_grad_()
    (want,) = torch.autograd.grad((w * f(x_in)).sum(), x_in)
    tape = []
    net(x, tape=tape)
    assert torch.allclose(net.backward(tape, w, weights=False), want, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("sizes", [[1, 16, 16, 1], [1, 8, 1], [1, 12, 12, 12, 12, 1]])
def test_gradient_penalty_gradient_equals_autograds_double_backward(activation, sizes):
    g = torch.Generator().manual_seed(3)
    net = BatchedMLP(sizes, [np.random.default_rng(i) for i in range(3)], activation)
    f, leaves = _autograd_mlp(net)
    x = torch.randn(3, 30, 1, generator=g).requires_grad_()
    scale = torch.tensor([1.0, 2.0, 0.5]).view(3, 1, 1)
    (slope_ref,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    gp_ref = 10.0 * ((slope_ref.abs() / scale - 1) ** 2).mean((1, 2))
    tape = []
    slope = net.slope(x.detach(), tape)
    gp, _, grad = losses.gradient_penalty(slope, 10.0, scale)
    assert torch.allclose(slope, slope_ref, atol=1e-6) and torch.allclose(gp, gp_ref, rtol=1e-5)
    net.grad.zero_()
    net.slope_backward(tape, grad)
    for ours, want in zip(net.grads, _grads(gp_ref.sum(), leaves), strict=True):
        assert torch.allclose(ours, want, atol=1e-5, rtol=1e-4)


def test_optimal_losses():
    assert variants.optimal_losses(variants.VARIANTS["gan"], "non-saturating") == {
        "d_loss": 2 * math.log(2),
        "g_loss": math.log(2),
    }
    assert variants.optimal_losses(variants.VARIANTS["wgan"], "non-saturating") == {
        "w_estimate": 0.0
    }


def test_modern_losses_at_their_equilibrium_match_the_variants_dashed_lines():
    # LSGAN (a = 0, b = c = 1): D ≡ ½; hinge: any D in [−1, 1], here 0; RpGAN: equal scores.
    b, half, zero = 64, torch.full((2, 64, 1), 0.5), torch.zeros(2, 64, 1)
    both = torch.cat([half, half], 1)
    assert losses.d_loss_least_squares(both, losses.sides(b))[0].tolist() == pytest.approx(
        [0.25, 0.25]
    )
    assert losses.g_loss_least_squares(half)[0].tolist() == pytest.approx([0.125, 0.125])
    for level in (-1.0, -0.3, 0.0, 0.7, 1.0):  # the hinge's D loss is flat at 2 on [−1, 1]
        d = torch.full((2, 2 * b, 1), level)
        assert losses.d_loss_hinge(d, losses.sides(b))[0].tolist() == pytest.approx([2.0, 2.0])
    same = torch.cat([zero + 3.0, zero + 3.0], 1)  # any common level: only differences count
    assert losses.d_loss_relativistic(same, losses.sides(b))[0].tolist() == pytest.approx(
        [LOG2] * 2
    )
    assert losses.g_loss_relativistic(zero + 3.0, zero + 3.0)[0].tolist() == pytest.approx(
        [LOG2] * 2
    )
    eq = {k: variants.VARIANTS[k].equilibrium("non-saturating") for k in variants.VARIANTS}
    assert eq["lsgan"] == {"d_loss": 0.25, "g_loss": 0.125}
    assert eq["hinge"] == {"d_loss": 2.0}
    assert eq["rpgan"] == {"d_loss": LOG2, "g_loss": LOG2}
    assert eq["r1"] == {"d_loss": 2 * LOG2, "g_loss": LOG2}  # R1 → 0 once D is flat on the data


def test_modern_losses_match_torchs_own_losses():
    gen = torch.Generator().manual_seed(4)
    real, fake = torch.randn(2, 50, 1, generator=gen) * 2, torch.randn(2, 50, 1, generator=gen) * 2
    both, sides = torch.cat([real, fake], 1), losses.sides(50)
    ls, hinge = losses.d_loss_least_squares(both, sides)[0], losses.d_loss_hinge(both, sides)[0]
    rp = losses.d_loss_relativistic(both, sides)[0]
    g_rp = losses.g_loss_relativistic(fake, real)[0]
    mse, margin = nn.MSELoss(), nn.HingeEmbeddingLoss(margin=1.0)
    bce = nn.BCEWithLogitsLoss()
    for k in range(2):
        r, f = real[k], fake[k]
        want = 0.5 * mse(r, torch.ones_like(r)) + 0.5 * mse(f, torch.zeros_like(f))
        assert ls[k].item() == pytest.approx(want.item(), rel=1e-6)
        assert losses.g_loss_least_squares(fake)[0][k].item() == pytest.approx(
            0.5 * mse(f, torch.ones_like(f)).item(), rel=1e-6
        )
        # HingeEmbeddingLoss with target −1 is max(0, margin − x): 1 − D(x) real, 1 + D(G(z)) fake
        minus = -torch.ones_like(r)
        want = margin(r, minus) + margin(-f, minus)
        assert hinge[k].item() == pytest.approx(want.item(), rel=1e-6)
        # softplus(D(G(z)) − D(x)) = −log σ(D(x) − D(G(z))): BCE of the difference, target 1
        assert rp[k].item() == pytest.approx(bce(r - f, torch.ones_like(r)).item(), rel=1e-6)
        assert g_rp[k].item() == pytest.approx(bce(f - r, torch.ones_like(r)).item(), rel=1e-6)


@pytest.mark.parametrize("a", [-3.0, 0.25, 1.0, 2.5])
def test_r1_and_r1_plus_r2_of_a_linear_critic(a):
    # f(x) = a·x: ∇f = a everywhere, so R1 = γ/2·a², and R1 + R2 = γ·a² (two sets).
    gamma, b = 4.0, 100
    critic = _linear_critic(a)
    r1 = variants.VARIANTS["r1"].penalty
    rp = variants.VARIANTS["rpgan"].penalty
    slope = critic.slope(torch.randn(2, b, 1))
    gp, norms, _ = losses.gradient_penalty(slope, r1.factor * gamma, target=r1.target_norm)
    assert gp.tolist() == pytest.approx([gamma / 2 * a * a] * 2)
    both = critic.slope(torch.randn(2, 2 * b, 1))
    gp, _, _ = losses.gradient_penalty(both, rp.factor * gamma, target=rp.target_norm, per=b)
    assert gp.tolist() == pytest.approx([gamma * a * a] * 2)
    assert torch.allclose(norms, torch.full_like(norms, abs(a)))


# --- steps --------------------------------------------------------------------------------------
def test_clipping_keeps_every_critic_weight_within_c():
    run = Run(tiny("wgan", clip=0.05, lr_d=0.05, steps=20))
    run.advance()
    w = run.D.flat
    assert w.abs().max().item() <= 0.05 + 1e-7
    assert w.abs().max().item() == pytest.approx(0.05)  # and the clip is actually reached


@pytest.mark.parametrize("variant", list(variants.VARIANTS))
def test_g_step_leaves_d_and_d_step_leaves_g(variant):
    run = Run(tiny(variant))
    real, z, eps = run._draw(1)
    g0, d0 = run.G.flat.clone(), run.D.flat.clone()
    run.trainer.g_step(z[0, -1], real[0, -1])
    assert torch.equal(run.D.flat, d0) and not torch.equal(run.G.flat, g0)
    g1 = run.G.flat.clone()
    run.trainer.d_step(real[0, 0], z[0, 0], None if eps is None else eps[0, 0])
    assert torch.equal(run.G.flat, g1) and not torch.equal(run.D.flat, d0)


# --- runs ---------------------------------------------------------------------------------------
@pytest.mark.slow  # ~1.5–3 s each: two runs, each recording a timeline frame at every step
@pytest.mark.parametrize("variant", list(variants.VARIANTS))
def test_batched_seeds_equal_single_runs(variant):
    batched = Run(tiny(variant, seed=10, n_seeds=3, latent_dim=3))
    batched.advance()
    single = Run(tiny(variant, seed=11, n_seeds=1, latent_dim=3))
    single.advance()
    assert np.array_equal(batched.samples(500)[1], single.samples(500)[0])
    hb, hs = batched.history.values[:, :, 1], single.history.values[:, :, 0]
    assert np.array_equal(hb, hs)


@pytest.mark.parametrize("variant", ["gan", "wgan-gp"])
@pytest.mark.slow
def test_seeds_in_a_batch_of_eight_equal_single_runs_at_the_tuned_presets(variant):
    # Catches kernels whose rounding depends on a value's position in the batch (the fused Adam
    # kernel did: seeds drifted by 1e-4 after ~50 steps at K = 8, never at K = 3).
    kw = dict(target="bimodal", steps=80, data_size=1024)
    batched = Run(preset(variant, "tuned", seed=0, n_seeds=8, **kw))
    batched.advance()
    for i in (0, 7):
        single = Run(preset(variant, "tuned", seed=i, n_seeds=1, **kw))
        single.advance()
        assert np.array_equal(batched.samples(300)[i], single.samples(300)[0])


@pytest.mark.slow
def test_the_optimizers_match_torch_optim_exactly():
    from ganlab.optim import FlatOptimizer

    g = torch.Generator().manual_seed(0)
    for kind, ref in [
        ("adam", lambda p: torch.optim.Adam([p], lr=1e-2, betas=(0.5, 0.9), foreach=False)),
        ("rmsprop", lambda p: torch.optim.RMSprop([p], lr=1e-2, foreach=False)),
        ("sgd", lambda p: torch.optim.SGD([p], lr=1e-2, foreach=False)),
    ]:
        ours_p = torch.randn(50, generator=g)
        ref_p = ours_p.clone().requires_grad_()
        ours, theirs = FlatOptimizer(kind, ours_p, 1e-2, (0.5, 0.9)), ref(ref_p)
        for _ in range(20):
            grad = torch.randn(50, generator=g)
            ref_p.grad = grad.clone()
            ours.step(grad)
            theirs.step()
        assert torch.equal(ours_p, ref_p), kind


def test_same_config_same_numbers_and_chunking_does_not_matter():
    a = Run(tiny("wgan-gp"))
    a.advance()
    b = Run(tiny("wgan-gp"))
    for n in (7, 1, 30, 100):
        b.advance(n)
    assert a.step == b.step == 60
    assert np.array_equal(a.samples(300), b.samples(300))
    assert np.array_equal(a.history.values, b.history.values)


@pytest.mark.slow
def test_a_short_run_on_normal_moves_w1_down():
    run = Run(preset("gan", "tuned", target="normal", steps=600, n_seeds=2))
    before = [m["w1"] for m in run.seed_metrics()]
    run.advance()
    after = [m["w1"] for m in run.seed_metrics()]
    assert all(a < 0.1 < b for a, b in zip(after, before, strict=True))
    assert not run.seed_metrics()[0]["diverged"]


def test_divergence_is_caught_per_seed_and_keeps_history():
    run = Run(tiny("gan", n_seeds=3, steps=200))
    run.advance(50)
    kept = run.history.values.copy()
    run.D.params[0][1].fill_(float("nan"))  # poison seed 1's D, as an exploding update would
    run.advance()
    assert run.diverged_at.tolist()[0] == -1 and run.diverged_at.tolist()[2] == -1
    assert 50 < run.diverged_at[1] <= 51  # its first step after the poison
    assert run.step == 200  # the others went on
    assert np.array_equal(run.history.values[: len(kept), :, 1], kept[:, :, 1])
    assert np.all(np.isfinite(run.samples(100)))  # frozen at its last finite state
    res = run.result()
    assert res.diverged == [False, True, False]
    assert res.seed_metrics[1]["diverged"] and "w1" in res.seed_metrics[1]


def test_a_run_that_diverges_everywhere_stops_itself():
    run = Run(tiny("wgan", n_seeds=2, steps=500))
    run.advance(20)
    run.G.flat.fill_(float("inf"))
    done = run.advance()
    assert run.finished and not run.alive.any()
    assert run.step == 20 + done < 500
    assert run.advance() == 0  # nothing more to do, and no exception


@pytest.mark.slow
def test_history_is_bounded():
    run = Run(tiny("gan", steps=5000, g_width=8, d_width=8, batch_size=32, data_size=256))
    run.advance()
    assert len(run.history.steps) <= HISTORY_POINTS
    assert len(run.evals.steps) <= 102
    frame = run.result(with_metrics=False).history
    assert frame["step"].max() <= 5000 and set(frame.columns) >= {"d_loss", "g_loss"}
    # window means: the merged history still averages the raw losses it summarises
    assert np.isfinite(frame["d_loss"]).all()


def test_result_shapes_and_units():
    cfg = tiny("wgan-gp", n_seeds=2, latent_dim=2)
    run = Run(cfg)
    run.advance()
    res = run.result()
    assert res.samples.shape == (2, 2000) and res.data.shape == (2, cfg.data_size)
    assert res.d_on_x.shape == res.grad_on_x.shape == (2, len(res.x))
    assert res.g_on_z.shape == (2, len(res.z))
    assert res.x[0] == pytest.approx(cfg.target.plot_range[0])
    assert set(res.history.columns) >= {"step", "seed", "w_estimate", "gp", "grad_norm"}
    assert res.steps_per_s > 0


# --- configuration ------------------------------------------------------------------------------
def test_config_lists_every_problem_in_words():
    with pytest.raises(ConfigError) as info:
        make(batch_size=5, g_width=1000, variant="dcgan", lr_g=-1)
    text = str(info.value)
    assert "batch size 5 is outside 32 … 512" in text
    assert "G width 1,000 is outside 8 … 128" in text
    assert "variant 'dcgan' is not one of: gan, wgan, wgan-gp, lsgan, hinge, r1, rpgan" in text
    assert "G learning rate -1 is outside" in text
    with pytest.raises(ConfigError, match=r"batch size 512 is larger than the data set \(256"):
        make(batch_size=512, data_size=256)


def test_config_json_round_trip_and_epoch():
    cfg = preset("wgan-gp", "paper", target={"mixture": [[1, 0, 1], [2, 3, 0.5]]}, n_seeds=4)
    from ganlab.config import from_json

    assert from_json(cfg.to_json()) == cfg
    assert TrainConfig(data_size=2048, batch_size=128, d_steps=1).steps_per_epoch == 16
    assert TrainConfig(data_size=2048, batch_size=128, d_steps=5).steps_per_epoch == 4
    with pytest.raises(ConfigError, match="unknown setting 'speed'"):
        from_json('{"speed": 3}')
    with pytest.raises(ConfigError, match="not valid JSON"):
        from_json("{")


def _plain_mlp(leaves, act, h):
    for i in range(0, len(leaves), 2):
        h = h @ leaves[i] + leaves[i + 1]
        if i + 2 < len(leaves):
            h = act(h)
    return h


@pytest.mark.parametrize(
    "variant,g_loss,activation",
    [
        ("gan", "non-saturating", "relu"),
        ("gan", "saturating", "leaky_relu"),
        ("wgan", "non-saturating", "relu"),
        ("wgan-gp", "non-saturating", "relu"),
        ("wgan-gp", "non-saturating", "silu"),
        ("lsgan", "non-saturating", "relu"),
        ("hinge", "non-saturating", "leaky_relu"),
        ("r1", "non-saturating", "relu"),
        ("r1", "non-saturating", "tanh"),
        ("rpgan", "non-saturating", "relu"),
        ("rpgan", "non-saturating", "elu"),
    ],
)
def test_one_d_step_and_one_g_step_equal_plain_autograd_in_float64(variant, g_loss, activation):
    # The whole step as the papers write it (separate real/fake passes, autograd, penalties by
    # double backward), against the engine's gradients, records and losses.
    cfg = make(
        variant=variant,
        target="bimodal",
        activation=activation,
        g_loss=g_loss,
        n_seeds=3,
        latent_dim=2,
        g_width=16,
        d_width=16,
        batch_size=40,
        data_size=512,
        d_steps=2,
        gp_lambda=3.0,
        r1_gamma=4.0,
        steps=100,
    )
    run = Run(cfg)
    run.advance(5)  # off the initial weights
    real, z, eps = run._draw(1)
    real, z_d, z_g = real[0, 0], z[0, 0], z[0, -1]
    eps = None if eps is None else eps[0, 0]
    act = ACTIVATIONS[activation].fn
    scale = run.trainer.scale.double().view(-1, 1)

    def leaves(net):
        return [v.clone().double().requires_grad_() for v in net.views(net.flat.clone())]

    def slopes(d_w, x):
        """|∂D/∂x| in data units (K, N) at the points x, by autograd, kept in the graph."""
        x = x.detach().clone().requires_grad_()
        (dx,) = torch.autograd.grad(_plain_mlp(d_w, act, x).sum(), x, create_graph=True)
        return dx.abs().squeeze(-1) / scale

    def mean(t):
        return t.mean((1, 2))

    g_w, d_w = leaves(run.G), leaves(run.D)
    fake = _plain_mlp([w.detach() for w in g_w], act, z_d.double())
    r, f = _plain_mlp(d_w, act, real.double()), _plain_mlp(d_w, act, fake)
    scores = [mean(r), mean(f)]
    if variant in ("gan", "r1"):  # summed BCE on logits
        loss = mean(F.softplus(-r)) + mean(F.softplus(f))
        records = [mean(torch.sigmoid(r)), mean(torch.sigmoid(f))]
    elif variant == "lsgan":  # ½E(D(x) − 1)² + ½E D(G(z))², Mao et al. eq. 9
        loss = 0.5 * F.mse_loss(r, torch.ones_like(r), reduction="none").mean((1, 2))
        loss = loss + 0.5 * F.mse_loss(f, torch.zeros_like(f), reduction="none").mean((1, 2))
        records = scores
    elif variant == "hinge":
        loss = mean(F.relu(1 - r)) + mean(F.relu(1 + f))
        records = scores
    elif variant == "rpgan":  # the i-th real paired with the i-th fake
        loss = mean(F.softplus(f - r))
        records = scores
    else:
        loss = mean(f) - mean(r)
        records = [-loss]
    if variant == "wgan-gp":
        norms = slopes(d_w, eps.double() * real.double() + (1 - eps.double()) * fake)
        gp = cfg.gp_lambda * ((norms - 1) ** 2).mean(1)
        loss, records = loss + gp, [*records, gp, norms.mean(1)]
    elif variant == "r1":  # γ/2·E‖∇D(x)‖² on real data
        norms = slopes(d_w, real.double())
        gp = cfg.r1_gamma / 2 * (norms**2).mean(1)
        loss, records = loss + gp, [*records, gp, norms.mean(1)]
    elif variant == "rpgan":  # R1 + R2: γ/2·E‖∇D(x)‖² + γ/2·E‖∇D(G(z))‖²
        n_real, n_fake = slopes(d_w, real.double()), slopes(d_w, fake)
        gp = cfg.r1_gamma / 2 * ((n_real**2).mean(1) + (n_fake**2).mean(1))
        loss = loss + gp
        records = [*records, gp, torch.cat([n_real, n_fake], 1).mean(1)]
    want = torch.cat([g.reshape(-1) for g in torch.autograd.grad(loss.sum(), d_w)])
    got = run.trainer.d_step(real, z_d, eps)
    assert torch.allclose(run.D.grad.double(), want, rtol=1e-4, atol=1e-6)
    for ours, theirs in zip(got, [loss, *records], strict=True):
        assert torch.allclose(ours.double(), theirs.detach(), rtol=1e-4, atol=1e-6)

    g_w = leaves(run.G)
    d_after = [v.clone().double() for v in run.D.views(run.D.flat)]
    out = _plain_mlp(d_after, act, _plain_mlp(g_w, act, z_g.double()))
    if variant in ("wgan", "wgan-gp", "hinge"):
        g_loss_value = -mean(out)
    elif variant == "lsgan":
        g_loss_value = 0.5 * mean((out - 1) ** 2)
    elif variant == "rpgan":
        g_loss_value = mean(F.softplus(_plain_mlp(d_after, act, real.double()) - out))
    elif g_loss == "non-saturating":
        g_loss_value = mean(F.softplus(-out))
    else:
        g_loss_value = -mean(F.softplus(out))
    want = torch.cat([g.reshape(-1) for g in torch.autograd.grad(g_loss_value.sum(), g_w)])
    got = run.trainer.g_step(z_g, real)
    assert torch.allclose(run.G.grad.double(), want, rtol=1e-4, atol=1e-6)
    assert torch.allclose(got.double(), g_loss_value.detach(), rtol=1e-4, atol=1e-6)


def test_every_activation_and_loss_a_config_or_variant_names_exists():
    assert set(CHOICES["activation"]) == set(ACTIVATIONS)
    for v in variants.VARIANTS.values():
        assert v.d_loss in losses.D_LOSSES and set(v.g_losses) <= set(losses.G_LOSSES)
    assert set(CHOICES["g_loss"]) <= set(losses.G_LOSSES)


def test_a_networks_seeds_taken_apart_are_their_own_networks_and_join_back():
    # Seed shards: seeds a..b−1 of a K-seed network, laid out for b − a seeds, are the network
    # those seeds' generators build alone; the shards joined are the K-seed network again.
    sizes = [1, 16, 8, 1]
    net = BatchedMLP(sizes, [np.random.default_rng(s) for s in range(5)])
    alone = BatchedMLP(sizes, [np.random.default_rng(s) for s in (2, 3, 4)])
    assert torch.equal(net.take(net.flat, 2, 5), alone.flat)
    assert torch.equal(net.join([net.take(net.flat, 0, 2), alone.flat]), net.flat)
