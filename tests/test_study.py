"""Equal-budget studies: the search space and its sampling, the best-of-n curve against brute
force, the result file (resume, refusals), and the same numbers on Dask as in one process."""

from __future__ import annotations

import gzip
import itertools
import json
import math
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ganlab import report, study
from ganlab import search_space as ss
from ganlab import study_analysis as sa
from ganlab.cli import main
from ganlab.config import RANGES, TrainConfig
from ganlab.variants import VARIANTS

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DASK = str(Path(PY).with_name("dask"))
# Tiny networks, tiny batches, a few steps: each task takes well under a second.
TINY_SPACE = ss.Space(
    tuple(
        replace(d, values=(8,))
        if d.field in ("g_width", "d_width")
        else replace(d, values=(32,))
        if d.field == "batch_size"
        else d
        for d in ss.DEFAULT_SPACE.dims
    ),
    (("data_size", 256),),
)
TINY = dict(variants=("gan", "wgan-gp"), targets=("bimodal",), configs=2, seeds=2, steps=20)


def tiny(**over) -> study.StudySpec:
    return study.StudySpec(**{**TINY, "space": TINY_SPACE, **over})


def cli(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


# --- the search space -----------------------------------------------------------------------------
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_samples_stay_in_the_declared_ranges_and_build_valid_configs(variant):
    space = ss.DEFAULT_SPACE
    for i in range(60):
        p = ss.sample(space, variant, i, study_seed=3)
        assert list(p) == [d.field for d in space.for_variant(variant)]
        for d in space.for_variant(variant):
            v = p[d.field]
            lo, hi = RANGES[d.field]
            assert lo <= v <= hi  # the field's own declared range (config.FIELDS)
            if d.dist == "choice":
                assert v in d.values
            else:
                assert d.low <= v <= d.high
            if d.dist == "int-uniform":
                assert isinstance(v, int)
        cfg = ss.config(space, variant, p, target="bimodal", steps=10)
        assert isinstance(cfg, TrainConfig) and cfg.variant == variant


def test_knob_settings_are_sampled_only_for_the_variants_that_have_them():
    for name, v in VARIANTS.items():
        fields = {d.field for d in ss.DEFAULT_SPACE.for_variant(name)}
        for knob in ("clip", "gp_lambda", "r1_gamma"):
            assert (knob in fields) == (knob in v.knobs), (name, knob)
        assert {"lr_g", "lr_d", "beta1", "d_steps", "batch_size"} <= fields


def test_sampling_is_deterministic_and_depends_on_the_study_seed():
    a = [ss.sample(ss.DEFAULT_SPACE, "wgan", i, 0) for i in range(10)]
    assert a == [ss.sample(ss.DEFAULT_SPACE, "wgan", i, 0) for i in range(10)]
    assert a != [ss.sample(ss.DEFAULT_SPACE, "wgan", i, 1) for i in range(10)]
    # configuration i does not depend on how many are drawn, nor on the other variants
    spec = study.StudySpec(variants=("wgan", "gan"), configs=3)
    assert spec.sampled("wgan", 2) == study.StudySpec(variants=("wgan",), configs=20).sampled(
        "wgan", 2
    )


def test_log_uniform_and_uniform_draws_follow_their_law():
    """log(lr) uniform on [log 1e-4, log 1e-2], β₁ uniform on [0, 0.9]: KS against scipy's
    uniform law over 2 000 draws (rounding to 3 digits moves a value by < 0.05 %)."""
    draws = [ss.sample(ss.DEFAULT_SPACE, "gan", i, 0) for i in range(2000)]
    lr = np.log([d["lr_g"] for d in draws])
    lo, hi = math.log(1e-4), math.log(1e-2)
    assert stats.kstest(lr, stats.uniform(lo, hi - lo).cdf).pvalue > 1e-3
    b1 = [d["beta1"] for d in draws]
    assert stats.kstest(b1, stats.uniform(0, 0.9).cdf).pvalue > 1e-3
    steps = np.bincount([d["d_steps"] for d in draws], minlength=6)[1:]
    assert stats.chisquare(steps).pvalue > 1e-3  # 1 … 5 equally likely


def test_the_default_space_reads_back_from_its_json():
    raw = json.loads(json.dumps(ss.DEFAULT_SPACE.to_dict()))
    assert ss.space_from_dict(raw) == ss.DEFAULT_SPACE


@pytest.mark.parametrize(
    ("dims", "fixed", "words"),
    [
        (
            [{"field": "lr_x", "dist": "uniform", "low": 0, "high": 1}],
            {},
            "'lr_x' is not a setting",
        ),
        (
            [{"field": "steps", "dist": "int-uniform", "low": 1, "high": 9}],
            {},
            "fixed by the study",
        ),
        ([{"field": "lr_g", "dist": "gauss", "low": 0, "high": 1}], {}, "dist 'gauss' is not one"),
        (
            [{"field": "lr_g", "dist": "log-uniform", "low": 1e-4, "high": 5.0}],
            {},
            "lr_g: high 5 is outside the allowed range 1e-05 … 1",
        ),
        (
            [{"field": "gp_lambda", "dist": "log-uniform", "low": 0, "high": 5.0}],
            {},
            "must start above 0",
        ),
        ([{"field": "lr_g", "dist": "uniform", "low": 0.1, "high": 0.01}], {}, "low 0.1 is above"),
        ([{"field": "d_steps", "dist": "uniform", "low": 1, "high": 3}], {}, "whole number: use"),
        ([{"field": "g_width", "dist": "choice", "values": [16, 12.5]}], {}, "a whole number"),
        ([{"field": "g_opt", "dist": "choice", "values": ["adamw"]}], {}, "'adamw' is not one of"),
        ([{"field": "lr_g", "dist": "uniform", "low": "a", "high": 1}], {}, "finite number"),
        ([{"field": "lr_g", "dist": "uniform", "low": 0.1, "high": 1, "x": 1}], {}, "unknown key"),
        (
            [{"field": "lr_g", "dist": "uniform", "low": 0.1, "high": 1}] * 2,
            {},
            "lr_g is declared twice",
        ),
        (
            [{"field": "batch_size", "dist": "choice", "values": [512]}],
            {"data_size": 256},
            "batch size 512 is larger than the data set (256 samples)",
        ),
        (
            [{"field": "lr_g", "dist": "uniform", "low": 0.1, "high": 1}],
            {"lr_g": 0.1},
            "both fixed and sampled",
        ),
        ([], {}, "needs 1 to"),
        ("import os", {}, "a search space is an object"),
    ],
)
def test_bad_search_spaces_are_refused_in_words(dims, fixed, words):
    raw = {"dims": dims, "fixed": fixed} if isinstance(dims, list) else dims
    with pytest.raises(ss.SpaceError) as exc:
        ss.space_from_dict(raw)
    assert words in str(exc.value)


# --- best of n ------------------------------------------------------------------------------------
def brute_force(x, n):
    """Mean and sd of the minimum over every n-subset: the trusted reference."""
    mins = np.array([min(c) for c in itertools.combinations(x, n)])
    return mins.mean(), mins.std()


@pytest.mark.parametrize("values", [[0.3, 0.1, 0.7, 0.2, 0.2, 1.5, 0.9], list(range(9, 0, -1))])
def test_expected_best_of_n_equals_brute_force_over_all_subsets(values):
    curve = sa.best_of_n(values, boot=50)
    for n in range(1, len(values) + 1):
        mean, sd = brute_force(values, n)
        row = curve[curve.n == n].iloc[0]
        assert row.expected == pytest.approx(mean, rel=1e-12)
        assert row.sd == pytest.approx(sd, rel=1e-9, abs=1e-12)


def test_best_of_n_with_a_failed_configuration():
    x = [0.2, np.inf, 0.4, 0.3]
    curve = sa.best_of_n(x, boot=50)
    for n in range(1, 5):
        # the brute-force minimum is inf only if a subset holds nothing finite (n = 1 here)
        mins = [min(c) for c in itertools.combinations(x, n)]
        assert (curve.expected[n - 1] == np.inf) == (np.inf in mins)
        if np.inf not in mins:
            assert curve.expected[n - 1] == pytest.approx(np.mean(mins))


def test_bootstrap_interval_is_seeded_and_brackets_the_expectation():
    rng = np.random.default_rng(1)
    x = rng.lognormal(size=12)
    a, b = sa.best_of_n(x), sa.best_of_n(x)
    pd.testing.assert_frame_equal(a, b)
    assert (a.lo <= a.expected + 1e-12).all() and (a.expected <= a.hi + 1e-12).all()
    assert a.expected.is_monotonic_decreasing and a.expected.iloc[-1] == x.min()


# --- analysis on hand-made results ----------------------------------------------------------------
def fake_results(scores: dict[str, list[float]], seeds=2, flags=None) -> study.Results:
    """A study's results with chosen W1 per configuration (every seed the same)."""
    n = len(next(iter(scores.values())))
    spec = study.StudySpec(variants=tuple(scores), configs=n, seeds=seeds, steps=5)
    rows = {}
    for v, ws in scores.items():
        for i, w in enumerate(ws):
            for s in range(seeds):
                d, c = (flags or {}).get((v, i, s), (False, False))
                m = {"seed": s, "w1": w, "diverged": d, "collapsed": c}
                rows[("bimodal", v, i, s)] = {
                    "target": "bimodal",
                    "variant": v,
                    "config": i,
                    "seed": s,
                    "params": spec.sampled(v, i),
                    "metrics": m,
                }
    return study.Results(spec, rows)


def test_verdict_says_no_variant_is_better_when_intervals_overlap():
    rng = np.random.default_rng(0)
    same = rng.uniform(0.1, 1.0, 16)
    a = sa.analyse(fake_results({"gan": list(same), "lsgan": list(same[::-1] * 1.01)}))
    assert "no variant is better at this budget" in a["verdicts"]["bimodal"]
    far = sa.analyse(fake_results({"gan": list(same), "lsgan": list(same + 5)}))
    assert "Vanilla GAN is better than every other variant" in far["verdicts"]["bimodal"]


def test_failure_rates_count_seeds_and_sensitivity_is_spearman():
    flags = {
        ("gan", 0, 0): (True, False),
        ("gan", 1, 1): (False, True),
        ("gan", 2, 0): (True, True),
    }
    a = sa.analyse(fake_results({"gan": [0.5, 0.2, 0.9, 0.4]}, flags=flags))
    f = a["failures"].iloc[0]
    assert (f.runs, f.diverged, f.collapsed, f.failed) == (8, 2 / 8, 2 / 8, 3 / 8)
    s = a["sensitivity"].set_index("param")
    lr = pd.Series([ss.sample(ss.DEFAULT_SPACE, "gan", i, 0)["lr_g"] for i in range(4)])
    ranks = np.corrcoef(lr.rank(), pd.Series([0.5, 0.2, 0.9, 0.4]).rank())[0, 1]  # Pearson of ranks
    assert s.loc["lr_g", "rho"] == pytest.approx(ranks)


# --- the result file ------------------------------------------------------------------------------
def test_result_files_of_every_bad_kind_are_refused_with_a_line(tmp_path):
    spec = tiny()
    head = study.header(spec)
    good = {
        "target": "bimodal",
        "variant": "gan",
        "config": 0,
        "seed": 0,
        "params": spec.sampled("gan", 0),
        "metrics": {"seed": 0, "w1": 0.1},
    }
    cases = {
        "empty": ("", "is empty"),
        "csv": ("variant,w1\ngan,0.1\n", "not valid JSON"),
        "foreign json": ('{"runs": []}\n', "not a study result file"),
        "garbled line": (head + "\n{not json\n" + json.dumps(good) + "\n", "line 2: not valid"),
        "other task": (head + "\n" + json.dumps({**good, "config": 7}) + "\n", "does not have"),
        "edited params": (
            head + "\n" + json.dumps({**good, "params": {**good["params"], "lr_g": 0.5}}) + "\n",
            "not the configuration the spec samples",
        ),
        "twice": (head + "\n" + (json.dumps(good) + "\n") * 2, "a second result"),
        "bad spec": (head.replace('"configs": 2', '"configs": -1') + "\n", "configs must be"),
        "code": (
            head + "\n" + json.dumps({**good, "metrics": {"w1": "__import__('os')"}}) + "\n",
            "metrics must be an object of numbers",
        ),
    }
    for name, (text, words) in cases.items():
        with pytest.raises(study.StudyError) as exc:
            study.parse(text, name)
        assert words in str(exc.value), name
    pickled = tmp_path / "p.jsonl"
    pickled.write_bytes(pickle.dumps({"format": study.FORMAT}))
    with pytest.raises(study.StudyError, match=r"not text|not valid JSON"):
        study.load(pickled)
    broken = tmp_path / "b.jsonl.gz"
    broken.write_bytes(gzip.compress(b"x" * 100)[:20])
    with pytest.raises(study.StudyError, match="damaged gzip"):
        study.load(broken)


def test_a_torn_last_line_is_dropped_not_refused():
    spec = tiny()
    row = {
        "target": "bimodal",
        "variant": "gan",
        "config": 0,
        "seed": 0,
        "params": spec.sampled("gan", 0),
        "metrics": {"seed": 0, "w1": 0.1},
    }
    res = study.parse(study.header(spec) + "\n" + json.dumps(row) + "\n" + json.dumps(row)[:30])
    assert res.torn and list(res.rows) == [("bimodal", "gan", 0, 0)]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--configs", "0"], "--configs: 0 is outside the allowed range 1 … 1,000"),
        (["--variant", "dcgan"], "--variant: 'dcgan' is not one of"),
        (["--target", "bimodal,cauchy"], "--target: 'cauchy' is not one of"),
        (["--workers", "2", "--scheduler", "tcp://x:1"], "not allowed with argument"),
        (["--out", "/nonexistent/dir/x.jsonl"], "the folder /nonexistent/dir does not exist"),
        ([], "--out: give the result file"),
    ],
)
def test_cli_bad_inputs_exit_2_with_one_line(args, words, capsys):
    code, out, err = cli(["study", *args], capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ganlab: error:") and words in lines[0], err


def test_cli_refuses_foreign_or_other_study_files_before_training(tmp_path, capsys):
    csv = tmp_path / "mine.csv"
    csv.write_text("a,b\n1,2\n")
    code, _, err = cli(["study", "--out", str(csv), "--steps", "5"], capsys)
    assert code == 2 and "not valid JSON" in err and csv.read_text() == "a,b\n1,2\n"
    other = tmp_path / "other.jsonl"
    other.write_text(study.header(tiny()) + "\n")
    code, _, err = cli(["study", "--out", str(other), "--steps", "5"], capsys)
    assert code == 2 and "holds another study" in err and "steps" in err
    code, _, err = cli(["study", "--out", str(tmp_path)], capsys)
    assert code == 2 and "is a directory" in err
    bad = tmp_path / "space.json"
    bad.write_text('{"dims": [{"field": "r1_gamma", "dist": "log-uniform", "low": 0, "high": 1}]}')
    code, _, err = cli(["study", "--out", str(tmp_path / "n.jsonl"), "--space", str(bad)], capsys)
    assert code == 2 and "--space: r1_gamma: a log-uniform range must start above 0" in err
    code, _, err = cli(["study", "--analyse", str(csv)], capsys)
    assert code == 2 and err.count("\n") == 1


# --- the same numbers everywhere ------------------------------------------------------------------
def sequential(spec, path) -> bytes:
    study.run(spec, path, workers=0)
    return Path(path).read_bytes()


@pytest.mark.slow
def test_a_local_cluster_of_two_processes_gives_the_same_file_as_one_process(tmp_path):
    spec = tiny()
    ref = sequential(spec, tmp_path / "seq.jsonl")
    info = study.run(spec, tmp_path / "dask.jsonl", workers=2)
    assert info["trained"] == 2 * 2 * 2
    assert (tmp_path / "dask.jsonl").read_bytes() == ref
    # and one task per seed: seed i of a batched run equals a 1-seed run, bit for bit
    study.run(spec, tmp_path / "per_seed.jsonl", workers=2, per_seed=True)
    assert (tmp_path / "per_seed.jsonl").read_bytes() == ref
    res = study.load(tmp_path / "seq.jsonl")
    assert len(res.rows) == 8 and all("w1" in r["metrics"] for r in res.rows.values())


# the README's worker set-up, as its printf writes it
UNTRIMMED_YAML = (
    "distributed:\n  nanny:\n    pre-spawn-environ:\n      MALLOC_TRIM_THRESHOLD_: null\n"
)


def test_local_workers_start_without_dasks_heap_trimming():
    with study.cluster(1) as client:
        trims = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert list(trims.values()) == [None]  # Dask's default is "65536": 2× slower engine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_a_scheduler_and_workers_started_as_a_user_would_give_the_same_numbers(tmp_path):
    spec = tiny(variants=("lsgan", "r1"))
    ref = sequential(spec, tmp_path / "seq.jsonl")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "OMP_NUM_THREADS": "2"}  # threads differ: numbers must not
    # as the README sets up a worker machine: glibc's own heap trimming, in Dask's config folder
    (tmp_path / "dask").mkdir()
    (tmp_path / "dask" / "ganlab.yaml").write_text(UNTRIMMED_YAML)
    env["DASK_CONFIG"] = str(tmp_path / "dask")
    procs = [
        subprocess.Popen(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=tmp_path,
        )
    ]
    try:
        procs += [
            subprocess.Popen(
                [DASK, "worker", address, "--nthreads", "1", "--no-dashboard"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
                cwd=tmp_path,
            )
            for _ in range(2)
        ]
        from distributed import Client

        with Client(address, timeout="30s") as c:
            c.wait_for_workers(2, timeout=60)
            trims = c.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
            assert list(trims.values()) == [None, None]
        code = main(
            [
                "study",
                "--variant",
                "lsgan,r1",
                "--steps",
                "20",
                "--configs",
                "2",
                "--seeds",
                "2",
                "--scheduler",
                address,
                "--quiet",
                "--out",
                str(tmp_path / "remote.jsonl"),
                "--space",
                _space_file(tmp_path),
            ]
        )
        assert code == 0
        assert (tmp_path / "remote.jsonl").read_bytes() == ref
    finally:
        for p in procs[::-1]:
            p.send_signal(signal.SIGTERM)
        for p in procs[::-1]:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def _space_file(tmp_path) -> str:
    path = tmp_path / "tiny_space.json"
    path.write_text(json.dumps(TINY_SPACE.to_dict()))
    return str(path)


@pytest.mark.slow
def test_resume_after_a_kill_retrains_nothing_and_ends_with_the_same_file(tmp_path):
    spec = tiny(configs=3)
    ref = sequential(spec, tmp_path / "ref.jsonl")
    out = tmp_path / "killed.jsonl"
    argv = [
        PY,
        "-m",
        "ganlab",
        "study",
        "--variant",
        "gan,wgan-gp",
        "--configs",
        "3",
        "--seeds",
        "2",
        "--steps",
        "20",
        "--workers",
        "0",
        "--per-seed",
        "--quiet",
        "--space",
        _space_file(tmp_path),
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if out.exists() and out.read_text().count("\n") >= 4:  # header + 3 results
            break
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    done = len(study.load(out).rows)
    assert 3 <= done < 12, "killed too late to test a resume"
    info = study.run(spec, out, workers=0)
    assert (info["trained"], info["skipped"]) == (12 - done, done)
    assert out.read_bytes() == ref
    again = study.run(spec, out, workers=0)
    assert again["trained"] == 0 and out.read_bytes() == ref


def test_analyse_prints_the_table_and_the_verdict(tmp_path, capsys):
    res = fake_results({"gan": [0.3, 0.2, 0.5, 0.4], "hinge": [0.35, 0.25, 0.45, 0.6]})
    path = tmp_path / "s.jsonl"
    path.write_text(
        "\n".join([study.header(res.spec), *(study.line(r) for r in res.rows.values())]) + "\n"
    )
    code, out, err = cli(["study", "--analyse", str(path)], capsys)
    assert code == 0, err
    assert "Vanilla GAN" in out and "Hinge GAN" in out and "best of all" in out
    assert "no variant is better at this budget" in out


def test_a_task_reports_exactly_what_a_plain_run_of_its_config_reports():
    """run_task trains without timeline frames; the engine's own Run (frames and all) of the
    sampled configuration is the reference, every metric equal."""
    from threadpoolctl import threadpool_limits

    from ganlab.training import Run

    spec = tiny()
    task = study.Task("bimodal", "wgan-gp", 1, (0, 1))
    lines = study.run_task(spec.to_dict(), task)
    cfg = ss.config(
        spec.space,
        "wgan-gp",
        spec.sampled("wgan-gp", 1),
        target="bimodal",
        steps=spec.steps,
        seed=0,
        n_seeds=2,
    )
    run = Run(cfg)
    run.advance()
    with threadpool_limits(limits=1, user_api="blas"):  # as a task measures (see run_task)
        ref = run.seed_metrics()
    assert [ln["metrics"] for ln in lines] == [report.json_safe(m) for m in ref]
    assert [ln["params"] for ln in lines] == [spec.sampled("wgan-gp", 1)] * 2


def test_no_verdict_from_too_few_configurations():
    a = sa.analyse(fake_results({"gan": [0.3, 0.2], "lsgan": [0.9, 0.8]}))
    assert "too few configurations for a verdict" in a["verdicts"]["bimodal"]


def test_an_unfinished_study_compares_its_complete_first_configurations():
    res = fake_results({"gan": [0.3, 0.2, 0.5, 0.4], "hinge": [0.35, 0.25, 0.45, 0.6]})
    del res.rows[("bimodal", "gan", 2, 1)]  # config 2 of gan lacks a seed; 3 is done
    a = sa.analyse(res)
    assert a["configs"] == 2
    assert sorted(set(a["scores"]["config"])) == [0, 1]
