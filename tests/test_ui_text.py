"""User text is inert in Streamlit's Markdown: `plain` and the pages that show names, files, cells.

The reference for what Streamlit's renderer would make of a string is its own bundled code:
CommonMark's backslash escapes, and the patterns by which GFM (remark-gfm, run on text after
escapes are resolved) and remark-emoji turn plain text into links and emoji, copied below from
streamlit/static/static/js/StreamlitMarkdown.*.js (1.67). tests/test_browser_injection.py checks
the same strings in the real renderer, in Chromium.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ganlab import compare, user_targets
from ganlab.config import ConfigError
from ganlab.targets import TargetError
from ganlab.ui.text import JOIN, LIMIT, MESSAGE, excerpt, plain, problems

PAIRS = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: backslash + ASCII punctuation
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.I | re.ASCII)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII)
EMOJI = re.compile(r":(?!material/|streamlit:)[\w+-][\w_+-]*:", re.ASCII)
ACTIVE = set("\\`*_~[]<>&|${}!")  # meaningful anywhere in a line

PAYLOADS = [
    "[x](https://evil.example)",
    "![x](http://127.0.0.1:8765/pixel.png)",
    "<img src=x onerror=alert(1)>",
    "https://evil.example/p",
    "HTTP://EVIL.EXAMPLE",
    "www.evil.example",
    "mail me: someone@evil.example",
    "mailto:someone@evil.example",
    "<https://evil.example>",
    "[x][1] [1]: https://evil.example",
    "[^1] footnote",
    "**bold** _em_ ~strike~ `code` ``two``",
    "$\\href{https://evil.example}{x}$ and $$x$$",
    ":red[coloured] :blue-badge[b] :material/home: :smile: :100: :+1:",
    "# heading",
    "- item",
    "+ item",
    "= setext",
    "> quote",
    "1. one",
    "12) twelve",
    "| a | b |",
    "&lt;img src=x&gt; &#91;x&#93;(https://evil.example)",
    "<!-- comment --> <script>alert(1)</script>",
    "back\\slash \\[x\\](https://evil.example)",
    "line\nbreak\r\n# heading\tafter a tab\u2028sep",
    "bidi \u202eexe.txt",
    "data.csv",
    "line 4: 'not-a-number' is not a number",
]


def syntax_left(md: str) -> str:
    """What Markdown still reads as syntax: the text with its escaped characters taken out."""
    return PAIRS.sub("", md)


def text_value(md: str) -> str:
    """The text nodes' value once escapes are resolved (what GFM's autolinking sees)."""
    return PAIRS.sub(r"\1", md)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_plain_leaves_nothing_markdown_can_act_on(payload):
    md = plain(payload)
    left = syntax_left(md)
    assert not ACTIVE & set(left), (md, ACTIVE & set(left))
    assert not re.search(r":(?! )", left), md  # directives, emoji, icons start ":x"
    assert not re.match(r"\s|[#+\-=>]|\d+[.)]", md), md  # no block starts at its front
    assert "\n" not in md and "\r" not in md, md
    value = text_value(md)
    assert not GFM_URL.search(value), md
    assert not GFM_EMAIL.search(value), md
    assert not EMOJI.search(value), md
    # and it reads the same: the joiners are invisible, the escapes vanish
    assert value.replace(JOIN, "") == excerpt(payload)


def test_plain_keeps_ordinary_text_as_it_is():
    # The page text does not change for ordinary names and messages (and AppTest sees it as is).
    for text in ("bimodal", "bad.csv", "line 4: 'not-a-number' is not a number", "a - b. c"):
        assert plain(text) == text
    assert plain("row 1: std -1 must be greater than 0") == "row 1: std -1 must be greater than 0"


def test_long_text_is_cut_to_an_excerpt():
    cell = "1" + "0" * (4 * 2**20 - 1)
    md = plain(cell)
    assert md == "1" + "0" * (LIMIT - 2) + "…"
    assert plain("x" * LIMIT) == "x" * LIMIT
    assert len(plain("[" * 10_000, MESSAGE)) <= 2 * MESSAGE  # escapes double it at most
    assert excerpt("é" * 200, 10) == "é" * 9 + "…"


def test_excerpt_is_the_cores_at_the_pages_limit():
    # One excerpt for the core's messages and the pages; the pages show a name on its own, so
    # they allow more than the core quotes inside a sentence (and a target's whole name).
    assert user_targets.EXCERPT < user_targets.MAX_NAME <= LIMIT
    name = "n" * user_targets.MAX_NAME
    assert excerpt(name) == name
    assert excerpt("y" * 500) == "y" * (LIMIT - 1) + "…"
    assert user_targets.excerpt("y" * 500) == "y" * (user_targets.EXCERPT - 1) + "…"
    assert excerpt(TargetError("only 3 values")) == "only 3 values"  # an exception's words


def test_excerpt_spells_out_line_breaks_bidi_overrides_and_surrogates():
    assert excerpt("a\nb\r\nc\td\x00e\u2028f") == r"a\nb\r\nc\td\x00e\u2028f"
    assert excerpt("evil\u202etxt.exe") == r"evil\u202etxt.exe"
    assert excerpt("a\ud800b") == r"a\ud800b"  # a lone surrogate (from JSON) cannot be sent
    assert excerpt("a\ud800b").encode("utf-8")
    assert plain("  name.csv \u202e") == r"name.csv \\u202e"  # stripped; the backslash escaped


def test_problems_makes_each_inert():
    assert problems(["unknown setting '[x](https://evil.example)'", "ok"]) == [
        plain("unknown setting '[x](https://evil.example)'", MESSAGE),
        "ok",
    ]


# --- the pages, through AppTest -------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]
NAME = "[x](https://evil.example) ![x](http://127.0.0.1:9/pixel.png) <img src=x onerror=alert(1)>"


def markdown_values(at: AppTest) -> list[str]:
    """Every Markdown string the script sent, main area and sidebar."""
    out: list[str] = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success"):
        out += [str(e.value) for e in getattr(at, kind)]
        out += [str(e.value) for e in getattr(at.sidebar, kind)]
    return out


def assert_inert(at: AppTest) -> None:
    """No link, image or HTML syntax left, and nothing GFM would autolink."""
    for value in markdown_values(at):
        left = syntax_left(value)
        assert not re.search(r"\]\(|<[A-Za-z!/?]", left), value  # ](link), <tag
        assert not GFM_URL.search(text_value(value)), value
        assert not GFM_EMAIL.search(text_value(value)), value


def _compare_json(target, **changes) -> str:
    cfgs = compare.default_configs(target=target, n_seeds=2, steps=30)
    data = json.loads(compare.to_json(cfgs))
    for v, fields in changes.items():
        data["configs"][v].update(fields)
    return json.dumps(data)


def _paste(text: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / "8_Compare.py"), default_timeout=60)
    at.run()
    at.text_area(key="cmp.load_text").set_value(text)
    at.button(key="cmp.load_button").click().run()
    assert not at.exception
    return at


def test_a_loaded_target_name_is_shown_as_text():
    target = user_targets.scipy_target("norm", {"loc": 0, "scale": 1}, name=NAME)
    at = _paste(_compare_json(target))
    said = " ".join(markdown_values(at))
    name = plain(target.name)  # the core keeps a short name; the page shows it inert
    assert f"Loaded the pasted text: target {name}, 2 seeds, 30 steps." in said
    assert f"**{name}** — {name}." in said  # beside the picker: name, description
    assert_inert(at)


def test_problems_quoting_a_loaded_file_are_shown_as_text():
    text = _compare_json("bimodal", gan={NAME: 1, "target": {"mixture": [[NAME, 0, 1]]}})
    with pytest.raises(ConfigError) as err:
        compare.from_json(text)
    at = _paste(text)
    said = " ".join(e.value for e in at.sidebar.error)
    assert "can't be loaded" in said
    assert len(err.value.problems) == 2  # the unknown setting and the mixture's cell
    for problem in err.value.problems:
        assert plain(problem, MESSAGE) in said
    assert_inert(at)


def _core_message(data: bytes) -> str:
    with pytest.raises(TargetError) as err:
        user_targets.parse_csv(data)
    return str(err.value)


@pytest.mark.parametrize(
    "data",
    [f"x\n1\n{NAME}\n2\n".encode(), b"x\n1\n1" + b"0" * (4 * 2**20) + b"\n2\n"],
    ids=["payload cell", "4 MB cell"],
)
def test_an_uploaded_name_and_a_bad_cell_are_shown_as_text_and_short(data):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("app_pages/2_WGAN.py").run()
    at.selectbox(key="wgan.target").set_value("uploaded data").run()
    at.file_uploader(key="wgan.target.upload").set_value((f"{NAME}.csv", data, "text/csv")).run()
    assert not at.exception
    (error,) = [e.value for e in at.sidebar.error]
    message = _core_message(data)
    assert len(message) < 200  # the core quotes a cell short, however long it is
    assert error == f"{plain(NAME + '.csv')} can't be used: {plain(message, MESSAGE)}."
    assert_inert(at)
