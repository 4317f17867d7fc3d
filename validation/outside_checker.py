"""An outside output check, written apart from python_stats: ACRO-like rules on every shown
number of a results folder, with the person-level marts of its warehouse.

The rules are those research environments usually apply (SACRO/ACRO defaults): a threshold
of 10 persons, (n, k) = (2, 0.90) dominance, p-ratio 0.10 and zeros disclosive. This script
shares no code with python_stats: it reads the CSV files and the marts itself and recomputes
each magnitude with pandas.

- counts (columns `n`, `n_*`, `*_n`, `n_records`): a shown count of persons must be at least
  the threshold and not zero (dq_findings.csv counts records, not persons: a zero there is
  reported as not applicable);
- the rows of the estimates tables with a share: the shown numerator and complement must be
  consistent with at least the threshold (allowing the rounding of base 5);
- magnitudes, recomputed from the marts: the means of the tables (victimisations among
  victims, ages, cases before the first HT case), each profile's share of all OM cases (a sum
  of cases), balance.csv's continuous means and spreads (squared deviations), and the observed
  means of table_trajectories.csv over their bands of ages, the AvePP of trajectory_groups.csv
  (a mean of posterior probabilities): at least 10 persons, the two
  largest contributions below 90% of the total, the rest after the two largest at least 10% of
  the largest, not all values equal (ACRO's "all values the same") and a total not zero;
- the cross table of stated by estimated profile: every shown cell at least 10, no zero.

Model estimates (curves, BIC, tests) are outputs of models fitted to at least the threshold of
persons and are not flagged here.

    .venv/bin/python validation/outside_checker.py RESULTS_DIR WAREHOUSE.duckdb
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import duckdb
import pandas as pd

THRESHOLD = 10
NK_N, NK_K = 2, 0.90
P_RATIO = 0.10
BASE = 5
COUNT = re.compile(r"^(n|n_.+|.+_n)$")
TABLE_MEANS = {
    "mean_victimisations_among_victims": ("persons", "n_victimisations"),
    "mean_age_first_offence": ("careers", "age_first_offence"),
    "mean_age_first_ht": ("careers", "age_first_ht"),
    "mean_cases_before_first_ht": ("careers", "n_cases_before_first_ht"),
    "share_of_all_cases": ("careers", "n_cases"),
}
PROFILES = ("incidenteel", "vroeg_piek", "laat_piek", "continu")


def magnitude_flags(values: pd.Series) -> list[str]:
    """The ACRO-like rules on one cell's contributions."""
    x = pd.to_numeric(values, errors="coerce").dropna().astype(float)
    flags = []
    if len(x) < THRESHOLD:
        flags.append(f"threshold: {len(x)} < {THRESHOLD} persons")
        return flags
    total = x.sum()
    top = x.nlargest(NK_N).sum()
    if total == 0:
        flags.append("zero total")
    elif top / total >= NK_K:
        flags.append(f"dominance: top {NK_N} = {top / total:.3f} of the total")
    largest = x.max()
    if largest > 0 and (total - x.nlargest(2).sum()) / largest < P_RATIO:
        flags.append("p-ratio")
    if (x == x.iloc[0]).all():
        flags.append("all values the same")
    return flags


class OutsideChecker:
    def __init__(self, folder: Path, warehouse: Path) -> None:
        self.folder = folder
        with duckdb.connect(str(warehouse), read_only=True) as con:
            self.persons = con.sql("select * from marts.fct_study_persons").df()
            self.careers = con.sql("select * from marts.fct_offender_careers").df()
            tables = {r[0] for r in con.sql("select table_name from information_schema.tables "
                                             "where table_schema = 'marts'").fetchall()}
            self.person_ages = (con.sql("select * from marts.fct_trajectory_person_ages").df()
                                if "fct_trajectory_person_ages" in tables else
                                self.intermediate_person_ages(con))
        self.flags: list[str] = []
        self.checked = 0

    @staticmethod
    def intermediate_person_ages(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
        """A warehouse built before fct_trajectory_person_ages: the same rows from the
        intermediate models it is made of."""
        try:
            return con.sql(
                "select a.rinpersoons, a.rinpersoon, t.trajectory_group, a.age, a.n_cases "
                "from intermediate.int_offender_age_counts a join "
                "intermediate.int_trajectory_assignments t using (rinpersoons, rinpersoon) "
                "where a.is_observed").df()
        except duckdb.Error:
            return None

    def flag(self, file: str, row: int, column: str, value: str, why: str) -> None:
        self.flags.append(f"{file} row {row} {column}={value!r}: {why}")

    def read(self, name: str) -> pd.DataFrame | None:
        path = self.folder / name
        return pd.read_csv(path, dtype=str, keep_default_na=False) if path.is_file() else None

    def counts(self, name: str, frame: pd.DataFrame) -> None:
        for column in frame.columns:
            if not COUNT.match(column) or name == "output_check.csv":
                continue
            for i, text in enumerate(frame[column], start=1):
                if text == "":
                    continue
                self.checked += 1
                value = float(text)
                if value == 0 and name != "dq_findings.csv":
                    self.flag(name, i, column, text, "zero count (zeros disclosive)")
                elif 0 < value < THRESHOLD:
                    self.flag(name, i, column, text, f"count below {THRESHOLD}")

    def group_values(self, source: str, column: str, group: str, victims: bool) -> pd.Series:
        frame = self.persons if source == "persons" else self.careers
        if source == "persons":
            if group in PROFILES:
                mask = (frame["study_group"] == "blsu") & (frame["profile"] == group)
            else:
                mask = frame["study_group"] == group
        else:
            mask = frame["profile"] == group
        if victims:
            mask &= frame["is_victim"].astype(bool)
        values = frame.loc[mask, column]
        return values.fillna(0) if column == "n_cases" else values

    def estimates(self, name: str, frame: pd.DataFrame) -> None:
        for i, rec in enumerate(frame.to_dict("records"), start=1):
            if rec["value"] == "":
                continue
            if rec["measure"] in TABLE_MEANS:
                source, column = TABLE_MEANS[rec["measure"]]
                values = self.group_values(source, column, rec["group"],
                                           rec["measure"].endswith("among_victims"))
                self.checked += 1
                for why in magnitude_flags(values):
                    self.flag(name, i, "value", rec["value"], f"{rec['measure']}: {why}")
            elif rec["unit"].startswith("pct") and rec["n"] and rec["n_events"]:
                self.checked += 1
                k, n = float(rec["n_events"]), float(rec["n"])
                if k < THRESHOLD or n - k < THRESHOLD - 2 * (BASE // 2):
                    self.flag(name, i, "value", rec["value"], "share resting on a small cell")

    def balance(self, name: str, frame: pd.DataFrame) -> None:
        for i, rec in enumerate(frame.to_dict("records"), start=1):
            if rec["type"] != "continuous" or rec["mean_blsu"] == "":
                continue
            for side, group in (("blsu", "blsu"), ("control", rec["control_group"])):
                x = pd.to_numeric(self.persons.loc[self.persons["study_group"] == group,
                                                   rec["covariate"]], errors="coerce").dropna()
                self.checked += 1
                for why in magnitude_flags(x):
                    self.flag(name, i, f"mean_{side}", rec[f"mean_{side}"], why)
                for why in magnitude_flags((x - x.mean()) ** 2):
                    self.flag(name, i, "variance_ratio", rec["variance_ratio"],
                              f"variance of {group}: {why}")

    def trajectories(self, name: str, frame: pd.DataFrame) -> None:
        seen = set()
        for i, rec in enumerate(frame.to_dict("records"), start=1):
            if rec["observed_mean"] == "":
                continue
            if float(rec["observed_mean"]) == 0:
                self.flag(name, i, "observed_mean", rec["observed_mean"], "zero mean shown")
            key = (rec["group"], rec.get("band_from", rec["age"]),
                   rec.get("band_to", rec["age"]))  # without bands: one age each
            if key in seen or self.person_ages is None:
                continue
            seen.add(key)
            pa = self.person_ages
            rows = pa[(pa["trajectory_group"] == int(float(key[0])))
                      & (pa["age"] >= int(float(key[1]))) & (pa["age"] <= int(float(key[2])))]
            per_person = rows.groupby(["rinpersoons", "rinpersoon"])["n_cases"].sum()
            self.checked += 1
            for why in magnitude_flags(per_person):
                self.flag(name, i, "observed_mean", rec["observed_mean"], f"band {key}: {why}")

    def groups(self, name: str, frame: pd.DataFrame) -> None:
        """AvePP: the mean of the group's persons' posterior probabilities."""
        pa = self.person_ages
        if pa is None or "posterior_probability" not in pa:
            return
        for i, rec in enumerate(frame.to_dict("records"), start=1):
            if rec["avepp"] == "":
                continue
            persons = pa[pa["trajectory_group"] == int(float(rec["group"]))].drop_duplicates(
                ["rinpersoons", "rinpersoon"])
            self.checked += 1
            for why in magnitude_flags(persons["posterior_probability"]):
                self.flag(name, i, "avepp", rec["avepp"], why)

    def cross(self, name: str, frame: pd.DataFrame) -> None:
        for i, text in enumerate(frame["n"], start=1):
            self.checked += 1
            if text != "" and float(text) == 0:
                self.flag(name, i, "n", text, "structural zero (zeros disclosive)")

    def run(self) -> list[str]:
        for path in sorted(self.folder.glob("*.csv")):
            frame = self.read(path.name)
            self.counts(path.name, frame)
            if path.name.startswith("table_") and "measure" in frame:
                self.estimates(path.name, frame)
            elif path.name == "balance.csv":
                self.balance(path.name, frame)
            elif path.name == "table_trajectories.csv":
                self.trajectories(path.name, frame)
            elif path.name == "trajectory_agreement_table.csv":
                self.cross(path.name, frame)
            elif path.name == "trajectory_groups.csv":
                self.groups(path.name, frame)
        return self.flags


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    checker = OutsideChecker(Path(argv[0]), Path(argv[1]))
    flags = checker.run()
    for line in flags:
        print(line)
    print(f"outside check of {argv[0]}: {checker.checked} numbers checked, {len(flags)} flagged")
    return 1 if flags else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
