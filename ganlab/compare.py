"""Comparing variants on one target, seeds and budget: their configs, saving and loading them,
the verdict in words and what the literature says (the measured table is ganlab.report's)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TypedDict

import numpy as np
import pandas as pd

from ganlab import config, metrics
from ganlab.config import PRESETS, ConfigError, TrainConfig
from ganlab.report import number
from ganlab.targets import TARGETS, Target
from ganlab.user_targets import excerpt
from ganlab.variants import CLASSICS, VARIANTS

# Columns, left to right, of any comparison: the registry's order, whichever variants it holds.
ORDER = tuple(VARIANTS)
SHARED = ("target", "n_seeds", "steps", "seed")
# A comparison holds at least one variant: one alone is still measured against the target and
# the sampling noise floor (the CLI trains a single variant too); none has nothing to show.
MIN_VARIANTS = 1


class Defaults(TypedDict):
    """Where a comparison starts: its variants, the SHARED settings and every variant's preset."""

    variants: tuple[str, ...]  # keys of VARIANTS, in registry order
    target: str  # a built-in target's name
    n_seeds: int
    steps: int
    seed: int
    preset: str


# The three the pages are about (the others are one click away); watchable live on about one
# shared CPU core: three variants × 4 seeds × 2,000 steps.
DEFAULTS = Defaults(
    variants=CLASSICS, target="bimodal", n_seeds=4, steps=2000, seed=0, preset="tuned"
)
FORMAT = "ganlab-compare"  # the "format" field of a saved comparison


def in_order(names: Iterable[str]) -> tuple[str, ...]:
    """Known variant names in the registry's order (the columns' order), each once."""
    given = set(names)
    return tuple(v for v in ORDER if v in given)


def variants_problems(names: list) -> list[str]:
    """What makes `names` no list of variants to compare, in words (user text cut short)."""
    unknown = [n for n in names if not isinstance(n, str) or n not in VARIANTS]
    if unknown:
        shown = ", ".join(f"'{excerpt(n, 20)}'" for n in unknown[:3])
        return [f"{shown} {'is' if len(unknown) == 1 else 'are'} not among {', '.join(ORDER)}"]
    twice = [n for n in dict.fromkeys(names) if names.count(n) > 1]
    if twice:
        return [f"'{twice[0]}' is named twice"]
    if len(names) < MIN_VARIANTS:
        return ["no variant is named: a comparison needs at least one"]
    return []


def label(variant: str) -> str:
    return VARIANTS[variant].label


def knobs(variant: str) -> tuple[str, ...]:
    """The settings that define a variant here: its own knobs and "lr", G's learning rate (D
    keeps the preset's D/G ratio)."""
    return (*VARIANTS[variant].knobs, "lr")


def knob_values(variant: str, preset: str) -> dict:
    """The variant's knobs as the preset sets them (TrainConfig's default where it is silent)."""
    cfg = config.preset(variant, preset)
    return {k: cfg.lr_g if k == "lr" else getattr(cfg, k) for k in knobs(variant)}


def _fields(knobs: dict, variant: str, preset: str) -> dict:
    """Config fields from knobs. The one "lr" knob is G's rate; D keeps the preset's D/G ratio,
    so a two-time-scale preset stays one (and equals the variant page's run of it)."""
    out = {k: v for k, v in knobs.items() if k != "lr"}
    if "lr" in knobs:
        base = PRESETS[variant][preset]
        lr_g, lr_d = base.get("lr_g", TrainConfig.lr_g), base.get("lr_d", TrainConfig.lr_d)
        out |= {
            "lr_g": knobs["lr"],
            "lr_d": lr_d if knobs["lr"] == lr_g else knobs["lr"] * lr_d / lr_g,
        }
    return out


def build(
    target: Target | str,
    n_seeds: int,
    steps: int,
    seed: int,
    choices: dict[str, dict],
    variants: Iterable[str] = DEFAULTS["variants"],
) -> dict[str, TrainConfig]:
    """One config per variant in `variants` (in registry order): the preset, then its knobs, then
    any `extra` fields (from a loaded file), all on the same target, seeds and budget.
    choices[v] = {"preset", "knobs", "extra"}; a variant without one gets DEFAULTS' preset.
    Raises ConfigError listing every problem, each naming its variant."""
    names = list(variants)
    problems = [f"variants: {p}" for p in variants_problems(names)]
    if problems:
        raise ConfigError(problems)
    out: dict[str, TrainConfig] = {}
    for v in in_order(names):
        c = choices.get(v, {})
        chosen = c.get("preset", DEFAULTS["preset"])
        fields = {
            **_fields(c.get("knobs", {}), v, chosen),
            **c.get("extra", {}),
            "target": target,
            "n_seeds": n_seeds,
            "steps": steps,
            "seed": seed,
        }
        try:
            out[v] = config.preset(v, chosen, **fields)
        except ConfigError as exc:
            problems += [f"{label(v)}: {p}" for p in exc.problems]
    if problems:
        raise ConfigError(list(dict.fromkeys(problems)))
    return out


def default_configs(
    *,
    target: Target | str = DEFAULTS["target"],
    n_seeds: int = DEFAULTS["n_seeds"],
    steps: int = DEFAULTS["steps"],
    seed: int = DEFAULTS["seed"],
    variants: Iterable[str] = DEFAULTS["variants"],
) -> dict[str, TrainConfig]:
    """The variants (the classics unless given) at the default preset, on DEFAULTS' shared
    settings unless given."""
    return build(target, n_seeds, steps, seed, {}, variants)


# --- saving and loading ---------------------------------------------------------------------------
def to_json(cfgs: dict[str, TrainConfig], presets: dict[str, str] | None = None) -> str:
    """Which variants, and every setting of each, readable and loadable by `from_json`."""
    names = in_order(cfgs)
    return json.dumps(
        {
            "format": FORMAT,
            "variants": list(names),
            "presets": presets or {},
            "configs": {v: cfgs[v].to_dict() for v in names},
        },
        indent=2,
    )


def _saved_variants(data: dict) -> tuple[list[str], list[str]]:
    """(the variants a saved comparison holds, problems): its "variants" list, or the classics
    for a file saved before comparisons could hold any subset."""
    if "variants" not in data:
        return list(CLASSICS), []
    names = data["variants"]
    if not isinstance(names, list):
        return [], [f"'variants' must be a list of variant names (got {excerpt(names)})"]
    problems = [f"variants: {p}" for p in variants_problems(names)]
    return ([] if problems else list(in_order(names))), problems


def from_json(text: str) -> tuple[dict, dict[str, dict]]:
    """(shared settings, choices) from a saved comparison, so that
    `build(**shared, choices=choices, variants=choices)` gives back exactly the saved configs;
    choices are keyed by the saved variants, in registry order. Each config goes through
    config.from_json (parsed, validated, never executed); raises ConfigError with every problem
    in words."""
    data = config.load_json(text)  # nesting too deep, numbers too long: said in words
    if not isinstance(data, dict) or not isinstance(data.get("configs"), dict):
        hint = (
            " — this looks like one run's settings; a comparison file holds 'variants' and "
            "'configs', one for each variant"
            if isinstance(data, dict) and "variant" in data
            else ""
        )
        raise ConfigError([f"not a saved comparison: expected an object with 'configs'{hint}"])
    names, problems = _saved_variants(data)
    if problems:
        raise ConfigError(problems)
    cfgs: dict[str, TrainConfig] = {}
    missing = [v for v in names if v not in data["configs"]]
    if missing:
        problems.append(f"'configs' lacks {', '.join(missing)}")
    beyond = [k for k in data["configs"] if k not in names]
    if beyond:
        shown = ", ".join(f"'{excerpt(k, 20)}'" for k in beyond[:3])
        listed = (
            "which 'variants' does not list"
            if "variants" in data
            else f"but a file without 'variants' compares {', '.join(CLASSICS)}"
        )
        problems.append(f"'configs' holds {shown}, {listed}")
    for v in names:
        raw = data["configs"].get(v)
        if raw is None:
            continue
        try:
            cfgs[v] = config.from_json(json.dumps(raw))
        except RecursionError:  # json.dumps of a value nested nearly as deep as loads allows
            problems.append(f"{v}: the JSON is nested too deeply to read")
            continue
        except (ConfigError, TypeError, ValueError) as exc:
            problems += [f"{v}: {p}" for p in getattr(exc, "problems", [str(exc)])]
            continue
        if cfgs[v].variant != v:
            problems.append(f"the config under '{v}' is for variant '{cfgs[v].variant}'")
    if not problems:
        for name in SHARED:
            values = {v: getattr(c, name) for v, c in cfgs.items()}
            if len(set(values.values())) > 1:
                said = ", ".join(f"{label(v)} {_show(x)}" for v, x in values.items())
                problems.append(
                    f"a comparison needs the same {config.label(name)} for every "
                    f"variant (got {said})"
                )
    if problems:
        raise ConfigError(problems)
    first = cfgs[names[0]]
    shared = {name: getattr(first, name) for name in SHARED}
    return shared, {v: choice_of(cfgs[v]) for v in names}


def _show(value) -> str:
    return value.name if isinstance(value, Target) else config.fmt(value)


def choice_of(cfg: TrainConfig) -> dict:
    """Preset, knobs and extra fields that rebuild cfg; the preset that needs the fewest extras."""
    values = {k: cfg.lr_g if k == "lr" else getattr(cfg, k) for k in knobs(cfg.variant)}
    shared = {name: getattr(cfg, name) for name in SHARED}
    best: dict | None = None
    for name in PRESETS[cfg.variant]:
        try:
            base = config.preset(cfg.variant, name, **_fields(values, cfg.variant, name), **shared)
        except ConfigError:  # e.g. this preset's D/G lr ratio takes lr_d out of range
            continue
        extra = {
            f: getattr(cfg, f)
            for f in cfg.to_dict()
            if f != "target" and getattr(cfg, f) != getattr(base, f)
        }
        if best is None or len(extra) < len(best["extra"]):
            best = {"preset": name, "knobs": values, "extra": extra}
    if best is None:  # each variant's "paper" preset keeps D's lr = G's, so it always builds
        raise ConfigError([f"no preset of {label(cfg.variant)} rebuilds these settings"])
    return best


# --- the verdict ----------------------------------------------------------------------------------
def _ratio(k: int, n: int) -> str:
    return f"{k}/{n} seeds"


def verdict(seeds: dict[str, list[dict]], floor_w1: float | None = None) -> str:
    """A few sentences read off the per-seed metrics: modes covered (or collapse), the ranking
    by median W1 (and whether it is within the seeds' spread or at the noise floor), divergence."""
    seeds = {v: ss for v, ss in seeds.items() if ss}
    if not seeds:
        return "Nothing trained yet."
    parts = []
    n_modes = max((s.get("n_modes", 0) for ss in seeds.values() for s in ss), default=0)
    w1 = {v: metrics.summarize([s.get("w1", np.nan) for s in ss]) for v, ss in seeds.items()}
    if n_modes > 1:
        covered = {
            v: sum(s.get("modes_covered", -1) == n_modes for s in ss) for v, ss in seeds.items()
        }
        order = sorted(seeds, key=lambda v: (-covered[v] / len(seeds[v]), _key(w1[v])))
        modes = "both modes" if n_modes == 2 else f"all {n_modes} modes"
        first, *rest = order
        text = f"{label(first)} covered {modes} in {_ratio(covered[first], len(seeds[first]))}"
        text += "".join(f"; {label(v)} in {_ratio(covered[v], len(seeds[v]))}" for v in rest)
        parts.append(text + ".")
    else:
        collapsed = {v: sum(bool(s.get("collapsed")) for s in ss) for v, ss in seeds.items()}
        if not any(collapsed.values()):
            parts.append("No seed collapsed.")
        else:
            bad = [f"{label(v)} in {_ratio(k, len(seeds[v]))}" for v, k in collapsed.items() if k]
            parts.append("Collapsed (spread far below the target's): " + "; ".join(bad) + ".")
    ranked = sorted((v for v in seeds if w1[v]["n"]), key=lambda v: _key(w1[v]))
    if ranked:
        head, *tail = ranked
        # a single variant is measured, not ranked: "closest" would compare it with nothing
        lead = "Closest to the target by median W1" if len(seeds) > 1 else "Median W1 to the target"
        text = f"{lead}: {label(head)} ({number(w1[head]['median'])})"
        if tail:
            text += ", then " + " and ".join(
                f"{label(v)} ({number(w1[v]['median'])})" for v in tail
            )
        if tail and w1[tail[0]]["lo"] <= w1[head]["hi"]:
            text += f" — {label(head)} and {label(tail[0])} overlap across seeds"
        if floor_w1 is not None and w1[head]["median"] <= 1.5 * floor_w1:
            text += f" — at the sampling noise floor ({number(floor_w1)})"
        parts.append(text + ".")
    for v, ss in seeds.items():
        bad = [s["diverged_at"] for s in ss if s.get("diverged")]
        if bad:
            parts.append(
                f"{label(v)} diverged in {_ratio(len(bad), len(ss))} (first at step {min(bad):,})."
            )
    return " ".join(parts)


def _key(summary: dict) -> float:
    return summary["median"] if summary["n"] else np.inf


# --- the conceptual table -------------------------------------------------------------------------
def conceptual(
    cfgs: dict[str, TrainConfig] | None = None, variants: Iterable[str] | None = None
) -> pd.DataFrame:
    """What the literature says about each variant (from VARIANTS: every entry carries its
    paper's loss, constraint and settings), and what this comparison actually uses, so theory
    can be held against the measured table. Columns: `variants`, else cfgs' variants, else
    DEFAULTS'."""
    names = in_order(variants if variants is not None else cfgs or DEFAULTS["variants"])
    rows = {}
    for v in names:
        var = VARIANTS[v]
        steps, _, lr = var.typical_lr.partition(";")
        col = {
            "distance minimised": var.minimises,
            "D / critic loss": var.d_loss_text,
            "output activation": var.output or _output(var.probability),
            # R1 and R1 + R2 are penalties on D's slope, not a Lipschitz bound: said in words
            "Lipschitz constraint or penalty": var.lipschitz,
            "D / critic steps per G step": steps.strip(),
            "typical learning rate": (lr or steps).strip(),
        }
        if cfgs is not None and v in cfgs:
            c = cfgs[v]
            col["here: steps per G step"] = f"{c.d_steps}"
            col["here: optimizer, learning rate"] = f"{c.d_opt} {c.lr_d:g}"
            col["here: constraint"] = (
                ", ".join(
                    f"{config.label(k)} {config.fmt(getattr(c, k))}"
                    for k in var.knobs
                    if k != "d_steps"
                )
                or "none"  # LSGAN and hinge: their knob is the D step count alone
            )
        rows[var.label] = col
    return pd.DataFrame(rows)


def _output(probability: bool) -> str:
    """D's output in words, for an entry that leaves it to its `probability` flag (R1, RpGAN)."""
    return "sigmoid (probability real)" if probability else "linear (unbounded score)"


def is_builtin(target: Target) -> bool:
    return TARGETS.get(target.name) == target
