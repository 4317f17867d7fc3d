"""The default fit on the default extracts reaches the 500-start reference.

fixtures/default_age_counts.parquet is int_offender_age_counts of the default synthetic
extracts; fixtures/default_reference.json holds the best log-likelihood per K that two
500-start fits found (the previous estimator and the batched one with every start converged),
the admissibility of those fits and the selected K. The warehouse's default fit (default
starts, the seed of var trajectory_seed) must reach every K's optimum within 0.001 and select
the same model."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from gbtm.data import observed_person_ages
from gbtm.selection import select_models
from gbtm.warehouse import AGE_COUNTS, DEGREE, FAMILY

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
REFERENCE = json.loads((FIXTURES / "default_reference.json").read_text())


@pytest.fixture(scope="module")
def selection():
    project_vars = yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]
    counts = pd.read_parquet(FIXTURES / "default_age_counts.parquet")
    data = observed_person_ages(counts, AGE_COUNTS)
    assert (data.n_persons, data.n_obs) == (630, 13217)
    return select_models(
        data,
        project_vars["trajectory_groups"],
        degree=DEGREE,
        family=FAMILY,
        n_starts=project_vars["trajectory_starts"],
        seed=project_vars["trajectory_seed"],
        with_se=False,
    )


@pytest.mark.parametrize("row", REFERENCE["groups"], ids=lambda r: f"K{r['n_groups']}")
def test_default_fit_reaches_the_reference_optimum(selection, row):
    table = {r["n_groups"]: r for r in selection.table()}
    fitted = table[row["n_groups"]]
    assert fitted["loglik"] >= row["loglik"] - 1e-3
    assert fitted["is_admissible"] == row["is_admissible"]
    assert fitted["inadmissible_because"] == row["inadmissible_because"]


def test_default_fit_selects_the_reference_model(selection):
    assert selection.selected is not None
    assert selection.selected.spec.n_groups == REFERENCE["selected_groups"]
