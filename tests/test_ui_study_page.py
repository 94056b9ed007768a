"""The Study page through AppTest: the shipped example, an uploaded study, refused uploads."""

import gzip
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ganlab import study
from ganlab import study_analysis as sa

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "9_Study.py")
REGISTERED = "app_pages/9_Study.py" in (ROOT / "app.py").read_text()


def _page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=60)


def _small_study() -> bytes:
    """A finished two-variant study file with hand-chosen scores (no training needed)."""
    spec = study.StudySpec(variants=("gan", "r1"), targets=("bimodal",), configs=4, seeds=2)
    lines = [study.header(spec)]
    for v, scores in (("gan", [0.3, 0.2, 0.5, 0.4]), ("r1", [0.1, 0.6, 0.25, 0.35])):
        for i, w in enumerate(scores):
            for s in range(2):
                m = {"seed": s, "w1": w + s / 100, "diverged": False, "collapsed": i == 2}
                lines.append(
                    study.line(
                        {
                            "target": "bimodal",
                            "variant": v,
                            "config": i,
                            "seed": s,
                            "params": spec.sampled(v, i),
                            "metrics": m,
                        }
                    )
                )
    return ("\n".join(lines) + "\n").encode()


def test_the_shipped_example_opens_with_its_charts_table_and_verdict():
    at = _page()
    at.run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 4
    verdict = at.info[0].value
    res = study.load(study.EXAMPLE)
    target = res.spec.targets[0]
    assert verdict.startswith(f"{target}, budget ")
    # the page shows the core's own verdict and table for this file
    assert verdict.replace("\\", "") == sa.analyse(res)["verdicts"][target]
    assert len(at.dataframe[0].value) == len(res.spec.variants)
    at.radio(key="study.target").set_value(res.spec.targets[-1]).run()
    assert not at.exception and res.spec.targets[-1] in at.info[0].value


def test_an_uploaded_study_is_analysed_and_a_gzipped_one_too():
    at = _page()
    at.run()
    at.radio(key="study.source").set_value("Upload a result file").run()
    raw = _small_study()
    for name, data in (("s.jsonl", raw), ("s.jsonl.gz", gzip.compress(raw))):
        at.file_uploader(key="study.upload").set_value((name, data, "application/gzip")).run()
        assert not at.exception and not at.error
        table = at.dataframe[0].value
        assert list(table["configs"]) == [4, 4]
        assert "budget 4 configurations" in at.info[0].value


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x80\x04\x95 pickled", "not text"),
        (b'{"runs": []}\n', "not a study result file"),
        (b"[link](https://example.com)\n", "not valid JSON"),
    ],
)
def test_bad_uploads_are_refused_in_words(data, words):
    at = _page()
    at.run()
    at.radio(key="study.source").set_value("Upload a result file").run()
    at.file_uploader(key="study.upload").set_value(("x.jsonl", data, "text/plain")).run()
    assert not at.exception
    assert words in at.error[0].value and "https://" not in at.error[0].value
    assert not at.get("vega_lite_chart")


def test_a_file_name_with_markdown_is_shown_as_text():
    at = _page()
    at.run()
    at.radio(key="study.source").set_value("Upload a result file").run()
    name = "**bold** [x](https://evil.example).jsonl"
    at.file_uploader(key="study.upload").set_value((name, b"", "text/plain")).run()
    assert not at.exception
    shown = at.error[0].value
    assert "\\*\\*bold\\*\\*" in shown and "](https://" not in shown


@pytest.mark.skipif(not REGISTERED, reason="app.py does not list app_pages/9_Study.py yet")
def test_the_page_opens_from_the_app():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/9_Study.py").run()
    assert not at.exception and len(at.get("vega_lite_chart")) == 4


def test_result_lines_are_json_only():
    head = json.loads(_small_study().split(b"\n")[0])
    assert head["format"] == study.FORMAT
