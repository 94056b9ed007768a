"""A small study started from the Study page (ui/study_run) through AppTest: its cost before it
starts, refusals in words (the visitor's work cap, a busy server), a tiny study trained by the
training service to the end with the command line's numbers byte for byte, and Stop."""

from __future__ import annotations

import gc
import time
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import _calculate_file_id
from streamlit.testing.v1 import AppTest

from ganlab import budget, study
from ganlab.budget import Limits
from ganlab.cli import main
from ganlab.config import preset
from ganlab.service import SERVICE
from ganlab.ui import store

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "9_Study.py")
HERE = "Run a small study here"
LOCAL, RUNS = "study.local", "ganlab.runs"
WAIT_S = 300.0  # a tiny study trains in seconds; a loaded machine (and process start-up) is slower
DEFAULT = study.StudySpec(
    variants=("gan", "wgan-gp", "r1"), targets=("bimodal",), configs=4, seeds=4, steps=500
)


def _page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    at.radio(key="study.source").set_value(HERE).run()
    assert not at.exception
    return at


def _choose(at: AppTest, variants, configs: int, seeds: int, steps: int) -> AppTest:
    at.multiselect(key="study.run.variants").set_value(list(variants))
    at.number_input(key="study.run.configs").set_value(configs)
    at.number_input(key="study.run.seeds").set_value(seeds)
    at.number_input(key="study.run.steps").set_value(steps)
    return at.run()


def _progress(at: AppTest) -> list[str]:
    return [p.proto.text for p in at.get("progress")]


def _runs(at: AppTest) -> list:
    return list(at.session_state[RUNS].values()) if RUNS in at.session_state else []


def _errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def _until(at: AppTest, ready, timeout: float = WAIT_S) -> AppTest:
    """Draw the page (one fragment tick per at.run(): run_every never fires in AppTest) until
    ready(at)."""
    deadline = time.monotonic() + timeout
    while not ready(at):
        assert time.monotonic() < deadline, f"not ready after {timeout} s: {_progress(at)}"
        time.sleep(0.2)
        at.run()
        assert not at.exception, at.exception
    return at


def _cost(spec: study.StudySpec) -> str:
    return budget.duration(sum(study.cost(spec, t) for t in spec.tasks()))


def test_the_estimated_cost_is_shown_before_anything_trains():
    at = _page()
    words = " ".join(m.value for m in at.markdown)
    assert f"Estimated cost: about {_cost(DEFAULT)} of CPU** for 12 runs" in words
    assert f"up to {budget.duration(store.LIMITS.visitor_work_s)} per visitor" in words
    assert not at.error and not at.button(key="study.run.start").disabled
    # the command line that gives the same study
    assert any("--variant gan,wgan-gp,r1 --target bimodal" in c.value for c in at.caption)
    at.number_input(key="study.run.seeds").set_value(1).run()
    one_seed = study.StudySpec(**{**DEFAULT.to_dict(), "space": DEFAULT.space, "seeds": 1})
    assert f"about {_cost(one_seed)} of CPU" in " ".join(m.value for m in at.markdown)
    assert _runs(at) == [] and not _progress(at)  # nothing admitted or trained before Start


def test_a_study_over_the_visitors_work_cap_is_refused_before_it_starts(monkeypatch):
    monkeypatch.setattr(store, "LIMITS", Limits(visitor_work_s=10.0))
    at = _page()
    words = _errors(at)
    assert f"this study would take about {_cost(DEFAULT)} of the server's CPU" in words
    assert "this server allows 10 s per visitor" in words
    assert "python -m ganlab study" in words and "Traceback" not in words
    assert at.button(key="study.run.start").disabled and _runs(at) == []
    _choose(at, ["gan"], configs=1, seeds=1, steps=50)  # small enough: allowed
    assert not at.error and not at.button(key="study.run.start").disabled


def test_too_many_runs_for_the_page_are_refused_in_words():
    at = _choose(_page(), ["gan", "wgan", "wgan-gp", "lsgan"], configs=8, seeds=1, steps=50)
    assert "this study has 32 runs (4 variants × 8 configurations)" in _errors(at)
    assert at.button(key="study.run.start").disabled


class Held:
    """Another visitor's unfinished run as the ledger sees it, without training anything."""

    def __init__(self, cfg):
        self.cfg, self.step, self.finished, self.compacted = cfg, 0, False, False


def test_a_busy_server_refuses_at_start_in_words_and_nothing_starts(monkeypatch):
    other = Held(preset("gan", "tuned", steps=100_000))
    gc.collect()
    budget.LEDGER.register(other, "someone else", "elsewhere")
    try:
        others = budget.LEDGER.usage().work_s
        small = study.StudySpec(variants=("gan",), configs=1, seeds=1, steps=50)
        need = sum(study.cost(small, t) for t in small.tasks())
        # the study alone fits the server's budget; beside the other visitor's run it does not
        monkeypatch.setattr(store, "LIMITS", Limits(server_work_s=others + need / 2))
        at = _choose(_page(), ["gan"], configs=1, seeds=1, steps=50)
        assert not at.error
        at.button(key="study.run.start").click().run()
        assert not at.exception
        assert "Can't start it here: the server is busy" in _errors(at)
        assert LOCAL not in at.session_state and _runs(at) == [] and not _progress(at)
    finally:
        budget.LEDGER.release(other)


def test_a_tiny_study_trains_to_the_end_with_the_command_lines_numbers(tmp_path, capsys):
    """2 variants × 2 configurations × 2 seeds × 50 steps, trained by the app's training
    service; the command line (`--workers 0`: study.run_task in this process) trains the same
    spec: the page's result file is the command line's, byte for byte."""
    at = _choose(_page(), ["gan", "wgan-gp"], configs=2, seeds=2, steps=50)
    at.button(key="study.run.start").click().run()
    assert not at.exception
    assert _progress(at)[0].startswith("Your study is training: ")
    assert not at.button(key="study.run.stop").disabled
    assert len(_runs(at)) == 4  # every configuration admitted at Start, as one run each
    _until(at, lambda a: not _progress(a))
    assert not any(SERVICE.training(r) for r in _runs(at))
    assert [s.value for s in at.success] == ["Your study finished: 4 configurations trained."]
    # the same analysis views as a loaded file
    assert len(at.get("vega_lite_chart")) == 4 and list(at.dataframe[0].value["configs"]) == [2, 2]
    assert at.info[0].value.startswith("bimodal: too few configurations for a verdict")
    assert not [k for k in at.session_state if str(k).startswith("study.pin.")]

    out = tmp_path / "cli.jsonl"
    argv = ["study", "--variant", "gan,wgan-gp", "--configs", "2", "--seeds", "2"]
    assert main([*argv, "--steps", "50", "--workers", "0", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    cli = out.read_bytes()
    mine = at.session_state[LOCAL].text().encode()
    want = {k: r["metrics"] for k, r in study.parse(cli.decode()).rows.items()}
    got = {k: r["metrics"] for k, r in study.parse(mine.decode()).rows.items()}
    assert got == want  # every configuration × seed: the same numbers
    assert mine == cli
    # … and the download offers exactly those bytes (Streamlit names a file by its hash)
    button = at.get("download_button")[0].proto
    assert button.label == "Its results (JSON lines)"
    assert button.url.rsplit("/", 1)[-1].split(".")[0] == _calculate_file_id(
        cli, "application/jsonl", "ganlab-study.jsonl"
    )

    # the file reads back on the command line and through the page's upload
    mine_file = tmp_path / "page.jsonl"
    mine_file.write_bytes(mine)
    assert main(["study", "--analyse", str(mine_file)]) == 0
    assert "Vanilla GAN" in capsys.readouterr().out
    shown = at.dataframe[0].value
    at.radio(key="study.source").set_value("Upload a result file").run()
    at.file_uploader(key="study.upload").set_value(("page.jsonl", mine, "text/plain")).run()
    assert not at.exception and not at.error
    assert at.dataframe[0].value.equals(shown)


@pytest.mark.slow
def test_stop_keeps_the_finished_configurations_as_an_unfinished_study():
    at = _choose(_page(), ["gan", "wgan-gp"], configs=3, seeds=1, steps=1000)
    at.button(key="study.run.start").click().run()
    # configuration 0 of every variant trains first (the command line's order)
    _until(at, lambda a: len(a.session_state[LOCAL].done) >= 2)
    local = at.session_state[LOCAL]
    # (a configuration 1 may finish while the page polls: every configuration 0 is done first)
    assert {t for t in local.order if t.index == 0} <= local.done
    at.button(key="study.run.stop").click().run()
    assert not at.exception and not _progress(at)
    assert local.state == "stopped" and len(local.done) < 6
    kept = {local.cfgs[t] for t in local.done}
    # the unfinished runs are let go: no training, and their work no longer counts
    assert {r.cfg for r in _runs(at)} == kept
    assert all(SERVICE.wait(r, 30) for r in _runs(at))
    assert (
        f"Your study stopped: {len(local.done)} of 6 configurations trained." in at.success[0].value
    )
    assert "This study is unfinished" in at.warning[0].value
    assert len(at.get("vega_lite_chart")) == 4
    assert at.get("download_button")[0].proto.label == "Its results (JSON lines)"
    res = study.parse(local.text())
    assert len(res.rows) == len(local.done) and res.spec == local.spec
