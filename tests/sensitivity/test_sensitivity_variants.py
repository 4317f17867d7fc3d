"""The variants file: the declared set, what a broken file is told, --only, and the reason a
failed build gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from blsu.sensitivity import (
    VARIANTS_FILE,
    VariantsError,
    failure_of,
    known_vars,
    load_variants,
    select,
)


def test_the_declared_set() -> None:
    variants = load_variants(VARIANTS_FILE)
    draws = [v for v in variants if v.draw]
    assert len(draws) == 20 and {v.family for v in draws} == {"matching_seed"}
    assert len({v.vars["matching_seed"] for v in draws}) == 20
    assert len(variants) == 35
    families = {v.family for v in variants}
    assert {"matching_keys", "victim_window", "lookback", "lvb_sources", "profile_source",
            "disclosure"} <= families
    known = known_vars()
    assert all(set(v.vars) <= known for v in variants)
    assert {v.name: (v.round_base, v.min_cell) for v in variants if not v.vars} == {
        "disclosure_unrounded": (1, None), "disclosure_min_cell_15": (None, 15)}
    assert all(v.description.endswith(".") for v in variants)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "variants.yml"
    path.write_text("variants:\n" + text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("entry", "message"), [
    ("  - {name: a, family: f, description: d., vars: {x: 1}, colour: red}\n",
     "entry 1 (a): unknown field(s) colour"),
    ("  - {name: a, family: f, vars: {x: 1}}\n", "entry 1 (a): description"),
    ("  - {name: a, family: f, description: d.}\n", "changes vars or stats"),
    ("  - {name: a, family: f, description: d., vars: {dc_min_cell: 15}}\n",
     "give the disclosure rule as stats"),
    ("  - {name: a, family: f, description: d., stats: {min_cell: -1}}\n",
     "stats min_cell must be a whole number of at least 0"),
    ("  - {name: a, family: f, description: d., vars: {x: 1}}\n"
     "  - {name: a, family: g, description: d., vars: {x: 2}}\n", "a is used twice"),
    ("  - {name: s, description: d., seeds: [1, 2]}\n"
     "  - {name: s_1, family: s, description: d., vars: {x: 2}}\n", "s_1 is used twice"),
    ("  - {name: f, family: g, description: d., vars: {x: 1}}\n"
     "  - {name: h, family: f, description: d., vars: {x: 2}}\n",
     "f is the name of a variant and of a family"),
    ("  - {name: Bad-name, family: f, description: d., vars: {x: 1}}\n", "name must be"),
])
def test_a_broken_file_is_told_where(tmp_path: Path, entry: str, message: str) -> None:
    with pytest.raises(VariantsError) as caught:
        load_variants(write(tmp_path, entry))
    assert message in str(caught.value)
    assert str(tmp_path / "variants.yml") in str(caught.value)


def test_only_selects_variants_and_families() -> None:
    variants = load_variants(VARIANTS_FILE)
    assert [v.name for v in select(variants, ["lookback_2_years,profiles_estimated"])] == [
        "lookback_2_years", "profiles_estimated"]
    assert len(select(variants, ["matching_seed", "matching_seed_3"])) == 20
    assert select(variants, []) == variants
    with pytest.raises(VariantsError, match="no variant or family lookback_9"):
        select(variants, ["lookback_9"])


DBT_OUTPUT = """\x1b[0m10:01:02  Running with dbt=1.11.16
10:01:05  1 of 3 START sql table model intermediate.int_victimisations ...... [RUN]
10:01:06  1 of 3 ERROR creating sql table model intermediate.int_victimisations [ERROR in 0.1s]
10:01:07  Completed with 1 error, 0 partial successes, and 0 warnings:
10:01:07
10:01:07  \x1b[31mFailure in model int_victimisations (models/intermediate/outcomes/x.sql)\x1b[0m
10:01:07    Runtime Error in model int_victimisations (models/intermediate/outcomes/x.sql)
10:01:07    Conversion Error: date field value out of range: "2021-13-45"
10:01:07
10:01:07  Done. PASS=0 WARN=0 ERROR=1 SKIP=2 NO-OP=0 TOTAL=3
"""


def test_the_reason_of_a_failed_build() -> None:
    reason, detail = failure_of(DBT_OUTPUT)
    assert reason == "dbt build failed: runtime error in model int_victimisations"
    assert detail.splitlines() == [
        "Failure in model int_victimisations (models/intermediate/outcomes/x.sql)",
        "  Runtime Error in model int_victimisations (models/intermediate/outcomes/x.sql)",
        '  Conversion Error: date field value out of range: "2021-13-45"']
