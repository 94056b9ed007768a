"""What a lecturer sees on a variant page, in one run: live frames per second, UI vs headless
steps/s, Stop latency, scrub latency, replay speed (and, with --compare, a full comparison).

    python bench/live.py                 # the Vanilla GAN page, default 6 000-step run
    python bench/live.py --json out.json
    python bench/live.py --compare       # also /Compare?seeds=8&steps=6000 (many minutes)
    python bench/live.py --browser-apart # training on one core, browser and server on the other

The app server is a separate process (`streamlit run app.py`, bench/appserver.py): its training
service trains with its own workers; the headless runs here train in this process (Run.advance
goes through this process's own service, on a worker thread). A recorder in the page notes every
change of what is shown (a MutationObserver, collected every 0.2 s: reading the DOM from
Playwright every few ms would load the browser being measured); a "redraw" is a change of the
step in the density chart's label ("seed S · step N"), which is what the lecturer sees move.

On a 2-core machine the browser drawing the page takes a core or more of the two, which a hosted
app's server never pays: its visitors' browsers run on their own machines. --browser-apart
measures that case: the training processes (and the headless runs) on one core, the server's
own threads, the browser and this bench on the other.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from appserver import launch_chromium, running_app  # noqa: E402
from browser_steps import button, new_page, settle  # noqa: E402

SHOTS = ROOT / "tests" / "artifacts" / "live"
POLL_S = 0.2  # how often the recorder's notes are collected
STEP = re.compile(r"step ([\d,]+)")
FINISHED = re.compile(r"^(finished|diverged at)")  # the progress text once a run has ended

# What the page shows: the density chart's label step, the progress text, the exception boxes.
_READ = r"""
  const SEL = '[data-testid="stVegaLiteChart"] .role-title-text, ' +
    '[data-testid="stVegaLiteChart"] .mark-text text';
  const out = {t: performance.now() / 1000, title: null, progress: null, exceptions: 0};
  for (const e of document.querySelectorAll(SEL)) {
    const m = /^seed \d+ · step ([\d,]+)/.exec(e.textContent || "");
    if (m) { out.title = parseInt(m[1].replace(/,/g, ""), 10); break; }
  }
  const p = document.querySelector('[data-testid="stMain"] [data-testid="stProgress"]');
  out.progress = p ? p.textContent.trim() : null;
  out.exceptions = document.querySelectorAll('[data-testid="stException"]').length;
"""
READ_JS = "() => {" + _READ + "  return out;\n}"

# A recorder in the page: a MutationObserver notes every change of what READ_JS reads, with its
# time. The bench collects the notes a few times a second instead of reading the DOM every few
# ms, which would itself load the browser whose frame rate is being measured.
RECORD_JS = (
    "() => {\n  if (window.__seen) return;\n  window.__seen = [];\n  let last = null;\n"
    "  const note = () => {"
    + _READ
    + "    const k = [out.title, out.progress, out.exceptions].join('|');\n"
    "    if (k !== last) { last = k; window.__seen.push(out); }\n  };\n"
    "  const watch = {subtree: true, childList: true, characterData: true};\n"
    "  new MutationObserver(note).observe(document.body, watch);\n  note();\n}"
)
COLLECT_JS = "() => [performance.now() / 1000, window.__seen.splice(0)]"


# --- small helpers ------------------------------------------------------------------------------
def pct(values, q: float) -> float | None:
    """The q-quantile (0..1) by nearest rank; None for no values."""
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def med(values) -> float | None:
    return statistics.median(values) if values else None


def read(page) -> dict:
    try:
        return page.evaluate(READ_JS)
    except Exception as exc:  # a navigation or a closed page: say so, don't crash the bench
        return {"t": time.time(), "title": None, "progress": None, "error": str(exc)}


def progress_step(text: str | None) -> int | None:
    m = STEP.search(text or "")
    return int(m.group(1).replace(",", "")) if m else None


def shot(page, name: str) -> str:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    try:
        page.screenshot(path=str(path), full_page=False)
    except Exception as exc:
        return f"(no screenshot: {exc})"
    return str(path)


def what_page_shows(page, limit: int = 600) -> str:
    """The main area's text, cut: printed when something expected is missing."""
    try:
        text = page.locator('[data-testid="stMain"]').inner_text(timeout=5000)
    except Exception as exc:
        return f"(could not read the page: {exc})"
    text = re.sub(r"\s+", " ", text)
    return text[:limit] + ("…" if len(text) > limit else "")


def problem(out: dict, page, part: str, what: str) -> None:
    """Record (and print) a part's failure with what the page shows and a screenshot."""
    path = shot(page, f"problem-{part}")
    seen = what_page_shows(page)
    out.setdefault("problems", []).append({"part": part, "what": what, "shot": path, "page": seen})
    print(f"  !! {part}: {what}\n     page shows: {seen}\n     screenshot: {path}", flush=True)


def metric(page, name: str) -> str | None:
    """A st.metric's value by its label, as shown ('34.8'), or None."""
    for text in page.locator('[data-testid="stMain"] [data-testid="stMetric"]').all_inner_texts():
        parts = [p.strip() for p in text.split("\n") if p.strip()]
        if len(parts) >= 2 and parts[0] == name:
            return parts[1]
    return None


def as_float(text: str | None) -> float | None:
    try:
        return float((text or "").replace(",", ""))
    except ValueError:
        return None


def poll(page, seconds: float, until=None) -> list[dict]:
    """What the page showed for `seconds` (or until until(sample) is true): every change, timed
    by the recorder in the page (RECORD_JS), collected every POLL_S."""
    start = time.time()
    end = start + seconds
    first = read(page)  # the state now; older notes in the page are left out
    first["wall"] = start
    samples = [first]
    if until is not None and until(first):
        return samples
    try:
        page.evaluate(RECORD_JS)
    except Exception as exc:  # a navigation or a closed page: say so, don't crash the bench
        return [{"wall": time.time(), "title": None, "progress": None, "error": str(exc)}]
    while True:
        now = time.time()
        try:
            page_now, seen = page.evaluate(COLLECT_JS)
        except Exception as exc:
            samples.append({"wall": now, "title": None, "progress": None, "error": str(exc)})
            break
        for s in seen:
            s["wall"] = now - (page_now - s["t"])
            if s["wall"] < start:
                continue
            samples.append(s)
            if until is not None and until(s):
                return samples
        if now > end:
            break
        time.sleep(POLL_S)
    # the state at the end, so a part that saw no change still knows what is shown
    s = read(page)
    s["wall"] = time.time()
    return [*samples, s]


def redraws(samples: list[dict], key: str = "title") -> dict:
    """Changes of the shown step over the samples: how many, how often, how far apart."""
    changes = []  # (wall time, step) at each change
    last = None
    for s in samples:
        v = s.get(key)
        if v is not None and v != last:
            if last is not None:
                changes.append((s["wall"], v, v - last))
            last = v
    span = samples[-1]["wall"] - samples[0]["wall"] if len(samples) > 1 else 0.0
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(changes)]
    jumps = [c[2] for c in changes]
    steps = [s.get(key) for s in samples if s.get(key) is not None]
    return {
        "seconds": round(span, 2),
        "polls": len(samples),
        "poll_ms": round(1000 * span / max(1, len(samples) - 1), 1),
        "redraws": len(changes),
        "distinct_steps": len(set(steps)),
        "per_s": round(len(changes) / span, 2) if span > 0 else None,
        "steps_between_redraws_median": med(jumps),
        "steps_between_redraws_p90": pct(jumps, 0.9),
        "steps_between_redraws_max": max(jumps) if jumps else None,
        "backwards": sum(1 for j in jumps if j < 0),
        "ms_between_redraws_median": round(1000 * med(gaps), 1) if gaps else None,
        "ms_between_redraws_p90": round(1000 * pct(gaps, 0.9), 1) if gaps else None,
        "ms_between_redraws_max": round(1000 * max(gaps), 1) if gaps else None,
        "first_step": steps[0] if steps else None,
        "last_step": steps[-1] if steps else None,
    }


def headless(variant: str = "gan", **fields) -> dict:
    """One run of the preset trained to its budget in this process, timed."""
    from ganlab.config import preset
    from ganlab.training import Run

    run = Run(preset(variant, "tuned", **fields))
    t0 = time.perf_counter()
    run.advance()
    wall = time.perf_counter() - t0
    return {
        "steps": run.step,
        "seconds": round(wall, 2),
        "steps_per_s": round(run.step / wall, 1),
        "frames": len(run.timeline.steps),
    }


def keep_apart(server: int, stop: threading.Event) -> None:
    """--browser-apart: the server's training processes (its descendants) on core 1; the server
    itself, the browser and the bench's other processes on core 0. Processes start all the time
    (renderers, a new training process), so this looks again twice a second."""
    from soak import pin

    while not stop.is_set():
        with contextlib.suppress(psutil.Error):
            trainers = {c.pid for c in psutil.Process(server).children(recursive=True)}
            for c in psutil.Process().children(recursive=True):
                pin(c.pid, {1} if c.pid in trainers else {0})
        stop.wait(0.5)


# --- the parts ----------------------------------------------------------------------------------
def open_variant(page, base: str, out: dict) -> bool:
    t0 = time.time()
    page.goto(f"{base}/Vanilla_GAN")
    try:
        settle(page, 120)
    except Exception as exc:
        problem(out, page, "open", f"page did not settle: {exc}")
        return False
    s = read(page)
    out["open"] = {
        "seconds_to_settle": round(time.time() - t0, 2),
        "charts": page.locator('[data-testid="stVegaLiteChart"]').count(),
        "progress": s.get("progress"),
        "title_step": s.get("title"),
    }
    if s.get("exceptions"):
        problem(out, page, "open", "an exception box on the page")
    if page.get_by_text("These settings need a new model").count():
        problem(out, page, "open", "a fresh page says its settings need a new model")
    return True


def part_live(page, out: dict, seconds: float) -> None:
    """a. Start, then count what is drawn for `seconds` (or until training ends)."""
    try:
        t0 = time.time()
        button(page, "Start").click(timeout=10_000)
    except Exception as exc:
        problem(out, page, "live", f"no Start button: {exc}")
        return
    first = poll(page, 20, until=lambda s: (s.get("progress") or "").startswith("training"))
    training = bool(first) and (first[-1].get("progress") or "").startswith("training")
    started = first[-1]["wall"] - t0 if training else None
    # The first trained frame can take a while (a worker process starting): timed on its own.
    moved = poll(page, 120, until=lambda s: (s.get("title") or 0) > 0)
    first_frame = moved[-1]["wall"] - t0 if moved and (moved[-1].get("title") or 0) > 0 else None
    samples = poll(
        page, seconds, until=lambda s: not (s.get("progress") or "").startswith("training")
    )
    live = redraws(samples)
    live["progress_redraws"] = redraws(
        [{**s, "p": progress_step(s.get("progress"))} for s in samples], "p"
    )["redraws"]
    # The readout and the chart come from one frame: for what share of the time did they
    # disagree on screen? (Within one redraw the two are updated a few ms apart.)
    spans = [
        (b["wall"] - a["wall"], a.get("title"), progress_step(a.get("progress")))
        for a, b in itertools.pairwise(samples)
    ]
    both = [(d, t, p) for d, t, p in spans if t is not None and p is not None]
    total = sum(d for d, _, _ in both)
    live["title_vs_progress_disagree_share"] = (
        round(sum(d for d, t, p in both if t != p) / total, 3) if total > 0 else None
    )
    live["title_vs_progress_max_gap"] = max((abs(t - p) for _, t, p in both), default=None)
    live["seconds_click_to_training_text"] = round(started, 2) if started is not None else None
    live["seconds_click_to_first_trained_frame"] = (
        round(first_frame, 2) if first_frame is not None else None
    )
    live["steps_per_s_on_screen"] = (
        round((live["last_step"] - live["first_step"]) / live["seconds"], 1)
        if live["seconds"] and live["first_step"] is not None
        else None
    )
    live["exceptions_seen"] = max((s.get("exceptions", 0) for s in samples), default=0)
    out["live"] = live
    shot(page, "live")
    if live["redraws"] < 3:
        problem(out, page, "live", f"only {live['redraws']} redraws in {live['seconds']} s")


def part_stop(page, out: dict) -> None:
    """c. Stop while training: until the text leaves 'training', and until the step settles."""
    before = read(page)
    if not (before.get("progress") or "").startswith("training"):
        problem(out, page, "stop", f"not training before Stop ({before.get('progress')!r})")
        return
    try:
        stop = button(page, "Stop")
        t0 = time.time()
        stop.click(timeout=10_000)
        clicked = time.time() - t0
    except Exception as exc:
        problem(out, page, "stop", f"no Stop button: {exc}")
        return
    samples = poll(page, 15)  # long enough to see a late change
    text_t = next(
        (s["wall"] for s in samples if not (s.get("progress") or "").startswith("training")),
        None,
    )
    last_change, last = t0, before.get("title")
    for s in samples:
        if s.get("title") is not None and s["title"] != last:
            last_change, last = s["wall"], s["title"]
    final = samples[-1] if samples else {}
    out["stop"] = {
        "step_at_click": before.get("title"),
        "step_after": final.get("title"),
        "steps_drawn_after_click": (final.get("title") or 0) - (before.get("title") or 0),
        "click_call_ms": round(1000 * clicked, 1),
        "ms_until_text_not_training": round(1000 * (text_t - t0), 1) if text_t else None,
        # Playwright's click first waits for the button to be stable (it is redrawn 4× a
        # second): from the click's return, which is after it landed, is what a hand sees
        "ms_from_click_return_until_text": (
            round(1000 * (text_t - t0 - clicked), 1) if text_t else None
        ),
        "ms_until_last_step_change": round(1000 * (last_change - t0), 1),
        "progress_after": final.get("progress"),
        "start_button_after": _start_label(page),
    }
    if text_t is None:
        problem(out, page, "stop", "still says training 15 s after Stop")


def _start_label(page) -> str | None:
    main = page.locator('[data-testid="stMain"]')
    for name in ("Resume", "Finished", "Start new run", "Start", "Training…"):
        # a label may be followed by its keyboard shortcut ("Resume S")
        if main.get_by_role("button", name=re.compile(rf"^{re.escape(name)}( |$)")).count():
            return name
    return None


def part_finish(page, out: dict, limit_s: float) -> None:
    """b (page side). Resume and train to the end of the budget; the steps/s the page shows."""
    try:
        t0 = time.time()
        button(page, "Resume").click(timeout=10_000)
    except Exception as exc:
        problem(out, page, "finish", f"no Resume button: {exc}")
        return
    samples = poll(page, limit_s, until=lambda s: FINISHED.search(s.get("progress") or ""))
    wall = time.time() - t0
    last = samples[-1] if samples else {}
    with contextlib.suppress(Exception):
        settle(page, 120)
    shown = metric(page, "steps/s")
    out["finish"] = {
        "progress": last.get("progress"),
        "seconds_after_resume": round(wall, 1),
        "steps_per_s_metric": shown,
        "steps_per_s_metric_value": as_float(shown),
    }
    if not FINISHED.search(last.get("progress") or ""):
        problem(out, page, "finish", f"not finished after {limit_s:.0f} s")


def _replay_slider(page):
    box = page.locator('[data-testid="stMain"] [data-testid="stSlider"]').filter(
        has_text="Replay: step"
    )
    return box.get_by_role("slider").first


def part_scrub(page, out: dict, presses: int) -> None:
    """d. Focus the replay slider's thumb and press ArrowLeft; time until the title changes."""
    thumb = _replay_slider(page)
    try:
        thumb.wait_for(timeout=30_000)
        label = page.locator('[data-testid="stMain"]').get_by_text(
            re.compile(r"^Replay: step \(\d+ recorded frames\)")
        )
        frames = label.first.inner_text() if label.count() else None
        thumb.focus()
    except Exception as exc:
        problem(out, page, "scrub", f"no replay slider: {exc}")
        return
    times, misses = [], 0
    for _ in range(presses):
        before = read(page).get("title")
        t0 = time.time()
        page.keyboard.press("ArrowLeft")
        samples = poll(page, 5, until=lambda s, b=before: s.get("title") not in (None, b))
        if samples and samples[-1].get("title") not in (None, before):
            times.append(samples[-1]["wall"] - t0)
        else:
            misses += 1
        time.sleep(0.1)
    after = read(page)
    out["scrub"] = {
        "label": frames,
        "presses": presses,
        "changed": len(times),
        "no_change_in_5s": misses,
        "ms_median": round(1000 * med(times), 1) if times else None,
        "ms_p90": round(1000 * pct(times, 0.9), 1) if times else None,
        "ms_max": round(1000 * max(times), 1) if times else None,
        "title_step_after": after.get("title"),
        "progress_after": after.get("progress"),
    }
    shot(page, "scrubbed")
    if misses:
        problem(out, page, "scrub", f"{misses} of {presses} ArrowLeft presses changed nothing")


def part_play(page, out: dict, speed: str, seconds: float) -> None:
    """e. Home on the slider (step 0), Speed = `speed`, Play; count what is drawn."""
    try:
        thumb = _replay_slider(page)
        thumb.focus()
        page.keyboard.press("Home")
        poll(page, 5, until=lambda s: s.get("title") == 0)
        box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(
            has_text="Speed"
        )
        box.click(timeout=10_000)
        page.get_by_role("option", name=speed, exact=True).click(timeout=10_000)
        settle(page, 30)
        t0 = time.time()
        button(page, "Play").click(timeout=10_000)
    except Exception as exc:
        problem(out, page, "play", f"could not set up Play: {exc}")
        return
    samples = poll(page, seconds)
    play = redraws(samples)
    play["speed"] = speed
    play["click_to_first_redraw_ms"] = next(
        (round(1000 * (s["wall"] - t0), 1) for s in samples if s.get("title") not in (None, 0)),
        None,
    )
    play["progress_after"] = samples[-1].get("progress") if samples else None
    out["play"] = play
    shot(page, "played")
    if play["redraws"] < 2:
        problem(out, page, "play", f"only {play['redraws']} redraws in {seconds:.0f} s of Play")


def part_compare(page, base: str, out: dict, seeds: int, steps: int, limit_s: float) -> None:
    """f. A full comparison on the page, timed, beside the same three runs headless."""
    from ganlab import compare
    from ganlab.training import Run

    res: dict = {"seeds": seeds, "steps": steps}
    out["compare"] = res
    page.goto(f"{base}/Compare?seeds={seeds}&steps={steps}")
    try:
        settle(page, 120)
        t0 = time.time()
        button(page, "Run comparison").click(timeout=10_000)
    except Exception as exc:
        problem(out, page, "compare", f"no Run comparison button: {exc}")
        return
    verdict = page.get_by_text("Verdict.", exact=True)
    while verdict.count() == 0 and time.time() - t0 < limit_s:
        if page.locator('[data-testid="stException"]').count():
            problem(out, page, "compare", "an exception box while comparing")
            break
        time.sleep(0.5)
    res["ui_seconds_to_verdict"] = round(time.time() - t0, 1) if verdict.count() else None
    shot(page, "compare")
    if not verdict.count():
        problem(out, page, "compare", f"no verdict after {limit_s:.0f} s")
    button_stop = page.locator('[data-testid="stMain"]').get_by_role("button", name="Stop")
    if button_stop.count() and button_stop.first.is_enabled():
        button_stop.first.click()  # don't leave it training under the headless runs
    cfgs = compare.default_configs(n_seeds=seeds, steps=steps)
    res["headless"] = {}
    for v, cfg in cfgs.items():
        run = Run(cfg)
        t = time.perf_counter()
        run.advance()
        res["headless"][v] = round(time.perf_counter() - t, 1)
        print(f"  headless {v}: {res['headless'][v]} s", flush=True)
    res["headless_sum_seconds"] = round(sum(res["headless"].values()), 1)
    if res["ui_seconds_to_verdict"]:
        res["ui_over_headless"] = round(
            res["ui_seconds_to_verdict"] / res["headless_sum_seconds"], 2
        )


# --- the table ----------------------------------------------------------------------------------
def rows(out: dict) -> list[tuple[str, str]]:
    def g(*path, unit=""):
        d = out
        for k in path:
            d = d.get(k) if isinstance(d, dict) else None
        return "—" if d is None else f"{d}{unit}"

    r = [
        ("load at start (1, 5, 15 min)", g("load_start")),
        ("cores", g("cores")),
        ("browser apart (training on a core of its own)", g("browser_apart")),
        ("headless steps/s before", g("headless_before", "steps_per_s")),
        ("page open → settled (frame 0)", g("open", "seconds_to_settle", unit=" s")),
        ("frame 0: charts / progress", f"{g('open', 'charts')} / {g('open', 'progress')}"),
        (
            "a. Start click → 'training' text",
            g("live", "seconds_click_to_training_text", unit=" s"),
        ),
        (
            "a. Start click → first trained frame",
            g("live", "seconds_click_to_first_trained_frame", unit=" s"),
        ),
        ("a. live redraws per second", g("live", "per_s")),
        (
            "a. redraws / distinct steps / seconds",
            f"{g('live', 'redraws')} / {g('live', 'distinct_steps')} / {g('live', 'seconds')}",
        ),
        (
            "a. steps between redraws (median, p90, max)",
            f"{g('live', 'steps_between_redraws_median')}, "
            f"{g('live', 'steps_between_redraws_p90')}, {g('live', 'steps_between_redraws_max')}",
        ),
        (
            "a. ms between redraws (median, p90, max)",
            f"{g('live', 'ms_between_redraws_median')}, {g('live', 'ms_between_redraws_p90')}, "
            f"{g('live', 'ms_between_redraws_max')}",
        ),
        ("a. steps/s as seen on screen", g("live", "steps_per_s_on_screen")),
        (
            "a. title vs progress text disagree (share, max gap)",
            f"{g('live', 'title_vs_progress_disagree_share')}, "
            f"{g('live', 'title_vs_progress_max_gap')}",
        ),
        ("c. Stop → text not 'training'", g("stop", "ms_until_text_not_training", unit=" ms")),
        ("c. … from the click's return", g("stop", "ms_from_click_return_until_text", unit=" ms")),
        ("c. Stop → last step change", g("stop", "ms_until_last_step_change", unit=" ms")),
        ("c. steps drawn after Stop click", g("stop", "steps_drawn_after_click")),
        ("c. Start button after Stop", g("stop", "start_button_after")),
        ("b. page's steps/s at the end", g("finish", "steps_per_s_metric")),
        ("b. headless steps/s after", g("headless_after", "steps_per_s")),
        ("b. UI / headless (mean of before, after)", g("ui_over_headless")),
        ("d. scrub: replay slider", g("scrub", "label")),
        (
            "d. scrub ms (median, p90, max)",
            f"{g('scrub', 'ms_median')}, {g('scrub', 'ms_p90')}, {g('scrub', 'ms_max')}",
        ),
        ("d. presses that changed nothing", g("scrub", "no_change_in_5s")),
        ("e. Play (fast): redraws per second", g("play", "per_s")),
        (
            "e. Play: distinct steps / seconds",
            f"{g('play', 'distinct_steps')} / {g('play', 'seconds')}",
        ),
        (
            "e. Play ms between redraws (median, p90, max)",
            f"{g('play', 'ms_between_redraws_median')}, {g('play', 'ms_between_redraws_p90')}, "
            f"{g('play', 'ms_between_redraws_max')}",
        ),
        ("e. Play click → first redraw", g("play", "click_to_first_redraw_ms", unit=" ms")),
    ]
    if "compare" in out:
        r += [
            ("f. Compare seeds × steps", f"{g('compare', 'seeds')} × {g('compare', 'steps')}"),
            ("f. Compare: Run → verdict", g("compare", "ui_seconds_to_verdict", unit=" s")),
            ("f. headless, three runs in turn", g("compare", "headless_sum_seconds", unit=" s")),
            ("f. UI / headless", g("compare", "ui_over_headless")),
        ]
    r += [
        ("load at end (1, 5, 15 min)", g("load_end")),
        ("problems", str(len(out.get("problems", [])))),
    ]
    return r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", metavar="PATH", help="also write the numbers as JSON")
    ap.add_argument("--live-seconds", type=float, default=10.0)
    ap.add_argument("--scrub-presses", type=int, default=20)
    ap.add_argument("--play-seconds", type=float, default=10.0)
    ap.add_argument("--finish-limit", type=float, default=600.0, help="seconds to wait for it")
    ap.add_argument("--no-headless", action="store_true", help="skip the headless runs (debug)")
    ap.add_argument("--compare", action="store_true", help="also time a full comparison (slow)")
    ap.add_argument("--compare-seeds", type=int, default=8)
    ap.add_argument("--compare-steps", type=int, default=6000)
    ap.add_argument("--compare-limit", type=float, default=3600.0)
    ap.add_argument(
        "--browser-apart",
        action="store_true",
        help="training on one core (the headless runs too), the browser and the server's "
        "script threads on the other: a server whose visitors' browsers run elsewhere",
    )
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from ganlab.service import cores

    out: dict = {"load_start": [round(x, 2) for x in os.getloadavg()], "cores": cores()}
    print(f"load at start: {out['load_start']} on {out['cores']} cores", flush=True)
    all_cores = os.sched_getaffinity(0)
    apart = args.browser_apart and len(all_cores) >= 2
    out["browser_apart"] = apart
    if apart:
        os.sched_setaffinity(0, {1})  # the headless runs: training on a core of its own
    print("headless run (before)…", flush=True)
    out["headless_before"] = None if args.no_headless else headless()
    print(f"  {out['headless_before']}", flush=True)
    # Training is what is measured: no shipped gallery or stored run opens finished.
    os.environ["GANLAB_GALLERY_DIR"] = tempfile.mkdtemp(prefix="ganlab-bench-gallery-")
    os.environ["GANLAB_RESULTS_DIR"] = tempfile.mkdtemp(prefix="ganlab-bench-results-")
    stop_pinning = threading.Event()
    if apart:  # the server starts on every core (it sizes its training pool by them)
        os.sched_setaffinity(0, all_cores)
    with running_app() as (base, proc), sync_playwright() as p:
        browser = launch_chromium(p)
        with new_page(browser, timeout_ms=120_000) as page:
            opened = open_variant(page, base, out)
            if apart:  # now: the server chose its training processes by its cores at its start
                os.sched_setaffinity(0, {0})
                threading.Thread(
                    target=keep_apart, args=(proc.pid, stop_pinning), daemon=True
                ).start()
                time.sleep(2)  # the training processes started, and pinned
            if opened:
                print(f"open: {out['open']}", flush=True)
                part_live(page, out, args.live_seconds)
                print(f"live: {out.get('live')}", flush=True)
                part_stop(page, out)
                print(f"stop: {out.get('stop')}", flush=True)
                part_finish(page, out, args.finish_limit)
                print(f"finish: {out.get('finish')}", flush=True)
                part_scrub(page, out, args.scrub_presses)
                print(f"scrub: {out.get('scrub')}", flush=True)
                part_play(page, out, "fast", args.play_seconds)
                print(f"play: {out.get('play')}", flush=True)
            if args.compare:
                part_compare(
                    page, base, out, args.compare_seeds, args.compare_steps, args.compare_limit
                )
                print(f"compare: {out.get('compare')}", flush=True)
        browser.close()
    stop_pinning.set()
    if apart:
        os.sched_setaffinity(0, {1})
    print("headless run (after)…", flush=True)
    out["headless_after"] = None if args.no_headless else headless()
    print(f"  {out['headless_after']}", flush=True)
    ui = (out.get("finish") or {}).get("steps_per_s_metric_value")
    if ui and not args.no_headless:
        mean_headless = statistics.mean(
            [out["headless_before"]["steps_per_s"], out["headless_after"]["steps_per_s"]]
        )
        out["ui_over_headless"] = round(ui / mean_headless, 2)
    out["load_end"] = [round(x, 2) for x in os.getloadavg()]

    print()
    table = rows(out)
    width = max(len(k) for k, _ in table)
    for k, v in table:
        print(f"{k:<{width}}  {v}")
    for p_ in out.get("problems", []):
        print(f"problem in {p_['part']}: {p_['what']} (screenshot {p_['shot']})")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
