"""Charts of a shared moment, built once for everyone who watches it.

A room of thirty watching one shared comparison train asks the server for the same four charts
thirty times per redraw: building them (pandas, Altair) and converting them to Vega-Lite with
their data as Arrow (what st.altair_chart does each time) is ~100 ms of the one CPU, and the
charts of a recorded frame never change. Here they are built and converted once per frame and
handed to every visitor as Vega-Lite dicts, which Streamlit sends without converting again.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from streamlit.elements import vega_charts

ENTRIES = 48  # a comparison's live charts are ~100 kB: ~5 MB at most
_SPECS: OrderedDict[Hashable, tuple[tuple, list[dict]]] = OrderedDict()
_LOCK = threading.Lock()
_BUILDING: dict[Hashable, threading.Event] = {}  # keys being built, for those who ask meanwhile
BUILD_WAIT_S = 30.0
T = TypeVar("T")
_PICKS: dict[Hashable, tuple[float, tuple[weakref.ref, ...], object]] = {}
PICK_KEPT_S = 60.0  # a moment nobody asked for since is dropped (it holds a run's frames)


def as_spec(chart) -> dict:
    """An Altair chart as the Vega-Lite dict st.altair_chart would send, its data already Arrow
    bytes (a dict is returned as it is)."""
    if isinstance(chart, dict):
        return chart
    convert = getattr(vega_charts, "_convert_altair_to_vega_lite_spec", None)
    return convert(chart) if convert is not None else chart.to_dict()


def specs(
    name: str, sources: Sequence[object], build: Callable[[], list], key: Hashable = None
) -> list[dict]:
    """The charts `build()` makes (Altair charts or Vega-Lite dicts) as Vega-Lite dicts, built at
    most once for these `sources` — objects that never change once made (a run's recorded
    frames), told apart by identity — or, given `key`, for that value (what determines the
    charts when each visitor holds its own copy of them: a finished comparison's configs and
    steps), however many visitors draw them. The entry keeps its sources alive, so their ids
    cannot be reused while it exists. Whoever asks while they are being built waits for them
    rather than building them too. Callers must not change the dicts (st.vega_lite_chart and
    charts.for_projector copy what they change)."""
    key = (name, key) if key is not None else (name, *map(id, sources))
    while True:
        with _LOCK:
            hit = _SPECS.get(key)
            if hit is not None:
                _SPECS.move_to_end(key)
                return hit[1]
            building = _BUILDING.get(key)
            if building is None:  # this caller builds; the others asking meanwhile wait
                _BUILDING[key] = threading.Event()
                break
        building.wait(BUILD_WAIT_S)  # then the entry is there (or its builder failed: retry)
    try:
        made = [as_spec(c) for c in build()]  # outside the lock: other rooms' redraws go on
        with _LOCK:
            _SPECS[key] = (tuple(sources), made)
            while len(_SPECS) > ENTRIES:
                _SPECS.popitem(last=False)
    finally:
        with _LOCK:
            _BUILDING.pop(key).set()
    return made


def paced(name: str, owners: Sequence[object], every_s: float, pick: Callable[[], T]) -> T:
    """What `pick()` returns (e.g. the runs' newest frames), handed to every caller for `every_s`
    seconds: a room's redraws then draw the same moment and its charts are built once per
    period (specs), not once per visitor — with three runs recording frames several times a
    second, each visitor's redraw would otherwise find a moment of its own. Keyed by `owners`
    (the runs), held weakly: an entry whose owner is gone is dropped, as is one nobody asked
    for in PICK_KEPT_S."""
    key = (name, *map(id, owners))
    now = time.monotonic()
    with _LOCK:
        hit = _PICKS.get(key)
        if (
            hit is not None
            and now - hit[0] < every_s
            and all(ref() is o for ref, o in zip(hit[1], owners, strict=True))
        ):
            return hit[2]  # type: ignore[return-value]
    value = pick()
    with _LOCK:
        _PICKS[key] = (now, tuple(weakref.ref(o) for o in owners), value)
        for k in [
            k
            for k, (t, refs, _) in _PICKS.items()
            if now - t > PICK_KEPT_S or any(ref() is None for ref in refs)
        ]:
            del _PICKS[k]
    return value
