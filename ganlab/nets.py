"""K independent MLPs run as one batched program, with a hand-written backward pass."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, overload

import numpy as np
import torch
from torch.nn import functional as F

aten = torch.ops.aten


@dataclass(frozen=True)
class Activation:
    """σ, and `back(g, a, h)` = g·σ'(a) for h = σ(a), in one kernel (autograd's own backward
    op). `d2(a, h)` = σ''(a) is needed only by the gradient penalty's second derivative, and is
    None where it is zero almost everywhere (piecewise-linear σ)."""

    fn: Callable[[torch.Tensor], torch.Tensor]
    back: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
    d2: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None

    def __reduce__(self):
        # By name: a run's state travels to a training process (ganlab.service), and lambdas
        # cannot be pickled.
        name = next(k for k, v in ACTIVATIONS.items() if v is self)
        return (activation, (name,))


def activation(name: str) -> Activation:
    return ACTIVATIONS[name]


def _silu_d2(a, h):
    s = torch.sigmoid(a)
    return s * (1 - s) * (2 + a * (1 - 2 * s))


ACTIVATIONS = {
    "relu": Activation(torch.relu, lambda g, a, h: aten.threshold_backward(g, h, 0.0)),
    # 0.2: the DCGAN slope
    "leaky_relu": Activation(
        lambda a: F.leaky_relu(a, 0.2), lambda g, a, h: aten.leaky_relu_backward(g, a, 0.2, False)
    ),
    # Smooth ones: a piecewise-linear D has a piecewise-constant ∂D/∂x, which pushes every
    # generated point in one linear piece the same way and leaves boxy modes.
    "silu": Activation(F.silu, lambda g, a, h: aten.silu_backward(g, a), _silu_d2),
    "elu": Activation(
        F.elu,
        lambda g, a, h: aten.elu_backward(g, 1.0, 1, 1, False, a),
        lambda a, h: torch.where(a > 0, 0.0, h + 1),
    ),
    "tanh": Activation(
        torch.tanh, lambda g, a, h: aten.tanh_backward(g, h), lambda a, h: -2 * h * (1 - h * h)
    ),
}


# --- one layer, x (K, B, in) @ w (K, in, out) + b (K, 1, out) --------------------------------
# 1-wide layers are written as broadcast-multiply (+ sum): a matmul with a dimension of 1 takes a
# gemv path whose rounding depends on K, and then seed i of a K-seed run would drift away from
# the 1-seed run. Written this way (forward and backward) every seed's numbers are bit-identical
# for batch sizes and widths that are multiples of 8 (every value the app offers): at other sizes
# element-wise kernels vectorise across seed boundaries and the last bits can differ.


def _matmul(h: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    if w.shape[1] == 1:
        return h * w
    if w.shape[2] == 1:
        return (h * w.transpose(1, 2)).sum(-1, keepdim=True)
    return torch.bmm(h, w)


def _linear(h: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if w.shape[1] == 1:
        return torch.addcmul(b, h, w)
    if w.shape[2] == 1:
        return (h * w.transpose(1, 2)).sum(-1, keepdim=True) + b
    return torch.baddbmm(b, h, w)


def _matmul_t(g: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """g (K, B, out) @ wᵀ: the gradient with respect to the layer's input."""
    if w.shape[1] == 1:
        return (g * w).sum(-1, keepdim=True)
    if w.shape[2] == 1:
        return g * w.transpose(1, 2)
    return torch.bmm(g, w.transpose(1, 2))


def _weight_grad(h: torch.Tensor | None, g: torch.Tensor, out: torch.Tensor, add: bool) -> None:
    """hᵀ @ g (summed over the batch) written into, or added to, `out` (K, in, out).
    h = None stands for a column of ones (the slope of the input with respect to itself)."""
    w_in, w_out = out.shape[1], out.shape[2]
    if h is None:
        value = g.sum(1, keepdim=True)
    elif w_in == 1 or w_out == 1:
        value = (h * g).sum(1, keepdim=True)  # (K, 1, in·out)
        if w_out == 1:
            value = value.transpose(1, 2)
    else:
        if add:
            out.baddbmm_(h.transpose(1, 2), g)
        else:
            torch.bmm(h.transpose(1, 2), g, out=out)
        return
    if add:
        out.add_(value)
    else:
        out.copy_(value)


class BatchedMLP:
    """K same-shaped MLPs. Weights are views (K, in, out) into one flat tensor, so one optimizer
    step, one clamp and one EMA update each cover the whole network; every op acts on a seed's
    own slice, so seeds never mix. Gradients are computed by hand (no autograd graph: at these
    sizes building it costs more than the arithmetic) into `grad`, laid out like `flat`."""

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
        self.flat = torch.tensor(np.concatenate(chunks), dtype=torch.float32)
        self.n_per_seed = sum(a * b for a, b in self.shapes)
        self.params = self.views(self.flat)
        self.grad = torch.zeros_like(self.flat)
        self.grads = self.views(self.grad)

    def _init(self, rng):
        out = []
        for fan_in, fan_out in itertools.pairwise(self.sizes):
            bound = 1.0 / math.sqrt(fan_in)
            out.append(rng.uniform(-bound, bound, (fan_in, fan_out)))
            out.append(rng.uniform(-bound, bound, (1, fan_out)))
        return out

    def views(self, flat: torch.Tensor, k: int | None = None) -> list[torch.Tensor]:
        """The (K, a, b) weight and bias tensors, as views of a flat vector laid out like ours
        (or like ours would be for k seeds)."""
        k = self.k if k is None else k
        out, start = [], 0
        for a, b in self.shapes:
            n = k * a * b
            out.append(flat[start : start + n].view(k, a, b))
            start += n
        return out

    # --- seed shards (a slice trained on several processes: ganlab.training) ---------------------
    def take(self, flat: torch.Tensor, a: int, b: int) -> torch.Tensor:
        """Seeds a..b−1 of `flat` (laid out like ours), laid out for b − a seeds."""
        return torch.cat([v[a:b].reshape(-1) for v in self.views(flat)])

    def join(self, flats: list[torch.Tensor]) -> torch.Tensor:
        """The seeds of `flats` (each laid out for its own seeds), in order, laid out like ours."""
        parts = [self.views(f, f.numel() // self.n_per_seed) for f in flats]
        return torch.cat([torch.cat(layer).reshape(-1) for layer in zip(*parts, strict=True)])

    def keep_seeds(self, a: int, b: int) -> None:
        """Become the network of seeds a..b−1 alone."""
        self.flat = self.take(self.flat, a, b)
        self.k = b - a
        self.params = self.views(self.flat)
        self.grad = torch.zeros_like(self.flat)
        self.grads = self.views(self.grad)

    def _params(self, flat: torch.Tensor | None) -> list[torch.Tensor]:
        return self.params if flat is None or flat is self.flat else self.views(flat)

    # --- forward and backward -------------------------------------------------------------------
    def __call__(
        self, x: torch.Tensor, flat: torch.Tensor | None = None, tape: list | None = None
    ) -> torch.Tensor:
        """x (K, B, in) -> (K, B, out), with our weights or another flat vector (an EMA).
        With a `tape` (a list), keeps what `backward` needs."""
        params = self._params(flat)
        last = len(params) - 2
        h = x
        for i in range(0, len(params), 2):
            a = _linear(h, params[i], params[i + 1])
            h_in, h = h, (a if i == last else self.act.fn(a))
            if tape is not None:
                tape.append((h_in, a, h))
        return h

    @overload
    def backward(self, tape: list, g: torch.Tensor, weights: Literal[True] = ...) -> None: ...
    @overload
    def backward(self, tape: list, g: torch.Tensor, weights: Literal[False]) -> torch.Tensor: ...
    def backward(self, tape: list, g: torch.Tensor, weights: bool = True) -> torch.Tensor | None:
        """Given g = ∂loss/∂output (K, B, out) and the tape of the forward pass, writes
        ∂loss/∂weights into self.grad (if `weights`) and returns ∂loss/∂input (if not
        `weights`: the G step only needs the gradient to flow through D to its input)."""
        params = self.params
        for j in range(len(tape) - 1, -1, -1):
            h_in, a, h = tape[j]
            if j < len(tape) - 1:
                g = self.act.back(g, a, h)
            if weights:
                _weight_grad(h_in, g, self.grads[2 * j], add=False)
                torch.sum(g, 1, keepdim=True, out=self.grads[2 * j + 1])
                if j == 0:
                    return None
            g = _matmul_t(g, params[2 * j])
        return g

    # --- the slope f'(x) and its gradient, for the gradient penalty -------------------------------
    def slope(self, x: torch.Tensor, tape: list | None = None) -> torch.Tensor:
        """df/dx (K, B, 1) of a scalar network on scalar inputs x (K, B, 1), by forward-mode
        differentiation: each layer carries its value and its derivative in x."""
        params = self.params
        last = len(params) - 2
        h = x
        t: torch.Tensor | None = None  # t = dh/dx; None: the input's own slope, 1
        for i in range(0, last, 2):
            w = params[i]
            a = _linear(h, w, params[i + 1])
            t_a = w.expand_as(a) if t is None else _matmul(t, w)
            h_in, t_in, h = h, t, self.act.fn(a)
            t = self.act.back(t_a, a, h)
            if tape is not None:
                tape.append((h_in, t_in, a, t_a, h, t))
        # Configs give D at least one hidden layer (d_layers ≥ 1), so the loop ran and set t.
        assert t is not None, "slope needs a network with a hidden layer"
        return _matmul(t, params[last])  # the last layer is linear: its bias has no slope

    def slope_backward(self, tape: list, g: torch.Tensor) -> None:
        """Adds ∂loss/∂weights to self.grad, for g = ∂loss/∂slope (K, B, 1)."""
        params = self.params
        n = len(tape)
        _weight_grad(tape[-1][5], g, self.grads[2 * n], add=True)  # last layer, from its slope
        dt = _matmul_t(g, params[2 * n])  # ∂loss/∂(slope of h) below the last layer
        dh = None  # ∂loss/∂h through σ'' (smooth activations only)
        for j in range(n - 1, -1, -1):
            h_in, t_in, a, t_a, h, _ = tape[j]
            da = None if dh is None else self.act.back(dh, a, h)
            if self.act.d2 is not None:  # the slope σ'(a)·t_a also moves with a
                curv = dt * self.act.d2(a, h) * t_a
                da = curv if da is None else da + curv
            dt = self.act.back(dt, a, h)
            _weight_grad(t_in, dt, self.grads[2 * j], add=True)
            if da is not None:
                _weight_grad(h_in, da, self.grads[2 * j], add=True)
                self.grads[2 * j + 1].add_(da.sum(1, keepdim=True))
            if j > 0:
                w = params[2 * j]
                dt = _matmul_t(dt, w)
                dh = None if da is None else _matmul_t(da, w)

    # --- per-seed rows --------------------------------------------------------------------------
    def seed_params(self, flat: torch.Tensor | None = None) -> torch.Tensor:
        """(K, n_per_seed): each seed's parameters in one row, for checks and restores."""
        return torch.cat([v.reshape(self.k, -1) for v in self._params(flat)], dim=1)

    def set_seed_params(self, rows: torch.Tensor, mask: torch.Tensor, flat=None) -> None:
        """Overwrite the seeds in `mask` of `flat` (default: ours) with `rows` (K, n_per_seed)."""
        start = 0
        for v in self._params(flat):
            n = v[0].numel()
            v[mask] = rows[mask, start : start + n].view(-1, *v.shape[1:])
            start += n


def mlp_sizes(n_in: int, n_out: int, layers: int, width: int) -> list[int]:
    """`layers` hidden layers of `width` units between n_in and n_out."""
    return [n_in] + [width] * layers + [n_out]
