"""A hand-made raw-extract folder with known answers (mixed formats, versions, odd cases).

Persons (all RINPERSOONS 'R' unless noted):
  offenders  O1 000000001 (man, 1990, vroeg_piek, first HT 2016-06-15)
             O2 000000002 (woman, 1985, empty profile -> estimated, first HT 2011-12-01)
             O3 000000003 (not in the register)   O4 X/000000004 (not linkable)
             O5 000000005 (man, 1990, continu, first HT 2013-01-01, no HT case in OM)
  candidates C1 criminal (1,1990); C2, C3 non-criminal (1,1990); C4 criminal (2,1985);
             C5 HT case (excluded); C6 died 2009 (excluded); C7 OM case only in 2022 (neither
             pool); C8 non-criminal (2,1985); C9 unknown sex (excluded)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat


def key(n: int) -> str:
    return f"{n:09d}"


O1, O2, O3, O4, O5 = key(1), key(2), key(3), key(4), key(5)
C1, C2, C3, C4, C5, C6, C7, C8, C9 = (key(n) for n in range(11, 20))


def _write(path: Path, rows: list[dict[str, str]], columns: list[str]) -> None:
    """Write rows as text in the format given by the file suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows, columns=columns).fillna("").astype(str)
    if path.suffix == ".parquet":
        table = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(table, path)
    elif path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        pyreadstat.write_sav(frame, str(path))


def _person(rins: str, rin: str, sex: str, year: str, month: str = "06", gen: str = "0") -> dict:
    return {
        "RINPERSOONS": rins,
        "RINPERSOON": rin,
        "GBAGESLACHT": sex,
        "GBAGEBOORTEJAAR": year,
        "GBAGEBOORTEMAAND": month,
        "GBAGENERATIE": gen,
        "GBAHERKOMSTGROEPERING": "6030",
    }


def write_raw_folder(root: Path) -> None:
    """Write the hand-made extracts under `root` (one folder per dataset)."""
    person_columns = [
        "RINPERSOONS",
        "RINPERSOON",
        "GBAGESLACHT",
        "GBAGEBOORTEJAAR",
        "GBAGEBOORTEMAAND",
        "GBAGENERATIE",
        "GBAHERKOMSTGROEPERING",
    ]
    persons = [
        _person("R", O1, "1", "1990", "05"),
        _person("R", O2, "2", "1985", "01", "1"),
        _person("R", O5, "1", "1990", "11", "-"),
        _person("R", C1, "1", "1990"),
        _person("R", C2, "1", "1990"),
        _person("R", C3, "1", "1990"),
        _person("R", C4, "2", "1985"),
        _person("R", C5, "2", "1985"),
        _person("R", C6, "2", "1985"),
        _person("R", C7, "2", "1985"),
        _person("R", C8, "2", "1985"),
        _person("R", C9, "-", "1985"),
        _person("X", O4, "1", "1990"),
    ]
    register = root / "GBAPERSOONTAB"
    _write(register / "GBAPERSOON2022TABV1.csv", persons[:2], person_columns)
    _write(register / "GBAPERSOON2023TABV1.parquet", persons, person_columns)

    _write(
        root / "GBAOVERLIJDENTAB" / "GBAOVERLIJDEN2023TABV1.csv",
        [
            {"RINPERSOONS": "R", "RINPERSOON": C6, "GBADATUMOVERLIJDEN": "20090101"},
            {"RINPERSOONS": "R", "RINPERSOON": C2, "GBADATUMOVERLIJDEN": "20150101"},
            {"RINPERSOONS": "X", "RINPERSOON": O4, "GBADATUMOVERLIJDEN": "20200101"},
        ],
        ["RINPERSOONS", "RINPERSOON", "GBADATUMOVERLIJDEN"],
    )

    om_columns = [
        "RINPERSOONS",
        "RINPERSOON",
        "OMZAAKNUMMER",
        "OMINSCHRIJVINGSDATUM",
        "OMPLEEGDATUM",
        "FEITCODE",
    ]

    def om(rins: str, rin: str, case: str, reg: str, pleeg: str, code: str) -> dict:
        return dict(zip(om_columns, (rins, rin, case, reg, pleeg, code), strict=True))

    _write(
        root / "OMZAKEN" / "OMZAKEN2005TABV1.csv",
        [
            om("R", O1, "Z2", "20050401", "20050301", "SR:310"),
            om("R", O2, "Z3", "20050601", "", "SR:310"),
            om("R", C1, "Z6", "20050601", "20050501", "SR:310"),
            om("X", key(99), "Z10", "20050601", "20050501", "SR:310"),
        ],
        om_columns,
    )
    _write(
        root / "OMZAKEN" / "OMZAKEN2012TABV1.parquet",
        [
            om("R", O2, "Z4", "20120105", "20111201", "SR:273F"),
            om("R", C4, "Z7", "20120601", "20120501", "SR:350"),
            om("R", C4, "Z7", "20120601", "20120501", "XX:999"),
            om("R", C5, "Z8", "20120601", "20120501", "SR:273F"),
        ],
        om_columns,
    )
    _write(
        root / "OMZAKEN" / "OMZAKEN2016TABV1.sav",
        [
            om("R", O1, "Z1", "20160701", "20160615", "SR:273F"),
            om("R", O5, "Z5", "20160201", "20130101", "SR:300"),
            om("R", C7, "Z9", "20220101", "20211201", "SR:310"),
        ],
        om_columns,
    )

    _write(
        root / "BLSU_STEEKPROEF" / "BLSU_STEEKPROEF.csv",
        [
            {
                "rinpersoons": "R",
                "rinpersoon": O1,
                "omzaaknummer": "Z1",
                "pleegdatum_eerste_mh": "20160615",
                "daderprofiel": "vroeg_piek",
            },
            {
                "rinpersoons": "R",
                "rinpersoon": O2,
                "omzaaknummer": "Z4",
                "pleegdatum_eerste_mh": "20111201",
                "daderprofiel": "",
            },
            {
                "rinpersoons": "R",
                "rinpersoon": O3,
                "omzaaknummer": "Z11",
                "pleegdatum_eerste_mh": "20140101",
                "daderprofiel": "laat_piek",
            },
            {
                "rinpersoons": "X",
                "rinpersoon": O4,
                "omzaaknummer": "Z12",
                "pleegdatum_eerste_mh": "20140101",
                "daderprofiel": "continu",
            },
            {
                "rinpersoons": "R",
                "rinpersoon": O5,
                "omzaaknummer": "Z5",
                "pleegdatum_eerste_mh": "20130101",
                "daderprofiel": "continu",
            },
        ],
        ["rinpersoons", "rinpersoon", "omzaaknummer", "pleegdatum_eerste_mh", "daderprofiel"],
    )

    ao_columns = ["RINPERSOONS", "RINPERSOON", "AOJAAR", "AOREGELING", "AODIAGNOSECODE"]
    _write(
        root / "AO_2015_2021" / "AO2015_2021V1.csv",
        [dict(zip(ao_columns, ("R", O2, "2016", "WAJONG", "O602"), strict=True))],
        ao_columns,
    )
    _write(
        root / "AO_2015_2021" / "AO2015_2021V2.parquet",
        [
            dict(zip(ao_columns, ("R", O1, "2015", "WAJONG", "O602"), strict=True)),
            dict(zip(ao_columns, ("R", C1, "2022", "WIA", "O602"), strict=True)),
            dict(zip(ao_columns, ("R", C2, "2021", "WIA", "O999"), strict=True)),
            dict(zip(ao_columns, ("R", C3, "2021", "WAO", "O303"), strict=True)),
        ],
        ao_columns,
    )
    ciz_columns = ["RINPERSOONS", "RINPERSOON", "CIZBESLUITDATUM", "CIZZZP"]
    _write(
        root / "CIZ_2017_2021" / "CIZ2017_2021V1.sav",
        [
            dict(zip(ciz_columns, ("R", O5, "20211231", "781"), strict=True)),
            dict(zip(ciz_columns, ("R", C4, "20161231", "781"), strict=True)),
            dict(zip(ciz_columns, ("R", O2, "20170101", "790"), strict=True)),
        ],
        ciz_columns,
    )
    wsw_columns = ["RINPERSOONS", "RINPERSOON", "WSWJAAR", "WSWHANDICAPCODE"]
    _write(
        root / "WSW_2015_2021" / "WSW2015_2021V1.csv",
        [
            dict(zip(wsw_columns, ("R", C8, "2015", "21"), strict=True)),
            dict(zip(wsw_columns, ("R", O1, "2014", "110"), strict=True)),
            dict(zip(wsw_columns, ("R", C2, "2017", "021"), strict=True)),
        ],
        wsw_columns,
    )

    police_columns = [
        "RINPERSOONS",
        "RINPERSOON",
        "VOORVALNUMMER",
        "ROL",
        "FEITCODE",
        "PLEEGDATUM",
        "REGISTRATIEDATUM",
    ]

    def police(rins: str, rin: str, inc: str, rol: str, code: str, pleeg: str, reg: str) -> dict:
        return dict(zip(police_columns, (rins, rin, inc, rol, code, pleeg, reg), strict=True))

    sloaang = root / "SLOAANG"
    _write(
        sloaang / "SLOAANG2009CBKV1.csv",
        [police("R", O1, "I4", "S", "SR:300", "20091201", "20091231")],
        police_columns,
    )
    _write(
        sloaang / "SLOAANG2012CBKV1.sav",
        [
            police("R", O5, "I5", "S", "XX:123", "", "20120101"),
            police("R", O2, "I6", "A", "SR:310", "20110101", "20110105"),
        ],
        police_columns,
    )
    _write(
        sloaang / "SLOAANG2015CBKV1.csv",
        [police("R", O1, "I3", "S", "SR:285", "20150101", "20150102")],
        police_columns,
    )
    mixed_case = [
        "RinPersoonS",
        "rinpersoon",
        "VoorvalNummer",
        "rol",
        "FeitCode",
        "PleegDatum",
        "RegistratieDatum",
    ]
    rows_2015 = [
        police("R", O1, "I1", "A", "SR:300", "20130615", "20150102"),
        police("R", O1, "I1", "S", "SR:300", "20130615", "20150102"),
        police("R", O1, "I1", "S", "SR:310", "20130615", "20150102"),
        police("R", C2, "I7", "A", "WVW:8", "20150301", "20150302"),
        police("X", key(99), "I7", "S", "WVW:8", "20150301", "20150302"),
        police("R", C4, "I8", "V", "SR:300", "20150401", "20150402"),
    ]
    _write(
        sloaang / "SLOAANG2015CBKV2.parquet",
        [dict(zip(mixed_case, row.values(), strict=True)) for row in rows_2015],
        mixed_case,
    )
    lower = [name.lower() for name in police_columns]
    _write(
        sloaang / "SLOAANG2016CBKV1.csv",
        [
            dict(zip(lower, row.values(), strict=True))
            for row in [police("R", O1, "I2", "S", "SR:242", "20160615", "20160620")]
        ],
        lower,
    )
    _write(
        sloaang / "SLOAANG2023CBKV1.csv",
        [
            police("R", C8, "I9", "S", "SR:273F", "20231230", "20231231"),
            police("R", C8, "I10", "S", "SR:300", "20231231", "20240101"),
        ],
        police_columns,
    )
