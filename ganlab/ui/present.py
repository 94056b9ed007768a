"""Presentation mode: one switch (and `?present=true` in a link) for a projector's 1280×720 screen.

The switch sits in the sidebar of every page (app.py draws it before the page runs). When it is
on, the sidebar starts folded, a page's introduction folds into an expander, and a variant page
lays out its buttons beside the four key charts in projector-sized, high-contrast text
(ui/train_view.py); Compare puts its buttons and verdict beside the title and its four charts
in one row (ui/compare_view.py). The link carries it like any other setting, so a lecturer can
bookmark "this run, on the projector".
"""

from __future__ import annotations

import streamlit as st

from ganlab.charts import for_projector
from ganlab.ui import url

ss = st.session_state
KEY = "present"  # the widget's key and the link's parameter (url.APP_WIDE declares it)
_HEAD = "present.head"  # a page's title and introduction, kept for the layout to draw
SHORTCUTS = {"start": "S", "stop": "X", "step": "E"}  # Streamlit keeps C and R for itself
HOW = (
    "**Dark theme:** the ⋮ menu at the top right → *Dark* (or *System*). "
    f"**Keys:** {SHORTCUTS['start']} starts or resumes, {SHORTCUTS['stop']} stops, "
    f"{SHORTCUTS['step']} trains one epoch (when no text field has the focus). "
    "The link keeps `present=true`: bookmark it for the next lecture."
)
# Streamlit leaves 6rem above a page's first element; a projector needs those pixels for charts.
# The page title (an h1, drawn beside the buttons) at a heading's size rather than a banner's.
_STYLE = (
    "<style>[data-testid='stMainBlockContainer']{padding-top:4.25rem;padding-bottom:2rem}"
    "[data-testid='stMain'] h1{font-size:1.75rem;padding:0 0 0.25rem}</style>"
)


def chart(where, chart, height: int | None = None, **kwargs) -> None:
    """Draw an Altair chart or a Vega-Lite dict in `where` (st, a column); in presentation mode
    with the projector's large, high-contrast text (charts.for_projector), `height` px tall
    (None: the chart's own height)."""
    projector = on()
    if isinstance(chart, dict):
        where.vega_lite_chart(for_projector(chart, height) if projector else chart, **kwargs)
    elif projector:
        where.vega_lite_chart(for_projector(chart.to_dict(), height), **kwargs)
    else:
        where.altair_chart(chart, **kwargs)


def on() -> bool:
    """Whether presentation mode is on in this session."""
    return bool(ss.get(KEY, False))


def toggle() -> None:
    """The switch, in the sidebar of every page; call before the page runs. A link's
    `present=true` turns it on (a bad value is left for url.read to name and remove)."""
    if KEY not in ss:
        value, _ = url.APP_WIDE[KEY].read(st.query_params.get(KEY, ""))
        if isinstance(value, bool):
            ss[KEY] = value
    st.set_page_config(initial_sidebar_state="collapsed" if on() else "auto")
    st.sidebar.toggle(
        "Presentation mode",
        key=KEY,
        on_change=_to_link,
        help="For a projector (1280×720): buttons and four charts on one screen, large "
        "high-contrast chart text, the long texts folded away. " + HOW,
    )
    if on():
        if st.query_params.get(KEY) != "true":  # a page switch starts from a clean link
            st.query_params[KEY] = "true"
        st.html(_STYLE)


def _to_link() -> None:
    if on():
        st.query_params[KEY] = "true"
    elif KEY in st.query_params:
        del st.query_params[KEY]


def intro(title: str, text: str) -> None:
    """A page's title and introduction: drawn here, or in presentation mode kept for the
    layout to draw folded (head())."""
    if on():
        ss[_HEAD] = (title, text)
        return
    ss.pop(_HEAD, None)
    st.title(title)
    st.markdown(text)


def head() -> None:
    """In presentation mode, the page's title, and its introduction folded in an expander."""
    title, text = ss.get(_HEAD, (None, None))
    if title:
        st.title(title, anchor=False)
    with st.expander("About this page"):
        if text:
            st.markdown(text)
        st.markdown(HOW)
