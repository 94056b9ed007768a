"""ganlab.shared: thirty sessions asking for one config at once get one run, made once; it lives
until its last holder lets go; Reset gives the next holder a new run while the old one's holders
keep theirs; one session's Stop does not stop a run another session asked to train."""

from __future__ import annotations

import threading

from ganlab.shared import Shared


class Made:
    """A stand-in for a Run: the registry only needs identity."""


def test_thirty_sessions_at_once_share_one_run_made_once():
    shared: Shared[Made] = Shared()
    made, got = [], []
    barrier = threading.Barrier(30)

    def make() -> Made:
        made.append(Made())
        return made[-1]

    def visitor(i: int) -> None:
        barrier.wait()  # all ask in the same instant
        got.append(shared.attach("cfg", f"session-{i}", make))

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 1
    assert {id(run) for run, _ in got} == {id(made[0])}
    assert sum(was_made for _, was_made in got) == 1
    assert shared.holders(made[0]) == 30


def test_a_run_lives_until_its_last_holder_lets_go():
    shared: Shared[Made] = Shared()
    run, _ = shared.attach("cfg", "a", Made)
    shared.attach("cfg", "b", Made)
    assert shared.detach("cfg", run, "a") is False
    assert shared.find("cfg") is run  # a new visitor still attaches to it
    assert shared.detach("cfg", run, "b") is True
    assert shared.find("cfg") is None
    again, made = shared.attach("cfg", "c", Made)
    assert made and again is not run


def test_reset_gives_the_next_holder_a_new_run_and_leaves_the_old_to_its_holders():
    shared: Shared[Made] = Shared()
    old, _ = shared.attach("cfg", "a", Made)
    shared.attach("cfg", "b", Made)
    shared.retire("cfg", old)  # a pressed Reset
    assert shared.detach("cfg", old, "a") is False  # b still holds the old run
    new, made = shared.attach("cfg", "a", Made)
    assert made and new is not old and shared.find("cfg") is new
    assert shared.detach("cfg", old, "b") is True  # the old run's last holder
    assert shared.find("cfg") is new  # … does not remove the new one


def test_stop_by_one_session_leaves_a_run_others_asked_to_train():
    shared: Shared[Made] = Shared()
    run, _ = shared.attach("cfg", "lecturer", Made)
    shared.attach("cfg", "student", Made)
    shared.want(run, "lecturer", training=False)  # Start: it was not training yet
    shared.want(run, "student", training=True)  # Start pressed again while it trains
    assert shared.unwant(run, "student") == 1  # the lecturer still wants it: it goes on
    assert shared.unwant(run, "lecturer") == 0  # nobody does: it stops


def test_wishes_from_a_run_that_stopped_on_its_own_are_forgotten():
    shared: Shared[Made] = Shared()
    run, _ = shared.attach("cfg", "a", Made)
    shared.attach("cfg", "b", Made)
    shared.want(run, "a", training=False)  # a trains it one epoch; it stops by itself
    shared.want(run, "b", training=False)  # b starts it later: a's old wish is gone
    assert shared.unwant(run, "b") == 0  # so b's Stop stops it


def test_a_holder_that_leaves_takes_its_wish_along():
    shared: Shared[Made] = Shared()
    run, _ = shared.attach("cfg", "a", Made)
    shared.attach("cfg", "b", Made)
    shared.want(run, "a", training=False)
    shared.want(run, "b", training=True)
    shared.detach("cfg", run, "a")
    assert shared.unwant(run, "b") == 0


def test_a_room_of_live_views_redraws_about_as_often_as_a_few_visitors():
    from ganlab.ui.store import FULL_RATE_VIEWS, slowdown

    levels = [slowdown(n) for n in range(1, 201)]
    assert levels[:FULL_RATE_VIEWS] == [1] * FULL_RATE_VIEWS  # a few: each at full rate
    assert levels == sorted(levels)  # more watchers never redraw faster
    for n, level in enumerate(levels, start=1):
        # the room's redraws per base period: between half and all of the few's
        assert min(n, FULL_RATE_VIEWS / 2) <= n / level <= FULL_RATE_VIEWS
    assert len(set(levels[:30])) <= 4  # a room of 30 joining changes a page's period ≤ 3 times


def test_a_view_count_that_hovers_at_a_boundary_does_not_flip_the_period():
    from ganlab.ui.store import FULL_RATE_VIEWS, slowdown

    level, levels = 1, []
    for views in [FULL_RATE_VIEWS, FULL_RATE_VIEWS + 1] * 5:  # a tab opens, closes, opens…
        level = slowdown(views, level)
        levels.append(level)
    assert levels == [1] + [2] * 9  # one change, not ten
    for views in (30, 2 * FULL_RATE_VIEWS, FULL_RATE_VIEWS + 1):  # the room leaves
        level = slowdown(views, level)
    assert level == 2  # 5 views after 30: the level of 5–8 views
    assert slowdown(1, level) == 1  # alone again: full rate
