"""Cross-check of the exported magnitudes and the profile cross table with ACRO itself.

ACRO (the SACRO output checker, PyPI `acro`) applies its default rules (threshold 10,
dominance (2, 0.90), p-ratio 0.10, zeros disclosive) to tables it makes from person-level data.
This script rebuilds, from the marts of a warehouse, the person-level frames behind every
magnitude a results folder shows (the means of the tables, each profile's sum of OM cases, the
balance means, the observed trajectory means of each band of ages, the groups' AvePP) and the
stated x estimated
profile table, has ACRO check them, and reports every cell the folder shows that ACRO would
not let out.

ACRO pins pandas <= 2.3.3, so it runs in a venv of its own, never the project's:

    python3.11 -m venv /tmp/acro && /tmp/acro/bin/pip install "pandas<=2.3.3" acro duckdb
    /tmp/acro/bin/python validation/acro_crosscheck.py RESULTS_DIR WAREHOUSE.duckdb
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import duckdb
import pandas as pd
from acro import ACRO

PROFILES = ("incidenteel", "vroeg_piek", "laat_piek", "continu")
CAREER_MEANS = ("mean_age_first_offence", "mean_age_first_ht", "mean_cases_before_first_ht")


def outcome(acro: ACRO, index: pd.Series, values: pd.Series, aggfunc: str) -> dict[str, str]:
    """ACRO's verdict per row of a one-column table of `aggfunc` of `values` by `index`."""
    before = set(acro.results.results)
    acro.crosstab(index, pd.Series("all", index=index.index), values=values, aggfunc=aggfunc)
    (uid,) = set(acro.results.results) - before
    table = acro.results.results[uid].outcome
    return {str(k): str(v) for k, v in table.iloc[:, 0].items()}


def main(argv: list[str]) -> int:
    logging.getLogger("acro").setLevel(logging.ERROR)
    folder, warehouse = Path(argv[0]), Path(argv[1])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        persons = con.sql("select * from marts.fct_study_persons").df()
        careers = con.sql("select * from marts.fct_offender_careers").df()
        person_ages = con.sql("select * from marts.fct_trajectory_person_ages").df()
    read = lambda name: pd.read_csv(folder / name, dtype=str, keep_default_na=False)  # noqa: E731
    acro = ACRO(suppress=False)
    compared, refused = 0, []

    def compare(file: str, what: str, shown: dict[str, str], verdicts: dict[str, str]) -> None:
        nonlocal compared
        for key, text in shown.items():
            if text == "":
                continue
            compared += 1
            if verdicts.get(key, "missing") != "ok":
                refused.append(f"{file} {what} {key}={text}: ACRO {verdicts.get(key)}")

    # A2: mean victimisations among victims, per study group and per offender profile
    victims = persons[persons["is_victim"].astype(bool)]
    by_group = pd.concat([victims.assign(g=victims["study_group"]),
                          victims[victims["study_group"] == "blsu"].assign(
                              g=victims["profile"])])
    a2 = read("table_A2.csv")
    rows = a2[a2["measure"] == "mean_victimisations_among_victims"]
    compare("table_A2.csv", "mean_victimisations_among_victims",
            dict(zip(rows["group"], rows["value"], strict=True)),
            outcome(acro, by_group["g"], by_group["n_victimisations"].astype(float), "mean"))
    # profiles: career means and each profile's sum of cases
    profiles = read("table_profiles.csv")
    for measure, column, aggfunc in (
            *((m, m.replace("mean_", "").replace("cases_before", "n_cases_before"), "mean")
              for m in CAREER_MEANS), ("share_of_all_cases", "n_cases", "sum")):
        rows = profiles[profiles["measure"] == measure]
        values = careers[column].astype(float)
        if column == "n_cases":
            values = values.fillna(0)
        keep = values.notna()
        compare("table_profiles.csv", measure, dict(zip(rows["group"], rows["value"],
                                                        strict=True)),
                outcome(acro, careers.loc[keep, "profile"], values[keep], aggfunc))
    # balance: continuous means per study group
    balance = read("balance.csv")
    for covariate in ("birth_year", "birth_month"):
        rows = balance[balance["covariate"] == covariate]
        if rows.empty:
            continue
        verdicts = outcome(acro, persons["study_group"], persons[covariate].astype(float),
                           "mean")
        shown = {"blsu": rows["mean_blsu"].iloc[0]}
        shown.update(dict(zip(rows["control_group"], rows["mean_control"], strict=True)))
        compare("balance.csv", covariate, shown, verdicts)
    # observed trajectory means: each band's persons with their cases summed over the band
    curves = read("table_trajectories.csv")
    if "band_from" not in curves:  # a folder written before the bands: one age each
        curves = curves.assign(band_from=curves["age"], band_to=curves["age"])
    bands = curves[curves["observed_mean"] != ""].drop_duplicates(
        ["group", "band_from", "band_to"])
    for group, found in bands.groupby("group"):
        rows = []
        for band in found.to_dict("records"):
            lo, hi = int(float(band["band_from"])), int(float(band["band_to"]))
            pa = person_ages[(person_ages["trajectory_group"] == int(group))
                             & person_ages["age"].between(lo, hi)]
            per_person = pa.groupby(["rinpersoons", "rinpersoon"])["n_cases"].sum()
            rows.append(pd.DataFrame({"band": f"{lo}-{hi}",
                                      "cases": per_person.to_numpy(dtype=float)}))
        frame = pd.concat(rows, ignore_index=True)
        shown = {f"{int(float(b['band_from']))}-{int(float(b['band_to']))}": b["observed_mean"]
                 for b in found.to_dict("records")}
        compare("table_trajectories.csv", f"group {group}", shown,
                outcome(acro, frame["band"], frame["cases"], "sum"))
    # AvePP: the mean posterior probability of each group's persons
    groups = read("trajectory_groups.csv")
    persons_of = person_ages.drop_duplicates(["rinpersoons", "rinpersoon"])
    compare("trajectory_groups.csv", "avepp",
            {str(int(float(g))): v for g, v in zip(groups["group"], groups["avepp"],
                                                   strict=True)},
            outcome(acro, persons_of["trajectory_group"].astype(int).astype(str),
                    persons_of["posterior_probability"].astype(float), "mean"))
    # the stated x estimated profile table: frequencies (threshold, zeros)
    offenders = persons[(persons["study_group"] == "blsu")
                        & persons["estimated_profile"].notna()]
    before = set(acro.results.results)
    acro.crosstab(offenders["stated_profile"], offenders["estimated_profile"])
    (uid,) = set(acro.results.results) - before
    verdict = acro.results.results[uid].outcome
    cross = read("trajectory_agreement_table.csv")
    for rec in cross.to_dict("records"):
        if rec["n"] == "":
            continue
        compared += 1
        stated, estimated = rec["stated_profile"], rec["estimated_profile"]
        found = (verdict.loc[stated, estimated] if stated in verdict.index
                 and estimated in verdict.columns else "zero (absent from the table)")
        if found != "ok":
            refused.append(f"trajectory_agreement_table.csv {stated} x {estimated}="
                           f"{rec['n']}: ACRO {found}")
    for line in refused:
        print(line)
    print(f"ACRO cross-check of {folder}: {compared} shown cells compared, "
          f"{len(refused)} that ACRO would refuse")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
