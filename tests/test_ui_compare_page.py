"""The compare page through AppTest: deep links, a tiny run, reuse, sharing, Stop, loading."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ganlab import compare, metrics, result_store
from ganlab.service import SERVICE
from ganlab.training import METRIC_SAMPLES, Run
from ganlab.ui import compare_view, nav
from ganlab.variants import CLASSICS, VARIANTS

PAGE = str(Path(__file__).resolve().parents[1] / "app_pages" / "8_Compare.py")
APP = str(Path(PAGE).parents[1] / "app.py")
RUNS = "ganlab.runs"
LABELS = [compare.label(v) for v in CLASSICS]  # the default comparison's columns
NEWER = ["gan", "lsgan", "rpgan"]  # a subset with newer variants


def open_page(**params) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = str(v)
    at.run()
    assert not at.exception
    return at


def shown_runs(at: AppTest) -> list[Run]:
    """The visitor's runs of the comparison shown, in the page's order (none when shared)."""
    held = at.session_state.get(RUNS, {})
    cfgs = at.session_state.get("cmp.active", {})
    return [held[c] for c in cfgs.values() if c in held]


def run_to_end(at: AppTest, timeout: float = 120.0) -> AppTest:
    """Press Run, let the service train every variant to its budget, then draw the page once
    more (each at.run() is one fragment tick: run_every never fires in AppTest)."""
    at.button(key="cmp.run").click().run()
    assert not at.exception
    for run in shown_runs(at):
        assert SERVICE.wait(run, timeout), f"{run.cfg.variant} still training after {timeout} s"
    at.run()
    assert not at.exception
    assert not at.session_state["cmp.running"]
    assert not any(SERVICE.training(r) for r in shown_runs(at))
    return at


def wait_for(ready, timeout: float = 120.0) -> bool:
    """Poll until ready() (e.g. every variant has trained a step); False on timeout."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def verdict(at: AppTest) -> str:
    (box,) = [e.value for e in at.success if e.value.startswith("**Verdict.**")]
    return box.removeprefix("**Verdict.** ")


def progress(at: AppTest) -> list[str]:
    return [p.proto.text for p in at.get("progress")]


def measured(at: AppTest):
    return at.dataframe[0].value


@pytest.fixture(scope="module")
def tiny():
    """One tiny comparison (3 modes, 2 seeds, 30 steps), trained once for several tests."""
    compare_view.shared_comparison.clear()
    result_store.clear()  # and the copies on disk: this one trains
    return run_to_end(open_page(target="mixture", seeds=2, steps=30))


def test_a_deep_link_sets_every_widget():
    at = open_page(
        target="mixture",
        seeds=3,
        steps=40,
        seed=5,
        gp_preset="paper",
        wgan_clip=0.05,
        gan_loss="saturating",
        gan_k=2,
    )
    assert at.selectbox(key="target").value == "mixture"
    assert at.slider(key="seeds").value == 3
    assert at.number_input(key="steps").value == 40
    assert at.number_input(key="seed").value == 5
    assert at.selectbox(key="gp_preset").value == "paper"
    assert at.select_slider(key="gp_lr").value == 1e-4  # the paper preset's, not in the link
    assert at.select_slider(key="wgan_clip").value == 0.05
    assert at.radio(key="gan_loss").value == "saturating"
    assert at.slider(key="gan_k").value == 2
    cfgs = at.session_state["cmp.cfgs"]
    assert {(c.target.name, c.n_seeds, c.steps, c.seed) for c in cfgs.values()} == {
        ("mixture", 3, 40, 5)
    }
    assert (cfgs["wgan"].clip, cfgs["gan"].g_loss, cfgs["gan"].d_steps) == (0.05, "saturating", 2)
    assert cfgs["wgan-gp"].gp_lambda == 10.0  # the paper's λ
    assert "Share this comparison" in texts(at.caption)
    assert not at.session_state[RUNS] if RUNS in at.session_state else True  # nothing trained


@pytest.mark.slow  # the module's tiny comparison: ~10 s to train and draw once
def test_a_tiny_comparison_fills_the_table_and_the_verdict(tiny):
    runs = list(tiny.session_state[RUNS].values())
    assert sorted(r.cfg.variant for r in runs) == sorted(CLASSICS)
    assert all(r.finished and r.step == 30 for r in runs)
    table = measured(tiny)
    assert list(table.columns) == [*LABELS, "noise floor"]
    assert len(table) == 19 and "modes covered" in table.index and "steps/s" in table.index
    assert table.loc["diverged seeds"].tolist()[:3] == ["0 of 2"] * 3
    # the verdict is the numbers': recompute it from the runs themselves
    target = runs[0].cfg.target
    seeds = {r.cfg.variant: r.seed_metrics(METRIC_SAMPLES) for r in runs}
    floor = metrics.noise_floor(target, METRIC_SAMPLES)["w1"]
    assert verdict(tiny) == compare.verdict(seeds, floor)
    assert "covered all 3 modes" in verdict(tiny)
    assert metrics.COLLAPSE_RULE in texts(tiny.caption)
    assert len(tiny.get("vega_lite_chart")) == 7  # 3 densities, W1, 3 loss panels
    assert list(tiny.dataframe[1].value.columns) == LABELS  # the conceptual table beside it
    assert len(tiny.get("download_button")) == 3


@pytest.mark.slow  # ~5 s: a second session opens the shared comparison
def test_a_finished_comparison_opens_at_once_for_the_next_visitor(tiny):
    other = open_page(target="mixture", seeds=2, steps=30)  # a new session: no runs of its own
    assert RUNS not in other.session_state or not other.session_state[RUNS]
    assert verdict(other) == verdict(tiny)
    assert measured(other).loc["W1"].tolist() == measured(tiny).loc["W1"].tolist()
    assert all("shared: trained earlier" in p for p in progress(other))


@pytest.mark.slow  # ~14 s: a comparison trained and drawn
def test_a_variant_trained_on_its_own_page_is_not_trained_again():
    at = open_page(target="normal", seeds=2, steps=30)
    cfgs = at.session_state["cmp.cfgs"]
    own = Run(cfgs["gan"])  # what the Vanilla GAN page stores for the same settings
    own.advance()
    at.session_state[RUNS] = OrderedDict({cfgs["gan"]: own})
    wall = own.wall_s
    run_to_end(at)
    assert at.session_state[RUNS][cfgs["gan"]] is own and own.wall_s == wall
    assert all(r.finished and r.step == 30 for r in shown_runs(at))
    assert len(at.session_state[RUNS]) == 3
    assert ["reused" in p for p in progress(at)] == [True, False, False]


@pytest.mark.slow  # ~15 s: three long runs started, stopped, measured
def test_stop_keeps_what_was_done():
    at = open_page(target="normal", seeds=2, steps=10_000)  # within a visitor's work cap
    at.button(key="cmp.run").click().run()
    runs = shown_runs(at)
    assert len(runs) == 3 and all(SERVICE.training(r) for r in runs)
    assert at.session_state["cmp.running"] and not at.button(key="cmp.stop").disabled
    assert "appear when training finishes or you stop" in texts(at.caption)
    assert wait_for(lambda: all(r.step > 0 for r in runs))  # the service trains all three
    at.button(key="cmp.stop").click().run()
    for run in runs:
        assert SERVICE.wait(run, timeout=30) and not SERVICE.training(run)
    steps = [r.step for r in runs]
    at.run()  # one tick: it sees training has ended and draws the results
    assert not at.exception and not at.session_state["cmp.running"]
    assert [r.step for r in runs] == steps  # stopped: nothing trains them any more
    assert all(0 < s < 10_000 for s in steps)
    # the variants train side by side in turn, not in lockstep: each is named at its step
    said = verdict(at)
    if len(set(steps)) == 1:
        assert said.startswith(f"Stopped early, at step {steps[0]:,} of 10,000: ")
    else:
        assert said.startswith("Stopped early (")
        for run in runs:
            assert f"{compare.label(run.cfg.variant)} at step {run.step:,}" in said
    table = measured(at)
    assert len(table) == 16  # no mode rows for a one-mode target
    for run in runs:
        assert table.loc["steps", compare.label(run.cfg.variant)] == f"{run.step:,} of 10,000"
    assert at.button(key="cmp.run").label == "Resume"
    assert at.button(key="cmp.stop").disabled


def _paste(at: AppTest, text: str) -> AppTest:
    at.text_area(key="cmp.load_text").set_value(text)
    return at.button(key="cmp.load_button").click().run()


def test_loading_a_saved_comparison_sets_the_widgets_and_the_configs():
    saved = compare.build(
        "normal",
        3,
        25,
        5,
        {
            "wgan": {"knobs": {"clip": 0.05}},
            "wgan-gp": {"preset": "paper"},
            "gan": {"extra": {"g_width": 16}},
        },
    )
    at = _paste(open_page(), compare.to_json(saved))
    assert not at.exception
    assert at.selectbox(key="target").value == "normal"
    assert (at.slider(key="seeds").value, at.number_input(key="steps").value) == (3, 25)
    assert at.select_slider(key="wgan_clip").value == 0.05
    assert at.selectbox(key="gp_preset").value == "paper"
    assert at.session_state["cmp.cfgs"] == saved  # the extra G width too
    assert "g_width 16" in texts(at.sidebar.caption)

    bad = json.loads(compare.to_json(saved))
    bad["configs"]["gan"]["lr_g"] = 7
    at = _paste(at, json.dumps(bad))
    assert not at.exception
    assert "G learning rate 7 is outside" in texts(at.sidebar.error)
    assert at.session_state["cmp.cfgs"] == saved  # nothing changed


@pytest.mark.slow  # ~17 s: a comparison trained and drawn
def test_a_diverged_variant_is_counted_and_warned_about():
    # plain SGD at learning rate 1 with λ = 10: the weights blow up within a few steps
    saved = compare.build(
        "mixture",
        2,
        10,
        0,
        {
            "wgan-gp": {
                "preset": "paper",
                "knobs": {"lr": 1.0, "d_steps": 1},
                "extra": {"g_opt": "sgd", "d_opt": "sgd", "standardize": False},
            }
        },
    )
    at = run_to_end(_paste(open_page(), compare.to_json(saved)))
    assert measured(at).loc["diverged seeds", "WGAN-GP"] == "2 of 2"
    assert "WGAN-GP: Training diverged (seed 0 at step" in texts(at.warning)
    assert "WGAN-GP diverged in 2/2 seeds (first at step" in verdict(at)


@pytest.mark.slow  # ~11 s: two page runs of the mixture target
def test_a_short_target_link_is_written_back_to_the_address_bar():
    at = open_page(target="mixture", seeds=2, steps=30)
    at.run()  # the next full run (a widget, Run) writes it back
    assert str(at.query_params["target"]).startswith("mixture")
    assert at.selectbox(key="target").value == "mixture"


def test_settings_survive_a_page_switch():
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/8_Compare.py").run()
    at.slider(key="seeds").set_value(3).run()
    at.button_group(key="variants").set_value(["wgan", "hinge"]).run()
    at.selectbox(key="wgan_preset").set_value("paper").run()
    at.slider(key="hinge_ndis").set_value(4).run()
    at.switch_page("app_pages/6_Inverse_transform.py").run()  # another page, then back
    at.switch_page("app_pages/8_Compare.py").run()
    assert not at.exception
    assert at.slider(key="seeds").value == 3
    assert at.button_group(key="variants").value == ["wgan", "hinge"]
    assert at.select_slider(key="wgan_clip").value == 0.01  # the paper's c, set by the preset
    assert at.session_state["cmp.cfgs"]["wgan"].lr_g == 5e-5
    assert at.session_state["cmp.cfgs"]["hinge"].d_steps == 4


def test_a_target_that_cannot_be_used_yet_is_explained_not_raised():
    at = open_page()
    at.selectbox(key="target").set_value("uploaded data").run()  # no file chosen yet
    assert not at.exception
    assert "can't run yet" in texts(at.error)
    assert at.button(key="cmp.run").disabled
    assert at.session_state["cmp.cfgs"] is None


# --- any subset of the variants -----------------------------------------------------------------
def chosen(at: AppTest) -> list[str]:
    return at.button_group(key="variants").value


def test_the_picker_offers_every_variant_in_its_colour_and_starts_with_the_classics():
    at = open_page()
    pills = at.button_group(key="variants")
    assert pills.value == list(CLASSICS)
    shown = [o.content for o in pills.proto.options]
    assert len(shown) == len(VARIANTS)
    for text, v in zip(shown, VARIANTS.values(), strict=True):
        assert v.label in text and f'foreground="{v.color}"' in text  # its colour everywhere
    assert list(at.session_state["cmp.cfgs"]) == list(CLASSICS)
    assert "variants" not in at.query_params  # the default is left out of the link


def test_a_link_names_the_variants_and_each_ones_knobs_and_the_picker_writes_it_back():
    at = open_page(variants="rpgan,lsgan", rp_gamma=10, ls_k=2, hinge_ndis=3, hinge_preset="paper")
    assert chosen(at) == ["lsgan", "rpgan"]  # the columns' order
    assert at.query_params["variants"] == "lsgan,rpgan"  # respelled so
    cfgs = at.session_state["cmp.cfgs"]
    assert list(cfgs) == ["lsgan", "rpgan"]
    assert (cfgs["rpgan"].r1_gamma, cfgs["lsgan"].d_steps) == (10.0, 2)
    assert at.select_slider(key="rp_gamma").value == 10.0
    # a knob of a variant not chosen waits in the link for it
    at.button_group(key="variants").set_value(["hinge", "lsgan", "rpgan"]).run()
    assert not at.exception
    assert at.query_params["variants"] == "lsgan,hinge,rpgan"
    assert (
        at.slider(key="hinge_ndis").value == 3 and at.selectbox(key="hinge_preset").value == "paper"
    )
    assert at.session_state["cmp.cfgs"]["hinge"].d_steps == 3
    at.button_group(key="variants").set_value(["r1"]).run()  # one variant alone
    assert at.query_params["variants"] == "r1"
    assert list(at.session_state["cmp.cfgs"]) == ["r1"]
    at.button_group(key="variants").set_value(list(CLASSICS)).run()
    assert "variants" not in at.query_params  # back to the default: out of the link
    assert not at.exception


def test_a_bad_variants_value_is_named_and_ignored():
    at = open_page(variants="gan,dcgan", gp_preset="paper")
    said = " ".join(w.value for w in at.warning)
    assert "variants=gan,dcgan: 'dcgan' is not one of gan, wgan, wgan-gp, lsgan" in said
    assert "variants" not in at.query_params and at.query_params["gp_preset"] == "paper"
    assert chosen(at) == list(CLASSICS)
    assert at.session_state["cmp.cfgs"]["wgan-gp"].gp_lambda == 10.0  # the good one is kept


def test_with_no_variant_picked_nothing_can_run_and_the_page_says_so():
    at = open_page()
    at.button_group(key="variants").set_value([]).run()
    assert not at.exception
    assert "pick at least one variant" in texts(at.error)
    assert at.button(key="cmp.run").disabled
    assert at.session_state["cmp.cfgs"] is None
    assert len(at.dataframe) == 0  # no columns for the literature table either


@pytest.mark.slow  # ~15 s: a tiny comparison of a classic and two newer variants, shared once
def test_a_subset_with_newer_variants_trains_and_fills_exactly_its_columns():
    compare_view.shared_comparison.clear()
    result_store.clear()  # and the copies on disk: this one trains
    at = open_page(target="mixture", seeds=2, steps=30)
    at.button_group(key="variants").set_value(NEWER).run()
    assert at.query_params["variants"] == "gan,lsgan,rpgan"
    run_to_end(at)
    labels = [compare.label(v) for v in NEWER]
    runs = shown_runs(at)
    assert [r.cfg.variant for r in runs] == NEWER
    assert all(r.finished and r.step == 30 for r in runs)
    table = measured(at)
    assert list(table.columns) == [*labels, "noise floor"]
    assert table.loc["diverged seeds"].tolist()[:3] == ["0 of 2"] * 3
    assert list(at.dataframe[1].value.columns) == labels  # the literature, the same columns
    seeds = {r.cfg.variant: r.seed_metrics(METRIC_SAMPLES) for r in runs}
    floor = metrics.noise_floor(runs[0].cfg.target, METRIC_SAMPLES)["w1"]
    assert verdict(at) == compare.verdict(seeds, floor)
    assert all(label in verdict(at) for label in labels)
    assert len(at.get("vega_lite_chart")) == 2 * len(NEWER) + 1  # densities, W1, losses
    assert [p.split(" — ")[0] for p in progress(at)] == [f"**{label}**" for label in labels]
    saved = at.session_state["cmp.active"]
    assert json.loads(compare.to_json(saved))["variants"] == NEWER
    # the next visitor with the same link sees it at once, shared
    other = open_page(variants="gan,lsgan,rpgan", target="mixture", seeds=2, steps=30)
    assert verdict(other) == verdict(at)
    assert all("shared: trained earlier" in p for p in progress(other))


def test_a_finished_comparison_is_stored_once_however_many_visitors_see_it():
    # A room that watched one comparison finish: the first visitor stores it; the others'
    # pages find it stored and do not compress and write the same file again.
    link = dict(target="normal", seeds=1, steps=20, seed=7)  # no other test's comparison
    first = run_to_end(open_page(**link))
    cfgs = tuple(first.session_state["cmp.active"].values())
    written = (result_store.DIR / f"{result_store.key(cfgs)}.npz").stat()
    for _ in range(2):
        assert verdict(open_page(**link)) == verdict(first)
    kept = (result_store.DIR / f"{result_store.key(cfgs)}.npz").stat()
    assert (kept.st_ino, kept.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)


def test_loading_a_file_picks_its_variants_and_an_old_file_the_classics():
    saved = compare.build("normal", 2, 25, 1, {"r1": {"knobs": {"r1_gamma": 2.0}}}, ["hinge", "r1"])
    at = _paste(open_page(), compare.to_json(saved))
    assert not at.exception
    assert chosen(at) == ["hinge", "r1"]
    assert at.session_state["cmp.cfgs"] == saved
    assert at.select_slider(key="r1_gamma").value == 2.0
    assert "Hinge GAN, NS-GAN + R1." in texts(at.sidebar.success)
    assert at.query_params["variants"] == "hinge,r1"

    old = compare.default_configs(target="normal", n_seeds=2, steps=25)
    data = json.loads(compare.to_json(old))
    del data["variants"]  # saved before a comparison could hold any subset
    at = _paste(at, json.dumps(data))
    assert not at.exception
    assert chosen(at) == list(CLASSICS)
    assert at.session_state["cmp.cfgs"] == old
    assert "variants" not in at.query_params


def test_a_file_naming_an_unknown_variant_is_refused_in_words():
    at = open_page()
    data = json.loads(compare.to_json(compare.default_configs()))
    data["variants"] = ["gan", "**dcgan** " + "x" * 100]
    at = _paste(at, json.dumps(data))
    assert not at.exception
    said = texts(at.sidebar.error)
    assert "can't be loaded" in said and "\\*\\*dcgan\\*\\* xxxxxx" in said  # inert, cut
    assert "x" * 30 not in said
    assert chosen(at) == list(CLASSICS)  # nothing changed


def test_a_newer_variants_live_page_opens_the_modern_page_with_it_picked():
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/8_Compare.py").run()
    at.button_group(key="variants").set_value(["gan", "rpgan"]).run()
    at.button(key="cmp.live.rpgan").click().run()
    assert not at.exception
    assert at.session_state["modern.variant"] == "rpgan"
    assert nav.MODERN_WANTED not in at.session_state  # read once
