"""No user text becomes a link, an image or HTML: every input path, in the real app in Chromium.

A tiny pixel server on 127.0.0.1 counts the requests it gets. Each payload — a Markdown link, a
Markdown image pointing at the pixel server, an HTML image with an onerror handler and a bare
URL that GFM autolinks — goes in through every way a visitor can bring text: the target name in
a pasted comparison JSON (a named scipy target), values a JSON quotes in its errors (a setting's
name, a mixture cell), a loaded JSON file's name, an uploaded CSV's name and its bad cell, the
custom mixture table and the link's query parameters. Then: no <a> to evil.example, no <img>
from the pixel server or "x", no element with an onerror handler, no dialog, zero requests at
the pixel server, and the payload is on the page as text (so the path really ran).

The first test renders `plain` of many Markdown constructs with Streamlit's own renderer in a
one-line app and checks that every one comes out as the same text and nothing else.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from appserver import ROOT, running_app
from browser_steps import button, open_settled, settle, wait_for

# `server` and `browser` are tests/conftest.py's (which skips these tests without Chromium);
# `page` below adds this file's checks to conftest's.
pytestmark = pytest.mark.browser

JOIN = "\u2060"  # ganlab.ui.text.JOIN, invisible; taken out of the page's text before comparing
GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c000000000100010000020144003b"
)
MAX_HITS = 1000  # the pixel server counts at most this many requests (it only has to see one)


# --- the pixel server -----------------------------------------------------------------------------
class _Pixel(BaseHTTPRequestHandler):
    def do_GET(self):
        hits = self.server.hits  # type: ignore[attr-defined]
        if len(hits) < MAX_HITS:
            hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.send_header("Content-Length", str(len(GIF)))
        self.end_headers()
        self.wfile.write(GIF)

    do_HEAD = do_GET

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def pixel():
    """(base URL, list of paths requested) of a loopback image server, stopped afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pixel)
    server.daemon_threads = True
    server.hits = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", server.hits  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def payloads(pixel_url: str) -> dict[str, str]:
    return {
        "link": "[x](https://evil.example)",
        "image": f"![x]({pixel_url}/pixel.png)",
        "html": "<img src=x onerror=alert(1)>",
        "autolink": "https://evil.example/p",
    }


KINDS = list(payloads(""))


# --- the page ---------------------------------------------------------------------------------
@pytest.fixture
def page(page, pixel):
    """conftest's fresh page, recording any dialog; afterwards nothing on it may be active."""
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    assert_inert(page, pixel)


def shown(page) -> str:
    """The text of the page's main area and sidebar, as a reader sees it."""
    parts = [
        page.locator(f'[data-testid="{area}"]').first.inner_text()
        for area in ("stMain", "stSidebar")
        if page.locator(f'[data-testid="{area}"]').count()
    ]
    return "\n".join(parts).replace(JOIN, "")


FIND_ACTIVE = """(pixel) => {
    const bad = [];
    for (const a of document.querySelectorAll('a[href]')) {
        if (/evil\\.example/i.test(a.getAttribute('href'))) bad.push(a.outerHTML);
    }
    for (const e of document.querySelectorAll('img, image, iframe, source, video, audio, embed')) {
        const src = e.getAttribute('src') || e.getAttribute('href') || '';
        const evil = src === 'x' || src.startsWith(pixel) || /evil\\.example/i.test(src);
        if (evil) bad.push(e.outerHTML);
    }
    for (const e of document.querySelectorAll('[onerror], [onload]')) {
        if (e.tagName !== 'BODY') bad.push(e.outerHTML);
    }
    return bad;
}"""


def assert_inert(page, pixel) -> None:
    url, hits = pixel
    time.sleep(0.5)  # an image the page did make would be on its way by now
    assert page.evaluate(FIND_ACTIVE, url) == []
    assert page.dialogs == []
    assert hits == [], hits


def expect_text(page, text: str, seconds: float = 30) -> None:
    wait_for(lambda: text in shown(page), f"the text {text!r} on the page", seconds)


def choose(page, label: str, option: str, area: str = "stSidebar") -> None:
    """Pick `option` in the selectbox labelled `label`."""
    box = page.locator(f'[data-testid="{area}"] [data-testid="stSelectbox"]').filter(has_text=label)
    box.first.click()
    page.get_by_role("option", name=option).first.click()
    settle(page)


def open_loader(page) -> None:
    page.get_by_text("Load a saved comparison (JSON)").first.click()
    page.locator('[data-testid="stSidebar"] textarea').first.wait_for()


def paste(page, text: str) -> None:
    area = page.locator('[data-testid="stSidebar"] textarea').first
    area.fill(text)
    area.press("Control+Enter")  # commit the text before the button reads it
    settle(page)
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Load pasted text").click()
    settle(page)


def upload(page, name: str, data: bytes, mime: str) -> None:
    files = page.locator('[data-testid="stSidebar"] input[type="file"]')
    files.first.set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])
    settle(page)


def comparison_json(target, n_seeds: int = 2, steps: int = 30, **changes) -> str:
    """A saved comparison (as 'Config as JSON' writes it), with fields of a variant changed."""
    from ganlab import compare

    data = json.loads(
        compare.to_json(compare.default_configs(target=target, n_seeds=n_seeds, steps=steps))
    )
    for variant, fields in changes.items():
        data["configs"][variant].update(fields)
    return json.dumps(data)


def named_normal(name: str):
    from ganlab import user_targets

    return user_targets.scipy_target("norm", {"loc": 0.0, "scale": 1.0}, name=name)


# --- the helper in Streamlit's own renderer -------------------------------------------------------
RENDER_APP = """
import json, sys
import streamlit as st
sys.path.insert(0, {root!r})
from ganlab.ui.text import plain
for i, text in enumerate(json.load(open({cases!r}))):
    with st.container(key=f"case{{i}}"):
        st.markdown(plain(text))
"""

CONSTRUCTS = [
    "**bold** __bold__ *em* _em_ ~strike~ ~~strike~~ `code` ``co`de``",
    "[x](https://evil.example) [x][r] [r]: https://evil.example [^1]",
    "<https://evil.example> <a href='https://evil.example'>x</a> <!-- c --> <b>b</b>",
    "https://evil.example/p HTTPS://EVIL.EXAMPLE www.evil.example WWW.EVIL.EXAMPLE",
    "someone@evil.example mailto:someone@evil.example xmpp:someone@evil.example",
    "$x^2$ $$\\href{https://evil.example}{x}$$ \\(x\\)",
    ":red[red] :blue-background[bg] :green-badge[badge] :color[c]{foreground=red} :small[s]",
    ":material/home: :smile: :100: :+1: :streamlit:",
    "&lt;b&gt; &#91;x&#93;(https://evil.example) &amp; &copy;",
    "# heading",
    "## heading",
    "- item",
    "+ item",
    "* item",
    "> quote",
    "1. one",
    "7) seven",
    "---",
    "***",
    "=== setext",
    "| a | b |",
    "    indented code",
    "```fence```",
    "back\\slash \\[x\\](https://evil.example) \\*not em\\*",
    "line\nbreak\n# heading\n- item\n\n| a |\n|---|\n| b |",
    "a  \nb",
]
PLAIN_TAGS = {"P", "DIV", "SPAN"}  # what a paragraph of text is drawn with


def _words(text: str) -> list[str]:
    return text.split()


def test_plain_text_renders_as_the_same_text_and_nothing_else(page, pixel, tmp_path):
    from ganlab.ui.text import excerpt

    cases = [*CONSTRUCTS, *payloads(pixel[0]).values()]
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    script = tmp_path / "render.py"
    script.write_text(RENDER_APP.format(root=str(ROOT), cases=str(tmp_path / "cases.json")))
    with running_app(script=script) as (url, _):
        page.goto(url)
        last = page.locator(f".st-key-case{len(cases) - 1} [data-testid='stMarkdownContainer']")
        last.wait_for()
        for i, text in enumerate(cases):
            box = page.locator(f".st-key-case{i} [data-testid='stMarkdownContainer']").first
            tags = box.evaluate("b => [...b.querySelectorAll('*')].map(e => e.tagName)")
            assert set(tags) <= PLAIN_TAGS, (text, tags)
            # the same characters (HTML folds runs of spaces, as it does for any text)
            assert _words(box.inner_text().replace(JOIN, "")) == _words(excerpt(text)), text
        assert_inert(page, pixel)


# --- the app's input paths ------------------------------------------------------------------------
# Page loads cost seconds each, so a test brings every payload through its path on one page and
# checks after each one (and the page fixture once more at the end).
def core_message(data: bytes) -> str:
    """What the core says about a CSV (the UI shows it inert, whatever its wording)."""
    from ganlab.targets import TargetError
    from ganlab.user_targets import parse_csv

    with pytest.raises(TargetError) as err:
        parse_csv(data)
    return str(err.value)


def test_the_compare_pages_loader(server, page, pixel):
    """A pasted comparison: the target's name (a named scipy law) and, in its errors, a
    setting's name, a mixture cell and a target name; a loaded file's name."""
    open_settled(page, f"{server}/Compare")
    open_loader(page)
    for text in payloads(pixel[0]).values():
        paste(page, comparison_json(named_normal(text)))
        expect_text(page, f"Loaded the pasted text: target {text}, 2 seeds, 30 steps.")
        expect_text(page, f"Target from the loaded file: {text} — {text}.")
        assert_inert(page, pixel)

        bad = comparison_json(
            "bimodal",
            gan={text: 1},  # an unknown setting
            wgan={"target": {"mixture": [[text, 0, 1]]}},  # a mixture cell
            **{"wgan-gp": {"target": text}},  # an unknown target
        )
        paste(page, bad)
        expect_text(page, "the pasted text can't be loaded")
        expect_text(page, f"unknown setting '{text}'")
        expect_text(page, f"unknown target '{text}'")
        expect_text(page, f"must be numbers (got ('{text[:20]}")
        assert_inert(page, pixel)

        upload(page, f"{text}.json", comparison_json("bimodal").encode(), "application/json")
        expect_text(page, f"Loaded {text}.json: target bimodal, 2 seeds, 30 steps.")
        upload(page, f"{text} 2.json", b"\xff\xfe{", "application/json")
        expect_text(page, f"{text} 2.json is not UTF-8 text")
        assert_inert(page, pixel)


def test_an_uploaded_csvs_name_and_bad_cell(server, page, pixel):
    open_settled(page, f"{server}/WGAN")
    choose(page, "Target", "upload data (CSV)…")
    for text in payloads(pixel[0]).values():
        data = f"x\n1\n{text}\n2\n".encode()
        upload(page, f"{text}.csv", data, "text/csv")
        expect_text(page, f"{text}.csv can't be used: {core_message(data)}.")
        assert_inert(page, pixel)
    cell = b"1" + b"0" * (4 * 2**20 - 1)  # a 4 MB number: inf, and quoted short
    data = b"x\n1\n" + cell + b"\n2\n"
    upload(page, "big.csv", data, "text/csv")
    expect_text(page, f"big.csv can't be used: {core_message(data)}.")
    assert len(shown(page)) < 20_000


def test_an_uploaded_target_shown_later_and_in_the_settings_change(server, page, pixel):
    """A good upload with the image payload as its name: the caption that keeps it after a page
    switch, and the warning that lists what changed (config.changes names the target)."""
    text = payloads(pixel[0])["image"]
    open_settled(page, f"{server}/WGAN")
    choose(page, "Target", "upload data (CSV)…")
    values = "\n".join(f"{0.01 * i:.2f}" for i in range(200))
    upload(page, f"{text}.csv", values.encode(), "text/csv")
    button(page, "Step one epoch").click()
    page.wait_for_selector('[data-testid="stVegaLiteChart"]')
    settle(page)
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_role("link", name="Compare").click()
    settle(page)
    nav.get_by_role("link", name="WGAN", exact=True).click()
    settle(page)
    expect_text(page, f"Using {text}.csv (200 values from 0 to 1.99), uploaded earlier.")
    choose(page, "Target", "bimodal — ½·N(2, 0.4) + ½·N(6, 0.4)")
    expect_text(page, f"target {text}.csv → bimodal")


def test_the_custom_mixture_table(server, page, pixel):
    """The table's columns are numbers: typed text never reaches a message (the editor keeps
    only what can be a number), and nothing it keeps is rendered."""
    open_settled(page, f"{server}/WGAN")
    choose(page, "Target", "custom Gaussian mixture…")
    grid = page.locator('[data-testid="stSidebar"] [data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    assert box is not None
    for text in payloads(pixel[0]).values():
        for col in range(3):  # weight, mean, std of the first row (after the row numbers)
            page.mouse.dblclick(box["x"] + 70 + 70 * col, box["y"] + 52)
            page.keyboard.type(text)
            page.keyboard.press("Enter")
            settle(page)
        assert text not in shown(page)
        assert_inert(page, pixel)


def test_a_comparison_trained_on_a_named_target(server, page, pixel):
    """The whole results page (verdict, tables, charts, exports) with the image payload as the
    target's name."""
    text = payloads(pixel[0])["image"]
    open_settled(page, f"{server}/Compare")
    open_loader(page)
    paste(page, comparison_json(named_normal(text)))
    expect_text(page, f"Target from the loaded file: {text}")
    button(page, "Run").click()
    wait_for(lambda: page.get_by_text("Verdict.", exact=True).count() > 0, "verdict")
    settle(page)
    expect_text(page, f"Target from the loaded file: {text}")


@pytest.mark.parametrize(
    "path",
    [
        "Compare?target={0}&seeds={1}&gan_preset={2}&wgan_lr={3}&{0}=1&{1}=2&{2}=3&{3}=4",
        "WGAN?target={0}&steps={1}&{2}={3}&{3}={2}",
        "Inverse_transform?{0}={1}&{2}={3}",
    ],
)
def test_link_parameters(server, page, pixel, path):
    """Values and names in the query string (ganlab.ui.url names each one it ignores)."""
    quoted = [urllib.parse.quote(t, safe="") for t in payloads(pixel[0]).values()]
    page.goto(f"{server}/{path.format(*quoted)}")
    settle(page)
    for text in payloads(pixel[0]).values():  # named in the page's note on ignored settings
        expect_text(page, text)
