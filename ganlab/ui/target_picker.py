"""The target chooser every page shares: built-ins, a custom mixture table, or uploaded data."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ganlab.targets import TARGETS, MixtureTarget, Target, TargetError
from ganlab.ui.text import MESSAGE, plain
from ganlab.user_targets import MAX_UPLOAD_MB, empirical, mixture, parse_csv

CUSTOM, UPLOAD = "custom mixture", "uploaded data"
DEFAULT_ROWS = pd.DataFrame({"weight": [0.5, 0.5], "mean": [2.0, 6.0], "std": [0.4, 0.4]})


def _label(option: str) -> str:
    if option in TARGETS:
        return f"{option} — {TARGETS[option].description.split(':')[0]}"
    return {CUSTOM: "custom Gaussian mixture…", UPLOAD: "upload data (CSV)…"}[option]


def target_picker(
    key: str = "target",
    label: str = "Target",
    default: str = "bimodal",
    bind: bool = False,
    container=st,
) -> Target | None:
    """Show the chooser in `container`; return the chosen Target, or None after explaining in
    words why the custom mixture or the upload cannot be used yet. Choices persist across page
    switches; with bind=True the built-in choice is also carried in the URL as ?<key>=name."""
    options = [*TARGETS, CUSTOM, UPLOAD]
    if bind:
        # The URL carries the option's text, so keep it the plain name (?target=mixture); the
        # description is in the caption below. The default must stay fixed for the URL to
        # leave out a value equal to it.
        extra = {"bind": "query-params", "index": options.index(default)}
    else:
        extra = {"persist_state": "session", "format_func": _label}
        if key not in st.session_state:  # a preset may have set it; then the widget takes that
            extra["index"] = options.index(default)
    choice = container.selectbox(label, options, key=key, **extra)
    if choice in TARGETS:
        container.caption(TARGETS[choice].description)
        return TARGETS[choice]
    if choice == CUSTOM:
        return _custom_mixture(key, container)
    return _uploaded(key, container)


def choose(key: str, target: Target) -> bool:
    """Set the chooser under `key` to `target` before it is drawn: a built-in, or a mixture in
    the custom table. False for data a visitor uploaded (only a file brings that back)."""
    if TARGETS.get(target.name) == target:
        st.session_state[key] = target.name
    elif isinstance(target, MixtureTarget):
        st.session_state[key] = CUSTOM
        rows = pd.DataFrame(list(target.components), columns=["weight", "mean", "std"])
        st.session_state[f"{key}.mixture_rows"] = rows
        for stale in (f"{key}.mixture", f"{key}.mixture_base"):  # the editor starts from rows
            st.session_state.pop(stale, None)
    else:
        return False
    return True


def _custom_mixture(key: str, container) -> Target | None:
    container.caption("One row per component: weight (normalised for you), mean, std > 0.")
    # The editor's own state is dropped on a page switch, so its rows are kept under our key
    # and become the editor's starting data when it is drawn afresh.
    widget, rows_key, base_key = f"{key}.mixture", f"{key}.mixture_rows", f"{key}.mixture_base"
    if widget not in st.session_state or base_key not in st.session_state:
        st.session_state[base_key] = st.session_state.get(rows_key, DEFAULT_ROWS)
    rows = container.data_editor(
        st.session_state[base_key], num_rows="dynamic", key=widget, hide_index=True
    )
    st.session_state[rows_key] = rows
    rows = rows.dropna(how="all")
    try:
        return mixture(rows[["weight", "mean", "std"]].itertuples(index=False))
    except TargetError as exc:
        container.error(f"This mixture can't be used: {plain(exc, MESSAGE)}.")
        return None


def _uploaded(key: str, container) -> Target | None:
    widget, kept_key = f"{key}.upload", f"{key}.uploaded_target"
    upload = container.file_uploader(
        f"A column of numbers (CSV or text, header optional, ≤ {MAX_UPLOAD_MB} MB)",
        type=["csv", "txt"],
        key=widget,
        max_upload_size=MAX_UPLOAD_MB,
    )
    if upload is None:
        kept = st.session_state.get(kept_key)
        if kept is not None:  # the uploader forgets its file on a page switch; we do not
            container.caption(
                f"Using **{plain(kept.name)}** ({plain(kept.description)}), uploaded earlier. "
                "Upload another file to replace it."
            )
            return kept
        container.info(
            "Upload a file with one number per line (at least 20) to use it as the target."
        )
        return None
    try:
        target = empirical(parse_csv(upload.getvalue()), name=upload.name)
    except TargetError as exc:
        container.error(f"{plain(upload.name)} can't be used: {plain(exc, MESSAGE)}.")
        return None
    st.session_state[kept_key] = target
    return target
