"""`python -m ganlab train`: flags, JSON/CSV output, and one-line errors with non-zero exits."""

import json
import os
import subprocess
import sys
import threading

import pandas as pd
import pytest

from ganlab.cli import main
from ganlab.user_targets import MAX_BYTES, MAX_UPLOAD_MB

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


def FAST_IF_ABSENT(args):
    """FAST's flags that args does not set (a flag given twice with two values is refused)."""
    pairs = zip(FAST[::2], FAST[1::2], strict=True)
    return [x for flag, value in pairs if flag not in args for x in (flag, value)]


def run_cli(argv, capsys):
    """main(argv) in-process: (exit code, stdout, stderr); argparse's exits included."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ganlab: error:"), err[:500]
    return lines[0]


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
    assert [r["variant"] for r in out["runs"]] == [
        *("gan", "wgan", "wgan-gp"),
        *("lsgan", "hinge", "r1", "rpgan"),
    ]
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
        (
            ["--variant", "dcgan"],
            "--variant: 'dcgan' is not one of gan, wgan, wgan-gp, lsgan, hinge, r1, rpgan, all",
        ),
        (["--target", "cauchy"], "--target: invalid choice: 'cauchy'"),
        (["--mixture", "1:2"], "--mixture: component 1 '1:2' is not W:MEAN:STD"),
        (["--mixture", "1:2:-1"], "--mixture: row 1: std -1 must be greater than 0"),
        (["--data", "/nonexistent.csv"], "--data: cannot read /nonexistent.csv"),
        (
            ["--data-size", "256", "--batch-size", "300"],
            "batch size 300 is larger than the data set (256 samples)",
        ),
        # Issue 13: what an attacker tried. Each is refused before any training.
        (["--variant", "gan,gan"], "--variant: 'gan' is named twice"),
        (["--variant", "all,gan"], "--variant: all already names every variant; give it alone"),
        (["--mixture", ""], "--mixture: empty: give components as W:MEAN:STD"),
        (["--mixture", " "], "--mixture: empty"),
        (["--seeds", "2", "--n-seeds", "3"], "--n-seeds: given twice (--seeds 2 and --n-seeds 3)"),
        (["--target", "normal", "--target", "uniform"], "--target: given twice"),
        (["--steps", "1e9"], "--steps: '1e9' is not a whole number"),
        (["--steps", "2000000"], "--steps: 2000000 is outside the allowed range 1 … 1,000,000"),
        (["--seed", "-1"], "--seed: -1 is outside the allowed range 0 … 2,147,483,647"),
        (["--lr-g", "nan"], "--lr-g: nan is outside the allowed range 1e-05 … 1"),
        (["--lr-g", "inf"], "--lr-g: inf is outside the allowed range 1e-05 … 1"),
        (["--lr-g", "1e400"], "--lr-g: 1e400 is outside the allowed range"),
        (["--batch-size", "0x20"], "--batch-size: '0x20' is not a whole number"),
        (["--standardize", "maybe"], "--standardize: 'maybe' is not true/false"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--json", "--csv", "-"], "--csv -: --json already writes to stdout; give --csv a file"),
        (["--csv", ""], "--csv: empty: give a file name, or - for stdout"),
        (["--csv", "/nonexistent/folder/x.csv"], "--csv: the folder /nonexistent/folder does not"),
        (["--csv", "/"], "--csv: / is a directory"),
        (["--data", ""], "--data: empty"),
        (["--data", "/"], "--data: / is a directory: give a CSV or text file"),
        (["--mixture", "1e308:0:1,1:1e300:1"], "row 2: mean 1e+300 cannot be trained in 32-bit"),
        (["--mixture", "1:0:1e-300"], "row 1: std 1e-300 cannot be trained in 32-bit floats"),
        (["--lr-g", "1\n2"], "--lr-g: '1\\n2' is not a number"),  # one line: \n escaped
        (["--target", "x" * 100_000], "--target: invalid choice: 'xxxxxxxx"),
        (["y" * 100_000], "unrecognized arguments: yyyy"),
        (["--seed", "9" * 5000], "--seed: '99999"),  # past int()'s 4300-digit limit
        (["--variant", "v" * 100_000], "--variant: 'vvvv"),
        (["--mixture", "1:2" * 100_000], "--mixture: component 1 '1:21:2"),
    ],
)
def test_bad_flags_exit_non_zero_with_one_line(args, words, capsys):
    code, out, err = run_cli(["train", *args, *FAST_IF_ABSENT(args)], capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ganlab: error:")
    assert words in lines[0]
    assert len(lines[0]) < 300  # user text is cut, never echoed whole


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


# --- issue 13: files, output paths, and failures after the arguments -----------------------------
def test_no_subcommand_is_one_line(capsys):
    code, _, err = run_cli([], capsys)
    assert code == 2 and "the following arguments are required: command" in one_error_line(err)


def test_output_paths_are_checked_before_training(tmp_path, capsys, monkeypatch):
    import ganlab.cli as cli

    def no_training(cfg):
        raise AssertionError("trained before checking --csv")

    monkeypatch.setattr(cli, "Run", no_training)
    for path, words in [
        (tmp_path / "missing" / "x.csv", "does not exist"),
        (tmp_path, "is a directory"),
        (tmp_path / "file.txt" / "x.csv", "is not a folder"),
    ]:
        (tmp_path / "file.txt").write_text("")
        code, out, err = run_cli(["train", "--variant", "gan", "--csv", str(path), *FAST], capsys)
        assert code == 2 and out == "" and words in one_error_line(err)


def test_csv_onto_the_data_file_is_refused(tmp_path, capsys):
    data = tmp_path / "x.csv"
    data.write_text("\n".join(str(v) for v in range(30)))
    code, _, err = run_cli(["train", "--data", str(data), "--csv", str(data), *FAST], capsys)
    assert code == 2 and "is the --data file; it would be overwritten" in one_error_line(err)
    assert data.read_text().startswith("0\n1\n")


def test_csv_dash_writes_the_table_to_stdout(capsys):
    code, out, _ = run_cli(["train", "--variant", "gan", "--csv", "-", *FAST], capsys)
    assert code == 0 and out.splitlines()[0].startswith("variant,seed,diverged")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_failed_write_after_training_keeps_the_table_and_says_why(capsys):
    code, out, err = run_cli(["train", "--variant", "gan", "--csv", "/dev/full", *FAST], capsys)
    assert code == 2 and "W1" in out  # the results are not lost
    assert err.strip().splitlines()[-1] == (
        "ganlab: error: --csv: cannot write /dev/full: No space left on device"
    )


def test_data_refuses_a_fifo_without_blocking(tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result: list = []
    worker = threading.Thread(
        target=lambda: result.append(run_cli(["train", "--data", str(fifo), *FAST], capsys)),
        daemon=True,
    )
    worker.start()
    worker.join(30)
    assert result, "--data on a FIFO blocked"  # before: open() waited for a writer forever
    code, _, err = result[0]
    assert code == 2 and "pipe is a named pipe: give a CSV or text file" in one_error_line(err)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_data_refuses_a_device_before_reading_it(capsys):
    # Before: read_bytes() on /dev/zero grew to 7.2 GB in 15 s.
    code, _, err = run_cli(["train", "--data", "/dev/zero", *FAST], capsys)
    assert code == 2 and "/dev/zero is a device" in one_error_line(err)


def test_data_over_the_upload_limit_is_refused_before_reading(tmp_path, capsys, monkeypatch):
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:  # sparse: the size says enough, nothing is read
        f.truncate(MAX_BYTES + 1)
    monkeypatch.setattr(os, "open", None)  # reading would fail the test
    code, _, err = run_cli(["train", "--data", str(big), *FAST], capsys)
    assert code == 2 and f"big.csv is larger than {MAX_UPLOAD_MB} MB" in one_error_line(err)


def test_read_data_stops_at_the_limit_plus_one(tmp_path, monkeypatch):
    import ganlab.cli as cli

    grown = tmp_path / "grown.csv"
    grown.write_bytes(b"1\n" * 100)
    monkeypatch.setattr(cli, "MAX_BYTES", 150)  # as if it had grown past the limit after stat
    real_stat = os.stat
    monkeypatch.setattr(cli.os, "stat", lambda p: os.stat_result((*real_stat(p)[:6], 10, 0, 0, 0)))
    with pytest.raises(cli.TargetError, match="is larger than"):
        cli.read_data(str(grown))


def test_a_4_mb_bad_cell_is_cut_in_the_one_line_error(tmp_path, capsys):
    data = tmp_path / "cell.csv"
    data.write_text("x\n1\n" + "a" * 4_000_000 + "\n")
    code, _, err = run_cli(["train", "--data", str(data), *FAST], capsys)
    line = one_error_line(err)
    assert code == 2 and len(line) < 120
    assert "line 3: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…' is not a number" in line


def test_data_float32_cannot_represent_is_refused(tmp_path, capsys):
    data = tmp_path / "huge.csv"
    data.write_text("\n".join(["1", "2"] * 20 + ["1e300"]))
    code, _, err = run_cli(["train", "--data", str(data), *FAST], capsys)
    assert code == 2
    assert "values up to 1e+300 (value 41 is 1e+300) cannot be trained in 32-bit floats" in (
        one_error_line(err)
    )


@pytest.mark.slow  # ~2 s: trains and measures a run through the CLI
def test_mixture_weights_of_1e308_train(capsys):
    # Before: a traceback ("Probabilities do not sum to 1") after the weights overflowed.
    args = ["train", "--variant", "gan", "--mixture", "1e308:0:1,1e308:4:1", "--json", *FAST]
    code, out, _ = run_cli(args, capsys)
    assert code == 0
    target = json.loads(out)["runs"][0]["config"]["target"]
    assert target == {"mixture": [[0.5, 0.0, 1.0], [0.5, 4.0, 1.0]]}


@pytest.mark.slow  # ~1.5 s: trains and measures a run through the CLI
def test_seeds_and_n_seeds_are_one_setting(capsys):
    args = ["train", "--variant", "gan", "--seeds", "2", "--n-seeds", "2", "--json", *FAST]
    code, out, _ = run_cli(args, capsys)
    assert code == 0 and json.loads(out)["runs"][0]["config"]["n_seeds"] == 2


@pytest.mark.slow  # ~1.5 s: trains and measures a run through the CLI
def test_negative_zero_reads_as_zero(capsys):
    args = ["train", "--variant", "wgan-gp", "--gp-lambda", "-0", "--json", *FAST]
    code, out, _ = run_cli(args, capsys)
    assert code == 0 and str(json.loads(out)["runs"][0]["config"]["gp_lambda"]) == "0.0"


@pytest.mark.parametrize(
    ("error", "code", "line"),
    [
        (KeyboardInterrupt(), 130, "ganlab: interrupted"),
        (
            RuntimeError("boom\n" + "z" * 10_000),
            2,
            "ganlab: error: unexpected RuntimeError: boom\\nzzzz",
        ),
        (MemoryError(), 2, "ganlab: error: unexpected MemoryError"),
    ],
)
def test_failures_during_training_are_one_line(error, code, line, capsys, monkeypatch):
    import ganlab.cli as cli

    def fail(cfg):
        raise error

    monkeypatch.setattr(cli, "Run", fail)
    monkeypatch.delenv("GANLAB_TRACEBACK", raising=False)
    got, out, err = run_cli(["train", "--variant", "gan", *FAST], capsys)
    assert got == code and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(line) and len(lines[0]) < 400


def test_a_closed_stdout_is_one_line(capsys, monkeypatch):
    import ganlab.cli as cli

    def closed(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli.report, "display", closed)
    code, _, err = run_cli(["train", "--variant", "gan", *FAST], capsys)
    assert code == 2
    assert err.strip().splitlines()[-1] == (
        "ganlab: error: stdout was closed before the output was written"
    )
