"""Charts of a shared moment, built once for everyone who watches it.

A room of thirty watching one shared comparison train asks the server for the same four charts
thirty times per redraw: building them (pandas, Altair) and converting them to Vega-Lite with
their data as Arrow (what st.altair_chart does each time) is ~100 ms of the one CPU, and the
charts of a recorded frame never change. Here they are built and converted once per frame and
handed to every visitor as Vega-Lite dicts, which Streamlit sends without converting again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

from streamlit.elements import vega_charts

ENTRIES = 48  # a comparison's live charts are ~100 kB: ~5 MB at most
_SPECS: OrderedDict[Hashable, tuple[tuple, list[dict]]] = OrderedDict()
_LOCK = threading.Lock()


def as_spec(chart) -> dict:
    """An Altair chart as the Vega-Lite dict st.altair_chart would send, its data already Arrow
    bytes (a dict is returned as it is)."""
    if isinstance(chart, dict):
        return chart
    convert = getattr(vega_charts, "_convert_altair_to_vega_lite_spec", None)
    return convert(chart) if convert is not None else chart.to_dict()


def specs(name: str, sources: Sequence[object], build: Callable[[], list]) -> list[dict]:
    """The charts `build()` makes (Altair charts or Vega-Lite dicts) as Vega-Lite dicts, built at
    most once for these `sources` — objects that never change once made (a run's recorded
    frames), told apart by identity — however many visitors draw them. The entry keeps its
    sources alive, so their ids cannot be reused while it exists. Callers must not change the
    dicts (st.vega_lite_chart and charts.for_projector copy what they change)."""
    key = (name, *map(id, sources))
    with _LOCK:
        hit = _SPECS.get(key)
        if hit is not None:
            _SPECS.move_to_end(key)
            return hit[1]
    made = [as_spec(c) for c in build()]  # outside the lock: other rooms' redraws go on
    with _LOCK:
        _SPECS[key] = (tuple(sources), made)
        while len(_SPECS) > ENTRIES:
            _SPECS.popitem(last=False)
    return made
