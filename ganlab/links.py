"""A page's settings in its link (?steps=2000&gp_preset=paper), parsed and checked here against
the one field declaration (config.FIELDS) before any widget sees them; bad ones are named."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ganlab import compare
from ganlab.config import FIELDS, INTEGER_FIELDS, PRESETS, fmt
from ganlab.targets import TARGETS
from ganlab.user_targets import excerpt
from ganlab.variants import VARIANTS

# The number syntaxes a link of ours carries (Python's float() also takes " 5 ", "1_000",
# "infinity" and non-ASCII digits; nobody writes those into a link by accident). A grid widget
# writes its label, so whole numbers may group thousands: 10,000.
_INT = re.compile(r"[+-]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)", re.ASCII)
_FLOAT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)
_LONGEST_NUMBER = 64  # longer is never a number we take (and int() of 5,000 digits raises)

Value = int | float | str | bool | list[str]  # a list: the names a "subset" parameter chose


@dataclass(frozen=True)
class Param:
    """One query parameter a page reads: its name in the link, what it holds and what is allowed.
    kind: "int" or "float" (within `range`), "choice" (one of `choices`), "bool" (true/false),
    "subset" (some of `choices`, comma-separated, each once: ?variants=gan,lsgan; read in the
    order of `choices`). `grid` is the widget's offer; a value off it but in range is fine (it
    joins the grid)."""

    key: str
    kind: str
    range: tuple[float, float] | None = None
    choices: tuple[str, ...] = ()
    grid: tuple = ()

    def read(self, text: str) -> tuple[Value | None, str]:
        """(value, "") or (None, the problem in words)."""
        shown = f"{excerpt(self.key)}={excerpt(text)}"
        if text == "":
            return None, f"{excerpt(self.key)} has no value — ignored"
        if self.kind == "choice":
            if text in self.choices:
                return text, ""
            return None, f"{shown} is not one of {', '.join(self.choices)} — ignored"
        if self.kind == "bool":
            if text.lower() in ("true", "false"):
                return text.lower() == "true", ""
            return None, f"{shown} is not true or false — ignored"
        if self.kind == "subset":
            return self._subset(text, shown)
        whole = self.kind == "int"
        value = _number(text, whole)
        lo, hi = self.range or (float("-inf"), float("inf"))
        if value is None or not lo <= value <= hi:
            what = "a whole number" if whole else "a number"
            return None, f"{shown} is not {what} between {fmt(lo)} and {fmt(hi)} — ignored"
        return value, ""

    def _subset(self, text: str, shown: str) -> tuple[list[str] | None, str]:
        """The names `text` lists, in the order of `choices`, or the first problem in words."""
        names = text.split(",")
        unknown = [n for n in names if n not in self.choices]
        if "" in unknown:
            return None, f"{shown} has an empty name (a stray comma) — ignored"
        if unknown:
            return None, (
                f"{shown}: '{excerpt(unknown[0], 20)}' is not one of "
                f"{', '.join(self.choices)} — ignored"
            )
        twice = [n for n in dict.fromkeys(names) if names.count(n) > 1]
        if twice:
            return None, f"{shown}: '{twice[0]}' is named twice — ignored"
        return [c for c in self.choices if c in names], ""

    def text(self, value: Value) -> str:
        """`value` as our own links spell it: what the widget matches a link against (a grid
        widget compares its labels, so ?wgan_clip=0.10 becomes 0.1 and ?gp_lr=0.00001 1e-05)."""
        if isinstance(value, list):
            return ",".join(c for c in self.choices if c in value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if self.grid:
            return fmt(value)  # 0.001, 1e-05, 10,000: the grid widget's own labels
        return repr(value) if isinstance(value, float) else str(value)


Spec = Mapping[str, Param]  # query key -> Param, one per setting a page reads from its link


def _number(text: str, whole: bool) -> int | float | None:
    """The number `text` spells, or None (malformed, too long, inf, nan, 1e400)."""
    if len(text) > _LONGEST_NUMBER:
        return None
    if whole:
        return int(text.replace(",", "")) if _INT.fullmatch(text) else None
    if not _FLOAT.fullmatch(text):
        return None
    value = float(text) + 0.0  # -0 → 0
    return value if math.isfinite(value) else None  # 1e400 parses as inf


def field(name: str, key: str | None = None) -> Param:
    """A config field as a link parameter, from its declaration: kind, range, choices, grid."""
    f = FIELDS[name]
    if f.choices:
        kind = "choice"
    elif f.widget == "toggle":
        kind = "bool"
    elif f.range is None:
        raise ValueError(f"field {name} declares no range or choices for a link")
    else:
        kind = "int" if name in INTEGER_FIELDS else "float"
    return Param(key or f.key, kind, f.range, f.choices or (), f.grid)


def parse(params: Mapping[str, str | list[str]], spec: Spec) -> tuple[dict[str, Value], list[str]]:
    """The values of `params` (a query string's keys → value or repeated values) that `spec`
    allows, and one sentence per key it ignores: unknown, repeated, empty, malformed, non-finite,
    out of range or not a choice."""
    values: dict[str, Value] = {}
    problems: list[str] = []
    for key, raw in params.items():
        given = [raw] if isinstance(raw, str) else list(raw)
        if key not in spec:
            shown = f"{excerpt(key)}={excerpt(given[0])}" if len(given) == 1 else excerpt(key)
            problems.append(f"{shown} is not a setting of this page — ignored")
        elif len(given) != 1:
            listed = ", ".join(excerpt(g, 12) for g in given[:3]) + (
                ", …" if len(given) > 3 else ""
            )
            problems.append(
                f"{excerpt(key)} is given {len(given)} times ({listed}) — ignored: give it once"
            )
        else:
            value, problem = spec[key].read(given[0])
            if value is None:
                problems.append(problem)
            else:
                values[key] = value
    return values, problems


# --- the Compare page ---------------------------------------------------------------------------
VARIANTS_KEY = "variants"  # the Compare page's chosen variants: ?variants=gan,lsgan,rpgan


def compare_key(variant: str, name: str) -> str:
    """A Compare knob's query parameter (and widget key): the variant's prefix and the field's
    link name (d_steps by the papers' names: gan_k, wgan_ncritic; also "preset" and "lr")."""
    v = VARIANTS[variant]
    short = v.steps_url if name == "d_steps" else FIELDS[name].key if name in FIELDS else name
    return f"{v.url}_{short}"


def compare_spec(targets: tuple[str, ...] = tuple(TARGETS)) -> dict[str, Param]:
    """Everything the Compare page reads from its link: which variants (?variants=gan,lsgan; the
    classics when absent), the shared target, seeds, budget and first seed; and every variant's
    preset and knobs (its own, plus "lr", G's learning rate), chosen or not, so a link may set a
    variant's knobs before it is picked. `targets`: the names the page's picker writes."""
    spec = {
        VARIANTS_KEY: Param(VARIANTS_KEY, "subset", choices=compare.ORDER),
        "target": Param("target", "choice", choices=targets),
        "seeds": field("n_seeds", "seeds"),
        "steps": field("steps"),
        "seed": field("seed"),
    }
    for v in compare.ORDER:
        preset = compare_key(v, "preset")
        spec[preset] = Param(preset, "choice", choices=tuple(PRESETS[v]))
        for name in compare.knobs(v):
            key = compare_key(v, name)
            spec[key] = field("lr_g" if name == "lr" else name, key)
    return spec
