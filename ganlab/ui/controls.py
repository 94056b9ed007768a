"""The sidebar of a variant page: every setting as a keyed widget, read back as a TrainConfig."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from ganlab import run_links, user_targets
from ganlab.config import (
    FIELDS,
    GROUPS,
    ConfigError,
    TrainConfig,
    apply_preset,
    make,
    preset,
    preset_sizes,
)
from ganlab.lessons import EXPERIMENTS, LESSONS, Lesson
from ganlab.links import Param
from ganlab.targets import TARGETS, EmpiricalTarget, TargetError
from ganlab.ui import live, store, url
from ganlab.ui.target_picker import choose, target_picker
from ganlab.ui.text import MESSAGE, plain, problems
from ganlab.ui.widgets import field_widget
from ganlab.variants import VARIANTS

ss = st.session_state
LAST_TARGET = "ganlab.target"  # last built-in target chosen on any page: new pages start there


def _key(variant: str, name: str) -> str:
    return f"{variant}.{name}"


def widget_fields(variant: str, group: str | None = None) -> tuple[str, ...]:
    """The fields a variant page shows, in sidebar order (its own knobs under Training)."""
    out: list[str] = []
    for g in GROUPS if group is None else (group,):
        out += [f.name for f in FIELDS.values() if f.group == g and f.widget]
        if g == "Training":
            out += VARIANTS[variant].knobs
    return tuple(out)


# --- loading a config into the widgets (presets, lessons, experiments, restored runs) ----------
def load(variant: str, cfg: TrainConfig, with_target: bool) -> None:
    """Write cfg into this page's widget state; fields without a widget go to a hidden base,
    so reading the widgets back gives exactly cfg (the same run, never trained twice)."""
    shown = widget_fields(variant)
    for name in shown:
        ss[_key(variant, name)] = getattr(cfg, name)
    covered = set(shown) | {"variant", "target"}
    ss[_key(variant, "base")] = {
        f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg) if f.name not in covered
    }
    if with_target and TARGETS.get(cfg.target.name) == cfg.target:
        ss[_key(variant, "target")] = cfg.target.name


def _last(variant: str) -> TrainConfig:
    """The last valid settings read from this page (callbacks run before the widgets do)."""
    return ss.get(_key(variant, "cfg")) or preset(variant, "tuned")


def _widget(box, variant: str, name: str):
    return field_widget(box, name, _key(variant, name), variant, persist_state="session")


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


# --- the page's link: ?preset=…&target=…&lr_g=… ------------------------------------------------
@dataclass(frozen=True)
class Picker:
    """A page showing one of several variants (Modern GANs): ?variant= in its link, the first
    choice left out."""

    key: str  # the picker widget's key
    choices: tuple[str, ...]

    @property
    def param(self) -> Param:
        return Param("variant", "choice", choices=self.choices)


def from_link(variant: str, picker: Picker | None = None) -> None:
    """The first thing a variant page does: a link it did not write itself sets the whole
    sidebar to the run it describes, once; the page's own link, or none (a page switch), leaves
    the visitor's settings as they are. Bad parameters are named and ignored."""
    spec = dict(run_links.spec(variant)) | ({"variant": picker.param} if picker else {})
    values = url.read(spec, into_state=False)
    if url.opened() is None:
        return
    ss[url.WRITTEN] = {k: spec[k].text(v) for k, v in values.items()}  # applied once
    try:
        cfg, start = run_links.config(variant, values)
    except (ConfigError, TargetError) as exc:
        st.warning(
            f"This link's settings can't run: {plain(exc, MESSAGE)}. The page keeps the settings "
            "it had."
        )
        return
    load(variant, cfg, with_target=False)
    choose(_key(variant, "target"), cfg.target)
    ss[_key(variant, "target_default")] = cfg.target.name
    ss[_key(variant, "preset")] = start
    ss[_key(variant, "ready")] = True
    if not live.is_running(variant):
        live.set_active(variant, cfg)


def to_link(variant: str, cfg: TrainConfig, picker: Picker | None = None) -> None:
    """Write the settings on screen into the page's link (what differs from its preset)."""
    shown = {"variant": variant} if picker and variant != picker.choices[0] else {}
    text = shown | run_links.link(cfg, ss[_key(variant, "preset")])
    url.write(text)
    if isinstance(cfg.target, EmpiricalTarget):
        st.sidebar.caption(
            "Uploaded data can't travel in a link: this page's link opens with the preset's "
            "target. To share the data, send the file."
        )


# --- presets: paper, tuned, and this variant's lessons --------------------------------------
@dataclass(frozen=True)
class Preset:
    label: str
    sentence: str
    build: Callable[[TrainConfig], TrainConfig]  # current settings -> the preset's
    sets_target: bool = False


def presets(variant: str) -> dict[str, Preset]:
    v = VARIANTS[variant]
    out = {
        "tuned": Preset(
            "1-D tuned",
            "Settings measured to work on these 1-D targets." + _sizes(variant, "tuned"),
            lambda cur: apply_preset(cur, "tuned"),
        ),
        "paper": Preset(
            "paper",
            f"The published settings ({v.typical_lr}); on 1-D targets "
            "they are often slow or unstable, which is a lesson in itself."
            + _sizes(variant, "paper"),
            lambda cur: apply_preset(cur, "paper"),
        ),
    }
    for key, lesson in LESSONS.items():
        if lesson.variant == variant:
            out[key] = Preset(f"lesson: {lesson.title}", lesson.sentence, _on_seeds(lesson), True)
    return out


def _sizes(variant: str, name: str) -> str:
    """The sizes a preset sets besides its recipe, or that it keeps the user's, as a sentence."""
    sizes = preset_sizes(variant, name)
    if not sizes:
        return " It keeps your data and network sizes."
    said = ", ".join(f"{FIELDS[f].label} {value:,}" for f, value in sizes.items())
    return f" It also sets {said}: the sizes it was measured with."


def _on_seeds(lesson: Lesson) -> Callable[[TrainConfig], TrainConfig]:
    """The lesson's settings, on the seeds the visitor has chosen."""
    return lambda cur: lesson.config(seed=cur.seed, n_seeds=cur.n_seeds)


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
        ss[_key(variant, "note")] = (
            exp.title,
            "Can't run here: " + "; ".join(problems(exc.problems)),
            _last(variant),
        )
        return
    base = _last(variant)
    load(variant, cfg, with_target="target" in changes)
    ss[_key(variant, "note")] = (f"Experiment: {exp.title}", exp.question, cfg)
    live.start(variant, cfg)
    # The baseline trains beside it (or is kept, if it was trained), so the table can show
    # the experiment next to what it changed — a column of its own, not replaced by it.
    ss[_key(variant, "baseline")] = (exp.title, base, cfg)
    if base.target == cfg.target:
        live.train_beside(base)


def baseline(variant: str) -> tuple[str, TrainConfig] | None:
    """(experiment title, baseline config) while the page shows an experiment's run."""
    kept = ss.get(_key(variant, "baseline"))
    if kept is None or kept[2] != live.active_config(variant):
        return None
    return kept[0], kept[1]


# --- the sidebar ----------------------------------------------------------------------------------
def sidebar(variant: str, picker: Picker | None = None) -> tuple[TrainConfig | None, list[str]]:
    """Draw the sidebar; return the config it describes, or None and the problems in words
    (a bad custom target explains itself in the sidebar and returns no problems here)."""
    _init(variant)
    bar = st.sidebar
    choices = presets(variant)
    bar.selectbox(
        "Preset",
        list(choices),
        key=_key(variant, "preset"),
        format_func=lambda k: choices[k].label,
        on_change=_apply_preset,
        args=(variant,),
        persist_state="session",
    )
    bar.caption(choices[ss[_key(variant, "preset")]].sentence)
    bar.button(
        "Apply this preset again",
        key=_key(variant, "preset_again"),
        on_click=_apply_preset,
        args=(variant,),
        width="stretch",
    )
    target = target_picker(
        _key(variant, "target"), container=bar, default=ss[_key(variant, "target_default")]
    )
    values: dict[str, object] = {}
    for group in GROUPS[:-1]:
        bar.subheader(group)
        values |= {n: _widget(bar, variant, n) for n in widget_fields(variant, group)}
    with bar.expander("More settings"):
        values |= {n: _widget(st, variant, n) for n in widget_fields(variant, "More")}
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
        safe = problems(exc.problems)  # they can quote a target's name: shown inert
        bar.error("These settings can't run:\n\n" + "\n".join(f"- {p}" for p in safe))
        return None, safe
    too_much = store.work_problem([cfg])
    if too_much:
        bar.error(f"These settings can't run here: {too_much}.")
        return None, [too_much]
    ss[_key(variant, "cfg")] = cfg
    to_link(variant, cfg, picker)
    return cfg, []


def _experiments(bar, variant: str) -> None:
    with bar.expander("Experiments to try"):
        st.caption("One click changes the settings above and starts training.")
        for key, exp in EXPERIMENTS.items():
            st.button(
                exp.title,
                key=_key(variant, f"exp.{key}"),
                help=exp.question,
                on_click=_run_experiment,
                args=(variant, key),
                width="stretch",
            )
            st.caption(exp.question)


def note(variant: str, cfg: TrainConfig | None) -> str | None:
    """The last preset's or experiment's sentence, marked once the settings have moved on."""
    if _key(variant, "note") not in ss:
        return None
    title, text, made = ss[_key(variant, "note")]
    since = "" if made == cfg else " *(settings changed since)*"
    return f"**{title}** — {text}{since}"
