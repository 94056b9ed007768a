"""The Study page: a shipped, uploaded or page-run study's distributions, best-of-n curves,
failures, sensitivity and verdict, with downloads. Reads result files only (JSON, never
executed); a study started here (ui/study_run) is read back as one."""

from __future__ import annotations

import altair as alt
import streamlit as st

from ganlab import study
from ganlab import study_analysis as sa
from ganlab.charts import Layered
from ganlab.charts import study as charts
from ganlab.variants import VARIANTS

from . import present, study_run, text, url

SOURCES = ("The shipped example", "Upload a result file", "Run a small study here")
MAX_UPLOAD_MB = 20  # a 7 variants × 2 targets × 100 configs × 8 seeds study is ~7 MB plain


@st.cache_data(max_entries=8, show_spinner=False)
def _analysed(raw: bytes, name: str) -> tuple[study.Results, dict]:
    """Parse and analyse a result file's bytes, once per distinct file."""
    res = study.parse(study.decode(raw, name), name)
    if not res.rows:
        raise study.StudyError(f"{name} has no results yet")
    return res, sa.analyse(res)


def _load() -> tuple[study.Results, dict] | None:
    source = st.radio("Study", SOURCES, horizontal=True, key="study.source")
    if source == SOURCES[2]:
        made = study_run.panel()  # the form, the study training, or its result file
        if made is None:
            return None
        raw, name = made
    elif source == SOURCES[0]:
        study_run.progress()  # a study started here goes on training while another is shown
        name, raw = study.EXAMPLE.name, study.EXAMPLE.read_bytes()
        st.caption(f"Made with `{study.EXAMPLE_COMMAND}` (about half an hour on 2 cores).")
    else:
        study_run.progress()
        upload = st.file_uploader(
            f"A result file of `ganlab study` (.jsonl or .jsonl.gz, ≤ {MAX_UPLOAD_MB} MB)",
            type=["jsonl", "gz", "json"],
            key="study.upload",
            max_upload_size=MAX_UPLOAD_MB,
        )
        if upload is None:
            st.info("Choose a file, or look at the shipped example.")
            return None
        name, raw = upload.name, upload.getvalue()
    try:
        return _analysed(raw, name)
    except study.StudyError as exc:
        st.error(f"Cannot read this study: {text.plain(str(exc), text.MESSAGE)}")
        return None


def _spec_words(spec: study.StudySpec) -> str:
    names = ", ".join(VARIANTS[v].label for v in spec.variants)
    return (
        f"{names} — {spec.configs} configurations per variant sampled (seed {spec.seed}) from "
        f"the search space below, each trained on {spec.seeds} seeds for {spec.steps:,} "
        "generator steps. A configuration's score is its median W1 over seeds."
    )


def render() -> None:
    """The whole page below its title."""
    url.read()  # no settings in its link: any parameter is named and ignored
    loaded = _load()
    if loaded is None:
        return
    res, a = loaded
    spec = res.spec
    st.markdown(text.plain(_spec_words(spec), text.MESSAGE))
    total = len(spec.tasks(per_seed=True))
    if len(res.rows) < total:
        st.warning(
            f"This study is unfinished: {len(res.rows):,} of {total:,} runs so far. Shown: "
            f"configurations 0–{a['configs'] - 1} of every variant (the first {a['configs']} "
            f"of {spec.configs}; tasks run in this order, so they are an unbiased equal budget)."
        )
    targets = list(dict.fromkeys(a["scores"]["target"]))
    target = st.radio("Target", targets, horizontal=True, key="study.target")
    st.info(text.plain(a["verdicts"][target], text.MESSAGE))
    table = sa.summary(a)
    st.dataframe(table[table.target == target].drop(columns="target"), hide_index=True)
    st.caption(
        "Median W1 over configurations with its interquartile range; *best of 1*: the expected "
        "W1 of one configuration drawn at random (best of n for any n: the chart), exact from "
        "order statistics; *best of all*: the best of the N, "
        f"with a {sa.LEVEL:.0%} bootstrap interval (configurations resampled). *Strongest ρ*: "
        "the sampled setting with the largest Spearman rank correlation with the score "
        "(ρ > 0: larger values did worse)."
    )
    figs: list[Layered | alt.Chart] = [
        charts.best_of_n_chart(a["curves"], target),
        charts.distribution_chart(a["scores"], target),
        charts.failure_chart(a["failures"], target),
        charts.sensitivity_chart(a["sensitivity"], target),
    ]
    left, right = st.columns(2)
    for i, fig in enumerate(figs):
        present.chart((left if i % 2 == 0 else right), fig, width="stretch")
    st.caption(
        "Lucic et al. (2018) found that, given the same budget of configurations and enough "
        "seeds, most GAN variants reach similar scores: read the bands, not the lines. "
        "Collapsed: a mode holds too little of its weight, or the spread is far too small "
        "(the engine's one rule); diverged: a seed went NaN/inf and stopped."
    )
    with st.expander("Search space"):
        st.markdown("\n".join(f"- `{d.words()}`" for d in spec.space.dims))
        st.caption(
            "clip, λ and γ are sampled only for the variants that have them (their knobs); "
            f"fixed for all: {', '.join(f'{k} = {v}' for k, v in spec.space.fixed)}."
        )
    c1, c2 = st.columns(2)
    c1.download_button(
        "Scores per configuration (CSV)",
        a["scores"].to_csv(index=False, float_format="%.6g"),
        "ganlab-study-scores.csv",
        "text/csv",
        key="study.csv",
        on_click="ignore",
        width="stretch",
    )
    c2.download_button(
        "Figures (PNG)",
        lambda: charts.figure_png(figs),  # drawn only when clicked: vl-convert takes seconds
        f"ganlab-study-{target}.png",
        "image/png",
        key="study.png",
        on_click="ignore",
        width="stretch",
    )
