"""Every page reads its link here first: checked by ganlab.links before any widget binds to it.

Streamlit's query-parameter binding (bind="query-params") converts a value itself on the first
run and raises on some (?steps=inf). So each page calls `read(spec)` before drawing a widget:
the parameters `spec` does not allow leave the link and the page starts over (the binding reads
the link the run started with), and a warning names each one in words. Good values go into
session state under their widget keys, so a value off a widget's grid joins it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ganlab import links
from ganlab.ui.text import MESSAGE, plain

ss = st.session_state
# Parameters every page takes, beside its own settings: the projector layout (ui/present.py).
APP_WIDE: dict[str, links.Param] = {"present": links.Param("present", "bool")}
WRITTEN = "url.written"  # the link the app last wrote: a link it did not write was opened
NOTE = "url.ignored"  # what the last cleaning took out of the link, shown on the run after it
SHOWN = 10  # problems listed; a link with hundreds of junk keys gets a count for the rest


def read(spec: links.Spec | None = None, into_state: bool = True) -> dict[str, links.Value]:
    """Check the link against `spec` (no parameters when None); return the good values. The
    first thing a page does: bad parameters are removed from the link and named in a warning at
    the top of the page; with `into_state`, good ones seed the widgets keyed by their names
    (unless the widget already has a value)."""
    spec = {**(spec or {}), **APP_WIDE}
    given = {k: st.query_params.get_all(k) for k in st.query_params}
    values, problems = links.parse(given, spec)
    bad = [k for k in given if k not in values]
    # A good value spelled otherwise than our links do (?wgan_clip=0.10): a grid widget would
    # not recognise it and drop it from the link, so it is written as the widget writes it.
    respelled = {k: spec[k].text(v) for k, v in values.items() if given[k] != [spec[k].text(v)]}
    if bad or respelled:
        _clean(given, bad, respelled)
    if bad:
        ss[NOTE] = problems
    # Start over, as this run's widgets would still see the link it started with; but never
    # loop on a parameter that could not be taken out or respelled (it stays as it was).
    removed = all(k not in st.query_params for k in bad)
    written = [k for k, t in respelled.items() if st.query_params.get_all(k) == [t]]
    if removed and (bad or written):
        st.rerun()
    for key, value in values.items():
        if key not in ss and (into_state or key in APP_WIDE):
            ss[key] = value
    _warn(ss.pop(NOTE, None))
    return {k: v for k, v in values.items() if k not in APP_WIDE}


def opened() -> dict[str, str] | None:
    """The page's link, if the app did not write it itself (opened, pasted, reloaded): then it
    sets the page's widgets, once. The page's own link (or none, after a page switch) does not."""
    given = page_params()
    return given if given and given != ss.get(WRITTEN) else None


def write(params: dict[str, str]) -> None:
    """Make `params` the page's link (the app-wide parameters stay)."""
    ss[WRITTEN] = params
    if params != page_params():
        st.query_params.from_dict(app_params() | params)


@dataclass(frozen=True)
class Bound:
    """A widget whose value travels in its page's link as ?<param.key>=…, left out when it is
    the default."""

    param: links.Param
    state: str  # the widget's key
    default: links.Value
    cast: Callable[[Any], object] = lambda v: v  # link value -> widget value
    spell: Callable[[Any], Any] = lambda v: v  # widget value -> link value


def follow(bound: Sequence[Bound]) -> None:
    """Before a page draws its widgets: check its link, and an opened one sets every bound widget
    (to the link's value, or its default when the link leaves it out)."""
    values = read({b.param.key: b.param for b in bound}, into_state=False)
    given = opened()
    if given is None:
        return
    for b in bound:
        ss[b.state] = b.cast(values.get(b.param.key, b.default))
    ss[WRITTEN] = given


def lead(bound: Sequence[Bound]) -> None:
    """After the widgets: the link says what differs from the defaults."""
    out: dict[str, str] = {}
    for b in bound:
        if b.state not in ss or ss[b.state] == b.cast(b.default):
            continue
        text = b.param.text(b.spell(ss[b.state]))
        if b.param.read(text)[0] is not None:  # what a link cannot say (an upload) stays out
            out[b.param.key] = text
    write(out)


def page_params() -> dict[str, str]:
    """The link's parameters that belong to the page (not the app-wide ones)."""
    return {k: st.query_params[k] for k in st.query_params if k not in APP_WIDE}


def app_params() -> dict[str, str]:
    """The link's app-wide parameters, which a page keeps when it rewrites its link."""
    return {k: st.query_params[k] for k in st.query_params if k in APP_WIDE}


def _clean(given: dict[str, list[str]], bad: list[str], respelled: dict[str, str]) -> None:
    """The link without `bad`, with `respelled`: in one step, so the browser's history gets one
    entry (Back goes to the link as it was given, not to a half-cleaned one)."""
    cleaned = {k: respelled.get(k, v[0]) for k, v in given.items() if k not in bad}
    try:
        st.query_params.from_dict(cleaned)
    except StreamlitAPIException:  # a parameter is bound to a widget drawn on an earlier run
        for key in bad:
            _remove(key)
        for key, text in respelled.items():
            with contextlib.suppress(StreamlitAPIException):  # bound: the widget's value rules
                st.query_params[key] = text


def _remove(key: str) -> None:
    try:
        del st.query_params[key]
    except StreamlitAPIException:
        # Bound to a widget drawn on an earlier run (Back to a bad link): Streamlit refuses a
        # plain delete of a bound parameter. Its own clean-up path (internal, used for values
        # it rejects itself) takes it out and tells the browser; if that path ever moves, the
        # parameter stays, read() does not start over, and the warning still names it.
        with contextlib.suppress(ImportError, AttributeError):
            from streamlit.runtime.state.session_state_proxy import get_session_state

            with get_session_state().query_params() as qp:
                qp.remove_param(key)


def _warn(problems: list[str] | None) -> None:
    if not problems:
        return
    more = len(problems) - SHOWN
    lines = [f"- {plain(p, MESSAGE)}" for p in problems[:SHOWN]]
    if more > 0:
        lines.append(f"- and {more:,} more")
    st.warning(
        "Some settings in this link were ignored; the address bar now shows the link without "
        "them.\n\n" + "\n".join(lines)
    )
