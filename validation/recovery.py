"""Recovery study of the trajectory estimator on data simulated from known parameters.

Replicates shaped like the four published profiles (gbtm.simulate.four_profile_truth: shares
36/28/21/15%, observation over the OM window 2001-2021 from age 12, birth years 1975-2000, so
about 35 ages with 21 years per person). Per replicate: fit K = --groups with --starts random
starts, record which K Nagin's BIC (log L - 0.5 k ln N, higher is better) selects among the
admissible models, and for the K = 4 fit the share errors (groups matched by shape name), the
share of persons assigned to their true group and the parameter error against the truth. A second
set at N = --large-n fits K = 4 only, to show the parameter error shrinking.

    .venv/bin/python validation/recovery.py                  # the documented run
    .venv/bin/python validation/recovery.py --replicates 3   # a quick look

Writes validation/recovery_results.csv and validation/recovery_summary.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import gbtm  # noqa: F401
from gbtm.agreement import matched_accuracy
from gbtm.fit import fit_model
from gbtm.model import ModelSpec
from gbtm.outputs import build_outputs
from gbtm.selection import assign, select_models
from gbtm.simulate import four_profile_truth, simulate

HERE = Path(__file__).resolve().parent


def parameter_error(fit, truth, names: dict[int, str]) -> float:
    """RMS error, over groups (matched by profile name) and ages 12-46, of the log expected
    cases per year log((1 - omega) lambda): the identified function of the parameters. (In a
    group with a low rate the zero inflation and the rate level trade off, so the raw gamma
    is weakly identified and would dominate a raw-parameter error.)"""
    ages = np.arange(12, 47)
    x = truth.basis(ages)
    k = fit.spec.n_groups
    rest = fit.params[k - 1 :].reshape(k, -1)
    order = {name: i for i, name in enumerate(truth.names)}

    def log_mu(beta: np.ndarray, gamma: float) -> np.ndarray:
        return x @ beta - np.logaddexp(0.0, gamma)

    errs = []
    for g, name in names.items():
        if name in order:
            i = order[name]
            est = log_mu(rest[g - 1, :4], rest[g - 1, 4])
            errs.append(est - log_mu(truth.beta[i], truth.gamma[i, 0]))
    return float(np.sqrt(np.mean(np.concatenate(errs) ** 2)))


def replicate(truth, n: int, seed: int, groups: list[int], starts: int) -> dict:
    data, true_groups = simulate(truth, n, np.random.default_rng(seed))
    start = time.perf_counter()
    selection = select_models(data, groups, n_starts=starts, seed=seed)
    seconds = time.perf_counter() - start
    out = build_outputs(selection)
    chosen = selection.selected
    four = selection.fit_for(4)
    g4 = out.groups[out.groups["n_groups"] == 4]
    names = dict(zip(g4["group"], g4["profile"], strict=True))
    shares = g4.groupby("profile")["share"].sum()
    share_err = [
        abs(shares.get(name, 0.0) - s) for name, s in zip(truth.names, truth.shares, strict=True)
    ]
    found = assign(four.model(data).posterior(four.params))
    return {
        "n": n,
        "seed": seed,
        "selected_k": chosen.spec.n_groups if chosen else None,
        "best_bic_k": max(selection.fits, key=lambda f: f.bic).spec.n_groups,
        "k4_names_distinct": len(set(names.values())) == 4,
        "share_abs_error_median": float(np.median(share_err)),
        "share_abs_error_max": float(np.max(share_err)),
        "correct_assignment": matched_accuracy(true_groups, found),
        "parameter_rmse": parameter_error(four, truth, names),
        "k4_distinct_optima": four.n_distinct_optima,
        "seconds": round(seconds, 1),
    }


def large(truth, n: int, seed: int, starts: int) -> dict:
    data, true_groups = simulate(truth, n, np.random.default_rng(seed))
    fit = fit_model(data, ModelSpec(4), n_starts=starts, seed=seed)
    from gbtm.selection import Selection, diagnostics

    post = fit.model(data).posterior(fit.params)
    sel = Selection([fit], [diagnostics(fit.shares(), post)], data)
    g4 = build_outputs(sel).groups
    names = dict(zip(g4["group"], g4["profile"], strict=True))
    return {
        "n": n,
        "seed": seed,
        "parameter_rmse": parameter_error(fit, truth, names),
        "correct_assignment": matched_accuracy(true_groups, assign(post)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicates", type=int, default=20)
    parser.add_argument("--n", type=int, default=630)
    parser.add_argument("--large-n", type=int, default=5000)
    parser.add_argument("--large-replicates", type=int, default=5)
    parser.add_argument("--groups", default="1,2,3,4,5,6")
    parser.add_argument("--starts", type=int, default=50)
    args = parser.parse_args(argv)
    truth = four_profile_truth()
    groups = [int(k) for k in args.groups.split(",")]
    rows = []
    for r in range(args.replicates):
        rows.append(replicate(truth, args.n, 1000 + r, groups, args.starts))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    small = pd.DataFrame(rows)
    big = pd.DataFrame(
        [large(truth, args.large_n, 2000 + r, args.starts) for r in range(args.large_replicates)]
    )
    small.to_csv(HERE / "recovery_results.csv", index=False)
    summary = {
        "replicates": args.replicates,
        "n": args.n,
        "groups_fitted": groups,
        "starts": args.starts,
        "bic_selects_4_share": float((small["selected_k"] == 4).mean()),
        "share_abs_error_median": float(small["share_abs_error_median"].median()),
        "correct_assignment_median": float(small["correct_assignment"].median()),
        "parameter_rmse_median_n630": float(small["parameter_rmse"].median()),
        "parameter_rmse_median_large": float(big["parameter_rmse"].median()),
        "large_n": args.large_n,
        "seconds_per_replicate_median": float(small["seconds"].median()),
    }
    (HERE / "recovery_summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
