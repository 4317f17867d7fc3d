"""Realised rates on the `default` size match the configured person-level propensities.

Measured from the files with the study's rules (study_rules.py), not from generator internals.
Binary traits of the offenders use exact counts per profile, so they match to rounding; random
quantities must lie within 4 standard errors of their configured value. Control rates are taken
over the whole eligible pools (born 1940-2005), which is what a random matched draw shows in
expectation.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest
from study_rules import study_connection

from blsu_synth.params import GROUP_RATES, PROFILE_SHAPES

CATEGORY_COLUMNS = {
    "geweld": "geweld",
    "vermogen": "vermogen",
    "zeden": "zeden",
    "vernieling_openbare_orde": "vernieling",
    "verkeer": "verkeer",
    "overig": "overig",
    "mensenhandel": "mensenhandel",
}
GROUPS = {
    "noncriminal": "study_group = 'noncriminal_control'",
    "criminal": "study_group = 'criminal_control'",
    **{p: f"profile = '{p}'" for p in PROFILE_SHAPES},
}


@pytest.fixture(scope="module")
def study(default_parquet: Path, seeds_dir: Path) -> duckdb.DuckDBPyConnection:
    return study_connection(default_parquet, seeds_dir)


def _share(con: duckdb.DuckDBPyConnection, flag: str, where: str) -> tuple[float, int]:
    value, n = con.execute(
        f"select avg(({flag})::int), count(*) from study where {where}"
    ).fetchone()
    return float(value), int(n)


def _within_4se(realised: float, expected: float, n: int) -> bool:
    se = math.sqrt(max(expected * (1 - expected), 0.25 / n) / n)
    return abs(realised - expected) <= 4 * se


def test_study_sample_has_630_offenders_in_the_published_profile_counts(
    study: duckdb.DuckDBPyConnection,
) -> None:
    rows = study.execute(
        "select profile, count(*) from study where study_group = 'blsu' group by all"
    ).fetchall()
    assert dict(rows) == {"incidenteel": 227, "vroeg_piek": 176, "laat_piek": 132, "continu": 95}


def test_control_pools_are_large_enough_for_exact_matching_in_every_cell(
    study: duckdb.DuckDBPyConnection,
) -> None:
    short = study.execute(
        """
        with need as (select sex, birth_year, count(*) n from study
                      where study_group = 'blsu' group by all),
             pool as (select sex, birth_year, study_group, count(*) n from study
                      where study_group <> 'blsu' group by all)
        select need.sex, need.birth_year, g.grp
        from need cross join (values ('criminal_control'), ('noncriminal_control')) g(grp)
        left join pool on pool.sex = need.sex and pool.birth_year = need.birth_year
             and pool.study_group = g.grp
        where coalesce(pool.n, 0) < 2 * need.n
        """
    ).fetchall()
    assert short == []


@pytest.mark.parametrize("group", list(GROUPS))
def test_lvb_rate_matches_its_configured_value(
    study: duckdb.DuckDBPyConnection, group: str
) -> None:
    realised, n = _share(study, "has_lvb", GROUPS[group])
    expected = GROUP_RATES[group].lvb
    assert _within_4se(realised, expected, n), (group, realised, expected)


def test_offender_lvb_ratio_is_3_6_times_the_reference_rate(
    study: duckdb.DuckDBPyConnection,
) -> None:
    realised, _ = _share(study, "has_lvb", "study_group = 'blsu'")
    assert realised / 0.02 == pytest.approx(3.6, abs=0.15)


@pytest.mark.parametrize("group", list(GROUPS))
def test_victim_share_matches_its_configured_value(
    study: duckdb.DuckDBPyConnection, group: str
) -> None:
    realised, n = _share(study, "is_victim", GROUPS[group])
    expected = GROUP_RATES[group].victim
    assert _within_4se(realised, expected, n), (group, realised, expected)


def test_offender_victims_number_466_of_630(study: duckdb.DuckDBPyConnection) -> None:
    assert (
        study.execute(
            "select count(*) from study where study_group = 'blsu' and is_victim"
        ).fetchone()[0]
        == 466
    )


@pytest.mark.parametrize("group", list(GROUPS))
def test_mean_victimisations_among_victims_matches(
    study: duckdb.DuckDBPyConnection, group: str
) -> None:
    mean, var, n = study.execute(
        f"select avg(n_vict), var_samp(n_vict), count(*) from study "
        f"where is_victim and {GROUPS[group]}"
    ).fetchone()
    expected = GROUP_RATES[group].mean_victimisations
    assert abs(mean - expected) <= 4 * math.sqrt(var / n), (group, mean, expected)


@pytest.mark.parametrize("profile", list(PROFILE_SHAPES))
def test_recent_victimisation_share_matches_per_profile(
    study: duckdb.DuckDBPyConnection, profile: str
) -> None:
    realised, n = _share(study, "recent_3y", f"profile = '{profile}' and recent_eligible")
    expected = GROUP_RATES[profile].recent_3y
    assert n == round(
        PROFILE_SHAPES[profile].eligible_share
        * {"incidenteel": 227, "vroeg_piek": 176, "laat_piek": 132, "continu": 95}[profile]
    )
    assert abs(realised - expected) <= 0.5 / n + 1e-9, (profile, realised, expected)


def test_recent_victimisation_overall_is_38_percent_of_260(
    study: duckdb.DuckDBPyConnection,
) -> None:
    realised, n = _share(study, "recent_3y", "study_group = 'blsu' and recent_eligible")
    assert n == 260
    assert round(100 * realised) == 38


@pytest.mark.parametrize("group", list(GROUPS))
@pytest.mark.parametrize("category", list(CATEGORY_COLUMNS))
def test_offence_type_share_among_victims_matches(
    study: duckdb.DuckDBPyConnection, group: str, category: str
) -> None:
    realised, n = _share(
        study, f"coalesce({CATEGORY_COLUMNS[category]}, false)", f"is_victim and {GROUPS[group]}"
    )
    expected = GROUP_RATES[group].category[category]
    assert _within_4se(realised, expected, n), (group, category, realised, expected)


@pytest.fixture(scope="module")
def careers(study) -> dict[str, dict[str, float]]:
    rows = study.execute(
        """
        select profile, count(*), avg(age_first_offence), stddev_samp(age_first_offence),
               avg(age_first_ht), stddev_samp(age_first_ht), avg(n_before),
               stddev_samp(n_before), avg((n_before = 0)::int),
               sum(n_cases) / (select sum(n_cases) from careers)
        from careers group by all
        """
    ).fetchall()
    keys = ["n", "a1", "a1_sd", "aht", "aht_sd", "before", "before_sd", "starts", "case_share"]
    return {r[0]: dict(zip(keys, r[1:], strict=True)) for r in rows}


@pytest.mark.parametrize("profile", list(PROFILE_SHAPES))
def test_profile_career_means_come_out_near_their_targets(
    careers: dict[str, dict[str, float]], profile: str
) -> None:
    shape, c = PROFILE_SHAPES[profile], careers[profile]
    se = lambda sd: sd / math.sqrt(c["n"])  # noqa: E731
    assert abs(c["a1"] - shape.mean_age_first_offence) <= 4 * se(c["a1_sd"]) + 0.1
    assert abs(c["aht"] - shape.mean_age_first_ht) <= 4 * se(c["aht_sd"]) + 0.1
    assert abs(c["before"] - shape.mean_cases_before_first_ht) <= 4 * se(c["before_sd"]) + 0.05


def test_incidental_offenders_start_with_human_trafficking_in_29_percent(
    careers: dict[str, dict[str, float]],
) -> None:
    assert round(100 * careers["incidenteel"]["starts"]) == 29


def test_share_of_all_offender_cases_is_9_and_40_percent(
    careers: dict[str, dict[str, float]],
) -> None:
    assert careers["incidenteel"]["case_share"] == pytest.approx(0.09, abs=0.02)
    assert careers["continu"]["case_share"] == pytest.approx(0.40, abs=0.03)


def test_first_offences_fall_inside_the_om_window_and_after_age_12(
    study: duckdb.DuckDBPyConnection,
) -> None:
    too_young, early = study.execute(
        "select count(*) filter (where age_first_offence < 12), "
        "count(*) filter (where age_first_offence > age_first_ht + 1e-9) from careers"
    ).fetchone()
    assert too_young == 0 and early == 0
