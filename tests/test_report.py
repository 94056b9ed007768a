"""The one report table (variant pages, Compare, CLI) against hand-computed cells."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from ganlab import report


def seed(w1, covered=2, diverged_at=-1, **kw):
    d = {
        "w1": w1,
        "modes_covered": covered,
        "n_modes": 2,
        "diverged": diverged_at >= 0,
        "diverged_at": diverged_at,
        "collapsed": covered < 2,
        "ks": w1 / 2,
        "js": 0.1,
        "energy": w1,
        "frechet": 0.2,
        "mean_err": 0.1,
        "std_err": 0.1,
        "mode_coverage": covered / 2,
        "high_quality": 0.9,
        "d_volatility": w1,
        "g_volatility": 0.2,
    }
    return {**d, **kw}


SEEDS = {
    "gan": [seed(0.2), seed(0.4, 1, diverged_at=70)],
    "wgan": [seed(0.3), seed(0.3)],
    "wgan-gp": [seed(0.1), seed(0.3)],
}
RUNS = {
    "gan": {"step": 2000, "steps": 2000, "steps_per_s": 300.0, "wall_s": 2.0},
    "wgan": {"step": 1500, "steps": 2000, "steps_per_s": 100.0, "wall_s": 6.0},
    "wgan-gp": {"step": 2000, "steps": 2000, "steps_per_s": 50.0, "wall_s": 12.5},
}
LABELS = {"gan": "Vanilla GAN", "wgan": "WGAN (clip)", "wgan-gp": "WGAN-GP"}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0004123, "0.000412"),
        (0.0, "0"),
        (12.0, "12"),
        (0.1234, "0.123"),
        (-0.0004, "-0.0004"),
        (999.4, "999"),
        (1234.5, "1,234"),
        (6000, "6,000"),
        (np.nan, "—"),
        (None, "—"),
        (np.inf, "—"),
    ],
)
def test_number_uses_significant_digits_never_fixed_decimals(value, text):
    assert report.number(value) == text


def test_measured_table_has_a_row_per_metric_and_a_column_per_run():
    shown = report.display(report.measured(SEEDS, RUNS), LABELS)
    assert list(shown.columns) == list(LABELS.values())
    metric_rows = [r.label for r in report.ROWS if r.key not in ("mean", "std")]
    tail = ["diverged seeds", "collapsed seeds", "steps", "steps/s", "wall time (s)"]
    assert list(shown.index) == [*metric_rows, *tail]
    assert shown.loc["W1", "Vanilla GAN"] == "0.3 [0.2–0.4]"  # median [min–max]
    assert shown.loc["W1", "WGAN (clip)"] == "0.3"  # no spread to show
    assert shown.loc["diverged seeds"].tolist() == ["1 of 2", "0 of 2", "0 of 2"]
    assert shown.loc["collapsed seeds"].tolist() == ["1 of 2", "0 of 2", "0 of 2"]
    assert shown.loc["steps"].tolist() == ["2,000 of 2,000", "1,500 of 2,000", "2,000 of 2,000"]
    assert shown.loc["steps/s", "Vanilla GAN"] == "300"
    assert shown.loc["wall time (s)", "WGAN-GP"] == "12.5"


def test_a_run_not_made_yet_is_a_column_of_dashes():
    table = report.measured({"gan": SEEDS["gan"], "wgan": []}, {"gan": RUNS["gan"]})
    shown = report.display(table)
    assert shown.loc["steps", "wgan"] == "not run yet"
    assert set(shown["wgan"].drop("steps")) == {"—"}
    assert "W1" not in report.best(table)  # one run with a value: nothing to win


def test_best_follows_the_direction_ties_share_and_unranked_rows_are_skipped():
    best = report.best(report.measured(SEEDS, RUNS))
    assert best["W1"] == best["KS statistic"] == ["wgan-gp"]
    assert best["modes covered"] == ["wgan", "wgan-gp"]  # a tie: both are marked
    assert "JS divergence (bits)" not in best  # equal everywhere: nobody wins
    assert best["steps/s"] == ["gan"] and best["wall time (s)"] == ["gan"]
    assert best["diverged seeds"] == ["wgan", "wgan-gp"]
    assert "D / critic loss volatility" not in best  # each variant's own loss scale
    assert "steps" not in best


def test_reference_column_sits_beside_its_rows():
    table = report.measured(SEEDS, RUNS)
    shown = report.display(table, LABELS, {"w1": 0.0123, "ks": 0.01}, "noise floor")
    assert shown.loc["W1", "noise floor"] == "0.0123"
    assert shown.loc["KS statistic", "noise floor"] == "0.01"
    assert shown.loc["steps", "noise floor"] == ""


def test_mode_rows_are_left_out_for_a_target_without_modes():
    seeds = {"gan": [{"w1": 0.1, "diverged": False, "collapsed": False}]}
    rows = set(report.measured(seeds)["row"])
    assert "W1" in rows and "modes covered" not in rows and "collapsed seeds" in rows


def test_csv_holds_the_numbers_per_column():
    csv = pd.read_csv(io.StringIO(report.to_csv(report.measured(SEEDS, RUNS))), index_col="metric")
    assert list(csv.columns[:4]) == ["gan median", "gan min", "gan max", "gan n"]
    assert csv.loc["W1", "gan median"] == pytest.approx(0.3)
    assert csv.loc["W1", "wgan-gp max"] == pytest.approx(0.3)
    assert csv.loc["diverged seeds", "gan median"] == 1
    assert csv.loc["steps/s", "wgan n"] == 1


def test_glossary_explains_every_row():
    text = report.glossary()
    for r in (*report.ROWS, *report.COUNT_ROWS, *report.RUN_ROWS):
        assert f"**{r.label}**: {r.description}" in text and r.description
