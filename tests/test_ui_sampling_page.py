"""The inverse-transform page through AppTest, and its helpers against numpy/scipy."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats
from streamlit.testing.v1 import AppTest

from ganlab import metrics, sampling
from ganlab.service import SERVICE
from ganlab.targets import TARGETS, TargetError, exponential_target
from ganlab.ui import sampling_view as view
from ganlab.ui import store
from ganlab.user_targets import empirical, mixture, parse_csv

PAGE = str(Path(__file__).resolve().parents[1] / "app_pages" / "6_Inverse_transform.py")


def _page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=60)


def _charts(at):
    return at.get("vega_lite_chart")


def _datasets(chart) -> list:
    """A chart's inline datasets as DataFrames (AppTest keeps them as Arrow streams)."""
    return [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets]


def _comparison(at):
    return next(df.value for df in at.dataframe if "sampler" in df.value.columns)


# --- the pure helpers ------------------------------------------------------------------------


def test_seed_demo_repeats_after_reset():
    table = view.seed_demo(42, n=5)
    ref = np.random.default_rng(42).random(10)
    np.testing.assert_array_equal(table["seed 42"], ref[:5])
    np.testing.assert_array_equal(table["reset to seed 42, draw again"], ref[:5])
    np.testing.assert_array_equal(table["no reset: the next draws"], ref[5:])


@pytest.mark.parametrize("u", [0.05, 0.3, 0.5, 0.97])
def test_bisection_trace_ends_at_the_mixture_ppf(u):
    target = TARGETS["mixture"]
    trace = view.bisection_trace(target, u)
    # the bracket halves until it is a few ulps wide, then stays there
    assert np.all(np.diff(trace["width"]) <= 0) and trace["width"].iloc[-1] < 1e-14
    # the picture is ppf's own bisection: its last midpoint is ppf(u) to the bit
    assert 0.5 * (trace["lo"].iloc[-1] + trace["hi"].iloc[-1]) == float(target.ppf(u))
    assert abs(trace["F(mid) − u"].iloc[-1]) < 1e-9


def test_residual_table_matches_scipy():
    target = TARGETS["bimodal"]
    table = view.residual_table(target)
    ref = sum(w * stats.norm(m, s).cdf(table["x = F⁻¹(u)"]) for w, m, s in target.components)
    np.testing.assert_allclose(table["F(x) − u"], ref - table["u"], rtol=0, atol=1e-12)
    assert np.max(np.abs(table["F(x) − u"])) < 1e-9


@pytest.mark.parametrize(
    "data, words",
    [
        (b"value\n1\n2\nabc\n", "line 4: 'abc' is not a number"),
        (b"1\n2\n3\n", "only 3 values"),
        ("\n".join(["5"] * 30), "constant column"),
        (b"\x00\x01binary", "binary"),
        (b"", "empty"),
    ],
)
def test_bad_upload_is_refused_in_words(data, words):
    # the parse-then-validate path target_picker runs on an upload
    with pytest.raises(TargetError, match=words):
        empirical(parse_csv(data))


# --- the page ----------------------------------------------------------------------------------


def test_page_default_exponential():
    at = _page().run()
    assert not at.exception
    assert len(_charts(at)) == 3  # uniforms, CDF with traces, histogram vs pdf
    table = _comparison(at)
    assert list(table["sampler"]) == ["inverse transform", "library sampler"]
    inv = table.iloc[0]
    assert inv["W1 to target"] < 0.03 and inv["KS p-value"] > 1e-3
    assert any("closed form" in m.value for m in at.markdown)
    assert all(c.value for c in at.caption)
    # the floor in the caption is the one every page shows, at this table's n
    floor = metrics.noise_floor_cached(exponential_target(1.0), view.N)["w1"]
    assert any(f"about {floor:.3f} (the noise floor)" in c.value for c in at.caption)


def test_seed_is_under_the_users_control():
    at = _page().run()
    at.number_input(key="sampling.seed").set_value(7).run()
    assert not at.exception
    np.testing.assert_array_equal(
        at.dataframe[0].value["seed 7"], np.random.default_rng(7).random(5)
    )


def test_bad_rate_in_the_page_gives_a_message():
    at = _page().run()
    at.number_input(key="sampling.rate").set_value(-2.0).run()
    assert not at.exception
    assert "rate λ = -2 must be between" in at.error[0].value
    assert len(_charts(at)) == 0


@pytest.mark.slow
def test_builtin_mixture_shows_numeric_inversion():
    at = _page()
    at.session_state["sampling.source"] = view.OTHER
    at.session_state["sampling.target"] = "mixture"
    at.run()
    assert not at.exception
    assert any("No closed form" in i.value for i in at.info)
    assert any("halvings" in df.value.columns for df in at.dataframe)
    assert len(_charts(at)) == 3


def _patched_picker_app():
    """The page with st.data_editor / st.file_uploader replaced (AppTest cannot edit a table
    or upload a file), so the picker's message path runs for real."""
    import pandas as pd
    import streamlit as st

    from ganlab.ui import sampling_view

    class Upload:
        name = "bad.csv"

        def getvalue(self):  # the test puts the file's bytes in session state
            return st.session_state["test.upload"]

    saved = st.data_editor, st.file_uploader
    st.data_editor = lambda *a, **k: pd.DataFrame({"weight": [1.0], "mean": [0.0], "std": [-1.0]})
    st.file_uploader = lambda *a, **k: Upload()
    try:
        sampling_view.render()
    finally:
        st.data_editor, st.file_uploader = saved


@pytest.mark.parametrize(
    "choice, words",
    [
        ("custom mixture", "This mixture can't be used: row 1: std -1 must be greater than 0"),
        ("uploaded data", "bad.csv can't be used: line 4: 'not-a-number' is not a number"),
    ],
)
def test_bad_custom_target_gives_a_message(choice, words):
    at = AppTest.from_function(_patched_picker_app, default_timeout=60)
    at.session_state["sampling.source"] = view.OTHER
    at.session_state["sampling.target"] = choice
    at.session_state["test.upload"] = b"x\n1\n2\nnot-a-number\n"
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [words + "."]
    assert len(_charts(at)) == 0


def test_good_upload_uses_empirical_quantiles():
    at = AppTest.from_function(_patched_picker_app, default_timeout=60)
    at.session_state["sampling.source"] = view.OTHER
    at.session_state["sampling.target"] = "uploaded data"
    values = np.random.default_rng(0).gamma(2.0, size=200)
    at.session_state["test.upload"] = "\n".join(f"{v:.6f}" for v in values).encode()
    at.run()
    assert not at.exception and not at.error
    assert any("empirical quantile function" in i.value for i in at.info)
    assert len(_charts(at)) == 3
    table = _comparison(at)
    # for a data set the library sampler is inverse transform too: the rows agree
    assert table["W1 to target"].iloc[0] == pytest.approx(table["W1 to target"].iloc[1])


@pytest.mark.slow
def test_custom_mixture_is_accepted():
    with pytest.raises(TargetError):
        mixture([(1, 0, -1)])
    at = _page()
    at.session_state["sampling.source"] = view.OTHER
    at.session_state["sampling.target"] = "custom mixture"
    at.run()  # the picker's default two-row table
    assert not at.exception and len(_charts(at)) == 3


@pytest.mark.slow
def test_one_click_latent_1_training():
    at = _page().run()
    assert at.button(key="sampling.train")
    at.number_input(key="sampling.train_steps").set_value(100).run()
    at.button(key="sampling.train").click().run()
    assert not at.exception
    assert len(_charts(at)) == 4  # + the learned map against T(z)
    table = _comparison(at)
    assert len(table) == 3 and table["sampler"].iloc[2].startswith("GAN: gan, latent 1")
    assert any("mean |G(z) − best map|" in c.value for c in at.caption)
    # the service trained it to its budget while the page waited under a progress bar
    (run,) = at.session_state[store.KEY].values()
    assert run.finished and run.step == 100 and not SERVICE.training(run)
    assert not at.get("progress")  # the bar is gone once it finished
    # the learned map drawn is the run's first seed decoded at the latent quantiles
    z = sampling.latent_quantiles(run.cfg.latent)
    g = run.decode(run.latent_line(z))[0][0]
    drawn = _datasets(_charts(at)[-1])[0]
    np.testing.assert_array_equal(drawn[drawn["series"].str.startswith("G(z)")]["x"], g)
    dist = sampling.map_distance(g, z, run.cfg.target, run.cfg.latent)["distance"]
    assert any(f"best map| over latent quantiles = {dist:.3f}" in c.value for c in at.caption)
    # the run lives in the session store: the training button is gone on the next visit
    at.run()
    assert not at.exception and len(_charts(at)) == 4
    assert not any(b.key == "sampling.train" for b in at.button)
