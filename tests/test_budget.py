"""The cost model against what a Run really holds, compaction against the views it must keep,
and the one admission check at every training entry point of the app (and the CLI)."""

from __future__ import annotations

import gc
import os
import platform
import subprocess
import sys
import weakref
from collections import OrderedDict

import numpy as np
import pytest
import torch
from held import held_bytes  # bench/held.py: the one reference walker
from streamlit.testing.v1 import AppTest
from ui_pages import APP, open_page, runs, shown_run, tiny
from ui_pages import training as is_training

from ganlab import budget, cli, metrics, snapshots, training
from ganlab.budget import MB, Limits
from ganlab.config import preset
from ganlab.lessons import EXPERIMENTS
from ganlab.service import SERVICE
from ganlab.training import Run
from ganlab.ui import store

V = "gan"
LARGEST = dict(  # the largest networks the sliders accept
    n_seeds=32, g_width=128, d_width=128, g_layers=4, d_layers=4, latent_dim=32, batch_size=512
)


# --- the model's arithmetic -------------------------------------------------------------------
def test_the_models_copies_of_the_engines_sizes_are_the_engines():
    assert budget.EVAL_SAMPLES == snapshots.EVAL_SAMPLES == training.EVAL_SAMPLES
    assert budget.METRIC_SAMPLES == snapshots.METRIC_SAMPLES == training.METRIC_SAMPLES
    assert budget.VOL_WINDOW == training.VOL_WINDOW
    assert budget.GRID == metrics.GRID


def test_flops_of_a_tiny_net_counted_by_hand():
    # G: 1 → 8 → 1, D: 1 → 8 → 1, batch 32, one D step, Adam, no EMA, one seed. Every layer has
    # a side 1 wide, so all of it is element-wise (nets._linear's broadcast products).
    cfg = preset(
        "gan",
        "tuned",
        latent_dim=1,
        g_layers=1,
        g_width=8,
        d_layers=1,
        d_width=8,
        batch_size=32,
        d_steps=1,
        ema=0.0,
        n_seeds=1,
    )
    g_fwd = 2 * 32 * 8 + 32 * 8 + 32 * 8 + 2 * 32 * 8 + 32  # product, bias, relu; product, bias
    d_fwd_2b = 2 * 64 * 8 + 64 * 8 + 64 * 8 + 2 * 64 * 8 + 64
    d_back_2b = (2 * 64 * 8 + 64 + 2 * 64 * 8) + (64 * 8 + 2 * 64 * 8 + 64 * 8)
    adam = 13 * 25  # 25 parameters per network
    d_step = g_fwd + 2 * 32 + d_fwd_2b + 8 * 64 + d_back_2b + adam
    d_fwd_b = 2 * 32 * 8 + 32 * 8 + 32 * 8 + 2 * 32 * 8 + 32
    d_back_input = 2 * 32 * 8 + 32 * 8 + 2 * 32 * 8
    g_back = (2 * 32 * 8 + 32 + 2 * 32 * 8) + (32 * 8 + 2 * 32 * 8 + 32 * 8)
    g_step = g_fwd + d_fwd_b + 8 * 32 + d_back_input + g_back + adam
    t = budget.step_tally(cfg)
    assert t.mm == 0 and t.ew == d_step + g_step == 16_842
    assert budget.step_flops(cfg) == 16_842


def test_matrix_product_flops_are_the_textbook_count():
    # Hidden 16 × 16 layers and a 16-wide latent: 2·n·in·out per product; forward once, backward
    # twice (weights and input) except the first layer's input; the G step goes back through D
    # to its input only. Three seeds, two D steps.
    cfg = preset(
        "gan",
        "tuned",
        latent_dim=16,
        g_layers=2,
        g_width=16,
        d_layers=2,
        d_width=16,
        batch_size=64,
        d_steps=2,
        n_seeds=3,
    )
    p = 2 * 16 * 16  # FLOPs per sample of one 16 × 16 product
    d_step = 2 * 64 * p + 128 * p + 2 * 128 * p  # G(2 layers), D forward, D backward (1 layer)
    g_step = 2 * 64 * p + 64 * p + 64 * p + 3 * 64 * p  # G, D, back through D, back through G
    assert budget.step_tally(cfg).mm == 2 * d_step + g_step
    # the gradient penalty adds D's slope pass per D step: value and derivative through the
    # 16 × 16 layer, and its weight gradient and the gradient below it
    kw = dict(latent_dim=16, g_layers=2, g_width=16, d_layers=2, d_width=16, batch_size=64)
    gp = budget.step_tally(preset("wgan-gp", "tuned", d_steps=2, **kw)).mm
    clip = budget.step_tally(preset("wgan", "tuned", d_steps=2, **kw)).mm
    assert gp - clip == 2 * 4 * 64 * p


@pytest.mark.slow  # ~1.5–2.5 s each: a 40-step run records a timeline frame at every step
@pytest.mark.parametrize(
    "variant, kw",
    [
        ("wgan-gp", dict(steps=40, g_width=8, d_width=8, data_size=512, batch_size=64)),  # small
        ("gan", dict(steps=40)),  # tuned
        ("wgan", dict(steps=40, activation="silu", n_seeds=4, latent_dim=8, ema=0.0)),
    ],
)
def test_bytes_a_run_holds_match_the_model(variant, kw):
    cfg = preset(variant, "tuned", **kw)
    run = Run(cfg)
    run.advance(cfg.steps - 1)
    cost = budget.estimate(cfg)
    assert held_bytes(run) == pytest.approx(cost.held, rel=0.25)
    run.advance()  # finished: compacted
    assert run.compacted
    assert held_bytes(run) == pytest.approx(cost.compact, rel=0.25)


@pytest.mark.slow  # one step of the largest networks: ~2–4 s
def test_bytes_of_the_largest_run_the_page_accepts_match_the_model():
    cfg = preset("gan", "tuned", steps=1, **LARGEST)
    run = Run(cfg)
    cost = budget.estimate(cfg)
    assert cost.held > 60 * MB
    assert held_bytes(run) == pytest.approx(cost.held, rel=0.25)
    run.advance()
    assert held_bytes(run) == pytest.approx(cost.compact, rel=0.25)
    assert cost.compact < cost.held / 3


# --- compaction ---------------------------------------------------------------------------------
def views(run: Run) -> dict:
    run._memo = None  # recompute, never the memo
    res = run.result()
    z = np.linspace(-2, 2, 60 * run.cfg.latent_dim, dtype=np.float32).reshape(60, -1)
    return {
        "decode": run.decode(z),
        "line": run.decode(run.latent_line(np.linspace(-3, 3, 11))),
        "samples": run.samples(3000),
        "other": run.samples(1500, stream=2),
        "metrics": run.seed_metrics(),
        **{f"result.{k}": v for k, v in vars(res).items() if k != "seed_metrics"},
    }


def same(a, b) -> bool:
    if hasattr(a, "equals"):
        return a.equals(b)
    if isinstance(a, tuple):
        return all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


@pytest.mark.slow  # ~2.5 s each: a 40-step run with a frame at every step, its views twice
@pytest.mark.parametrize(
    "variant, kw",
    [
        ("gan", dict(n_seeds=3, latent_dim=3)),  # with G's EMA: G's own weights are dropped
        ("wgan-gp", dict(n_seeds=2, ema=0.0, latent="uniform", activation="silu")),
    ],
)
def test_compaction_keeps_every_view_bit_for_bit(monkeypatch, variant, kw):
    cfg = preset(variant, "tuned", steps=40, data_size=1024, g_width=16, d_width=16, **kw)
    compact = Run.compact
    monkeypatch.setattr(Run, "compact", lambda self: None)  # finish without compacting
    run = Run(cfg)
    run.advance()
    before, size = views(run), held_bytes(run)
    frames = list(run.timeline.frames)
    compact(run)
    # The timeline's frames are kept for replay (a tiny run's are most of what it holds); of
    # everything else, what only training needs goes: more than half.
    kept = run.timeline.nbytes
    assert run.compacted and kept > 0
    assert len(run.timeline.frames) == len(frames)
    assert all(a is b for a, b in zip(run.timeline.frames, frames, strict=True))
    assert held_bytes(run) - kept < (size - kept) / 2
    after = views(run)
    assert before.keys() == after.keys()
    for key in before:
        assert same(before[key], after[key]), key
    assert run.advance() == 0  # nothing left to train, and no error


def test_views_in_blocks_give_the_numbers_of_one_pass():
    # samples(n) draws each seed's latents and runs G VIEW_BLOCK samples at a time, so that its
    # memory stays bounded at any size; the numbers are those of one draw and one pass.
    cfg = preset("gan", "tuned", n_seeds=3, latent_dim=5, g_width=64, steps=20, data_size=512)
    run = Run(cfg)
    run.advance()
    n = 3 * budget.VIEW_BLOCK + 17
    z = np.stack(
        [run._latent(np.random.default_rng([s, 1]), (n,)) for s in cfg.seeds]
    )  # (K, n, L) in one draw per seed, as before the blocks
    whole = run.trainer.generate(torch.from_numpy(z)).squeeze(-1).double().numpy()
    assert np.array_equal(run.samples(n), whole)
    x, score = run.decode(z[0])
    assert np.array_equal(
        x,
        run.trainer.generate(torch.from_numpy(z[0]).expand(3, -1, -1)).squeeze(-1).double().numpy(),
    )
    assert score.shape == (3, n)


def test_a_run_compacts_itself_when_it_finishes_and_not_before():
    run = Run(preset("gan", "tuned", steps=20, data_size=512, batch_size=64))
    run.advance(19)
    assert not run.compacted and run.trainer.g_opt.param.numel() > 0
    run.compact()  # too early: nothing happens
    assert not run.compacted
    run.advance()
    assert run.compacted and run.trainer.g_opt.param.numel() == 0


# --- chunks -------------------------------------------------------------------------------------
def test_chunk_length_is_a_deterministic_function_of_the_cost():
    small = preset("gan", "tuned")
    big = preset("wgan-gp", "tuned", steps=1, **LARGEST)
    assert budget.chunk_steps(small) == budget.chunk_steps(preset("gan", "tuned")) == 16
    assert budget.chunk_steps(big) == 1
    sizes = [
        budget.chunk_steps(preset("gan", "tuned", n_seeds=k, g_width=128, d_width=128))
        for k in (1, 2, 4, 8, 16, 32)
    ]
    assert sizes == sorted(sizes, reverse=True) and all(s & (s - 1) == 0 for s in sizes)
    for k, s in zip((1, 2, 4, 8, 16, 32), sizes, strict=True):
        cfg = preset("gan", "tuned", n_seeds=k, g_width=128, d_width=128)
        assert s == 1 or s * budget.step_seconds(cfg) <= budget.CHUNK_S


@pytest.mark.slow  # two 40-step runs of a network big enough for 2-step chunks: ~3 s
def test_a_large_config_with_short_chunks_is_bit_identical_however_it_is_sliced():
    cfg = preset("gan", "tuned", n_seeds=8, g_width=64, d_width=64, steps=40, data_size=2048)
    whole, sliced = Run(cfg), Run(cfg)
    assert whole.chunk == budget.chunk_steps(cfg) < 16
    whole.advance()
    for n in (1, 3, 7, 2, 16, 5, 100):
        sliced.advance(n)
    assert whole.step == sliced.step == 40
    assert np.array_equal(whole.history.values, sliced.history.values)
    assert np.array_equal(whole.evals.values, sliced.evals.values)
    assert np.array_equal(whole.samples(500), sliced.samples(500))


def test_short_chunks_do_not_change_a_runs_numbers(monkeypatch):
    cfg = preset("wgan-gp", "tuned", steps=40, data_size=512, batch_size=64, n_seeds=2)
    ref = Run(cfg)
    ref.advance()
    monkeypatch.setattr(budget, "chunk_steps", lambda c: 2)
    short = Run(cfg)
    assert short.chunk == 2
    short.advance()
    assert np.array_equal(ref.history.values, short.history.values)
    assert np.array_equal(ref.samples(400), short.samples(400))


# --- the check in words, the registry -----------------------------------------------------------
def test_the_check_names_what_to_lower():
    big = budget.estimate(preset("gan", "tuned", steps=10, **LARGEST))
    say = budget.problem([big], Limits(visitor_bytes=40 * MB), what="this comparison")
    assert say.startswith("this comparison would hold ") and "40 MB per visitor" in say
    assert "lower the seeds, widths" in say and "python -m ganlab train" in say
    say = budget.problem([big], Limits(step_s=0.25))
    assert "per step" in say and "32 seeds, G 4 × 128" in say
    small = budget.estimate(preset("gan", "tuned"))
    assert budget.problem([small], Limits.from_env()) is None
    say = budget.problem([small], Limits(visitor_work_s=1.0))
    assert "of the server's CPU" in say and "lower the steps" in say
    full = budget.Usage(held=700 * MB)
    say = budget.problem([small], Limits(server_bytes=700 * MB), everyone=full)
    assert say.startswith("the server is at its memory budget")


def test_defaults_fit_the_hosted_app_and_the_environment_raises_them(monkeypatch):
    d = Limits.from_env()
    assert d.server_bytes <= 1024 * MB and d.visitor_bytes <= d.server_bytes
    monkeypatch.setenv("GANLAB_SERVER_MB", "4000")
    monkeypatch.setenv("GANLAB_VISITOR_WORK", "nan")  # ignored: the default stays
    assert Limits.from_env().server_bytes == 4000 * MB
    assert Limits.from_env().visitor_work_s == d.visitor_work_s


def test_the_ledger_counts_held_compact_and_outstanding_work_and_forgets_dead_runs():
    ledger = budget.Ledger()
    cfg = preset("gan", "tuned", steps=30, data_size=512, batch_size=64)
    a, b = Run(cfg), Run(cfg.replace(seed=1))
    ledger.register(a, "me")
    ledger.register(b, "you")
    cost = budget.estimate(cfg)
    mine = ledger.usage("me")
    assert mine.bytes == cost.held + max(cost.step_peak, cost.view_peak)
    assert mine.work_s == pytest.approx(cost.work_s)
    assert ledger.usage().runs == 2 and ledger.usage(excluding=[a]).runs == 1
    a.advance()
    assert ledger.usage("me").bytes == cost.compact + cost.view_peak  # finished: compacted
    assert ledger.usage("me").work_s == 0
    del b
    gc.collect()
    assert ledger.usage("you").runs == 0 and ledger.usage().runs == 1  # a finalizer released it
    ledger.release(a)
    assert ledger.usage().runs == 0


def test_a_session_that_ended_gives_its_runs_back(monkeypatch):
    class FakeRuntime:  # Streamlit's Runtime, the two methods the janitor calls
        def __init__(self):
            self.active, self.closed = True, []

        def is_active_session(self, sid):
            return self.active

        def mark_session_nonresumable(self, sid):
            self.closed.append(f"marked {sid}")

        def _close_inactive_session_on_event_loop(self, sid):
            self.closed.append(sid)

    rt = FakeRuntime()
    monkeypatch.setattr(store.runtime, "exists", lambda: True)
    monkeypatch.setattr(store.runtime, "get_instance", lambda: rt)
    monkeypatch.setattr(store, "_STORES", {})
    monkeypatch.setattr(store, "_GONE_SINCE", {})
    run = Run(preset("gan", "tuned", steps=10, data_size=512, batch_size=64))
    budget.LEDGER.register(run, "visitor", "s1")
    runs = OrderedDict({run.cfg: run})
    store._STORES["s1"] = weakref.ref(runs)
    gone = weakref.ref(run)
    del run
    ttl = 120.0  # Streamlit's default server.disconnectedSessionTTL
    end = ttl - store.CLOSE_EARLY_S  # ended a little before Streamlit's storage forgets it
    assert store.sweep(now=0.0) == 0  # still connected
    rt.active = False
    assert store.sweep(now=10.0) == 0  # disconnected: it may come back within the TTL
    assert store.sweep(now=10.0 + end - 1) == 0 and gone() is not None and not rt.closed
    assert store.sweep(now=10.0 + end) == 1
    assert not runs and gone() is None and "s1" not in store._STORES  # freed, and released
    # and shut down as Streamlit shuts down a session that logs out: its state goes too
    assert rt.closed == ["marked s1", "s1"]
    assert all(e.session != "s1" for e in list(budget.LEDGER._entries.values()))


# --- every entry point through AppTest ----------------------------------------------------------
class Held:
    """Another visitor's run as the ledger sees it, without training anything."""

    def __init__(self, cfg):
        self.cfg, self.step, self.finished, self.compacted = cfg, 0, False, False


@pytest.fixture
def server_full(monkeypatch):
    """The server's memory budget taken by someone else: any new run is refused."""
    other = Held(preset("gan", "tuned", n_seeds=8, g_width=128, d_width=128))
    gc.collect()
    budget.LEDGER.register(other, "someone else", "elsewhere")
    used = budget.LEDGER.usage().bytes
    monkeypatch.setattr(store, "LIMITS", Limits(server_bytes=used + MB // 2))
    yield used
    budget.LEDGER.release(other)


def refused(at: AppTest) -> str:
    words = " ".join(e.value for e in at.error)
    assert "the server is at its memory budget" in words, words
    return words


def page(path: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(path).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("button", ["start", "step"])
def test_start_and_step_are_refused_when_the_server_is_full(server_full, button):
    at = tiny(open_page(V), V)
    at.button(key=f"{V}.live.{button}").click().run()
    assert not at.exception
    refused(at)
    assert runs(at) == [] and not is_training(at, V)
    assert budget.LEDGER.usage().bytes == server_full  # the server did not grow


def test_an_experiment_is_refused_when_the_server_is_full(server_full):
    at = tiny(open_page(V), V)
    at.button(key=f"{V}.exp.{next(iter(EXPERIMENTS))}").click().run()
    assert not at.exception
    refused(at)
    assert runs(at) == [] and not is_training(at, V)


def test_the_tables_run_here_button_goes_through_the_same_check(server_full):
    at = tiny(open_page(V), V)
    at.button(key=f"{V}.table.run.wgan-gp").click().run()
    assert not at.exception
    assert "Can't train WGAN-GP here" in refused(at)
    assert runs(at) == []


@pytest.mark.parametrize(
    "path, key",
    [
        ("app_pages/6_Inverse_transform.py", "sampling.train"),
        ("app_pages/7_Slerp_vs_lerp.py", "interp.train"),
    ],
)
def test_the_teaching_pages_quick_trainers_are_refused(server_full, path, key):
    at = page(path)
    at.button(key=key).click().run()
    assert not at.exception
    refused(at)
    assert runs(at) == []


def test_a_comparison_is_refused_when_the_server_is_full(server_full):
    at = page("app_pages/8_Compare.py")
    at.button(key="cmp.run").click().run()
    assert not at.exception
    assert "this comparison" in refused(at)
    assert runs(at) == [] and "cmp.active" not in at.session_state


def test_settings_too_big_for_a_visitor_are_refused_in_the_sidebars(monkeypatch):
    monkeypatch.setattr(store, "LIMITS", Limits(visitor_bytes=2 * MB))
    at = open_page(V)
    at.slider(key=f"{V}.n_seeds").set_value(32).run()
    words = " ".join(e.value for e in at.error)
    assert "this run would hold" in words and "2.0 MB per visitor" in words
    assert at.button(key=f"{V}.live.start").disabled and runs(at) == []
    at = page("app_pages/8_Compare.py")
    words = " ".join(e.value for e in at.error)
    assert "this comparison would hold" in words and runs(at) == []


# --- eviction -------------------------------------------------------------------------------------
@pytest.mark.slow  # four page reruns with training: ~6–10 s
def test_eviction_by_bytes_takes_the_oldest_and_never_the_run_on_screen(monkeypatch):
    at = tiny(open_page(V), V, steps=20_000)  # runs that stay unfinished: nothing compacts
    # Forget the untrained run of the default settings the page opened with: only runs at
    # these settings are held from here on.
    at.button(key=f"{V}.live.reset").click().run()
    assert [r.cfg for r in runs(at)] == [at.session_state[f"{V}.cfg"]]
    base = at.session_state[f"{V}.cfg"]
    cost = {w: budget.estimate(base.replace(g_width=w, d_width=w)) for w in (8, 16, 32, 64)}
    peak = {w: max(c.step_peak, c.view_peak) for w, c in cost.items()}
    # room for 16 and 32 (and a little more), never for 8, 16 and 32 together
    limit = cost[16].held + cost[32].held + max(peak[8], peak[16], peak[32]) + cost[8].held // 2
    monkeypatch.setattr(store, "LIMITS", Limits(visitor_bytes=limit))

    def step(width):  # "Step one epoch" at these widths: the run is created, then shown
        at.select_slider(key=f"{V}.g_width").set_value(width)
        at.select_slider(key=f"{V}.d_width").set_value(width).run()
        at.button(key=f"{V}.live.step").click().run()
        assert not at.exception
        shown = shown_run(at, V)  # the epoch trains in the background: let it end
        assert SERVICE.wait(shown, timeout=120)
        assert 0 < shown.step < shown.cfg.steps  # one epoch of 20,000 steps: unfinished
        return {r.cfg.g_width for r in runs(at)}

    assert step(8) == {8}
    assert step(16) == {8, 16}  # both fit
    assert step(32) == {16, 32}  # the oldest (8) goes; 16 was on screen, so it stays
    assert at.session_state[f"{V}.live.active"].g_width == 32
    # 64 fits on its own, but next to the run on screen only if 32 went: 16 could go, 32 never
    # does, so 64 is refused, and nothing is dropped for nothing.
    need64 = cost[64].held + peak[64]
    monkeypatch.setattr(store, "LIMITS", Limits(visitor_bytes=need64 + cost[32].held // 2))
    assert step(64) == {16, 32}
    assert "per visitor" in " ".join(e.value for e in at.error)
    assert at.session_state[f"{V}.live.active"].g_width == 32


@pytest.mark.slow  # a comparison, then a variant page: ~6 s
def test_eviction_never_drops_a_comparison_on_screen(monkeypatch):
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/8_Compare.py")
    at.query_params["steps"] = "20"
    at.query_params["seeds"] = "1"
    at.run()
    at.button(key="cmp.run").click().run()
    assert not at.exception
    shown = set(at.session_state["cmp.active"].values())
    for run in runs(at):  # the service trains the comparison: let it finish (and compact)
        assert SERVICE.wait(run, timeout=120) and run.finished
    owner = budget.LEDGER.owner(runs(at)[0])
    held = budget.LEDGER.usage(owner)
    at.switch_page("app_pages/1_Vanilla_GAN.py").run()
    tiny(at, V)
    new = budget.estimate(at.session_state[f"{V}.cfg"])
    limit = held.bytes + new.held // 2  # the new run fits only if the comparison went
    assert new.held + max(new.step_peak, new.view_peak) <= limit
    monkeypatch.setattr(store, "LIMITS", Limits(visitor_bytes=limit))
    at.button(key=f"{V}.live.start").click().run()
    assert not at.exception
    assert {r.cfg for r in runs(at)} == shown  # the comparison's runs all stayed
    assert "per visitor" in " ".join(e.value for e in at.error)


# --- the command line ---------------------------------------------------------------------------
def test_the_cli_limit_refuses_before_training_and_is_off_by_default(capsys, monkeypatch):
    trained = []
    monkeypatch.setattr(cli.Run, "advance", lambda self, *a, **k: trained.append(1) or 0)
    argv = ["train", "--variant", "gan", "--n-seeds", "32", "--g-width", "128", "--steps", "1"]
    assert cli.main([*argv, "--max-mb", "5"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ganlab: error: the gan run would hold") and "--max-mb allows" in err
    assert "\n" not in err and trained == []
    assert cli.main([*argv, "--max-mb", "-1"]) == 2
    assert "positive number of megabytes" in capsys.readouterr().err
    assert budget.limit_problem([preset("gan", "tuned")], None) is None


# --- giving memory back -----------------------------------------------------------------------
_PROBE = """
import ctypes, sys
class Info(ctypes.Structure):  # glibc's struct mallinfo2
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]
libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = Info
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
if sys.argv[1] == "fixed":
    from ganlab import budget
    assert budget.fix_mmap_threshold()
libc.free(libc.malloc(8 << 20))  # glibc's own rule: a freed mmap block raises the threshold
for size in (5 << 20, 1 << 20):
    before = libc.mallinfo2().hblkhd  # bytes in blocks served by mmap
    libc.malloc(size)
    print(libc.mallinfo2().hblkhd - before >= size)
"""


def _glibc(at_least: tuple[int, int]) -> bool:
    name, version = platform.libc_ver()
    return name == "glibc" and tuple(int(p) for p in version.split(".")[:2]) >= at_least


@pytest.mark.skipif(not _glibc((2, 33)), reason="glibc's allocator, with mallinfo2 (2.33)")
@pytest.mark.parametrize("mode, expected", [("glibc", "False False"), ("fixed", "True False")])
def test_a_fixed_mmap_threshold_keeps_big_blocks_out_of_the_heap(mode, expected):
    """mallopt(3): glibc serves a block by mmap above a threshold that, by default, rises to the
    largest mmap block freed, so a 5 MB block after an 8 MB one comes from the heap and stays
    there when freed. With budget.fix_mmap_threshold() it is mmap'd (given back on free) while a
    1 MB block, the engine's size, stays in the heap. Fresh processes: the setting is global."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MALLOC_") and k != "GANLAB_MMAP_THRESHOLD"
    }
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, timeout=60, env=env
    )
    assert out.returncode == 0, out.stderr
    assert " ".join(out.stdout.split()) == expected
