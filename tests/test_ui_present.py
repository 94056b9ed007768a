"""Presentation mode through AppTest: the switch and `?present=true` change a variant page's
layout and the link; every page opens with it; and the chart text the page sends is at least
16 px with WCAG contrast ≥ 4.5:1 — read from Vega's own rendering of those specs (vl-convert),
on Streamlit's light and dark backgrounds, under Streamlit's grey axis text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest
from ui_pages import APP, PAGES

from ganlab import gallery

ROOT = Path(__file__).resolve().parents[1]
EVERY_PAGE = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app_pages").glob("*.py"))
GRID = ["1 · ", "2 · ", "3 · ", "4 · "]  # the four key charts' titles start so
# What Streamlit 1.67's chart theme sets under a spec's own config (frontend CustomTheme): the
# theme's background and grey text (gray70 on light, gray30 on dark), 12–14 px. Text the spec
# leaves to the theme keeps these and fails the checks below.
BACKGROUNDS = {"light": "#FFFFFF", "dark": "#0E1117"}  # .streamlit/config.toml
THEME_GREY = {"light": "#808495", "dark": "#E6EAF1"}
COLUMN = 414  # px: a grid chart's width at 1280×720 (tests/test_browser_present.py measures)


def _open(variant: str = "gan", present: bool = True, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if present:
        at.query_params["present"] = "true"
    at.switch_page(page or PAGES[variant]).run()
    assert not at.exception
    return at


def _specs(at: AppTest) -> list[dict]:
    """Every chart's spec as the page sent it, with its datasets (Arrow) back in as rows."""
    out = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        spec.setdefault("datasets", {}).update(  # Arrow datasets; Altair's stay inline
            {
                d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas().to_dict("records")
                for d in chart.proto.datasets
            }
        )
        out.append(spec)
    return out


def _titles(at: AppTest) -> list[str]:
    return [s.get("title", "") for s in _specs(at)]


# --- the WCAG 2.x contrast ratio, written from its definition (w3.org/TR/WCAG21, "relative
# luminance" and "contrast ratio"), and checked against Vega's own implementation below -------
def _luminance(color: str) -> float:
    rgb = [int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _hex(color: str) -> str:
    c = color.lstrip("#")
    return "#" + ("".join(ch * 2 for ch in c) if len(c) == 3 else c).upper()


def test_the_contrast_formula_agrees_with_vegas_and_the_issue():
    import vl_convert as vlc

    pairs = [("#808495", "#FFFFFF"), ("#000000", "#FFFFFF"), ("#E6EAF1", "#0E1117")]
    spec = {
        "data": {"values": [{"a": a, "b": b} for a, b in pairs]},
        "transform": [{"calculate": "contrast(datum.a, datum.b)", "as": "c"}],
        "mark": "text",
        "encoding": {"text": {"field": "c", "format": ".4f"}, "y": {"field": "a"}},
    }
    svg = vlc.vegalite_to_svg(spec)
    vega = [float(t) for t in re.findall(r">(\d+\.\d{4})</text>", svg)]
    ours = [contrast(a, b) for a, b in pairs]
    assert sorted(vega) == pytest.approx(sorted(ours), abs=1e-3)
    assert contrast("#808495", "#FFFFFF") == pytest.approx(3.7, abs=0.05)  # the issue's 3.7:1


def _rendered_text(spec: dict, theme: str) -> list[tuple[str, float, str]]:
    """(text, font size px, fill) of every visible text Vega draws for `spec` at COLUMN px wide
    on `theme`'s background, under Streamlit's grey theme text."""
    import vl_convert as vlc

    grey, small = THEME_GREY[theme], {"labelFontSize": 12, "titleFontSize": 14}
    streamlit_like = {
        "background": BACKGROUNDS[theme],
        "axis": {"labelColor": grey, "titleColor": grey, **small},
        "legend": {"labelColor": grey, "titleColor": grey, **small},
        "title": {"color": grey, "fontSize": 16},
    }
    svg = vlc.vegalite_to_svg({**spec, "width": COLUMN}, config=streamlit_like)
    out = []
    for attrs, text in re.findall(r"<text([^>]*)>([^<]*)</text>", svg):
        if not text.strip() or 'opacity="0"' in attrs:  # labels Vega hid (overlap)
            continue
        size = float(re.search(r'font-size="([\d.]+)px"', attrs).group(1))
        fill = re.search(r'fill="(#[0-9a-fA-F]{3,6})"', attrs).group(1)
        out.append((text, size, _hex(fill)))
    return out


@pytest.fixture(scope="module")
def projector_page() -> AppTest:
    return _open("gan")


@pytest.mark.parametrize("theme", list(BACKGROUNDS))
def test_projector_chart_text_is_16px_with_contrast_at_least_4_5(projector_page, theme):
    specs = [s for s in _specs(projector_page) if "config" in s]
    assert [s["title"][:4] for s in specs[:4]] == GRID
    bg = BACKGROUNDS[theme]
    for spec in specs:  # the four, and the two below the fold
        texts = _rendered_text(spec, theme)
        assert len(texts) > 10, spec["title"]  # axes, legend, title were drawn
        small = [(t, s) for t, s, _ in texts if s < 16]
        assert not small, (spec["title"], small)
        faint = [(t, f, round(contrast(f, bg), 2)) for t, _, f in texts if contrast(f, bg) < 4.5]
        assert not faint, (spec["title"], theme, faint)


def test_the_standard_page_keeps_streamlits_theme_and_six_charts():
    at = _open("gan", present=False)
    specs = _specs(at)
    assert len(specs) == 6 and not any("config" in s for s in specs)
    assert not any(str(t).startswith(tuple(GRID)) for t in _titles(at))
    assert [t.value for t in at.title] == ["Vanilla GAN"]
    assert "present" not in at.query_params


@pytest.mark.parametrize("v", list(PAGES))
def test_a_present_link_lays_out_four_charts_first_and_folds_the_intro(v):
    at = _open(v)
    assert at.session_state["present"] is True and at.toggle(key="present").value
    assert [t[:4] for t in _titles(at)[:4]] == GRID
    assert [e.label for e in at.expander][:1] == ["About this page"]
    assert at.title[0].value in {
        "Vanilla GAN",
        "WGAN — weight clipping",
        "WGAN-GP — gradient penalty",
    }
    # the buttons carry their keys, and say so
    keys = {"start": "s", "stop": "x", "step": "e"}
    for name, key in keys.items():
        button = at.button(key=f"{v}.live.{name}")
        assert button.proto.shortcut == key and f"Key {key.upper()}" in button.help


def test_a_present_compare_link_folds_the_settings_and_draws_four_charts_in_a_row(monkeypatch):
    monkeypatch.setattr(gallery, "DIR", gallery.SHIPPED)  # it opens on a finished comparison
    at = _open(page="app_pages/8_Compare.py")
    assert at.title[0].value == "Compare the variants"
    assert [e.label for e in at.expander][:1] == ["About this page"]
    knobs = next(e for e in at.expander if e.label == "Each variant's preset and knobs")
    assert knobs.proto.expanded is False  # folded below the charts
    titles = [t if isinstance(t, str) else t.get("text", "") for t in _titles(at)[:4]]
    assert [t.split(",")[0] for t in titles] == [
        "Vanilla GAN",
        "WGAN (clip)",
        "WGAN-GP",
        "W1 to the target",
    ]
    assert all(s["height"] == 300 for s in _specs(at)[:4])
    assert any(m.value.startswith("**Verdict.**") for m in at.success)
    for name, key in {"run": "s", "stop": "x"}.items():
        button = at.button(key=f"cmp.{name}")
        assert button.proto.shortcut == key and f"Key {key.upper()}" in button.help


def test_the_switch_changes_the_layout_and_the_link():
    at = _open("gan", present=False)
    at.toggle(key="present").set_value(True).run()
    assert not at.exception
    assert at.query_params["present"] == ["true"] or at.query_params["present"] == "true"
    assert [t[:4] for t in _titles(at)[:4]] == GRID
    at.toggle(key="present").set_value(False).run()
    assert not at.exception
    assert "present" not in at.query_params
    assert len(_specs(at)) == 6 and not any("config" in s for s in _specs(at))


def test_a_bad_present_value_is_named_and_ignored():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["present"] = "maybe"
    at.switch_page(PAGES["gan"]).run()
    assert not at.exception
    assert not at.toggle(key="present").value
    assert any("present=maybe" in w.value for w in at.warning)


@pytest.mark.slow
@pytest.mark.parametrize("page", EVERY_PAGE)
def test_every_page_opens_in_presentation_mode(page):
    at = _open(page=page)
    assert at.toggle(key="present").value


TEACHING = ["app_pages/5_DiracGAN.py", "app_pages/6_Inverse_transform.py"]
TEACHING += ["app_pages/7_Slerp_vs_lerp.py", "app_pages/8_Compare.py", "app_pages/9_Study.py"]


@pytest.mark.slow  # ~15 s: five pages, every chart rendered by Vega on both backgrounds
@pytest.mark.parametrize("page", TEACHING)
def test_the_other_pages_charts_are_projector_sized_too(page, monkeypatch):
    monkeypatch.setattr(gallery, "DIR", gallery.SHIPPED)  # Compare opens on a finished one
    specs = _specs(_open(page=page))
    assert specs, "no chart drawn"
    for spec in specs:
        for theme, bg in BACKGROUNDS.items():
            texts = _rendered_text(spec, theme)
            assert texts, spec.get("title")
            small = [(t, s) for t, s, _ in texts if s < 16]
            assert not small, (spec.get("title"), small)
            faint = [(t, round(contrast(f, bg), 2)) for t, _, f in texts if contrast(f, bg) < 4.5]
            assert not faint, (spec.get("title"), theme, faint)
