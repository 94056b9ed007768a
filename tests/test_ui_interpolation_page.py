"""The slerp-vs-lerp page through AppTest: every dimension, the table, decoding through G."""

from collections import OrderedDict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from ganlab import interpolation
from ganlab.config import preset
from ganlab.service import SERVICE
from ganlab.training import Run
from ganlab.ui import interpolation_view as view
from ganlab.ui import store

PAGE = str(Path(__file__).resolve().parents[1] / "app_pages" / "7_Slerp_vs_lerp.py")


def _page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=60)


def _charts(at):
    return at.get("vega_lite_chart")


def _datasets(chart) -> list:
    """A chart's inline datasets as DataFrames (AppTest keeps them as Arrow streams)."""
    return [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets]


def _table(at):
    return next(df.value for df in at.dataframe if "method" in df.value.columns)


# d = 4096: ~3 s, a page run drawing 4096-dimensional paths
@pytest.mark.parametrize("d", [1, 2, pytest.param(4096, marks=pytest.mark.slow)])
def test_page_for_each_dimension(d):
    at = _page()
    at.session_state["interp.d"] = d
    at.run()
    assert not at.exception
    assert len(_charts(at)) == 4  # norms, log-density, shell histogram, plane
    table = _table(at)
    assert list(table["method"]) == ["lerp", "slerp"]
    # the page shows exactly what compare_paths computes for these settings
    ref = interpolation.compare_paths(d, n_pairs=200, n_points=21, seed=0)
    np.testing.assert_allclose(table["norm deviation from shell"], ref["norm_deviation"])
    np.testing.assert_allclose(table["path outside 5–95 % band (%)"], 100 * ref["outside_shell"])
    lerp, slerp = table.iloc[0], table.iloc[1]
    if d == 1:  # no circle to walk on: slerp is lerp
        assert lerp.drop("method").equals(slerp.drop("method"))
    if d == 4096:
        outside = "path outside 5–95 % band (%)"
        assert lerp[outside] > 80 > 10 > slerp[outside]
        assert lerp["norm deviation from shell"] > 10 * slerp["norm deviation from shell"]
    assert any(f"d = {d}" in c.value for c in at.caption)


def test_controls_move_the_table():
    at = _page().run()
    at.select_slider(key="interp.d").set_value(64)
    at.slider(key="interp.points").set_value(11)
    at.number_input(key="interp.seed").set_value(3)
    at.slider(key="interp.pairs").set_value(50).run()
    assert not at.exception
    ref = interpolation.compare_paths(64, n_pairs=50, n_points=11, seed=3)
    np.testing.assert_allclose(_table(at)["lowest log-density on path"], ref["min_log_density"])


@pytest.mark.slow  # ~2 s: a page run at the largest work (d 4096, 101 points)
def test_work_budget_cuts_pairs_and_says_so():
    assert view.pairs_within_budget(500, 101, 4096) == view.WORK // (101 * 4096)
    assert view.pairs_within_budget(200, 21, 512) == 200
    at = _page()
    at.session_state["interp.d"] = 4096
    at.session_state["interp.points"] = 101
    at.session_state["interp.pairs"] = 500
    at.run()
    assert not at.exception
    assert any("cut from 500" in c.value for c in at.caption)


@pytest.mark.slow  # ~3 s: trains a run through the page, then two page reruns with charts
def test_decoding_with_a_run_trained_here():
    at = _page().run()
    assert not at.exception and any("No generator" in i.value for i in at.info)
    at.number_input(key="interp.train_steps").set_value(50)
    at.button(key="interp.train").click().run()  # waits for the service under a progress bar
    assert not at.exception
    (run,) = at.session_state[store.KEY].values()
    assert run.finished and run.step == 50 and not SERVICE.training(run)
    assert at.selectbox(key="interp.run").value.startswith("gan on bimodal · latent 8")
    assert len(_charts(at)) == 6  # + G(z(t)) beside the target, D along the path
    assert any("G(z(t)) of seed 0" in c.value for c in at.caption)
    spec = _charts(at)[-1].proto.spec
    assert "probability" in spec  # vanilla D is shown through its sigmoid


@pytest.mark.slow  # ~2.5–4.5 s: two runs trained (each records a frame at every step), a page
def test_decoding_a_critic_from_another_page():
    # a wgan-gp run someone trained elsewhere in the session (latent 2), and a latent-1 run that
    # must not be offered (no plane to interpolate in)
    wgan = Run(preset("wgan-gp", "tuned", latent_dim=2, steps=20, target="normal"))
    wgan.advance()
    flat = Run(preset("gan", "tuned", latent_dim=1, steps=10))
    flat.advance()
    at = _page()
    at.session_state[store.KEY] = OrderedDict([(flat.cfg, flat), (wgan.cfg, wgan)])
    at.run()
    assert not at.exception
    assert at.selectbox(key="interp.run").options == [view.run_label(wgan)]
    assert "critic f(G(z(t)))" in _charts(at)[-1].proto.spec
    # the curves drawn are Run.decode of the page's pair of paths (seed 0, 21 points), seed 0
    z1, z2 = np.random.default_rng([0, 2]).standard_normal((2, 2))
    t = np.linspace(0.0, 1.0, 21)
    x, score = wgan.decode(
        np.concatenate([interpolation.lerp(z1, z2, t), interpolation.slerp(z1, z2, t)])
    )
    decoded = next(f for f in _datasets(_charts(at)[-2]) if "method" in f.columns)
    np.testing.assert_array_equal(decoded["x"], x[0])
    np.testing.assert_array_equal(_datasets(_charts(at)[-1])[0]["score"], score[0])


@pytest.mark.slow
def test_choices_survive_a_page_switch():
    # persist_state="session": leaving for the inverse-transform page and coming back keeps d
    at = AppTest.from_file(str(Path(PAGE).parents[1] / "app.py"), default_timeout=60).run()
    at.switch_page("app_pages/7_Slerp_vs_lerp.py").run()
    at.select_slider(key="interp.d").set_value(64).run()
    at.switch_page("app_pages/6_Inverse_transform.py").run()
    assert not at.exception
    at.number_input(key="sampling.rate").set_value(2.0).run()
    at.switch_page("app_pages/7_Slerp_vs_lerp.py").run()
    assert not at.exception and at.select_slider(key="interp.d").value == 64
    at.switch_page("app_pages/6_Inverse_transform.py").run()
    assert at.number_input(key="sampling.rate").value == 2.0
