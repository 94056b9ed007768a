"""The textbook loop that bench/speed.py measures against is a working GAN of the same size."""

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from reference import ReferenceGAN

from ganlab.config import preset
from ganlab.nets import BatchedMLP, mlp_sizes
from ganlab.variants import VARIANTS


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_same_sizes_as_the_engine(variant):
    cfg = preset(variant, "tuned", target="bimodal", g_width=24, d_layers=3, latent_dim=2)
    ref = ReferenceGAN(cfg)
    rngs = [np.random.default_rng(0)]
    g = BatchedMLP(mlp_sizes(cfg.latent_dim, 1, cfg.g_layers, cfg.g_width), rngs)
    d = BatchedMLP(mlp_sizes(1, 1, cfg.d_layers, cfg.d_width), rngs)
    assert sum(p.numel() for p in ref.G.parameters()) == g.n_per_seed
    assert sum(p.numel() for p in ref.D.parameters()) == d.n_per_seed
    assert isinstance(ref.D[-1], torch.nn.Sigmoid) == (variant == "gan")
    assert len(ref.data) == cfg.data_size


@pytest.mark.parametrize("variant", ["gan", "wgan-gp", "lsgan", "hinge", "r1", "rpgan"])
@pytest.mark.slow
def test_learns_the_mean_of_a_shifted_normal(variant):
    # Without standardisation G starts near 0, so reaching the target's mean 4 is learning.
    cfg = preset(variant, "tuned", target="normal", standardize=False, d_steps=1)
    ref = ReferenceGAN(cfg, seed=1)
    before = ref.samples(2000).mean()
    ref.train(400)
    after = ref.samples(2000).mean()
    assert abs(before - 4.0) > 2.5
    assert abs(after - 4.0) < 0.5 * abs(before - 4.0)
    assert len(ref.d_losses) == 400 and np.isfinite(ref.g_losses).all()


@pytest.mark.parametrize("variant", ["r1", "rpgan"])
def test_zero_centred_penalty_of_a_linear_critic(variant):
    # A critic f(x) = a·x + c has ∇f = a everywhere: R1 (and R2) is γ/2·a² each, whatever x is.
    cfg = preset(variant, "tuned", target="normal", standardize=False, r1_gamma=2.0)
    ref = ReferenceGAN(cfg)
    x = torch.linspace(-3, 3, 7).view(-1, 1).requires_grad_(True)
    out = 0.7 * x + 0.1
    assert ref.zero_centred(x, out).item() == pytest.approx(0.5 * 2.0 * 0.7**2)
