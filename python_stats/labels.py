"""Dutch (default) and English labels for figures and the report."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "blsu": "Daders BL-SU", "criminal_control": "Criminele controlegroep",
        "noncriminal_control": "Niet-criminele controlegroep",
        "incidenteel": "Incidenteel", "vroeg_piek": "Vroeg piek", "laat_piek": "Laat piek",
        "continu": "Continu",
        "vermogen": "Vermogen", "geweld": "Geweld",
        "vernieling_openbare_orde": "Vernieling/openbare orde", "verkeer": "Verkeer",
        "overig": "Overig", "zeden": "Zeden", "mensenhandel": "Mensenhandel",
        "A1_title": "Figuur A1. LVB-indicatie: keer zo vaak als de niet-criminele controlegroep",
        "A1_x": "Ratio t.o.v. niet-criminele controlegroep (1 = even vaak)",
        "A2_title": "Figuur A2. Slachtofferschap",
        "A2_any": "Slachtoffer 2010-2023 (%)",
        "A2_recent": "Slachtoffer in 3 jaar vóór eerste mensenhandelfeit (%)",
        "A2_mean": "Gemiddeld aantal keer slachtoffer (slachtoffers)",
        "A3_title": "Figuur A3. Type delict onder slachtoffers (%)",
        "A3_groups": "Daders en controlegroepen", "A3_profiles": "Daderprofielen",
        "suppressed": "Ontbrekende balk: onderdrukt (minder dan {n} personen)",
        "not_estimable": "niet te schatten",
    },
    "en": {
        "blsu": "BL-SU offenders", "criminal_control": "Criminal control group",
        "noncriminal_control": "Non-criminal control group",
        "incidenteel": "Incidental", "vroeg_piek": "Early peak", "laat_piek": "Late peak",
        "continu": "Continuous",
        "vermogen": "Property", "geweld": "Violence",
        "vernieling_openbare_orde": "Vandalism/public order", "verkeer": "Traffic",
        "overig": "Other", "zeden": "Sexual offences", "mensenhandel": "Human trafficking",
        "A1_title": "Figure A1. LVB indication: times as often as the non-criminal controls",
        "A1_x": "Ratio to the non-criminal control group (1 = equally often)",
        "A2_title": "Figure A2. Victimisation",
        "A2_any": "Victim 2010-2023 (%)",
        "A2_recent": "Victim in the 3 years before the first trafficking offence (%)",
        "A2_mean": "Mean number of victimisations (victims)",
        "A3_title": "Figure A3. Offence type among victims (%)",
        "A3_groups": "Offenders and control groups", "A3_profiles": "Offender profiles",
        "suppressed": "Missing bar: suppressed (fewer than {n} persons)",
        "not_estimable": "not estimable",
    },
}


def labels(lang: str) -> dict[str, str]:
    """The label set of a language ('nl' or 'en')."""
    if lang not in LABELS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LABELS)}")
    return LABELS[lang]
