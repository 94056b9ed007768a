"""The compare page's controls, all in the URL: which variants (a picker above the results),
each chosen variant's preset and knobs (a column each), and the shared settings (sidebar)."""

from __future__ import annotations

import math

import streamlit as st

from ganlab import compare, links
from ganlab.config import PRESETS, ConfigError, TrainConfig, fmt
from ganlab.targets import TARGETS
from ganlab.ui import nav, store
from ganlab.ui.target_picker import CUSTOM, UPLOAD, target_picker
from ganlab.ui.text import plain, problems
from ganlab.ui.widgets import field_widget
from ganlab.variants import VARIANTS

ss = st.session_state
# Widget keys are the URL's query parameter names (bind="query-params"), so keep them short and
# stable: a link sent to students must keep working.
TARGET, SEEDS, STEPS, SEED = "target", "seeds", "steps", "seed"
PICK = links.VARIANTS_KEY  # the variant picker's key and query parameter (?variants=gan,lsgan)
LINKED = "cmp.variants_link"  # the ?variants= text this page last wrote into the link
LR_LABEL = "learning rate (G; D keeps the preset's D/G ratio)"  # compare.knobs' "lr"
EXTRAS = "cmp.extras"  # {variant: {field: value}} from a loaded file, beyond the knobs
LOADED_TARGET = "cmp.loaded_target"  # a custom/uploaded target from a loaded file
NOTE = "cmp.load_note"  # (kind, text) about the last load, shown once
CFGS = "cmp.cfgs"  # the configs the sidebar describes (None when they cannot run)
MAX_FILE_MB = 5


def key(variant: str, name: str) -> str:
    """A knob's widget key, which is its query parameter: the variant's prefix and the field's
    link name (d_steps by the papers' names: gan_k, wgan_ncritic; also "preset" and "lr")."""
    return links.compare_key(variant, name)


def url_spec() -> links.Spec:
    """Every parameter these controls keep in the link, as ganlab.links checks it: the chosen
    variants, the target picker's choices (a custom mixture or an upload opens its editor), the
    shared settings, and every variant's preset and knobs under `key`."""
    return links.compare_spec((*TARGETS, CUSTOM, UPLOAD))


def columns(n: int, widest: int, box=st) -> list:
    """n cells in rows of at most `widest` columns, the rows as even as they can be (7 at
    most 3 a row: 3 + 3 + 1; 4: 2 + 2), so every cell of one grid has the same width."""
    if n <= 0:
        return []
    per_row = math.ceil(n / math.ceil(n / widest))
    cells: list = []
    while len(cells) < n:
        cells += box.columns(per_row)
    return cells[:n]


# --- presets and loading (callbacks: they run before the widgets are drawn) ----------------------
def _apply_preset(variant: str) -> None:
    """A preset sets its knobs and drops what a loaded file added for this variant."""
    for name, value in compare.knob_values(variant, ss[key(variant, "preset")]).items():
        ss[key(variant, name)] = value
    ss.get(EXTRAS, {}).pop(variant, None)


def load_text(text: str, source: str) -> bool:
    """Put a saved comparison into the widgets; on a problem, say what it is and change nothing."""
    try:
        shared, choices = compare.from_json(text)
    except ConfigError as exc:
        ss[NOTE] = (
            "error",
            f"{plain(source)} can't be loaded:\n\n"
            + "\n".join(f"- {p}" for p in problems(exc.problems)),
        )
        return False
    target = shared["target"]
    if compare.is_builtin(target):
        ss[TARGET] = target.name
        ss.pop(LOADED_TARGET, None)
    else:  # the picker cannot show a loaded mixture or data set: keep it beside the picker
        ss[LOADED_TARGET] = target
    ss[SEEDS], ss[STEPS], ss[SEED] = shared["n_seeds"], shared["steps"], shared["seed"]
    ss[PICK] = list(choices)  # a file saved before subsets holds the classics
    for v, c in choices.items():
        ss[key(v, "preset")] = c["preset"]
        for name, value in c["knobs"].items():
            ss[key(v, name)] = value
    ss[EXTRAS] = {v: c["extra"] for v, c in choices.items() if c["extra"]}
    ss[NOTE] = (
        "success",
        f"Loaded {plain(source)}: target {plain(target.name)}, {shared['n_seeds']} seeds, "
        # "… steps." ends the sentence as before; the variants follow in a sentence of their own
        f"{shared['steps']:,} steps. Variants: "
        + ", ".join(compare.label(v) for v in choices)
        + ".",
    )
    return True


def _load_file() -> None:
    upload = ss.get("cmp.load_file")
    if upload is None:
        return
    try:
        text = upload.getvalue().decode("utf-8-sig")
    except UnicodeDecodeError:
        ss[NOTE] = (
            "error",
            f"{plain(upload.name)} is not UTF-8 text: load a .json file saved here.",
        )
        return
    load_text(text, upload.name)


def _load_pasted() -> None:
    load_text(ss.get("cmp.load_text", ""), "the pasted text")


def _forget_loaded_target() -> None:
    ss.pop(LOADED_TARGET, None)


def _forget_extras() -> None:
    ss.pop(EXTRAS, None)


# --- the sidebar ----------------------------------------------------------------------------------
def _shared(bar):
    loaded = ss.get(LOADED_TARGET)
    if loaded is not None:
        bar.info(
            f"Target from the loaded file: **{plain(loaded.name)}** — "
            f"{plain(loaded.description)}. "
            "A link cannot carry it; send the JSON file instead."
        )
        bar.button(
            "Choose a built-in target instead",
            key="cmp.unload_target",
            on_click=_forget_loaded_target,
        )
        target = loaded
    else:
        target = target_picker(
            TARGET, "Target", compare.DEFAULTS["target"], bind=True, container=bar
        )
    d, url = compare.DEFAULTS, {"bind": "query-params"}
    seeds = field_widget(
        bar,
        "n_seeds",
        SEEDS,
        default=d["n_seeds"],
        **url,
        text="Seeds (trained together, same for every variant)",
    )
    steps = field_widget(
        bar,
        "steps",
        STEPS,
        default=d["steps"],
        text="Budget: generator steps",
        help="Every variant gets the same number of generator updates; critic "
        "steps come on top (n_critic per G step).",
        **url,
    )
    seed = field_widget(
        bar,
        "seed",
        SEED,
        default=d["seed"],
        text="First seed",
        help="Seeds are this one and the next ones.",
        **url,
    )
    return target, int(seeds), int(steps), int(seed)


def _knob(box, variant: str, name: str, default):
    """One knob; its default is the chosen preset's value, so the URL lists only changes."""
    if name == "lr":
        return field_widget(
            box, "lr_g", key(variant, name), default=default, text=LR_LABEL, bind="query-params"
        )
    return field_widget(
        box, name, key(variant, name), variant, default=default, bind="query-params"
    )


def _swatch(variant: str) -> str:
    """The variant's label behind a dot in its colour, the colour of its column everywhere."""
    v = VARIANTS[variant]
    return f':color[●]{{foreground="{v.color}"}} {v.label}'


def _variant(box, variant: str) -> tuple[str, dict]:
    """One variant's column: its preset, its knobs (defaults: the preset's), its live page."""
    box.markdown(f"**{_swatch(variant)}**")
    names = list(PRESETS[variant])
    preset = box.selectbox(
        "Preset",
        names,
        index=names.index(compare.DEFAULTS["preset"]),
        key=key(variant, "preset"),
        on_change=_apply_preset,
        args=(variant,),
        bind="query-params",
    )
    defaults = compare.knob_values(variant, preset)
    knobs = {n: _knob(box, variant, n, defaults[n]) for n in compare.knobs(variant)}
    page = nav.LIVE_PAGES[variant][1]
    # Not "Run …": the page's own Run comparison button is the one that starts with "Run".
    if box.button(
        f"Live page: {page} ↗",
        key=f"cmp.live.{variant}",
        help=f"Opens {page} with {VARIANTS[variant].label} picked, on that page's own "
        "settings (this comparison's runs stay here).",
    ):
        nav.open_live(variant)
    return preset, knobs


# --- which variants -------------------------------------------------------------------------------
def _follow_link() -> None:
    """A link that changed under the page (Back, Forward) picks its variants, as a bound widget
    follows its parameter; a link this page wrote itself, or one without them, changes nothing."""
    given = st.query_params.get_all(PICK)
    if len(given) != 1 or given[0] == ss.get(LINKED):
        return
    value, _ = url_spec()[PICK].read(given[0])  # url.read took a bad one out already
    if value is not None:
        ss[PICK] = value
    ss[LINKED] = given[0]


def _write_link(chosen: tuple[str, ...]) -> None:
    """The chosen variants into the link, left out when they are the default (the picker is not
    bound to the link: Streamlit would write its labels, one parameter per variant)."""
    if not chosen:
        return  # nothing to share: the link keeps the last comparison that could run
    text = url_spec()[PICK].text(list(chosen))
    if chosen == compare.DEFAULTS["variants"]:
        if PICK in st.query_params:
            del st.query_params[PICK]
    elif st.query_params.get_all(PICK) != [text]:
        st.query_params[PICK] = text
    ss[LINKED] = text


def picker() -> tuple[str, ...]:
    """The variants to compare, in the registry's order (the columns' order everywhere)."""
    _follow_link()
    if PICK not in ss:  # the default, unless the link or a loaded file chose already
        ss[PICK] = list(compare.DEFAULTS["variants"])
    picked = st.pills(
        "Variants to compare",
        list(VARIANTS),
        selection_mode="multi",
        format_func=_swatch,
        key=PICK,
        persist_state="session",  # kept across a page switch, like the bound widgets
        help="The classics (vanilla GAN, WGAN, WGAN-GP) are the default; the newer variants "
        "are one click away. Each keeps its colour on every chart.",
    )
    chosen = compare.in_order(picked or ())
    _write_link(chosen)
    return chosen


def _loader(bar) -> None:
    with bar.expander("Load a saved comparison (JSON)"):
        st.file_uploader(
            "A .json file saved with 'Config as JSON'",
            type=["json"],
            key="cmp.load_file",
            on_change=_load_file,
            max_upload_size=MAX_FILE_MB,
        )
        st.text_area("…or paste its text", key="cmp.load_text", height=100)
        st.button("Load pasted text", key="cmp.load_button", on_click=_load_pasted)
        st.caption(
            "The file is read as data and checked like any other settings; nothing in "
            "it is executed."
        )
    note = ss.pop(NOTE, None)
    if note is not None:
        getattr(bar, note[0])(note[1])


def controls(folded: bool = False) -> tuple[dict[str, TrainConfig] | None, list[str]]:
    """Draw the variant picker and each chosen variant's column (main area; the columns in a
    closed expander when `folded`) and the shared settings (sidebar); return the chosen
    variants' configs (None when they cannot run) and the problems in words (a bad custom target
    explains itself)."""
    chosen = picker()
    bar = st.sidebar
    _loader(bar)
    bar.subheader("Shared by every variant")
    target, seeds, steps, seed = _shared(bar)
    choices = {}
    extras = {v: e for v, e in ss.get(EXTRAS, {}).items() if v in chosen}
    if chosen:
        with st.expander("Each variant's preset and knobs", expanded=not folded):
            for box, v in zip(columns(len(chosen), 4), chosen, strict=True):
                preset, knobs = _variant(box, v)
                choices[v] = {"preset": preset, "knobs": knobs, "extra": extras.get(v, {})}
    if extras:
        said = "; ".join(
            f"{compare.label(v)}: " + ", ".join(f"{f} {fmt(x)}" for f, x in e.items())
            for v, e in extras.items()
        )
        bar.caption(f"Also from the loaded file (not in the link): {said}.")
        bar.button("Drop these", key="cmp.drop_extras", on_click=_forget_extras)
    ss[CFGS] = None
    if not chosen:
        return None, ["pick at least one variant to compare"]
    if target is None:
        return None, []
    try:
        cfgs = compare.build(target, seeds, steps, seed, choices, chosen)
    except ConfigError as exc:
        safe = problems(exc.problems)  # they quote what a loaded file set: shown inert
        bar.error("These settings can't run:\n\n" + "\n".join(f"- {p}" for p in safe))
        return None, safe
    too_much = store.work_problem(cfgs.values())
    if too_much:
        bar.error(f"These settings can't run here: {too_much}.")
        return None, [too_much]
    ss[CFGS] = cfgs
    return cfgs, []
