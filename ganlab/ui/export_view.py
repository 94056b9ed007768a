"""Export for slides: the run's timeline as an animated GIF, the shown frame as a PNG."""

from __future__ import annotations

import streamlit as st

from ganlab import export
from ganlab.training import Run
from ganlab.ui.text import excerpt

ss = st.session_state


def _key(variant: str, name: str) -> str:
    return f"{variant}.export.{name}"


def _name(run: Run, what: str, ext: str) -> str:
    c = run.cfg
    target = "".join(ch if ch.isalnum() else "-" for ch in excerpt(c.target.name, 24))
    return f"ganlab-{c.variant}-{target}-{what}.{ext}"


def export_panel(variant: str, run: Run, seed_i: int, step: int | None) -> None:
    """One button each: the GIF of every recorded frame (with a progress bar), and the PNG of
    the frame at `step` (the replay's; the newest when None). Made on demand, kept until the run
    or the seed changes, then offered as a download."""
    frames = run.timeline.frames
    shown = run.timeline.at(step) if step is not None else run.timeline.newest()
    with st.expander("Export for slides: an animated GIF of this run, a PNG of this frame"):
        st.caption(
            f"The GIF shows density, {run.variant.d_name}, G map and losses at each of the run's "
            f"{len(frames)} recorded frames (at most {export.MAX_FRAMES} of them, evenly "
            "chosen: dense at the start), on fixed axes."
        )
        c1, c2 = st.columns(2)
        gif_key = (id(run), run.step, seed_i)
        if c1.button("Make the GIF", key=_key(variant, "gif"), disabled=len(frames) < 2):
            bar = st.progress(0.0, text="Rendering frames…")

            def progress(p: float) -> None:
                bar.progress(min(max(p, 0.0), 1.0), text=f"Rendering frames… {p:.0%}")

            results = [run.result_at(f) for f in frames]
            ss[_key(variant, "gif_data")] = (
                gif_key,
                export.timeline_gif(results, seed_i, progress=progress),
            )
            bar.empty()
        made = ss.get(_key(variant, "gif_data"))
        if made is not None and made[0] == gif_key:
            c1.download_button(
                f"Download the GIF ({len(made[1]) / 1e6:.2g} MB)",
                made[1],
                file_name=_name(run, f"to-step-{run.step}", "gif"),
                mime="image/gif",
                key=_key(variant, "gif_download"),
            )
        if shown is None:
            return
        png_key = (id(run), shown.step, seed_i)
        if c2.button(f"Make a PNG of step {shown.step:,}", key=_key(variant, "png")):
            with st.spinner("Rendering…"):
                png = export.panel_png(run.result_at(shown, full_history=True), seed_i)
            ss[_key(variant, "png_data")] = (png_key, png)
        made = ss.get(_key(variant, "png_data"))
        if made is not None and made[0] == png_key:
            c2.download_button(
                "Download the PNG",
                made[1],
                file_name=_name(run, f"step-{shown.step}", "png"),
                mime="image/png",
                key=_key(variant, "png_download"),
            )
