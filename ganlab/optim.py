"""Adam, RMSprop and SGD on one flat tensor, with the numbers torch.optim computes."""

from __future__ import annotations

import torch


class FlatOptimizer:
    """torch.optim's Adam, RMSprop and SGD at their CPU defaults (single-tensor, not fused), on
    one flat tensor, without Optimizer.step's per-call Python (hooks, profiler scope, param-group
    loops) and without torch.optim's import of torch._dynamo (1.1 s, ~65 MB): the same
    arithmetic in the same order, so the same numbers as torch.optim.Adam(foreach=False). Each
    acts element-wise and, unlike the fused Adam kernel, gives a seed bit-identical numbers
    whatever K it runs in."""

    def __init__(self, kind: str, param: torch.Tensor, lr: float, betas: tuple[float, float]):
        self.kind, self.param, self.lr, self.betas = kind, param, lr, betas  # lr: schedulable
        self._n = 0.0  # steps taken (a float, as torch.optim's step.item())
        self._m = torch.zeros_like(param)  # Adam exp_avg / RMSprop square_avg
        self._v = torch.zeros_like(param)  # Adam exp_avg_sq

    def step(self, g: torch.Tensor) -> None:
        """One in-place update of the parameter with the gradient g (laid out like it)."""
        lr = self.lr
        if self.kind == "adam":
            # torch.optim.Adam's single-tensor update, op for op (eps 1e-8).
            self._n += 1
            b1, b2 = self.betas
            self._m.lerp_(g, 1 - b1)
            self._v.mul_(b2).addcmul_(g, g, value=1 - b2)
            denom = (self._v.sqrt() / (1 - b2**self._n) ** 0.5).add_(1e-8)
            self.param.addcdiv_(self._m, denom, value=-lr / (1 - b1**self._n))
        elif self.kind == "rmsprop":  # torch.optim.RMSprop: alpha 0.99, eps 1e-8
            self._m.mul_(0.99).addcmul_(g, g, value=1 - 0.99)
            self.param.addcdiv_(g, self._m.sqrt().add_(1e-8), value=-lr)
        else:
            self.param.add_(g, alpha=-lr)
