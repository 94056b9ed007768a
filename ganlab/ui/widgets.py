"""One widget per config field, drawn from its declaration (config.FIELDS) for every sidebar."""

from __future__ import annotations

import streamlit as st

from ganlab.config import FIELDS, fmt, label


def field_widget(
    box,
    name: str,
    key: str,
    variant: str | None = None,
    default=None,
    text: str | None = None,
    grid_of: str | None = None,
    **kw,
):
    """Draw field `name` as its declared widget under `key` and return its value. `default` is
    the initial value (None: the widget's state decides); `text` overrides the label; `grid_of`
    borrows another field's grid (Compare's one learning-rate knob uses lr_g's)."""
    f = FIELDS[name]
    text = text or label(name, variant)
    kw = {"key": key, "help": f.help, **kw}
    if f.widget == "grid":
        # A value off the grid (from a run, a preset or a file) joins it rather than fail.
        grid = FIELDS[grid_of or name].grid
        extra = {v for v in (default, st.session_state.get(key)) if v is not None}
        opts = sorted({*grid, *extra})
        value = {} if default is None else {"value": default}
        return box.select_slider(text, opts, format_func=fmt, **value, **kw)
    lo, hi = f.range or (0, 0)
    if f.widget == "slider":
        value = {} if default is None else {"value": int(default)}
        return box.slider(text, int(lo), int(hi), **value, **kw)
    if f.widget == "number":
        value = {} if default is None else {"value": int(default)}
        return int(box.number_input(text, int(lo), int(hi), step=f.step, **value, **kw))
    if f.widget == "radio":
        opts = list(f.choices or ())
        index = {} if default is None else {"index": opts.index(default)}
        return box.radio(text, opts, horizontal=True, **index, **kw)
    if f.widget == "select":
        return box.selectbox(text, f.choices, **kw)
    if f.widget == "toggle":
        return box.toggle(text, **kw)
    raise ValueError(f"field {name} has no widget")
