"""Outside reference: the Poisson variant of the trajectory model against R's flexmix.

Simulates the four-profile data (N = 630, seed --seed), fits K = 4 Poisson groups (cubic log
rate in the same orthogonal basis, no zero inflation) with gbtm from --starts starts, then runs
flexmix_compare.R: flexmix started from gbtm's posterior probabilities ("started alike") and
stepFlexmix with --nrep random restarts, both with minprior = 0. Writes
validation/flexmix_results.json and freezes the flexmix numbers as the test fixture
tests/trajectories/fixtures/flexmix_reference.json (the test suite does not need R).

Needs R with flexmix: apt-get install -y r-base-core r-cran-flexmix.

    .venv/bin/python validation/flexmix_compare.py
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import gbtm  # noqa: F401
from gbtm.fit import fit_model
from gbtm.model import ModelSpec
from gbtm.simulate import four_profile_truth, simulate

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "tests" / "trajectories" / "fixtures" / "flexmix_reference.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--n", type=int, default=630)
    parser.add_argument("--starts", type=int, default=50)
    parser.add_argument("--nrep", type=int, default=50)
    args = parser.parse_args(argv)
    data, _ = simulate(four_profile_truth(), args.n, np.random.default_rng(args.seed))
    spec = ModelSpec(4, degree=3, family="poisson")
    fit = fit_model(data, spec, n_starts=args.starts, seed=args.seed)
    x = fit.basis(data.age)
    frame = pd.DataFrame(
        {
            "person": data.person_ids[data.person],
            "age": data.age,
            "count": data.count.astype(int),
            "x1": x[:, 1],
            "x2": x[:, 2],
            "x3": x[:, 3],
        }
    )
    post = fit.model(data).posterior(fit.params)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        frame.to_csv(tmp_path / "data.csv", index=False)
        pd.DataFrame(post, columns=[f"g{k + 1}" for k in range(4)]).to_csv(
            tmp_path / "post.csv", index=False
        )
        subprocess.run(
            [
                "Rscript",
                str(HERE / "flexmix_compare.R"),
                str(tmp_path / "data.csv"),
                str(tmp_path / "post.csv"),
                "4",
                str(args.nrep),
                str(tmp_path / "out.json"),
            ],
            check=True,
        )
        r = json.loads((tmp_path / "out.json").read_text())
    ours = sorted(fit.shares().tolist())
    result = {
        "data": {
            "simulation": "gbtm.simulate.four_profile_truth",
            "n": args.n,
            "seed": args.seed,
            "person_ages": data.n_obs,
        },
        "gbtm": {
            "loglik": fit.loglik,
            "shares": ours,
            "starts": args.starts,
            "distinct_optima": fit.n_distinct_optima,
        },
        "flexmix": r,
        "loglik_difference_started_alike": fit.loglik - r["alike_loglik"],
        "max_share_difference_started_alike": float(
            np.max(np.abs(np.array(ours) - np.array(r["alike_shares"])))
        ),
        "gbtm_best_minus_flexmix_best": fit.loglik - r["restarts_best_loglik"],
    }
    (HERE / "flexmix_results.json").write_text(json.dumps(result, indent=2) + "\n")
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps({"data": result["data"], "flexmix": r}, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
