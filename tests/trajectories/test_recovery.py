"""A small recovery study: the four published shapes come back from 630 simulated persons.

The full study (20 replicates, N = 630 and 5,000, default starts) is validation/recovery.py; this
is one replicate with few starts so that the suite stays fast.
"""

from __future__ import annotations

import numpy as np
import pytest

from gbtm.agreement import adjusted_rand_index, matched_accuracy
from gbtm.fit import fit_model
from gbtm.model import ModelSpec
from gbtm.outputs import build_outputs
from gbtm.selection import assign, select_models


@pytest.fixture(scope="module")
def selection(study_like):
    data, _ = study_like
    return select_models(data, (3, 4, 5), n_starts=8, seed=1)


def test_bic_selects_four_groups(selection):
    chosen = selection.selected
    assert chosen is not None
    assert chosen.spec.n_groups == 4
    assert max(selection.fits, key=lambda f: f.bic) is chosen


def test_shares_and_assignment_are_recovered(selection, study_like, truth):
    data, groups = study_like
    fit = selection.fit_for(4)
    found = assign(fit.model(data).posterior(fit.params))
    assert matched_accuracy(groups, found) >= 0.85
    # shares matched by shape name, not by index
    out = build_outputs(selection)
    named = out.groups[out.groups["n_groups"] == 4].set_index("profile")["share"]
    for name, share in zip(truth.names, truth.shares, strict=True):
        assert named[name] == pytest.approx(share, abs=0.05)


def test_model_selection_table_flags_rules_and_keeps_inadmissible_models(selection):
    table = selection.table()
    assert [r["n_groups"] for r in table] == [3, 4, 5]
    for row in table:
        assert row["bic_nagin"] == pytest.approx(
            row["loglik"] - 0.5 * row["n_params"] * np.log(row["n_persons"])
        )
        assert row["is_admissible"] == (row["inadmissible_because"] == "")
    assert sum(r["is_selected"] for r in table) == 1


def test_same_seed_gives_the_same_fit_and_other_seeds_the_same_optimum(study_like):
    data, _ = study_like
    spec = ModelSpec(4)
    runs = [fit_model(data, spec, n_starts=6, seed=s, with_se=False) for s in (1, 1, 2)]
    assert np.array_equal(runs[0].params, runs[1].params)
    assert runs[2].loglik == pytest.approx(runs[0].loglik, abs=0.05)
    posts = [r.model(data).posterior(r.params) for r in (runs[0], runs[2])]
    assert adjusted_rand_index(assign(posts[0]), assign(posts[1])) >= 0.95


def test_parallel_fits_equal_sequential_ones(study_like):
    data, _ = study_like
    one = select_models(data, (1, 2), n_starts=2, seed=3, with_se=False)
    two = select_models(data, (1, 2), n_starts=2, seed=3, with_se=False, jobs=2)
    for a, b in zip(one.fits, two.fits, strict=True):
        assert a.spec == b.spec
        assert np.array_equal(a.params, b.params)
