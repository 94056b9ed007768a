"""K independent MLPs run as one batched program, their parameters in one flat tensor."""

from __future__ import annotations

import itertools
import math

import numpy as np
import torch
from torch.nn import functional as F

ACTIVATIONS = {
    "relu": F.relu,
    "leaky_relu": lambda h: F.leaky_relu(h, 0.2),  # 0.2: the DCGAN slope
    # Smooth ones: a piecewise-linear D has a piecewise-constant ∂D/∂x, which pushes every
    # generated point in one linear piece the same way and leaves boxy modes.
    "silu": F.silu,
    "elu": F.elu,
    "tanh": torch.tanh,
}


class BatchedMLP:
    """K same-shaped MLPs. Weights are views (K, in, out) into one flat parameter, so one
    optimizer step, one clamp and one EMA update each cover the whole network; every op acts
    on a seed's own slice, so seeds never mix."""

    def __init__(self, sizes: list[int], rngs: list[np.random.Generator], activation="relu"):
        self.sizes = sizes
        self.k = len(rngs)
        self.act = ACTIVATIONS[activation]
        self.shapes = []
        for fan_in, fan_out in itertools.pairwise(sizes):
            self.shapes += [(fan_in, fan_out), (1, fan_out)]
        # Per seed, torch.nn.Linear's default init U(-1/√fan_in, 1/√fan_in) for weights and
        # biases, drawn from that seed's own generator: seed i is the same in any batch.
        per_seed = [self._init(rng) for rng in rngs]
        chunks = [np.stack([p[j] for p in per_seed]).reshape(-1) for j in range(len(self.shapes))]
        self.flat = torch.tensor(np.concatenate(chunks), dtype=torch.float32, requires_grad=True)
        self.n_per_seed = sum(a * b for a, b in self.shapes)
        # Leaf tensors that alias the flat storage: autograd differentiates these directly
        # (no slice/view backward per layer), while optimizer, clamp and EMA still act on flat.
        self.params = [v.requires_grad_() for v in self.views(self.flat.detach())]
        self.frozen = [p.detach() for p in self.params]  # same storage, never in a graph

    def flat_grad(self, loss: torch.Tensor) -> torch.Tensor:
        """d loss / d flat, laid out like flat."""
        grads = torch.autograd.grad(loss, self.params)
        return torch.cat([g.reshape(-1) for g in grads])

    def _init(self, rng):
        out = []
        for fan_in, fan_out in itertools.pairwise(self.sizes):
            bound = 1.0 / math.sqrt(fan_in)
            out.append(rng.uniform(-bound, bound, (fan_in, fan_out)))
            out.append(rng.uniform(-bound, bound, (1, fan_out)))
        return out

    def views(self, flat: torch.Tensor | None = None) -> list[torch.Tensor]:
        """The (K, a, b) weight and bias tensors, as views of `flat` (default: the parameter)."""
        flat = self.flat if flat is None else flat
        out, start = [], 0
        for a, b in self.shapes:
            n = self.k * a * b
            out.append(flat[start : start + n].view(self.k, a, b))
            start += n
        return out

    def __call__(self, x: torch.Tensor,
                 flat: torch.Tensor | list[torch.Tensor] | None = None) -> torch.Tensor:
        """x (K, B, in) -> (K, B, out), with the network's own weights (None or self.flat),
        another flat vector such as an EMA, or a list of per-layer tensors (self.frozen)."""
        params = (self.params if flat is None or flat is self.flat
                  else flat if isinstance(flat, list) else self.views(flat))
        h = x
        for i in range(0, len(params), 2):
            w, b = params[i], params[i + 1]
            # 1-wide layers as broadcast-multiply (+ sum): a matmul with a dimension of 1 takes a
            # gemv path whose rounding depends on K, and then seed i of a K-seed run would drift
            # away from the 1-seed run. Written this way every seed's numbers are bit-identical.
            if w.shape[1] == 1:
                h = h * w + b
            elif w.shape[2] == 1:
                h = (h * w.transpose(1, 2)).sum(-1, keepdim=True) + b
            else:
                h = torch.baddbmm(b, h, w)
            if i + 2 < len(params):
                h = self.act(h)
        return h

    def seed_params(self, flat: torch.Tensor | None = None) -> torch.Tensor:
        """(K, n_per_seed): each seed's parameters in one row, for checks and restores."""
        return torch.cat([v.reshape(self.k, -1) for v in self.views(flat)], dim=1)

    def set_seed_params(self, rows: torch.Tensor, mask: torch.Tensor, flat=None) -> None:
        """Overwrite the seeds in `mask` of `flat` (default: the parameter) with `rows`
        (K, n_per_seed), in place."""
        with torch.no_grad():
            start = 0
            for v in self.views(flat):
                n = v[0].numel()
                v[mask] = rows[mask, start : start + n].view(-1, *v.shape[1:])
                start += n


def mlp_sizes(n_in: int, n_out: int, layers: int, width: int) -> list[int]:
    """`layers` hidden layers of `width` units between n_in and n_out."""
    return [n_in] + [width] * layers + [n_out]
