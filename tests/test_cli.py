"""`python -m ganlab train`: flags, JSON/CSV output, and one-line errors with non-zero exits."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from ganlab.cli import main

FAST = [
    "--steps",
    "30",
    "--g-width",
    "8",
    "--d-width",
    "8",
    "--data-size",
    "256",
    "--batch-size",
    "32",
]


def test_json_has_one_entry_per_variant_with_per_seed_metrics(capsys):
    assert (
        main(
            [
                "train",
                "--variant",
                "all",
                "--target",
                "bimodal",
                "--seeds",
                "2",
                "--seed",
                "7",
                "--json",
                *FAST,
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert [r["variant"] for r in out["runs"]] == ["gan", "wgan", "wgan-gp"]
    for run in out["runs"]:
        assert run["config"]["n_seeds"] == 2 and run["config"]["steps"] == 30
        assert run["wall_s"] > 0 and run["steps_per_s"] > 0
        assert [s["seed"] for s in run["seeds"]] == [7, 8]
        for s in run["seeds"]:
            assert {"diverged", "w1", "ks", "js", "energy", "mean", "std", "mode_coverage"} <= set(
                s
            )


def test_flags_reach_the_config_and_override_the_preset(capsys):
    main(
        [
            "train",
            "--variant",
            "wgan",
            "--preset",
            "paper",
            "--clip",
            "0.2",
            "--d-steps",
            "3",
            "--mixture",
            "1:0:1,3:5:0.5",
            "--json",
            *FAST,
        ]
    )
    cfg = json.loads(capsys.readouterr().out)["runs"][0]["config"]
    assert cfg["clip"] == 0.2 and cfg["d_steps"] == 3 and cfg["lr_d"] == 5e-5  # paper lr kept
    assert cfg["target"] == {"mixture": [[0.25, 0.0, 1.0], [0.75, 5.0, 0.5]]}


def test_csv_and_data_file(tmp_path, capsys):
    data = tmp_path / "x.csv"
    data.write_text("value\n" + "\n".join(str(v / 10) for v in range(100)))
    out = tmp_path / "seeds.csv"
    assert (
        main(
            [
                "train",
                "--variant",
                "gan",
                "--data",
                str(data),
                "--csv",
                str(out),
                "--seeds",
                "3",
                *FAST,
            ]
        )
        == 0
    )
    table = pd.read_csv(out)
    assert len(table) == 3 and {"variant", "seed", "w1", "ks"} <= set(table.columns)
    assert "W1" in capsys.readouterr().out  # the readable table, with the pages' row labels


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--batch-size", "1000"], "--batch-size: 1000 is outside the allowed range 32 … 512"),
        (["--seeds", "40"], "--seeds: 40 is outside the allowed range 1 … 32"),
        (["--lr-g", "fast"], "--lr-g: 'fast' is not a number"),
        (["--variant", "dcgan"], "--variant: 'dcgan' is not one of gan, wgan, wgan-gp, all"),
        (["--target", "cauchy"], "--target: invalid choice: 'cauchy'"),
        (["--mixture", "1:2"], "--mixture: component 1 '1:2' is not W:MEAN:STD"),
        (["--mixture", "1:2:-1"], "--mixture: row 1: std -1 must be greater than 0"),
        (["--data", "/nonexistent.csv"], "--data: cannot read /nonexistent.csv"),
        (
            ["--data-size", "256", "--batch-size", "300"],
            "batch size 300 is larger than the data set (256 samples)",
        ),
    ],
)
def test_bad_flags_exit_non_zero_with_one_line(args, words, capsys):
    try:
        code = main(["train", *args])
    except SystemExit as exc:  # argparse's own exits
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ganlab: error:")
    assert words in lines[0]


@pytest.mark.slow
def test_the_real_command_exits_2_with_one_line():
    proc = subprocess.run(
        [sys.executable, "-m", "ganlab", "train", "--steps", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert (
        proc.stderr == "ganlab: error: argument --steps: 0 is outside the allowed range "
        "1 … 1,000,000\n"
    )
