"""Comparing the three variants: their configs, measured and conceptual tables, a verdict."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ganlab import config, metrics
from ganlab.config import PRESETS, ConfigError, TrainConfig
from ganlab.metrics import short
from ganlab.targets import TARGETS, Target
from ganlab.variants import VARIANTS

ORDER = tuple(VARIANTS)  # columns, left to right: gan, wgan, wgan-gp
# The few settings that define each variant; "lr" sets both optimisers (presets keep them equal).
KNOBS = {"gan": ("g_loss", "d_steps", "lr"), "wgan": ("clip", "d_steps", "lr"),
         "wgan-gp": ("gp_lambda", "d_steps", "lr")}
SHARED = ("target", "n_seeds", "steps", "seed")
# Watchable live on about one shared CPU core: three variants × 4 seeds × 2,000 steps.
DEFAULTS = {"target": "bimodal", "n_seeds": 4, "steps": 2000, "seed": 0, "preset": "tuned"}
FORMAT = "ganlab-compare"  # the "format" field of a saved comparison


def label(variant: str) -> str:
    return VARIANTS[variant].label


def knob_values(variant: str, preset: str) -> dict:
    """The variant's knobs as the preset sets them (TrainConfig's default where it is silent)."""
    cfg = config.preset(variant, preset)
    return {k: cfg.lr_g if k == "lr" else getattr(cfg, k) for k in KNOBS[variant]}


def _fields(knobs: dict, variant: str, preset: str) -> dict:
    """Config fields from knobs. The one "lr" knob is G's rate; D keeps the preset's D/G ratio,
    so a two-time-scale preset stays one (and equals the variant page's run of it)."""
    out = {k: v for k, v in knobs.items() if k != "lr"}
    if "lr" in knobs:
        base = PRESETS[variant][preset]
        lr_g, lr_d = base.get("lr_g", TrainConfig.lr_g), base.get("lr_d", TrainConfig.lr_d)
        out |= {"lr_g": knobs["lr"],
                "lr_d": lr_d if knobs["lr"] == lr_g else knobs["lr"] * lr_d / lr_g}
    return out


def build(target: Target | str, n_seeds: int, steps: int, seed: int,
          choices: dict[str, dict]) -> dict[str, TrainConfig]:
    """One config per variant: the preset, then its knobs, then any `extra` fields (from a loaded
    file), all on the same target, seeds and budget. choices[v] = {"preset", "knobs", "extra"}.
    Raises ConfigError listing every problem, each naming its variant."""
    problems, out = [], {}
    for v in ORDER:
        c = choices.get(v, {})
        chosen = c.get("preset", DEFAULTS["preset"])
        fields = {**_fields(c.get("knobs", {}), v, chosen), **c.get("extra", {}),
                  "target": target, "n_seeds": n_seeds, "steps": steps, "seed": seed}
        try:
            out[v] = config.preset(v, chosen, **fields)
        except ConfigError as exc:
            problems += [f"{label(v)}: {p}" for p in exc.problems]
    if problems:
        raise ConfigError(list(dict.fromkeys(problems)))
    return out


def default_configs(**shared) -> dict[str, TrainConfig]:
    s = {k: DEFAULTS[k] for k in SHARED} | shared
    return build(s["target"], s["n_seeds"], s["steps"], s["seed"], {})


# --- saving and loading ---------------------------------------------------------------------------
def to_json(cfgs: dict[str, TrainConfig], presets: dict[str, str] | None = None) -> str:
    """Every setting of every variant, readable and loadable by `from_json`."""
    return json.dumps({"format": FORMAT, "presets": presets or {},
                       "configs": {v: cfgs[v].to_dict() for v in ORDER}}, indent=2)


def from_json(text: str) -> tuple[dict, dict[str, dict]]:
    """(shared settings, choices) from a saved comparison, so that `build(**shared, choices)`
    gives back exactly the saved configs. Each config goes through config.from_json (parsed,
    validated, never executed); raises ConfigError with every problem in words."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError([f"not valid JSON ({exc.msg} at line {exc.lineno})"]) from None
    if not isinstance(data, dict) or not isinstance(data.get("configs"), dict):
        hint = (" — this looks like one run's settings; a comparison file holds 'configs' for "
                + ", ".join(ORDER)) if isinstance(data, dict) and "variant" in data else ""
        raise ConfigError([f"not a saved comparison: expected an object with 'configs'{hint}"])
    problems, cfgs = [], {}
    missing = [v for v in ORDER if v not in data["configs"]]
    if missing:
        problems.append(f"'configs' lacks {', '.join(missing)}")
    for v in ORDER:
        raw = data["configs"].get(v)
        if raw is None:
            continue
        try:
            cfgs[v] = config.from_json(json.dumps(raw))
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
                problems.append(f"a comparison needs the same {config.label(name)} for every "
                                f"variant (got {said})")
    if problems:
        raise ConfigError(problems)
    first = cfgs[ORDER[0]]
    shared = {name: getattr(first, name) for name in SHARED}
    return shared, {v: choice_of(c) for v, c in cfgs.items()}


def _show(value) -> str:
    return value.name if isinstance(value, Target) else config.fmt(value)


def choice_of(cfg: TrainConfig) -> dict:
    """Preset, knobs and extra fields that rebuild cfg; the preset that needs the fewest extras."""
    knobs = {k: cfg.lr_g if k == "lr" else getattr(cfg, k) for k in KNOBS[cfg.variant]}
    shared = {name: getattr(cfg, name) for name in SHARED}
    best = None
    for name in PRESETS[cfg.variant]:
        try:
            base = config.preset(cfg.variant, name, **_fields(knobs, cfg.variant, name), **shared)
        except ConfigError:  # e.g. this preset's D/G lr ratio takes lr_d out of range
            continue
        extra = {f: getattr(cfg, f) for f in cfg.to_dict()
                 if f != "target" and getattr(cfg, f) != getattr(base, f)}
        if best is None or len(extra) < len(best["extra"]):
            best = {"preset": name, "knobs": knobs, "extra": extra}
    return best


# --- the measured table ---------------------------------------------------------------------------
# (key, row label, which way is better: "low", "high" or None for rows nobody wins)
ROWS = [
    ("w1", "W1", "low"), ("ks", "KS statistic", "low"), ("js", "JS divergence (bits)", "low"),
    ("energy", "energy distance", "low"), ("frechet", "Fréchet (blind to shape)", "low"),
    ("mean_err", "|mean − target mean|", "low"), ("std_err", "|std − target std|", "low"),
    ("mode_coverage", "mode coverage", "high"), ("modes_covered", "modes covered", "high"),
    ("high_quality", "high-quality share", "high"),
    # Each variant's losses have their own scale (BCE vs critic scores): shown, not ranked.
    ("d_volatility", "D / critic loss volatility", None),
    ("g_volatility", "G loss volatility", None),
]
COUNT_ROWS = [("diverged", "diverged seeds"), ("collapsed", "collapsed seeds")]
RUN_ROWS = [("steps_per_s", "steps/s", "high"), ("wall_s", "wall time (s)", "low")]


def measured(seeds: dict[str, list[dict]], runs: dict[str, dict] | None = None) -> pd.DataFrame:
    """The table as numbers, one row per (metric, variant): key, row, variant, median, lo, hi, n,
    better. `seeds` maps a variant to its per-seed metric dicts; `runs` to {steps_per_s, wall_s}."""
    rows = []
    for key, name, better in ROWS:
        if not any(key in s for ss in seeds.values() for s in ss):
            continue  # e.g. mode rows for a target without modes
        for v, ss in seeds.items():
            rows.append({"key": key, "row": name, "variant": v, "better": better,
                         **metrics.summarize([s.get(key, np.nan) for s in ss])})
    for key, name in COUNT_ROWS:
        for v, ss in seeds.items():
            k = sum(bool(s.get(key)) for s in ss)
            rows.append({"key": key, "row": name, "variant": v, "better": "low", "median": k,
                         "lo": k, "hi": k, "n": len(ss)})
    for key, name, better in RUN_ROWS:
        for v, info in (runs or {}).items():
            x = float(info.get(key, np.nan))
            rows.append({"key": key, "row": name, "variant": v, "better": better, "median": x,
                         "lo": x, "hi": x, "n": 1})
    return pd.DataFrame(rows, columns=["key", "row", "variant", "median", "lo", "hi", "n",
                                       "better"])


def best(table: pd.DataFrame) -> dict[str, list[str]]:
    """Row -> the variants with the best median (ties share it); rows with a direction only,
    and only where at least two variants have a value and they are not all equal."""
    out = {}
    for row, g in table.groupby("row", sort=False):
        g = g[np.isfinite(g["median"].astype(float))]
        direction = g["better"].iloc[0] if len(g) else None
        if direction not in ("low", "high") or len(g) < 2 or g["median"].nunique() < 2:
            continue
        target = g["median"].min() if direction == "low" else g["median"].max()
        out[row] = list(g.loc[g["median"] == target, "variant"])
    return out


def display(table: pd.DataFrame) -> pd.DataFrame:
    """Rows × variant labels as text: 'median [min–max]' over seeds, 'k of K' for counts."""
    cells: dict[str, dict[str, str]] = {}
    for r in table.itertuples(index=False):
        if r.key in dict(COUNT_ROWS):
            text = f"{int(r.median)} of {r.n}"
        elif r.key == "wall_s":
            text = f"{r.median:.1f}"
        elif r.key == "steps_per_s":
            text = short(r.median) if not np.isfinite(r.median) else f"{r.median:,.0f}"
        elif r.n > 1 and r.lo != r.hi:
            text = f"{short(r.median)} [{short(r.lo)}–{short(r.hi)}]"
        else:
            text = short(r.median)
        cells.setdefault(r.row, {})[label(r.variant)] = text
    columns = [label(v) for v in dict.fromkeys(table["variant"])]
    return pd.DataFrame.from_dict(cells, orient="index", columns=columns).fillna("—")


def to_csv(table: pd.DataFrame) -> str:
    """One row per metric; per variant its median, min, max and seed count (numbers, not text)."""
    wide = table.pivot_table(index="row", columns="variant", values=["median", "lo", "hi", "n"],
                             sort=False, dropna=False)
    wide = wide.reindex(columns=[(s, v) for v in dict.fromkeys(table["variant"])
                                 for s in ("median", "lo", "hi", "n")])
    wide.columns = [f"{v} {'min' if s == 'lo' else 'max' if s == 'hi' else s}"
                    for s, v in wide.columns]
    wide.index.name = "metric"
    return wide.to_csv(float_format="%.6g")


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
        covered = {v: sum(s.get("modes_covered", -1) == n_modes for s in ss)
                   for v, ss in seeds.items()}
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
        text = f"Closest to the target by median W1: {label(head)} ({short(w1[head]['median'])})"
        if tail:
            text += ", then " + " and ".join(f"{label(v)} ({short(w1[v]['median'])})"
                                             for v in tail)
        if tail and w1[tail[0]]["lo"] <= w1[head]["hi"]:
            text += f" — {label(head)} and {label(tail[0])} overlap across seeds"
        if floor_w1 is not None and w1[head]["median"] <= 1.5 * floor_w1:
            text += f" — at the sampling noise floor ({short(floor_w1)})"
        parts.append(text + ".")
    for v, ss in seeds.items():
        bad = [s["diverged_at"] for s in ss if s.get("diverged")]
        if bad:
            parts.append(f"{label(v)} diverged in {_ratio(len(bad), len(ss))} "
                         f"(first at step {min(bad):,}).")
    return " ".join(parts)


def _key(summary: dict) -> float:
    return summary["median"] if summary["n"] else np.inf


# --- the conceptual table -------------------------------------------------------------------------
def conceptual(cfgs: dict[str, TrainConfig] | None = None) -> pd.DataFrame:
    """What the literature says about each variant (from VARIANTS), and what this comparison
    actually uses, so theory can be held against the measured table."""
    rows = {}
    for v in ORDER:
        var = VARIANTS[v]
        steps, _, lr = var.typical_lr.partition(";")
        col = {
            "distance minimised": var.minimises,
            "D / critic loss": var.d_loss_text,
            "output activation": var.output,
            "Lipschitz constraint": var.lipschitz,
            "critic steps per G step": steps.strip(),
            "typical learning rate": (lr or steps).strip(),
        }
        if cfgs is not None and v in cfgs:
            c = cfgs[v]
            col["here: steps per G step"] = f"{c.d_steps}"
            col["here: optimizer, learning rate"] = f"{c.d_opt} {c.lr_d:g}"
            col["here: constraint"] = (f"c = {c.clip:g}" if var.clip else
                                       f"λ = {c.gp_lambda:g}" if var.penalty else
                                       f"G loss {c.g_loss}")
        rows[var.label] = col
    return pd.DataFrame(rows)


def is_builtin(target: Target) -> bool:
    return TARGETS.get(target.name) == target
