"""Orchestration: generate a raw-extract folder chunk by chunk and write its manifest."""

from __future__ import annotations

import itertools
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from blsu_synth import layout
from blsu_synth.codes import CATEGORIES
from blsu_synth.lvb import AO_REGELINGEN, SOURCES, code_labels, lvb_rows, unlinkable_lvb_rows
from blsu_synth.offenders import OffenderDesign, design_offenders
from blsu_synth.omcases import (
    CASE_ID_STRIDE,
    OM_FIRST_DAY,
    OM_LAST_CASE_DAY,
    all_codes,
    case_rows,
    unlinkable_case_rows,
)
from blsu_synth.params import (
    CRIMINAL_MEAN_CASES,
    GROUP_RATES,
    IMPERFECTIONS,
    PRESETS,
    PROFILES,
    calibration_parameters,
)
from blsu_synth.police import (
    INCIDENT_ID_STRIDE,
    RATE_GROUPS,
    WINDOW_FIRST_DAY,
    WINDOW_LAST_DAY,
    draw_categories,
    draw_counts,
    draw_dates,
    incident_rows,
    known_pleeg_flags,
    unlinkable_companions,
)
from blsu_synth.population import (
    GENERATION_LABELS,
    OM_CRIMINAL,
    OM_HT_OTHER,
    ORIGIN_LABELS,
    SEX_LABELS,
    People,
    birth_days,
    generate_people,
)
from blsu_synth.rows import Rows, concat, n_rows, sort_by, take
from blsu_synth.sinks import FORMATS, Sink, open_sink
from blsu_synth.text import (
    RINPERSOONS_CODES,
    date_parts,
    day,
    text_dates,
    text_int,
    text_lookup,
    text_padded,
)

GENERATOR_VERSION = "1.0.0"
DEFAULT_SEED = 20240201  # same seed, size and format: byte-identical files
MANIFEST_NAME = "manifest.json"


class GeneratorError(Exception):
    """A generation request that cannot be carried out (bad option, unusable output folder)."""


@dataclass
class Manifest:
    """What was generated: options, calibration parameters and row counts per file."""

    out_dir: Path
    seed: int
    size: str
    fmt: str
    generator_version: str
    parameters: dict[str, object]
    row_counts: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> str:
        data = {
            "generator": "blsu_synth",
            "generator_version": self.generator_version,
            "seed": self.seed,
            "size": self.size,
            "format": self.fmt,
            "calibration": self.parameters,
            "row_counts": dict(sorted(self.row_counts.items())),
        }
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------------------------------------
# output folder


def prepare_output(out_dir: Path, force: bool) -> None:
    """Create `out_dir`; refuse a non-empty one unless `force` (then clear the dataset folders)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise GeneratorError(f"output path {out_dir} exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not force:
            raise GeneratorError(
                f"output folder {out_dir} is not empty; pass --force to replace its extracts"
            )
        for name in (*layout.DATASETS, MANIFEST_NAME):
            target = out_dir / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in layout.DATASETS:
            (out_dir / name).mkdir(exist_ok=True)
        probe = out_dir / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise GeneratorError(
            f"cannot write to output folder {out_dir}: {exc.strerror or exc}"
        ) from exc


class Sinks:
    """All open files of one run, keyed by (folder, stem)."""

    def __init__(self, out_dir: Path, fmt: str) -> None:
        self.out_dir = out_dir
        self.fmt = fmt
        self.sinks: dict[tuple[str, str], Sink] = {}

    def get(self, key: tuple[str, str]) -> Sink:
        if key not in self.sinks:
            folder, stem = key
            self.sinks[key] = open_sink(
                self.fmt, self.out_dir / folder / stem, layout.COLUMNS[folder]
            )
        return self.sinks[key]

    def write(self, key: tuple[str, str], table: pa.Table) -> None:
        self.get(key).write(table)

    def close(self) -> dict[str, int]:
        counts = {}
        for (folder, stem), sink in self.sinks.items():
            sink.close()
            counts[f"{folder}/{stem}.{self.fmt}"] = sink.rows
        return counts


# ---------------------------------------------------------------------------------------------
# text tables


def _key_columns(rows: Rows) -> dict[str, pa.Array]:
    return {
        "RINPERSOONS": text_lookup(rows["rins"], RINPERSOONS_CODES),
        "RINPERSOON": text_padded(rows["rin"], 9),
    }


def register_table(people: People) -> pa.Table:
    return pa.table(
        {
            "RINPERSOONS": pa.array(["R"] * len(people)),
            "RINPERSOON": text_padded(people.rin, 9),
            "GBAGESLACHT": text_lookup(people.sex, SEX_LABELS),
            "GBAGEBOORTEJAAR": text_int(people.birth_year),
            "GBAGEBOORTEMAAND": text_padded(people.birth_month, 2),
            "GBAGENERATIE": text_lookup(people.generation, GENERATION_LABELS),
            "GBAHERKOMSTGROEPERING": text_lookup(people.origin, ORIGIN_LABELS),
        }
    )


def deaths_table(people: People) -> pa.Table:
    dead = people.death >= 0
    return pa.table(
        {
            "RINPERSOONS": pa.array(["R"] * int(dead.sum()), pa.string()),
            "RINPERSOON": text_padded(people.rin[dead], 9),
            "GBADATUMOVERLIJDEN": text_dates(people.death[dead]),
        }
    )


def om_table(rows: Rows) -> pa.Table:
    return pa.table(
        {
            **_key_columns(rows),
            "OMZAAKNUMMER": text_padded(rows["case_no"], 10, "OM"),
            "OMINSCHRIJVINGSDATUM": text_dates(rows["registration"]),
            "OMPLEEGDATUM": text_dates(rows["pleeg"]),
            "FEITCODE": text_lookup(rows["feit"], all_codes()),
        }
    )


def police_table(rows: Rows) -> pa.Table:
    return pa.table(
        {
            **_key_columns(rows),
            "VOORVALNUMMER": text_padded(rows["incident_no"], 10, "VV"),
            "ROL": text_lookup(rows["role"], ("A", "S")),
            "FEITCODE": text_lookup(rows["feit"], all_codes()),
            "PLEEGDATUM": text_dates(rows["pleeg"]),
            "REGISTRATIEDATUM": text_dates(rows["registration"]),
        }
    )


def lvb_table(source: str, rows: Rows) -> pa.Table:
    keys = _key_columns(rows)
    codes = text_lookup(rows["code"], code_labels(source))
    if source == "AO":
        return pa.table(
            {
                **keys,
                "AOJAAR": text_int(rows["year"]),
                "AOREGELING": text_lookup(rows["regeling"], AO_REGELINGEN),
                "AODIAGNOSECODE": codes,
            }
        )
    if source == "CIZ":
        return pa.table({**keys, "CIZBESLUITDATUM": text_dates(rows["year"]), "CIZZZP": codes})
    return pa.table({**keys, "WSWJAAR": text_int(rows["year"]), "WSWHANDICAPCODE": codes})


# ---------------------------------------------------------------------------------------------
# one chunk of people


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *stream])))


def _resolve_keys(rows: Rows, people: People) -> Rows:
    """Fill RINPERSOON of linked rows from the chunk's register keys."""
    if not rows:
        return rows
    start = int(people.pidx[0])
    linked = rows["rins"] == 0
    rows["rin"] = np.where(
        linked, people.rin[np.clip(rows["pidx"] - start, 0, len(people) - 1)], rows["rin"]
    )
    return rows


def _in_chunk(rows: Rows, start: int, stop: int) -> Rows:
    if not rows:
        return rows
    return take(rows, (rows["pidx"] >= start) & (rows["pidx"] < stop))


def _year_of(days: np.ndarray) -> np.ndarray:
    return date_parts(days)[0]


def place_offenders_in_chunk(people: People, design: OffenderDesign) -> np.ndarray:
    """Overwrite the offenders' register attributes; return their positions in the design."""
    start, stop = int(people.pidx[0]), int(people.pidx[-1]) + 1
    sel = np.flatnonzero((design.pidx >= start) & (design.pidx < stop))
    local = design.pidx[sel] - start
    people.sex[local] = design.sex[sel]
    people.birth_year[local] = design.birth_year[sel]
    people.birth_month[local] = design.birth_month[sel]
    people.birth_day[local] = 1
    people.death[local] = -1
    people.om_status[local] = 10 + design.profile[sel]
    return sel


def general_om_rows(rng: np.random.Generator, people: People, id_base: int) -> Rows:
    """Cases of general-population suspects: 1 + Poisson(mean - 1), dated from age 12 on."""
    who = np.flatnonzero((people.om_status == OM_CRIMINAL) | (people.om_status == OM_HT_OTHER))
    n_cases = 1 + rng.poisson(CRIMINAL_MEAN_CASES - 1, len(who))
    owner = np.repeat(who, n_cases)
    birth = birth_days(people)[owner]
    lo = np.maximum(OM_FIRST_DAY, birth + int(12 * 365.25) + 1)
    death = people.death[owner]
    hi = np.where(death >= 0, np.minimum(OM_LAST_CASE_DAY, death - 1), OM_LAST_CASE_DAY)
    days = lo + (rng.random(len(owner)) * np.maximum(hi - lo, 1)).astype(np.int64)
    first = np.ones(len(owner), bool)
    first[1:] = owner[1:] != owner[:-1]
    is_ht = first & (people.om_status[owner] == OM_HT_OTHER)
    return case_rows(rng, people.pidx[owner], days, is_ht, id_base)


def _rate_group(people: People) -> np.ndarray:
    crim = (people.om_status == OM_CRIMINAL) | (people.om_status == OM_HT_OTHER)
    return np.where(crim, RATE_GROUPS.index("criminal"), RATE_GROUPS.index("noncriminal"))


def _alive_2010(people: People) -> np.ndarray:
    return (people.death < 0) | (people.death >= WINDOW_FIRST_DAY)


def general_police_rows(rng: np.random.Generator, people: People, id_base: int) -> Rows:
    """Victimisations of the general population: the control pools' rates, independent of sex
    and birth year; only people alive on 2010-01-01 and born by 2005; dates before death."""
    active = _alive_2010(people) & (people.birth_year <= 2005) & (people.om_status < 10)
    group = _rate_group(people)
    victim_rate = np.array([GROUP_RATES[g].victim for g in RATE_GROUPS])[group]
    v = np.flatnonzero(active & (rng.random(len(people)) < victim_rate))
    counts = draw_counts(rng, group[v])
    cats = draw_categories(rng, group[v])
    owner = np.repeat(v, counts)
    death = people.death[owner]
    hi = np.where(death >= 0, np.minimum(death, WINDOW_LAST_DAY), WINDOW_LAST_DAY)
    lo = np.full(len(owner), WINDOW_FIRST_DAY)
    dates = draw_dates(rng, lo, hi)
    return incident_rows(
        rng, people.pidx[v], counts, cats, dates, known_pleeg_flags(rng, len(owner)), id_base
    )


def police_2009_rows(rng: np.random.Generator, people: People, id_base: int) -> Rows:
    """Registrations in 2009 (outside the window), PLEEGDATUM unknown so none spills into 2010."""
    alive = (people.death < 0) | (people.death >= day("2009-12-31"))
    who = np.flatnonzero(
        alive
        & (people.birth_year <= 2005)
        & (rng.random(len(people)) < IMPERFECTIONS.police_2009_share)
    )
    group = np.full(len(who), RATE_GROUPS.index("noncriminal"))
    counts = np.ones(len(who), np.int64)
    dates = draw_dates(
        rng, np.full(len(who), day("2009-01-01")), np.full(len(who), day("2009-12-31"))
    )
    return incident_rows(
        rng,
        people.pidx[who],
        counts,
        draw_categories(rng, group),
        dates,
        np.zeros(len(who), bool),
        id_base,
    )


def corrected_v1(rng: np.random.Generator, v2: Rows, bogus: Rows, id_key: str) -> Rows:
    """An older version of a corrected file: some V2 records missing, some bogus ones extra."""
    if not v2:
        return bogus
    ids = v2[id_key]
    uniq = np.unique(ids)
    dropped = uniq[rng.random(len(uniq)) < IMPERFECTIONS.corrected_drop_share]
    return concat([take(v2, ~np.isin(ids, dropped)), bogus])


def lvb_general(
    rng: np.random.Generator, people: People, offender_sel: np.ndarray, design: OffenderDesign
) -> dict[str, Rows]:
    """LVB records: Bernoulli indications for the general population, exact offender flags."""
    alive = _alive_2010(people)
    general = alive & (people.om_status < 10)
    rate = np.array([GROUP_RATES[g].lvb for g in RATE_GROUPS])[_rate_group(people)]
    indicated = people.pidx[general & (rng.random(len(people)) < rate)]
    offenders = design.pidx[offender_sel][design.lvb[offender_sel]]
    return lvb_rows(rng, np.concatenate([indicated, offenders]), people.pidx[alive])


class ChunkWriter:
    """Generates and writes everything that belongs to one chunk of people."""

    def __init__(self, seed: int, sinks: Sinks, design: OffenderDesign, n_persons: int) -> None:
        self.seed = seed
        self.sinks = sinks
        self.design = design
        self.n_persons = n_persons
        self.offender_rin = np.zeros(len(design.pidx), np.int64)

    def run(self, chunk_id: int, start: int, stop: int) -> None:
        rng = _rng(self.seed, 1, chunk_id)
        people = generate_people(rng, start, stop, self.n_persons)
        sel = place_offenders_in_chunk(people, self.design)
        self.offender_rin[sel] = people.rin[self.design.pidx[sel] - start]
        self.sinks.write(layout.register_file(), register_table(people))
        self.sinks.write(layout.deaths_file(), deaths_table(people))
        self._om(rng, people, chunk_id, start, stop)
        self._lvb(rng, people, sel)
        self._police(rng, people, chunk_id, start, stop)

    def _om(
        self, rng: np.random.Generator, people: People, chunk_id: int, start: int, stop: int
    ) -> None:
        base = chunk_id * CASE_ID_STRIDE
        general = general_om_rows(rng, people, base)
        n_unlinked = int(np.ceil(n_rows(general) * IMPERFECTIONS.non_r_share))
        unlinked = unlinkable_case_rows(
            rng, n_unlinked, people.pidx, base + 9 * CASE_ID_STRIDE // 10
        )
        rows = concat([general, _in_chunk(self.design.om_rows, start, stop), unlinked])
        rows = sort_by(_resolve_keys(rows, people), "pidx", "case_no")
        years = _year_of(rows["registration"])
        for year in layout.OM_YEARS:
            part = take(rows, years == year)
            if n_rows(part):
                self.sinks.write(layout.om_file(year), om_table(part))
            else:
                self.sinks.get(layout.om_file(year))

    def _lvb(self, rng: np.random.Generator, people: People, sel: np.ndarray) -> None:
        records = lvb_general(rng, people, sel, self.design)
        for source in SOURCES:
            rows = concat([records[source], unlinkable_lvb_rows(rng, source, people.pidx)])
            rows = sort_by(_resolve_keys(rows, people), "pidx")
            if source == "AO":
                bogus = lvb_rows(
                    rng, rng.choice(people.pidx, max(1, len(people) // 2000)), people.pidx[:0]
                )["AO"]
                old = sort_by(_resolve_keys(corrected_v1(rng, rows, bogus, "pidx"), people), "pidx")
                self.sinks.write(layout.lvb_file("AO", 1), lvb_table("AO", old))
                self.sinks.write(layout.lvb_file("AO", 2), lvb_table("AO", rows))
            else:
                self.sinks.write(layout.lvb_file(source, 1), lvb_table(source, rows))

    def _police(
        self, rng: np.random.Generator, people: People, chunk_id: int, start: int, stop: int
    ) -> None:
        base = chunk_id * INCIDENT_ID_STRIDE
        general = general_police_rows(rng, people, base)
        offenders = _in_chunk(self.design.police_rows, start, stop)
        linked = concat([general, offenders])
        rows = concat([linked, unlinkable_companions(rng, linked)])
        rows = sort_by(_resolve_keys(rows, people), "pidx", "incident_no", "role")
        years = _year_of(rows["registration"])
        for year in layout.POLICE_YEARS:
            part = take(rows, years == year)
            if year == IMPERFECTIONS.corrected_police_year:
                self._corrected_police(rng, people, part, base, year)
            else:
                self.sinks.write(layout.police_file(year), police_table(part))
        extra = _resolve_keys(
            police_2009_rows(rng, people, base + 8 * INCIDENT_ID_STRIDE // 10), people
        )
        self.sinks.write(
            layout.police_file(2009), police_table(sort_by(extra, "pidx", "incident_no"))
        )

    def _corrected_police(
        self, rng: np.random.Generator, people: People, v2: Rows, base: int, year: int
    ) -> None:
        n_bogus = max(1, int(len(people) * IMPERFECTIONS.corrected_extra_share * 0.1))
        who = rng.choice(people.pidx, n_bogus)
        group = np.full(n_bogus, RATE_GROUPS.index("noncriminal"))
        dates = draw_dates(
            rng, np.full(n_bogus, day(f"{year}-01-01")), np.full(n_bogus, day(f"{year}-12-31"))
        )
        bogus = incident_rows(
            rng,
            who,
            np.ones(n_bogus, np.int64),
            draw_categories(rng, group),
            dates,
            np.zeros(n_bogus, bool),
            base + 9 * INCIDENT_ID_STRIDE // 10,
        )
        bogus = _resolve_keys(bogus, people)
        old = sort_by(corrected_v1(rng, v2, bogus, "incident_no"), "pidx", "incident_no", "role")
        self.sinks.write(layout.police_file(year, 1), police_table(old))
        self.sinks.write(layout.police_file(year, 2), police_table(v2))


def sample_table(design: OffenderDesign, rins: np.ndarray) -> pa.Table:
    order = np.argsort(rins, kind="stable")
    return pa.table(
        {
            "RINPERSOONS": pa.array(["R"] * len(rins), pa.string()),
            "RINPERSOON": text_padded(rins[order], 9),
            "OMZAAKNUMMER": text_padded(design.sample_case_no[order], 10, "OM"),
            "PLEEGDATUM_EERSTE_MH": text_dates(design.ht_day[order]),
            "DADERPROFIEL": text_lookup(design.profile[order], PROFILES),
        }
    )


# ---------------------------------------------------------------------------------------------
# entry point


def validate_options(size: str, fmt: str) -> None:
    if size not in PRESETS:
        raise GeneratorError(f"unknown size preset {size!r}; choose one of {', '.join(PRESETS)}")
    if fmt not in FORMATS:
        raise GeneratorError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def generate(
    out_dir: Path,
    size: str = "default",
    seed: int = DEFAULT_SEED,
    fmt: str = "parquet",
    force: bool = False,
    progress: bool = True,
) -> Manifest:
    """Write a synthetic raw-extract folder (contract: docs raw_extracts) and its manifest.

    Deterministic: the same seed, size and format give byte-identical files. Chunks of people are
    generated from independent random streams (seed, chunk number), so memory stays bounded by
    the chunk size whatever the total.
    """
    out_dir = Path(out_dir)
    validate_options(size, fmt)
    preset = PRESETS[size]
    prepare_output(out_dir, force)
    design = design_offenders(_rng(seed, 0), preset.n_offenders, preset.n_persons, 0, 0)
    sinks = Sinks(out_dir, fmt)
    writer = ChunkWriter(seed, sinks, design, preset.n_persons)
    bounds = [*list(range(0, preset.n_persons, preset.chunk_size)), preset.n_persons]
    chunks = list(itertools.pairwise(bounds))
    bar = tqdm(
        total=preset.n_persons, disable=not progress, unit="persons", desc=f"blsu_synth {size}"
    )
    try:
        for chunk_id, (start, stop) in enumerate(chunks, start=1):
            writer.run(chunk_id, start, stop)
            bar.update(stop - start)
        sinks.write(layout.sample_file(), sample_table(design, writer.offender_rin))
    finally:
        bar.close()
        counts = sinks.close()
    manifest = Manifest(
        out_dir=out_dir,
        seed=seed,
        size=size,
        fmt=fmt,
        generator_version=GENERATOR_VERSION,
        parameters={
            "preset": {
                "n_persons": preset.n_persons,
                "n_offenders": preset.n_offenders,
                "chunk_size": preset.chunk_size,
            },
            "report_categories": list(CATEGORIES),
            **calibration_parameters(),
        },
        row_counts=counts,
    )
    (out_dir / MANIFEST_NAME).write_text(manifest.to_json(), encoding="utf-8")
    return manifest
