"""A variant page's whole run in its link: preset or lesson, target (a built-in name or a custom
mixture), and every setting that differs from what the preset gives — read and written through
the one field declaration (config.FIELDS), so a link opens exactly the run it was copied from."""

from __future__ import annotations

import dataclasses
import re

from ganlab.config import FIELDS, TrainConfig, apply_preset, make, preset
from ganlab.lessons import LESSONS
from ganlab.links import Param, Spec, Value, field
from ganlab.targets import TARGETS, MixtureTarget, Target, TargetError
from ganlab.user_targets import MAX_COMPONENTS, excerpt, mixture

PRESET, TARGET, MIX = "preset", "target", "mix"
CUSTOM = "custom"  # ?target=custom&mix=…: a Gaussian mixture spelled in the link
DEFAULT_PRESET = "tuned"  # what a page starts on; left out of its links
# Every setting a link may carry: the declared fields with a range, choices or a toggle. Fields
# without a widget (Adam's betas) are in it too: a lesson or an old run may set them.
SETTINGS = tuple(
    f.name
    for f in dataclasses.fields(TrainConfig)
    if f.name not in ("variant", "target")
    and (FIELDS[f.name].range or FIELDS[f.name].choices or FIELDS[f.name].widget == "toggle")
)
# weight:mean:std per component, components separated by commas; plain decimal numbers only
_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_COMPONENT = re.compile(rf"({_NUMBER}):({_NUMBER}):({_NUMBER})", re.ASCII)
_LONGEST_MIX = MAX_COMPONENTS * 3 * 26  # three reprs of a float per component, and separators


class _Text(Param):
    """A parameter read as it is written (the mixture; its own parser checks it later)."""

    def read(self, text: str) -> tuple[Value | None, str]:
        if text == "":
            return None, f"{self.key} has no value — ignored"
        return text, ""

    def text(self, value: Value) -> str:
        return str(value)


def presets(variant: str) -> tuple[str, ...]:
    """The starting points a variant page offers, in its picker's order: tuned, paper, lessons."""
    return ("tuned", "paper", *(k for k, lesson in LESSONS.items() if lesson.variant == variant))


def base(variant: str, name: str) -> TrainConfig:
    """The run a starting point gives on a fresh page: a lesson, or the preset picked there
    (applied to the tuned one the page opens with, as the picker does)."""
    if name in LESSONS:
        return LESSONS[name].config()
    return apply_preset(preset(variant, DEFAULT_PRESET), name)


def spec(variant: str) -> Spec:
    """Every parameter a variant page reads from its link."""
    out: dict[str, Param] = {
        PRESET: Param(PRESET, "choice", choices=presets(variant)),
        TARGET: Param(TARGET, "choice", choices=(*TARGETS, CUSTOM)),
        MIX: _Text(MIX, "text"),
    }
    for name in SETTINGS:
        p = field(name)
        out[p.key] = p
    return out


def mix_text(target: MixtureTarget) -> str:
    """A mixture as the link spells it: weight:mean:std,… (repr: exact, so the link reopens the
    same target bit for bit)."""
    return ",".join(":".join(repr(float(v)) for v in c) for c in target.components)


def parse_mix(text: str) -> MixtureTarget:
    """The mixture a link's ?mix= spells, or TargetError in words."""
    if len(text) > _LONGEST_MIX:
        raise TargetError(f"mix is {len(text):,} characters long; a mixture link is shorter")
    rows = []
    for i, part in enumerate(text.split(","), start=1):
        m = _COMPONENT.fullmatch(part)
        if m is None:
            raise TargetError(
                f"mix component {i} ({excerpt(part, 24)}) is not weight:mean:std, e.g. 0.5:2:0.4"
            )
        rows.append(tuple(float(g) for g in m.groups()))
    return mixture(rows)


def link(cfg: TrainConfig, start: str) -> dict[str, str]:
    """cfg as a link, relative to the starting point `start` it was made from: the preset (unless
    the default), the target (unless the starting point's) and every setting that differs."""
    spec_ = spec(cfg.variant)
    was = base(cfg.variant, start)
    out: dict[str, str] = {}
    if start != DEFAULT_PRESET:
        out[PRESET] = start
    if cfg.target != was.target:
        if TARGETS.get(cfg.target.name) == cfg.target:
            out[TARGET] = cfg.target.name
        elif isinstance(cfg.target, MixtureTarget):
            out[TARGET], out[MIX] = CUSTOM, mix_text(cfg.target)
        # data a visitor uploaded cannot travel in a link: it is left out (the page says so)
    for name in SETTINGS:
        value = getattr(cfg, name)
        if value != getattr(was, name):
            key = FIELDS[name].key
            out[key] = spec_[key].text(value)
    return out


def target_of(values: dict[str, Value]) -> Target | None:
    """The target a link names (None: the starting point's own). Raises TargetError."""
    chosen = values.get(TARGET)
    if chosen == CUSTOM or (chosen is None and MIX in values):
        if MIX not in values:
            raise TargetError("target=custom needs its mixture: add mix=weight:mean:std,…")
        return parse_mix(str(values[MIX]))
    if MIX in values:
        raise TargetError(f"mix is only read with target=custom (the link says target={chosen})")
    return TARGETS[str(chosen)] if chosen is not None else None


def config(variant: str, values: dict[str, Value]) -> tuple[TrainConfig, str]:
    """The run a link describes and its starting point. Raises ConfigError or TargetError."""
    start = str(values.get(PRESET, DEFAULT_PRESET))
    was = base(variant, start)
    target = target_of(values) or was.target
    by_key = {FIELDS[n].key: n for n in SETTINGS}
    settings = {by_key[k]: v for k, v in values.items() if k in by_key}
    fields = {n: getattr(was, n) for n in SETTINGS} | settings
    return make(variant=variant, target=target, **fields), start
