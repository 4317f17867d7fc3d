"""A yardstick, not a second implementation of the study: the study persons' core outcome table
computed with plain pandas from the same used raw files that `blsu build` reads.

What a data engineer would write first without a warehouse: read every used file whole with
`pandas.read_parquet` (or `read_csv`), concatenate the years, and do the study's core steps
with merges and group-bys in memory:

1. the register (linked keys, a duplicate key keeps its lowest birth year, then sex) and deaths;
2. the OM cases (one row per case: first registration date, human-trafficking case or not);
3. the cohort: linked sample members found in the register;
4. the control pools in the offenders' matching cells (sex, birth year): no OM case at all, or
   an OM case in the window and no human-trafficking case; not in the sample; alive at the
   start of the victimisation window;
5. 1:1 matching without replacement per pool and cell, by a seeded random order (not the
   warehouse's hash order: the draw differs, the cell counts do not);
6. LVB flags (AO, CIZ, WSW records with a qualifying code inside the code's window, from the
   lvb_codes seed) and victimisation flags (police rows as reporter or victim inside the
   victimisation window, per report category of the feitcodes seed, distinct incidents).

It writes one row per study person to OUT (Parquet) and prints the group sizes and shares. The
benchmark (`national_benchmark.py`) runs it as a child process and compares its wall time and
peak memory with the build's. Leaves out what the warehouse adds: file versions and inventory,
data-quality findings, profile estimates, the trajectory model, tests, disclosure control.

    .venv/bin/python benchmarks/pandas_baseline.py RAW_DIR OUT.parquet
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from blsu_core.datasets import DATASETS  # noqa: E402
from blsu_core.project import default_vars  # noqa: E402
from blsu_ingest.inventory import inventory_dataset  # noqa: E402

HT_CODE = "SR:273F"


def read_dataset(raw: Path, name: str) -> pd.DataFrame:
    """Every used file of a dataset (the highest version of each year), whole, concatenated."""
    frames = []
    for entry in inventory_dataset(raw, DATASETS[name]):
        if entry.status != "used":
            continue
        if entry.file_format == "parquet":
            frame = pd.read_parquet(entry.path)
        elif entry.file_format == "csv":
            frame = pd.read_csv(entry.path, dtype=str, keep_default_na=False)
        else:
            frame = pd.read_spss(entry.path)
        frame.columns = [c.upper() for c in frame.columns]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def to_date(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%Y%m%d", errors="coerce")


def to_int(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce")


def persons(raw: Path) -> pd.DataFrame:
    register = read_dataset(raw, "GBAPERSOONTAB")
    register = register[register["RINPERSOONS"] == "R"].copy()
    register["sex"] = register["GBAGESLACHT"].where(register["GBAGESLACHT"].isin(["1", "2"]))
    register["birth_year"] = to_int(register["GBAGEBOORTEJAAR"])
    register = register.sort_values(["RINPERSOON", "birth_year", "sex"], na_position="last")
    register = register.drop_duplicates("RINPERSOON", keep="first")
    deaths = read_dataset(raw, "GBAOVERLIJDENTAB")
    deaths = deaths[deaths["RINPERSOONS"] == "R"].copy()
    deaths["death_date"] = to_date(deaths["GBADATUMOVERLIJDEN"])
    first_death = deaths.groupby("RINPERSOON", as_index=False)["death_date"].min()
    return register.merge(first_death, on="RINPERSOON", how="left")[
        ["RINPERSOON", "sex", "birth_year", "death_date"]]


def om_history(raw: Path, window: tuple[str, str]) -> pd.DataFrame:
    om = read_dataset(raw, "OMZAKEN")
    om = om[om["RINPERSOONS"] == "R"].copy()
    om["registration_date"] = to_date(om["OMINSCHRIJVINGSDATUM"])
    om["is_ht"] = om["FEITCODE"].str.strip().str.upper() == HT_CODE
    cases = om.groupby(["RINPERSOON", "OMZAAKNUMMER"], as_index=False).agg(
        registration_date=("registration_date", "min"), is_ht=("is_ht", "any"))
    cases["in_window"] = cases["registration_date"].between(*map(pd.Timestamp, window))
    return cases.groupby("RINPERSOON", as_index=False).agg(
        has_case_in_window=("in_window", "any"), has_ht_case=("is_ht", "any"))


def cohort(raw: Path, register: pd.DataFrame) -> pd.DataFrame:
    sample = read_dataset(raw, "BLSU_STEEKPROEF")
    sample = sample[sample["RINPERSOONS"] == "R"].copy()
    sample["first_ht_date"] = to_date(sample["PLEEGDATUM_EERSTE_MH"])
    sample = sample.sort_values(["RINPERSOON", "first_ht_date", "OMZAAKNUMMER"])
    sample = sample.drop_duplicates("RINPERSOON")[["RINPERSOON"]]
    return sample.merge(register, on="RINPERSOON", how="inner")


def matched_controls(register: pd.DataFrame, offenders: pd.DataFrame, history: pd.DataFrame,
                     sample_keys: set[str], window_start: str, seed: int) -> pd.DataFrame:
    cells = offenders.dropna(subset=["sex", "birth_year"])[["sex", "birth_year"]]
    candidates = register.merge(cells.drop_duplicates(), on=["sex", "birth_year"])
    candidates = candidates[~candidates["RINPERSOON"].isin(sample_keys)]
    alive = candidates["death_date"].isna() | (candidates["death_date"] >= window_start)
    candidates = candidates[alive].merge(history, on="RINPERSOON", how="left")
    no_case = candidates["has_case_in_window"].isna()
    criminal = candidates["has_case_in_window"].fillna(False).astype(bool) & ~candidates[
        "has_ht_case"].fillna(False).astype(bool)
    candidates["study_group"] = np.where(no_case, "noncriminal_control",
                                         np.where(criminal, "criminal_control", None))
    candidates = candidates.dropna(subset=["study_group"])
    rng = np.random.default_rng(seed)
    candidates = candidates.assign(draw=rng.random(len(candidates)))
    candidates["cell_rank"] = candidates.sort_values("draw").groupby(
        ["study_group", "sex", "birth_year"]).cumcount()
    slots = cells.assign(one=1).groupby(["sex", "birth_year"], as_index=False)["one"].sum()
    drawn = candidates.merge(slots, on=["sex", "birth_year"])
    drawn = drawn[drawn["cell_rank"] < drawn["one"]]
    return drawn[["RINPERSOON", "study_group", "sex", "birth_year"]]


def lvb_flags(raw: Path, keys: pd.Series) -> pd.DataFrame:
    codes = pd.read_csv(ROOT / "seeds" / "lvb_codes.csv", dtype=str)
    sources = {
        "AO": ("AO_2015_2021", "AODIAGNOSECODE", "AOJAAR", True),
        "CIZ": ("CIZ_2017_2021", "CIZZZP", "CIZBESLUITDATUM", False),
        "WSW": ("WSW_2015_2021", "WSWHANDICAPCODE", "WSWJAAR", True),
    }
    flags = pd.DataFrame({"RINPERSOON": keys})
    for source, (dataset, code_column, date_column, is_year) in sources.items():
        records = read_dataset(raw, dataset)
        records = records[records["RINPERSOONS"] == "R"].copy()
        records["code"] = records[code_column].str.strip().str.upper()
        if is_year:
            year = to_int(records[date_column])
            records["start"] = pd.to_datetime(year.astype("Int64").astype(str) + "-01-01",
                                              errors="coerce")
            records["end"] = pd.to_datetime(year.astype("Int64").astype(str) + "-12-31",
                                            errors="coerce")
        else:
            records["start"] = records["end"] = to_date(records[date_column])
        windows = codes[codes["source"] == source].assign(code=lambda c: c["code"].str.upper())
        joined = records.merge(windows, on="code")
        inside = joined[(joined["start"] <= pd.to_datetime(joined["window_end"]))
                        & (joined["end"] >= pd.to_datetime(joined["window_start"]))]
        flags[f"lvb_{source.lower()}"] = flags["RINPERSOON"].isin(inside["RINPERSOON"])
    flags["has_lvb"] = flags[["lvb_ao", "lvb_ciz", "lvb_wsw"]].any(axis=1)
    return flags


def victimisation_flags(raw: Path, keys: pd.Series, window: tuple[str, str]) -> pd.DataFrame:
    police = read_dataset(raw, "SLOAANG")
    police = police[police["RINPERSOONS"] == "R"].copy()
    police["role"] = police["ROL"].str.strip().str.upper()
    police["registration_date"] = to_date(police["REGISTRATIEDATUM"])
    police["offence_code"] = police["FEITCODE"].str.strip().str.upper()
    inside = police[police["role"].isin(["A", "S"])
                    & police["registration_date"].between(*map(pd.Timestamp, window))]
    inside = inside[inside["RINPERSOON"].isin(keys)]
    feitcodes = pd.read_csv(ROOT / "seeds" / "feitcodes.csv", dtype=str)
    inside = inside.merge(feitcodes[["feitcode", "report_category"]], how="left",
                          left_on="offence_code", right_on="feitcode")
    flags = pd.DataFrame({"RINPERSOON": keys})
    counts = inside.groupby("RINPERSOON")["VOORVALNUMMER"].nunique()
    flags["n_victimisations"] = flags["RINPERSOON"].map(counts).fillna(0).astype(int)
    flags["is_victim"] = flags["n_victimisations"] > 0
    for category in sorted(feitcodes["report_category"].dropna().unique()):
        victims = inside.loc[inside["report_category"] == category, "RINPERSOON"]
        flags[f"victim_{category}"] = flags["RINPERSOON"].isin(victims)
    return flags


def study_persons(raw: Path) -> pd.DataFrame:
    dbt_vars = default_vars()
    register = persons(raw)
    history = om_history(raw, (dbt_vars["om_window_start"], dbt_vars["om_window_end"]))
    offenders = cohort(raw, register).assign(study_group="blsu")
    sample_keys = set(read_dataset(raw, "BLSU_STEEKPROEF")["RINPERSOON"])
    controls = matched_controls(register, offenders, history, sample_keys,
                                dbt_vars["victim_window_start"], int(dbt_vars["matching_seed"]))
    population = pd.concat([offenders[["RINPERSOON", "study_group", "sex", "birth_year"]],
                            controls], ignore_index=True)
    window = (dbt_vars["victim_window_start"], dbt_vars["victim_window_end"])
    table = population.merge(lvb_flags(raw, population["RINPERSOON"].drop_duplicates()),
                             on="RINPERSOON")
    return table.merge(victimisation_flags(raw, population["RINPERSOON"].drop_duplicates(),
                                           window), on="RINPERSOON")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", type=Path, help="raw-extract folder")
    parser.add_argument("out", type=Path, help="Parquet file of the study persons")
    args = parser.parse_args(argv)
    table = study_persons(args.raw)
    table.to_parquet(args.out, index=False)
    summary = table.groupby("study_group").agg(
        persons=("RINPERSOON", "size"), lvb=("has_lvb", "mean"), victim=("is_victim", "mean"))
    print(summary.to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
