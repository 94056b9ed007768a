"""The sidebar of a variant page: every setting as a keyed widget, read back as a TrainConfig."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from ganlab import user_targets
from ganlab.config import (
    CHOICES,
    PRESETS,
    RANGES,
    ConfigError,
    TrainConfig,
    fmt,
    label,
    make,
    preset,
)
from ganlab.lessons import EXPERIMENTS, LESSONS
from ganlab.targets import TARGETS
from ganlab.ui import live, store
from ganlab.ui.target_picker import target_picker
from ganlab.variants import VARIANTS

ss = st.session_state
LAST_TARGET = "ganlab.target"  # last built-in target chosen on any page: new pages start there


def _within(field: str, values) -> tuple:
    """Only the values config.RANGES allows, so a widget never offers an invalid setting."""
    lo, hi = RANGES[field]
    return tuple(v for v in values if lo <= v <= hi)


def _grid_125(lo: float, hi: float) -> tuple[float, ...]:
    """1, 2, 5 × 10^k between lo and hi: a log scale with round numbers."""
    return tuple(m * 10.0**e for e in range(-6, 3) for m in (1, 2, 5) if lo <= m * 10.0**e <= hi)


# Discrete choices shown on select sliders. Every preset and lesson value is on these grids
# (the WGAN paper's 5e-5 and the divergence lesson's 1.0 need the full RANGES span of lr).
OPTIONS = {
    "data_size": _within("data_size", (256, 512, 1024, 2048, 4096, 8192, 10_000)),
    "batch_size": _within("batch_size", (32, 64, 128, 256, 512)),
    "lr_g": _grid_125(*RANGES["lr_g"]),
    "lr_d": _grid_125(*RANGES["lr_d"]),
    "g_width": _within("g_width", (8, 16, 32, 64, 128)),
    "d_width": _within("d_width", (8, 16, 32, 64, 128)),
    "clip": _within("clip", (1e-4, 1e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10)),
    "gp_lambda": _within("gp_lambda",
                         (0.0, 0.01, 0.02, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100)),
    "ema": _within("ema", (0.0, 0.9, 0.99, 0.999, 0.9999)),
    "lr_decay": _within("lr_decay", (0.0, 0.1, 0.3, 0.5, 1.0)),
}
SLIDERS = ("latent_dim", "g_layers", "d_layers", "d_steps", "n_seeds")
NUMBERS = {"steps": 500, "seed": 1}  # field -> the +/− step of the number input
RADIOS = ("g_loss", "latent", "activation")

GROUPS = {
    "Data": ("data_size", "batch_size"),
    "Networks": ("latent_dim", "g_layers", "g_width", "d_layers", "d_width"),
    "Training": ("lr_g", "lr_d"),
    "Run": ("steps", "seed", "n_seeds"),
}
VARIANT_FIELDS = {"gan": ("g_loss", "d_steps"), "wgan": ("clip", "d_steps"),
                  "wgan-gp": ("gp_lambda", "d_steps")}
ADVANCED = ("latent", "activation", "g_opt", "d_opt", "ema", "lr_decay", "standardize")
HELP = {
    "lr_g": "G's optimiser step size, on a log scale.",
    "lr_d": "D's (critic's) step size; a larger one than G's is the two-time-scale rule (TTUR).",
    "g_loss": "saturating = the original minimax log(1 − D(G(z))); non-saturating = −log D(G(z)).",
    "clip": "WGAN clamps every critic weight to [−c, c] after each critic step.",
    "gp_lambda": "Weight of the gradient penalty (‖∇f‖ − 1)²; the paper uses 10, its 1-D toy 0.1.",
    "n_seeds": "Seeds train together as one batched program; charts show the median and range.",
    "ema": ("Sample from an exponential moving average of G's weights (0 = off). It warms up: "
            "after t steps the decay is at most (1 + t)/(10 + t), so in a 6 000-step run any "
            "value above 0.9985 acts the same."),
    "lr_decay": "The learning rate falls linearly to this fraction by the end (1 = constant).",
    "standardize": "D sees (x − m)/s and G outputs m + s·g, with m, s from the training data.",
    "steps": "Generator updates in the budget. A new budget means a new run.",
}


def _key(variant: str, name: str) -> str:
    return f"{variant}.{name}"


def widget_fields(variant: str) -> tuple[str, ...]:
    return (*[f for g in GROUPS.values() for f in g], *VARIANT_FIELDS[variant], *ADVANCED)


LABELS = {"lr_g": "G learning rate", "lr_d": "D learning rate", "g_loss": "G loss",
          "latent": "latent distribution",
          "g_opt": "G optimizer", "d_opt": "D optimizer", "steps": "steps (budget)",
          "standardize": "standardize the data for the networks"}


def _label(variant: str, name: str) -> str:
    if name == "d_steps":  # the papers' own names: k (Goodfellow) and n_critic (Arjovsky)
        v = VARIANTS[variant]
        return "n_critic — critic steps per G step" if v.wasserstein else "k — D steps per G step"
    return LABELS.get(name) or label(name)


def _num(v) -> str:
    if isinstance(v, bool | str):
        return {True: "on", False: "off"}.get(v, v)
    return fmt(v)


def _widget(box, variant: str, name: str):
    key = _key(variant, name)
    kw = dict(key=key, help=HELP.get(name), persist_state="session")
    text = _label(variant, name)
    if name in OPTIONS:
        # A value loaded from a run or preset that is off the grid joins it rather than fail.
        opts = sorted({*OPTIONS[name], ss.get(key, OPTIONS[name][0])})
        return box.select_slider(text, opts, format_func=_num, **kw)
    if name in SLIDERS:
        lo, hi = RANGES[name]
        return box.slider(text, int(lo), int(hi), **kw)
    if name in NUMBERS:
        lo, hi = RANGES[name]
        return int(box.number_input(text, int(lo), int(hi), step=NUMBERS[name], **kw))
    if name in RADIOS:
        return box.radio(text, CHOICES[name], horizontal=True, **kw)
    if name in CHOICES:
        return box.selectbox(text, CHOICES[name], **kw)
    return box.toggle(text, **kw)


# --- loading a config into the widgets (presets, lessons, experiments, restored runs) ----------
def load(variant: str, cfg: TrainConfig, with_target: bool) -> None:
    """Write cfg into this page's widget state; fields without a widget go to a hidden base,
    so reading the widgets back gives exactly cfg (the same run, never trained twice)."""
    shown = widget_fields(variant)
    for name in shown:
        ss[_key(variant, name)] = getattr(cfg, name)
    covered = set(shown) | {"variant", "target"}
    ss[_key(variant, "base")] = {f.name: getattr(cfg, f.name)
                                 for f in dataclasses.fields(cfg) if f.name not in covered}
    if with_target and TARGETS.get(cfg.target.name) == cfg.target:
        ss[_key(variant, "target")] = cfg.target.name


def _last(variant: str) -> TrainConfig:
    """The last valid settings read from this page (callbacks run before the widgets do)."""
    return ss.get(_key(variant, "cfg")) or preset(variant, "tuned")


def _init(variant: str) -> None:
    """First visit: continue this variant's latest run if it has a built-in target (e.g. one
    started from another page's table), else the tuned preset on the last target used."""
    if ss.get(_key(variant, "ready")):
        return
    run = store.latest(variant)
    if run is not None and TARGETS.get(run.cfg.target.name) == run.cfg.target:
        cfg = run.cfg
        live.set_active(variant, cfg)
    else:
        cfg = preset(variant, "tuned", target=ss.get(LAST_TARGET, "bimodal"))
    # The target goes in as the picker's default, not through session state: the picker sets a
    # default index, and Streamlit warns when a widget gets both.
    load(variant, cfg, with_target=False)
    ss[_key(variant, "target_default")] = cfg.target.name
    ss[_key(variant, "ready")] = True


# --- presets: paper, tuned, and this variant's lessons --------------------------------------
@dataclass(frozen=True)
class Preset:
    label: str
    sentence: str
    build: Callable[[TrainConfig], TrainConfig]  # current settings -> the preset's
    sets_target: bool = False


# The optimiser recipe a paper/tuned preset replaces; data, networks and budget are the user's.
RECIPE = {f for by_name in PRESETS.values() for p in by_name.values() for f in p}
RECIPE |= {"ema", "lr_decay"}


def _recipe(variant: str, name: str) -> Callable[[TrainConfig], TrainConfig]:
    """The optimiser recipe of a preset; data, target, networks and budget stay as they are."""
    def build(cur: TrainConfig) -> TrainConfig:
        keep = {f.name: getattr(cur, f.name) for f in dataclasses.fields(cur)
                if f.name not in RECIPE | {"variant"}}
        return preset(variant, name, **keep)
    return build


def presets(variant: str) -> dict[str, Preset]:
    v = VARIANTS[variant]
    out = {
        "tuned": Preset("1-D tuned", "Settings measured to work on these 1-D targets.",
                        _recipe(variant, "tuned")),
        "paper": Preset("paper", f"The published settings ({v.typical_lr}); on 1-D targets "
                        "they are often slow or unstable, which is a lesson in itself.",
                        _recipe(variant, "paper")),
    }
    for key, lesson in LESSONS.items():
        if lesson.variant == variant:
            out[key] = Preset(f"lesson: {lesson.title}", lesson.sentence,
                              lambda cur, les=lesson: les.config(seed=cur.seed,
                                                                 n_seeds=cur.n_seeds), True)
    return out


def _apply_preset(variant: str) -> None:
    p = presets(variant)[ss[_key(variant, "preset")]]
    cfg = p.build(_last(variant))
    load(variant, cfg, with_target=p.sets_target)
    ss[_key(variant, "note")] = (p.label, p.sentence, cfg)


def _run_experiment(variant: str, key: str) -> None:
    """One click: apply the experiment's change to the current settings and start training."""
    exp = EXPERIMENTS[key]
    changes = {k: user_targets.get(v) if k == "target" else v for k, v in exp.settings.items()}
    try:
        cfg = _last(variant).replace(**changes)
    except ConfigError as exc:
        ss[_key(variant, "note")] = (exp.title, "Can't run here: " + "; ".join(exc.problems),
                                     _last(variant))
        return
    load(variant, cfg, with_target="target" in changes)
    ss[_key(variant, "note")] = (f"Experiment: {exp.title}", exp.question, cfg)
    live.start(variant, cfg)


# --- the sidebar ----------------------------------------------------------------------------------
def sidebar(variant: str) -> tuple[TrainConfig | None, list[str]]:
    """Draw the sidebar; return the config it describes, or None and the problems in words
    (a bad custom target explains itself in the sidebar and returns no problems here)."""
    _init(variant)
    bar = st.sidebar
    choices = presets(variant)
    bar.selectbox("Preset", list(choices), key=_key(variant, "preset"),
                  format_func=lambda k: choices[k].label, on_change=_apply_preset,
                  args=(variant,), persist_state="session")
    bar.caption(choices[ss[_key(variant, "preset")]].sentence)
    bar.button("Apply this preset again", key=_key(variant, "preset_again"),
               on_click=_apply_preset, args=(variant,), width="stretch")
    target = target_picker(_key(variant, "target"), container=bar,
                           default=ss[_key(variant, "target_default")])
    values = {}
    for group, names in GROUPS.items():
        bar.subheader(group)
        extra = VARIANT_FIELDS[variant] if group == "Training" else ()
        values |= {n: _widget(bar, variant, n) for n in (*names, *extra)}
    with bar.expander("More settings"):
        values |= {n: _widget(st, variant, n) for n in ADVANCED}
        base = ss[_key(variant, "base")]
        st.caption(f"Adam's β = ({base['beta1']:g}, {base['beta2']:g}) come from the preset.")
    _experiments(bar, variant)
    if target is None:
        return None, []
    if TARGETS.get(target.name) == target:
        ss[LAST_TARGET] = target.name
    try:
        cfg = make(variant=variant, target=target, **ss[_key(variant, "base")], **values)
    except ConfigError as exc:
        bar.error("These settings can't run:\n\n" + "\n".join(f"- {p}" for p in exc.problems))
        return None, exc.problems
    too_much = store.work_problem([cfg])
    if too_much:
        bar.error(f"These settings can't run here: {too_much}.")
        return None, [too_much]
    ss[_key(variant, "cfg")] = cfg
    return cfg, []


def _experiments(bar, variant: str) -> None:
    with bar.expander("Experiments to try"):
        st.caption("One click changes the settings above and starts training.")
        for key, exp in EXPERIMENTS.items():
            st.button(exp.title, key=_key(variant, f"exp.{key}"), help=exp.question,
                      on_click=_run_experiment, args=(variant, key), width="stretch")
            st.caption(exp.question)


def note(variant: str, cfg: TrainConfig | None) -> str | None:
    """The last preset's or experiment's sentence, marked once the settings have moved on."""
    if _key(variant, "note") not in ss:
        return None
    title, text, made = ss[_key(variant, "note")]
    since = "" if made == cfg else " *(settings changed since)*"
    return f"**{title}** — {text}{since}"


def changes(old: TrainConfig, new: TrainConfig) -> list[str]:
    """What differs between two configs, in words: 'learning rate 0.001 → 0.01'."""
    out = []
    for f in dataclasses.fields(old):
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a == b:
            continue
        if f.name == "target":
            same_name = a.name == b.name
            out.append(f"target {a.name} → {b.name}{' (edited)' if same_name else ''}")
        else:
            out.append(f"{LABELS.get(f.name) or label(f.name)} {_num(a)} → {_num(b)}")
    return out
