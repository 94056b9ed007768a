"""Targets from user input (a mixture table, an uploaded file, a JSON spec), checked and
refused in plain words."""

from __future__ import annotations

import io
import math
import reprlib

import numpy as np

from ganlab.targets import (
    MAX_ABS,
    TARGETS,
    EmpiricalTarget,
    MixtureTarget,
    ScipyTarget,
    Target,
    TargetError,
    component_problems,
    float32_problem,
    values_problem,
)

MAX_COMPONENTS = 10
MIN_VALUES = 20
MAX_VALUES = 200_000
# The largest file of samples, uploaded or read by the CLI's --data (Streamlit's upload widget
# counts a megabyte as 2**20 bytes). 200 000 values of 25 characters each fit.
MAX_UPLOAD_MB = 5
MAX_BYTES = MAX_UPLOAD_MB * 2**20
EXCERPT = 40  # characters of user text a message may repeat
MAX_NAME = 60  # characters of a target's name (a file name, a spec's "name")

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 3, EXCERPT + 2, EXCERPT


def excerpt(text, limit: int = EXCERPT) -> str:
    """User text (or any value) as at most `limit` characters on one line: the one excerpt, for
    the core's messages and (through `ganlab.ui.text`) the pages. A 4 MB cell is not echoed; a
    line break, control, bidi or other invisible character, or a lone surrogate, is spelled out
    (\\n, \\u202e, \\ud800), so the result is one line of characters a browser can show; deeply
    nested JSON values are summarised (reprlib) rather than recursed into; a cut ends in "…"."""
    if not isinstance(text, str):
        text = _REPR.repr(text)
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[: limit + 1])
    return shown if len(shown) <= limit and len(text) <= limit else shown[: limit - 1] + "…"


def mixture(rows, name: str = "custom mixture") -> MixtureTarget:
    """A Gaussian mixture from (weight, mean, std) rows; weights are normalised. Every problem
    is reported at once, each naming its row (counted from 1)."""
    try:
        rows = [tuple(r) for r in rows]
    except TypeError:
        raise TargetError("a mixture is a list of (weight, mean, std) rows") from None
    problems: list[str] = []
    if not rows:
        raise TargetError("the mixture has no components: add at least one (weight, mean, std) row")
    if len(rows) > MAX_COMPONENTS:
        raise TargetError(f"{len(rows):,} components is too many (at most {MAX_COMPONENTS})")
    clean: list[tuple[float, float, float]] = []
    for i, row in enumerate(rows, start=1):
        if len(row) != 3:
            problems.append(f"row {i}: needs weight, mean and std (got {len(row)} values)")
            continue
        try:
            w, m, s = (float(v) for v in row)
        except (TypeError, ValueError):
            problems.append(f"row {i}: weight, mean and std must be numbers (got {excerpt(row)})")
            continue
        except OverflowError:  # an integer too large for a float, from JSON
            problems.append(f"row {i}: weight, mean and std must be finite numbers")
            continue
        if not all(math.isfinite(v) for v in (w, m, s)):
            problems.append(f"row {i}: weight, mean and std must be finite numbers")
            continue
        if w < 0:
            problems.append(f"row {i}: weight {w:g} is negative; weights must be ≥ 0")
        if s <= 0:
            problems.append(f"row {i}: std {s:g} must be greater than 0")
        clean.append((w, m, s))
    if not problems and sum(w for w, _, _ in clean) <= 0:
        problems.append("all weights are 0: at least one component needs a positive weight")
    kept = [(w, m, s) for w, m, s in clean if w > 0]
    if not problems:
        # Numbers fine in float64 may still be beyond what float32 training represents.
        problems = component_problems(clean)
    if problems:
        raise TargetError("; ".join(problems))
    raw = [w for w, _, _ in kept]
    if not math.isfinite(sum(raw)):  # weights of 1e308 overflow the sum (all would become 0):
        raw = [w / max(raw) for w in raw]  # relative weights, so scale by the largest first
    total = sum(raw)
    # Weights that already add up to 1 (a saved spec) are kept bit for bit: dividing again can
    # move the last bit, and then a reloaded mixture would differ from the one saved.
    weights = tuple(raw) if abs(total - 1) <= 1e-12 else tuple(w / total for w in raw)
    means = tuple(m for _, m, _ in kept)
    stds = tuple(s for _, _, s in kept)
    desc = " + ".join(
        f"{wi:.2g}·N({mi:g}, {si:g})" for wi, mi, si in zip(weights, means, stds, strict=True)
    )
    return MixtureTarget(excerpt(name, MAX_NAME), weights, means, stds, description=desc)


def empirical(values, name: str = "uploaded data") -> EmpiricalTarget:
    """The law of a data set given as numbers."""
    try:
        arr = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError, OverflowError) as exc:
        raise TargetError(f"the data must be numbers ({excerpt(str(exc))})") from None
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        where = ", ".join(str(i + 1) for i in bad[:5]) + (" …" if bad.size > 5 else "")
        raise TargetError(f"{bad.size} value(s) are NaN or infinite (at value {where})")
    if arr.size < MIN_VALUES:
        raise TargetError(f"only {arr.size} values; at least {MIN_VALUES} are needed")
    if arr.size > MAX_VALUES:
        raise TargetError(f"{arr.size:,} values is too many (at most {MAX_VALUES:,})")
    if np.ptp(arr) == 0:
        raise TargetError(
            f"all {arr.size} values are {arr[0]:g}: a constant column has no spread to learn"
        )
    largest = int(np.argmax(np.abs(arr)))
    size = float(abs(arr[largest]))
    target = None
    if size <= MAX_ABS:  # else the std's squares could overflow, and the size says enough
        target = EmpiricalTarget(
            excerpt(name, MAX_NAME),
            tuple(float(v) for v in arr),
            description=f"{arr.size} values from {arr.min():.3g} to {arr.max():.3g}",
        )
    # The law's std (the piecewise-linear law the engine samples), as config.validate checks.
    std = math.nan if target is None else target.std
    problem = values_problem(size, std, f"value {largest + 1} is {arr[largest]:.3g}")
    if problem is not None or target is None:
        raise TargetError(problem or "the data cannot be used")
    return target


def parse_csv(data: bytes | str, column: int = 0) -> np.ndarray:
    """Numbers from a CSV/text column (header optional). Refuses, naming line and cell, anything
    that is not a plain number. Nothing is evaluated or unpickled: the file is read as text."""
    if len(data) > MAX_BYTES:
        raise TargetError(
            f"the file is {len(data) / 2**20:.1f} MB; at most {MAX_UPLOAD_MB} MB "
            f"({MAX_VALUES:,} values) fit"
        )
    if isinstance(data, bytes):
        if b"\x00" in data[:8192]:
            raise TargetError("the file is binary, not text: upload a CSV or plain-text column")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TargetError("the file is not UTF-8 text: upload a CSV or a text column") from None
    lines = [(i, ln.strip()) for i, ln in enumerate(io.StringIO(data).read().splitlines(), 1)]
    lines = [(i, ln) for i, ln in lines if ln and not ln.startswith("#")]
    if not lines:
        raise TargetError("the file is empty: it needs one number per line")
    if len(lines) > MAX_VALUES + 1:
        raise TargetError(f"the file has {len(lines):,} lines; at most {MAX_VALUES:,} values fit")
    sep = next((s for s in (",", ";", "\t") if s in lines[0][1]), None)
    values: list[float] = []
    problems: list[str] = []
    for pos, (lineno, text) in enumerate(lines):
        if len(problems) >= 5:  # enough to fix the file; a 100 000-line list helps nobody
            break
        cells = text.split(sep) if sep else text.split()
        if column >= len(cells):
            problems.append(f"line {lineno} has no column {column + 1}")
            continue
        cell = cells[column].strip().strip('"').strip("'")
        try:
            v = float(cell)
        except ValueError:
            if pos == 0:  # a header line
                continue
            problems.append(f"line {lineno}: '{excerpt(cell)}' is not a number")
            continue
        if not math.isfinite(v):
            problems.append(f"line {lineno}: '{excerpt(cell)}' is not a finite number")
            continue
        values.append(v)
    if problems:
        more = " (and possibly more)" if len(problems) >= 5 else ""
        raise TargetError("; ".join(problems) + more)
    return np.array(values)


# Families a spec may name, with the parameters each takes: a JSON spec never reaches an
# arbitrary attribute of scipy.stats.
SCIPY_FAMILIES = {"norm": ("loc", "scale"), "uniform": ("loc", "scale"), "expon": ("loc", "scale")}


def scipy_target(family: str, params: dict, name: str | None = None) -> ScipyTarget:
    """A normal, uniform or exponential law with the given loc/scale, checked."""
    if family not in SCIPY_FAMILIES:
        raise TargetError(f"family '{excerpt(family)}' is not one of {', '.join(SCIPY_FAMILIES)}")
    extra = sorted(str(k) for k in set(params) - set(SCIPY_FAMILIES[family]))
    if extra:
        raise TargetError(
            f"{family} takes {' and '.join(SCIPY_FAMILIES[family])}, not {excerpt(extra[0])}"
        )
    try:
        clean = {k: float(v) for k, v in params.items()}
    except (TypeError, ValueError):
        raise TargetError(f"{family} parameters must be numbers") from None
    except OverflowError:  # an integer too large for a float, from JSON
        raise TargetError(f"{family} parameters must be finite") from None
    if not all(math.isfinite(v) for v in clean.values()):
        raise TargetError(f"{family} parameters must be finite")
    if clean.get("scale", 1.0) <= 0:
        raise TargetError(f"{family} scale must be greater than 0 (got {clean['scale']:g})")
    label = f"{family}({', '.join(f'{k}={v:g}' for k, v in clean.items())})"
    if name:
        label = excerpt(name, MAX_NAME)
    target = ScipyTarget(label, family, tuple(sorted(clean.items())), description=label)
    problem = float32_problem(target)
    if problem:
        raise TargetError(f"{label}: {problem}")
    return target


def get(spec) -> Target:
    """A Target from a registry name, a Target, or a spec dict (see `Target.to_spec`)."""
    if isinstance(spec, Target):
        return spec
    if isinstance(spec, str):
        if spec not in TARGETS:
            raise TargetError(
                f"unknown target '{excerpt(spec)}'; choose one of {', '.join(TARGETS)}"
            )
        return TARGETS[spec]
    if isinstance(spec, dict):
        # Specs come from user JSON: check the shapes before using them.
        if isinstance(spec.get("builtin"), str):
            return get(spec["builtin"])
        if isinstance(spec.get("mixture"), list):
            return mixture(spec["mixture"])
        if isinstance(spec.get("data"), list):
            return empirical(spec["data"])
        if isinstance(spec.get("scipy"), str) and isinstance(spec.get("params", {}), dict):
            name = spec.get("name")
            return scipy_target(
                spec["scipy"], spec.get("params", {}), name if isinstance(name, str) else None
            )
    raise TargetError(
        "a target is a built-in name, {'mixture': [[w, mean, std], ...]}, "
        "{'data': [numbers]} or {'scipy': family, 'params': {...}}"
    )
