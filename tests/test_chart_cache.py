"""Charts of a shared moment are built once for everyone watching, and drawn exactly as
st.altair_chart draws them."""

from __future__ import annotations

import gc
import sys
import threading
import weakref

import pytest
from streamlit.testing.v1 import AppTest

from ganlab.ui import chart_cache


class Source:  # a recorded frame's stand-in: compared by identity, weakly referenceable
    pass


def _script():
    import altair as alt
    import pandas as pd
    import streamlit as st

    from ganlab.ui import chart_cache

    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0.5, 0.25, 1.0], "seed": ["0", "1", "0"]})
    chart = alt.Chart(df).mark_line().encode(x="x", y="y", color="seed").properties(title="t")
    st.altair_chart(chart, width="stretch")
    st.vega_lite_chart(chart_cache.as_spec(chart), width="stretch")


@pytest.fixture
def main_kept():
    """AppTest leaves its script as sys.modules["__main__"]; a from_function script cannot be
    run again, which multiprocessing's spawn does in every new process (Dask's workers)."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


def test_a_converted_chart_is_drawn_exactly_as_st_altair_chart_draws_it(main_kept):
    at = AppTest.from_function(_script, default_timeout=60).run()
    assert not at.exception
    ours, theirs = (e.proto for e in at.get("vega_lite_chart"))
    assert ours.spec == theirs.spec and "line" in theirs.spec
    assert [(d.name, d.data.data) for d in ours.datasets] == [
        (d.name, d.data.data) for d in theirs.datasets
    ]
    assert len(theirs.datasets) == 1 and theirs.datasets[0].data.data  # the data went as Arrow


def test_the_same_sources_are_built_once_whoever_asks():
    built: list[int] = []

    def build() -> list:
        built.append(1)
        return [{"mark": "point", "n": len(built)}]

    a, b = Source(), Source()
    first = chart_cache.specs("test.once", [a, b], build)
    seen: list = []
    visitors = [
        threading.Thread(target=lambda: seen.append(chart_cache.specs("test.once", [a, b], build)))
        for _ in range(8)
    ]
    for t in visitors:
        t.start()
    for t in visitors:
        t.join()
    assert len(built) == 1 and all(s is first for s in seen)
    assert chart_cache.specs("test.once", [a, Source()], build) != first  # a newer frame
    assert chart_cache.specs("test.other", [a, b], build)[0]["n"] == 3  # another chart set
    assert len(built) == 3


def test_charts_keyed_by_value_are_built_once_for_every_copy():
    # Each visitor of a shared comparison holds its own copy of the results: the charts are
    # keyed by what determines them (configs and steps), not by which copy is drawn.
    built: list[int] = []

    def build() -> list:
        built.append(1)
        return [{"mark": "bar", "n": len(built)}]

    first = chart_cache.specs("test.value", [Source()], build, key=("cfg", 30))
    again = chart_cache.specs("test.value", [Source()], build, key=("cfg", 30))
    assert again is first and len(built) == 1
    assert chart_cache.specs("test.value", [], build, key=("cfg", 31))[0]["n"] == 2  # later step
    assert len(built) == 2


def test_visitors_asking_while_it_is_built_wait_for_it_rather_than_build_it_too():
    started, release = threading.Event(), threading.Event()
    built: list[int] = []

    def slow() -> list:
        built.append(1)
        started.set()
        release.wait(10)  # the first visitor's build is slow; the room asks meanwhile
        return [{"mark": "point"}]

    a, seen = Source(), []

    def visit():
        seen.append(chart_cache.specs("test.inflight", [a], slow))

    first = threading.Thread(target=visit)
    first.start()
    assert started.wait(10)
    room = [threading.Thread(target=visit) for _ in range(8)]
    for t in room:
        t.start()
    release.set()
    for t in [first, *room]:
        t.join(10)
    assert len(built) == 1 and len(seen) == 9 and all(s is seen[0] for s in seen)


def test_a_failed_build_is_not_cached_and_the_next_visitor_builds_again():
    a, tries = Source(), []

    def flaky() -> list:
        tries.append(1)
        if len(tries) == 1:
            raise RuntimeError("no data yet")
        return [{"mark": "point"}]

    with pytest.raises(RuntimeError):
        chart_cache.specs("test.flaky", [a], flaky)
    assert chart_cache.specs("test.flaky", [a], flaky) == [{"mark": "point"}]
    assert len(tries) == 2


def test_the_cache_is_bounded_and_lets_old_frames_go():
    oldest = Source()
    gone = weakref.ref(oldest)
    chart_cache.specs("test.bound", [oldest], lambda: [{"mark": "bar"}])
    del oldest
    for _ in range(chart_cache.ENTRIES):
        chart_cache.specs("test.bound", [Source()], lambda: [{"mark": "bar"}])
    gc.collect()
    assert len(chart_cache._SPECS) == chart_cache.ENTRIES
    assert gone() is None


def test_a_paced_pick_is_the_same_for_everyone_within_its_period_then_new(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(chart_cache.time, "monotonic", lambda: clock[0])
    run, picks = Source(), []

    def pick() -> int:
        picks.append(clock[0])
        return len(picks)

    seen = []
    for t in (0.0, 0.4, 1.9):  # three visitors' redraws inside one 2 s period
        clock[0] = 1000.0 + t
        seen.append(chart_cache.paced("t.pace", [run], 2.0, pick))
    clock[0] = 1002.1  # the next period: the newest moment again
    seen.append(chart_cache.paced("t.pace", [run], 2.0, pick))
    assert seen == [1, 1, 1, 2] and picks == [1000.0, 1002.1]
    assert chart_cache.paced("t.pace", [run], 0.0, pick) == 3  # no period: always the newest
    assert chart_cache.paced("t.pace", [Source()], 2.0, pick) == 4  # other runs, their own


def test_a_paced_pick_does_not_keep_its_runs_or_outlive_them():
    run, value = Source(), Source()
    gone, value_gone = weakref.ref(run), weakref.ref(value)
    chart_cache.paced("t.free", [run], 60.0, lambda held=value: held)
    del run, value
    gc.collect()
    assert gone() is None  # held weakly
    chart_cache.paced("t.free.other", [Source()], 1.0, lambda: 0)  # any later call prunes
    gc.collect()
    assert value_gone() is None
