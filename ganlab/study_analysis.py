"""A study's results as plain data: the score of each configuration, best-of-n curves (exact,
from order statistics), failure rates, hyperparameter sensitivity and the verdict in words."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ganlab.report import number
from ganlab.study import Results, StudyError
from ganlab.variants import VARIANTS

LEVEL = 0.9  # the bootstrap intervals' coverage
BOOT = 1000  # bootstrap resamples of the configurations
SCORE = "w1"  # the metric a configuration is scored by: median over its seeds
MIN_CONFIGS = 3  # fewer per variant and there is no verdict: the intervals would be points


def seeds_frame(res: Results) -> pd.DataFrame:
    """One row per configuration × seed: target, variant, config, seed, every metric (lists
    left out), and each sampled setting as p_<field>."""
    rows = []
    for (target, variant, config, seed), r in res.rows.items():
        m = {k: v for k, v in r["metrics"].items() if not isinstance(v, list) and k != "seed"}
        p = {f"p_{k}": v for k, v in r["params"].items()}
        rows.append(
            {"target": target, "variant": variant, "config": config, "seed": seed, **m, **p}
        )
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    # Settings in the search space's order (the first row's variant may lack some of them).
    order = [f"p_{d.field}" for d in res.spec.space.dims if f"p_{d.field}" in df]
    df = df[[c for c in df.columns if not c.startswith("p_")] + order]
    for col in (SCORE, "diverged", "collapsed"):
        if col not in df:
            df[col] = np.nan
    return df.sort_values(["target", "variant", "config", "seed"], ignore_index=True)


def equal_budget(seeds: pd.DataFrame, n_seeds: int) -> tuple[pd.DataFrame, int]:
    """The rows of configurations 0 … k−1, for the largest k that every target and variant has
    complete (all seeds): a study's tasks run in index order, so an unfinished one compares
    equal, unbiased budgets (its configurations are i.i.d. draws) rather than whatever was
    done. Returns (rows, k)."""
    full = seeds.groupby(["target", "variant", "config"]).size() == n_seeds
    k = min(
        next((i for i in range(len(g) + 1) if not g.get(i, False)), len(g))
        for g in (
            full.xs((t, v), level=("target", "variant"))
            for t, v in {(t, v) for t, v, _ in full.index}
        )
    )
    return seeds[seeds["config"] < k], k


def config_scores(seeds: pd.DataFrame) -> pd.DataFrame:
    """One row per configuration: the median W1 over its seeds (a seed whose samples were not
    finite counts as +inf, the worst), how many seeds, and its sampled settings."""
    s = seeds.assign(_w=seeds[SCORE].astype(float).fillna(np.inf))
    params = [c for c in s.columns if c.startswith("p_")]
    g = s.groupby(["target", "variant", "config"], sort=False)
    out = g.agg(score=("_w", "median"), n_seeds=("seed", "size")).reset_index()
    if params:
        first = g[params].first().reset_index(drop=True)
        out = pd.concat([out, first], axis=1)
    return out


def expected_min_weights(n_total: int) -> np.ndarray:
    """W[i, n−1] = P(the i-th smallest of N values is the minimum of n drawn without
    replacement) = C(N−1−i, n−1) / C(N, n), for i = 0…N−1 and n = 1…N."""
    w = np.zeros((n_total, n_total))
    for n in range(1, n_total + 1):
        total = math.comb(n_total, n)
        for i in range(n_total - n + 1):
            w[i, n - 1] = math.comb(n_total - 1 - i, n - 1) / total
    return w


def _moments(sorted_x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E[min] and sd[min] for every n, from sorted values (…, N); +inf where a weight falls
    on an infinite value (the best of n can then be a failed configuration)."""
    inf = ~np.isfinite(sorted_x)
    x = np.where(inf, 0.0, sorted_x)
    mean = x @ w
    var = np.maximum((x * x) @ w - mean * mean, 0.0)
    hits = (inf.astype(float) @ w) > 0
    return np.where(hits, np.inf, mean), np.where(hits, np.inf, np.sqrt(var))


def best_of_n(scores, boot: int = BOOT, level: float = LEVEL, seed: int = 0) -> pd.DataFrame:
    """Lucic et al.'s curve: for n = 1…N, the expected best (minimum) score over n of the N
    configurations drawn without replacement — exact, from order statistics — its sd, and a
    bootstrap interval of that expectation (configurations resampled with replacement, the same
    exact formula on each resample)."""
    x = np.sort(np.asarray(scores, dtype=float))
    n_total = len(x)
    w = expected_min_weights(n_total)
    mean, sd = _moments(x, w)
    rng = np.random.default_rng(seed)
    resampled = np.sort(x[rng.integers(0, n_total, (boot, n_total))], axis=1)
    means, _ = _moments(resampled, w)
    # No interpolation between resamples: a quantile may be +inf, never NaN.
    q = (1 - level) / 2
    lo = np.quantile(means, q, axis=0, method="inverted_cdf")
    hi = np.quantile(means, 1 - q, axis=0, method="inverted_cdf")
    return pd.DataFrame(
        {"n": np.arange(1, n_total + 1), "expected": mean, "sd": sd, "lo": lo, "hi": hi}
    )


def curves(scores: pd.DataFrame) -> pd.DataFrame:
    """best_of_n per target and variant, in one frame."""
    parts = [
        best_of_n(g["score"]).assign(target=t, variant=v)
        for (t, v), g in scores.groupby(["target", "variant"], sort=False)
    ]
    return pd.concat(parts, ignore_index=True)


def failures(seeds: pd.DataFrame) -> pd.DataFrame:
    """Per target and variant, over its configuration × seeds: the share that diverged
    (NaN/inf, the engine's rule), that collapsed (metrics.is_collapsed: a mode missing or the
    spread far too small; a seed without finite samples counts), and that did either."""
    d = seeds["diverged"].fillna(True).astype(bool)
    c = seeds["collapsed"].fillna(True).astype(bool)
    f = seeds.assign(_d=d, _c=c, _f=d | c)
    g = f.groupby(["target", "variant"], sort=False)
    return g.agg(
        runs=("seed", "size"),
        diverged=("_d", "mean"),
        collapsed=("_c", "mean"),
        failed=("_f", "mean"),
    ).reset_index()


def sensitivity(scores: pd.DataFrame) -> pd.DataFrame:
    """Spearman's rank correlation ρ between each sampled setting and the configuration's
    score, per target and variant, with its p-value: ρ > 0 means larger values scored worse
    (higher W1). Monotone relations only: a setting with a sweet spot in the middle can show
    ρ ≈ 0. A setting the variant does not sample, or one that never varied, is left out;
    `order` is the setting's place in the search space."""
    rows = []
    params = [c for c in scores.columns if c.startswith("p_")]
    for (t, v), g in scores.groupby(["target", "variant"], sort=False):
        for order, p in enumerate(params):
            x = pd.to_numeric(g[p], errors="coerce")
            ok = x.notna()
            if ok.sum() < 3 or x[ok].nunique() < 2:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # constant scores: ρ is NaN, said as "—"
                r = stats.spearmanr(x[ok], g["score"][ok])
            rows.append(
                {
                    "target": t,
                    "variant": v,
                    "param": p[2:],
                    "rho": float(r.statistic),
                    "p": float(r.pvalue),
                    "n": int(ok.sum()),
                    "order": order,
                }
            )
    return pd.DataFrame(rows, columns=["target", "variant", "param", "rho", "p", "n", "order"])


def distribution(scores: pd.DataFrame) -> pd.DataFrame:
    """Per target and variant: the configurations' scores as min, quartiles, max."""
    g = scores.groupby(["target", "variant"], sort=False)["score"]
    out = g.quantile([0.0, 0.25, 0.5, 0.75, 1.0]).unstack()
    out.columns = ["min", "q25", "median", "q75", "max"]
    return out.reset_index().assign(configs=g.size().to_numpy())


def verdict(curve: pd.DataFrame, target: str, n: int | None = None) -> str:
    """In words, at budget n (default: every configuration): the variant with the lowest
    expected best W1, and whether its bootstrap interval overlaps any other's. Overlap means the
    study cannot tell them apart, and it says so."""
    c = curve[curve["target"] == target]
    # Default: the largest budget every variant reached (all N once the study is complete).
    n = int(c.groupby("variant")["n"].max().min()) if n is None else n
    at = c[c["n"] == n].sort_values("expected")
    if at.empty:
        return f"{target}: no variant has {n} configurations."
    name = {v: VARIANTS[v].label if v in VARIANTS else v for v in at["variant"]}
    best = at.iloc[0]
    level = f"{LEVEL:.0%} intervals"
    if len(at) == 1:
        return f"{target}, budget {n}: only {name[best.variant]} was run."
    if n < MIN_CONFIGS:  # a bootstrap over one or two configurations says nothing
        return (
            f"{target}: too few configurations for a verdict (a budget of {_configs(n)} per "
            f"variant so far; at least {MIN_CONFIGS} are needed)."
        )
    overlap = (at["lo"] <= best.hi) & (at["hi"] >= best.lo)
    tied = at[overlap & (at.index != best.name)]
    worse = at[~overlap]
    shown = f"{name[best.variant]} {number(best.expected)} [{number(best.lo)}–{number(best.hi)}]"
    if len(tied):
        others = ", ".join(
            f"{name[r.variant]} {number(r.expected)} [{number(r.lo)}–{number(r.hi)}]"
            for r in tied.itertuples()
        )
        text = (
            f"{target}, budget {_configs(n)}: no variant is better at this budget. The "
            f"lowest expected best W1 is {shown}, but its {level} overlap those of {others}"
        )
        if len(worse):
            text += f"; {', '.join(name[v] for v in worse['variant'])} did worse"
        return text + "."
    return (
        f"{target}, budget {_configs(n)}: {name[best.variant]} is better than every other "
        f"variant at this budget: expected best W1 {shown}, and no other's {level} reach it."
    )


def _configs(n: int) -> str:
    return f"{n} configuration" + ("s" if n != 1 else "")


def analyse(res: Results) -> dict[str, Any]:
    """Everything the CLI and the Study page show, as plain data."""
    seeds = seeds_frame(res)
    if seeds.empty:
        raise StudyError("the study has no results yet")
    seeds, kept = equal_budget(seeds, res.spec.seeds)
    if kept == 0:
        raise StudyError("some variant has no finished configuration yet: nothing to compare")
    scores = config_scores(seeds)
    curve = curves(scores)
    return {
        "seeds": seeds,
        "scores": scores,
        "curves": curve,
        "distribution": distribution(scores),
        "failures": failures(seeds),
        "sensitivity": sensitivity(scores),
        "verdicts": {t: verdict(curve, t) for t in dict.fromkeys(scores["target"])},
        "configs": kept,  # per variant, of the spec's N: fewer while the study is unfinished
    }


def summary(a: dict) -> pd.DataFrame:
    """The report table: one line per target and variant, numbers as text. "best of 1" is the
    expected score of one random configuration, "best of all" the best of its N."""
    dist, fail, curve, sens = a["distribution"], a["failures"], a["curves"], a["sensitivity"]
    rows = []
    for r in dist.itertuples():
        c = curve[(curve.target == r.target) & (curve.variant == r.variant)].set_index("n")
        f = fail[(fail.target == r.target) & (fail.variant == r.variant)].iloc[0]
        s = sens[(sens.target == r.target) & (sens.variant == r.variant)]
        s = s.iloc[s["rho"].abs().fillna(-1).argsort()[::-1]] if len(s) else s
        top = s.iloc[0] if len(s) else None
        best = c.loc[c.index.max()]
        rows.append(
            {
                "target": r.target,
                "variant": VARIANTS[r.variant].label if r.variant in VARIANTS else r.variant,
                "configs": int(r.configs),
                "median W1 [IQR]": f"{number(r.median)} [{number(r.q25)}–{number(r.q75)}]",
                "best of 1": _ci(c.loc[1]),
                "best of all": _ci(best),
                "diverged": f"{f.diverged:.0%}",
                "collapsed": f"{f.collapsed:.0%}",
                "strongest ρ": "—" if top is None else f"{top.param} {top.rho:+.2f}",
            }
        )
    return pd.DataFrame(rows)


def _ci(row) -> str:
    return f"{number(row.expected)} [{number(row.lo)}–{number(row.hi)}]"
