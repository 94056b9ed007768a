"""What a run really holds, measured by walking its objects: the reference the cost model
(`ganlab.budget.estimate(cfg).held` and `.compact`) is checked against, by tests/test_budget.py
and `python bench/soak.py model`.

It lives here, not in ganlab/budget.py: it must follow torch tensors (the budget module is
torch-free and predicts from the config alone), and a reference should not be the code it checks.
"""

from __future__ import annotations

import numpy as np
import torch


def held_bytes(run) -> int:
    """Bytes of every tensor and array a run holds: its attributes, followed into lists, dicts
    and ganlab objects; each buffer counted once, however many views share it."""
    seen: set[int] = set()
    total, stack, visited = 0, [run], set()
    while stack:
        obj = stack.pop()
        if id(obj) in visited:
            continue
        visited.add(id(obj))
        if isinstance(obj, torch.Tensor):
            storage = obj.untyped_storage()
            if storage.data_ptr() not in seen:
                seen.add(storage.data_ptr())
                total += storage.nbytes()
        elif isinstance(obj, np.ndarray):
            base = obj
            while isinstance(base.base, np.ndarray):
                base = base.base
            if base.ctypes.data not in seen:
                seen.add(base.ctypes.data)
                total += base.nbytes
        elif isinstance(obj, dict):
            stack += list(obj.values())
        elif isinstance(obj, list | tuple):
            stack += list(obj)
        elif type(obj).__module__.startswith("ganlab") and hasattr(obj, "__dict__"):
            stack += list(vars(obj).values())
    return total
