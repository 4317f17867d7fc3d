"""`blsu sensitivity` end to end on small extracts: a variant restating the main vars
reproduces the main results, a variant with another window changes exactly what depends on the
window (checked by hand in SQL), broken variants are named and the rest still runs, the lock is
respected, and the statistics keep the results only for their own warehouse."""

from __future__ import annotations

import hashlib
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pandas as pd

from blsu.lock import EXIT_LOCKED, warehouse_lock
from python_stats.sensitivity import Stamp, current

NUMBERS = ["value", "ci_low", "ci_high", "n", "n_events", "suppressed", "band"]


def table(results: Path) -> pd.DataFrame:
    return pd.read_csv(results / "sensitivity.csv", dtype=str, keep_default_na=False)


def rows(frame: pd.DataFrame, variant: str, unit_is_test: bool = False) -> pd.DataFrame:
    chosen = frame[(frame["variant"] == variant) & ((frame["unit"] == "test") == unit_is_test)]
    return chosen.set_index(["figure", "measure", "group", "comparison"]).sort_index()


def test_a_variant_with_the_main_vars_reproduces_the_main_results(ran) -> None:
    frame = table(ran.site.results)
    main, same = rows(frame, "main"), rows(frame, "same")
    assert len(main) == 18
    pd.testing.assert_frame_equal(same[NUMBERS], main[NUMBERS])
    verdicts = same[["holds_direction", "holds_band", "inside_main_interval"]]
    assert set(verdicts.to_numpy().ravel()) <= {"True", ""}
    assert (same["holds_direction"] == "True").any()
    pd.testing.assert_frame_equal(rows(frame, "same", True)[["band"]],
                                  rows(frame, "main", True)[["band"]])
    # the main rows are the results' own tables
    a2 = pd.read_csv(ran.site.results / "table_A2.csv", dtype=str, keep_default_na=False)
    shown = a2[a2["measure"] == "victim_any_2010_2023"].set_index("group")
    for group, row in main.loc[("A2", "victim_any_2010_2023")].iterrows():
        assert row["value"] == shown.loc[group[0], "value"]
        assert row["n_events"] == shown.loc[group[0], "n_events"]


def rounded(count: int, base: int = 5) -> int:
    return int(Decimal(count / base).quantize(Decimal(1), ROUND_HALF_UP)) * base


def victims_by_hand(db: Path, end: str) -> dict[str, tuple[int, int]]:
    """group -> (persons with a police registration as reporter or victim in 2010..end,
    persons), counted on the main warehouse's staging view and mart."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        found = con.execute(
            """
            with registered as (
                select distinct rinpersoons, rinpersoon
                from staging.stg_cbs__police_registrations
                where role in ('A', 'S')
                    and registration_date between date '2010-01-01' and cast(? as date)
            )
            select study_group, count(registered.rinpersoon), count(*)
            from marts.fct_study_persons as persons
            left join registered using (rinpersoons, rinpersoon)
            group by study_group
            """, [end]).fetchall()
    finally:
        con.close()
    return {group: (k, n) for group, k, n in found}


def test_a_window_variant_changes_exactly_the_numbers_that_depend_on_it(ran) -> None:
    frame = table(ran.site.results)
    main, window = rows(frame, "main"), rows(frame, "window_to_2017")
    lvb = [key for key in main.index if key[0] == "A1"]
    pd.testing.assert_frame_equal(window.loc[lvb, NUMBERS], main.loc[lvb, NUMBERS])
    by_hand = victims_by_hand(ran.site.db, "2017-12-31")
    for group in ("blsu", "noncriminal_control"):
        k, n = by_hand[group]
        share = Decimal(100 * rounded(k) / rounded(n)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        row = window.loc[("A2", "victim_any_2010_2023", group)].iloc[0]
        assert float(row["value"]) == float(share)
        assert (row["n_events"], row["n"]) == (str(rounded(k)), str(rounded(n)))
        before = main.loc[("A2", "victim_any_2010_2023", group)].iloc[0]
        assert float(row["value"]) < float(before["value"])


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


BROKEN = """
variants:
  - name: typo
    family: broken
    description: Names a var the project does not have.
    vars: {victim_window_ends: "2021-12-31"}
  - name: bad_profile_source
    family: broken
    description: Asks for a profile source the models do not know.
    vars: {profile_source: police}
  - name: min_cell_15
    family: disclosure
    description: Withholds what rests on fewer than 15 persons.
    stats: {min_cell: 15}
"""


def test_broken_variants_are_named_after_the_others_finish_and_change_nothing(ran) -> None:
    site = ran.site
    before = digest(site.results)
    proc = site.blsu("sensitivity", "--variants", str(site.variants("broken.yml", BROKEN)),
                     "--jobs", "2")
    assert proc.returncode == 1, proc.stderr
    err = proc.stderr
    assert ("variant typo failed: unknown var victim_window_ends: dbt_project.yml declares no "
            "such var") in err
    assert "variant bad_profile_source failed: dbt build failed: compilation error in model" in err
    assert "var profile_source must be 'stated' or 'estimated', got 'police'" in err
    assert "variant 3 of 3:" in err and "min_cell_15 (" in err
    assert digest(site.results) == before
    partial = table(site.root / "results.sensitivity-partial")
    failed = partial[partial["note"].str.startswith("failed:")]
    assert sorted(failed["variant"]) == ["bad_profile_source", "typo"]
    assert (partial["variant"] == "min_cell_15").sum() == len(rows(partial, "main")) + len(
        rows(partial, "main", True))
    assert not list(site.root.glob(".blsu.duckdb.build-*"))


def test_a_held_lock_is_respected(built) -> None:
    path = built.variants("one.yml", "variants:\n  - {name: a, family: f, description: d., "
                          "stats: {min_cell: 15}}\n")
    with warehouse_lock(built.db, "a test"):
        proc = built.blsu("sensitivity", "--variants", str(path))
    assert proc.returncode == EXIT_LOCKED
    assert "is being written by pid" in proc.stderr and "a test" in proc.stderr


def test_the_statistics_keep_the_results_of_their_own_warehouse_only(ran) -> None:
    site = ran.site
    assert site.blsu("stats", "--quiet").returncode == 0
    assert (site.results / "sensitivity.csv").exists()
    assert "sensitivity_victim_any_2010_2023.png" in {p.name for p in site.results.iterdir()}
    assert 'id="sensitivity"' in (site.results / "report.html").read_text(encoding="utf-8")
    assert site.blsu("check-output", str(site.results)).returncode == 0
    record = json.loads((site.results / "sensitivity.json").read_text(encoding="utf-8"))
    stamp = Stamp(*(record[k] for k in ("warehouse_digest", "round_base", "min_cell", "seed")))
    copy = site.root / "copy"
    copy.mkdir()
    for name in ("sensitivity.csv", "sensitivity.json"):
        (copy / name).write_bytes((site.results / name).read_bytes())
    assert current(copy, stamp) is not None
    assert current(copy, Stamp("another build", stamp.round_base, stamp.min_cell,
                               stamp.seed)) is None
    assert not any(copy.iterdir())


def test_progress_names_each_variant(ran) -> None:
    lines = [x for x in ran.proc.stderr.splitlines() if x.startswith("variant ")]
    assert len(lines) == 2
    assert all(" of 2: " in x and "elapsed, about" in x for x in lines)
    seconds = re.search(r"\(([\d.]+) s, trajectory model ([\d.]+) s\)", lines[0])
    assert seconds and 0 < float(seconds[2]) < float(seconds[1])
