"""Dutch (default) and English labels for figures and the report."""

from __future__ import annotations

from blsu_core.project import vocabulary_labels

# the groups, profiles and report categories are labelled by their seeds; these are the rest
TEXTS: dict[str, dict[str, str]] = {
    "nl": {
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
LABELS: dict[str, dict[str, str]] = {
    lang: {**vocabulary_labels(lang), **texts} for lang, texts in TEXTS.items()
}


def labels(lang: str) -> dict[str, str]:
    """The label set of a language ('nl' or 'en')."""
    if lang not in LABELS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LABELS)}")
    return LABELS[lang]


VICTIM_TYPE_PREFIX = "victim_type_pct_among_victims_"

MEASURES: dict[str, dict[str, str]] = {
    "nl": {
        "n": "Aantal personen",
        "share": "Aandeel van de daders",
        "share_of_all_cases": "Aandeel in alle zaken van de daders",
        "mean_age_first_offence": "Gemiddelde leeftijd bij eerste delict",
        "mean_age_first_ht": "Gemiddelde leeftijd bij eerste mensenhandelfeit",
        "mean_cases_before_first_ht": "Gemiddeld aantal zaken vóór eerste mensenhandelfeit",
        "peak_age_range": "Leeftijden van de piek in delicten",
        "lvb_ratio_vs_noncriminal": "LVB-indicatie, keer zo vaak als niet-criminele controles",
        "lvb_ratio_vs_criminal": "LVB-indicatie, keer zo vaak als criminele controles",
        "profiles_differ": "Verschil tussen de vier profielen",
        "victim_any_2010_2023": "Slachtoffer 2010-2023",
        "victim_recent_3y_before_first_ht": "Slachtoffer in 3 jaar vóór eerste mensenhandelfeit",
        "recent_eligible_n": "Daders met eerste mensenhandelfeit vanaf 2013",
        "recent_eligible_share": "Aandeel daders met eerste mensenhandelfeit vanaf 2013",
        "victims_n": "Aantal slachtoffers",
        "mean_victimisations_among_victims": "Gemiddeld aantal keer slachtoffer (slachtoffers)",
        "victim_type": "Slachtoffer van {type} (onder slachtoffers)",
    },
    "en": {
        "n": "Number of persons",
        "share": "Share of the offenders",
        "share_of_all_cases": "Share of all the offenders' cases",
        "mean_age_first_offence": "Mean age at first offence",
        "mean_age_first_ht": "Mean age at first human-trafficking offence",
        "mean_cases_before_first_ht": "Mean number of cases before the first trafficking offence",
        "peak_age_range": "Ages of peak offending",
        "lvb_ratio_vs_noncriminal": "LVB indication, times as often as non-criminal controls",
        "lvb_ratio_vs_criminal": "LVB indication, times as often as criminal controls",
        "profiles_differ": "Difference between the four profiles",
        "victim_any_2010_2023": "Victim 2010-2023",
        "victim_recent_3y_before_first_ht": "Victim in the 3 years before the first trafficking "
                                            "offence",
        "recent_eligible_n": "Offenders whose first trafficking offence is in 2013 or later",
        "recent_eligible_share": "Share of offenders whose first trafficking offence is in 2013 "
                                 "or later",
        "victims_n": "Number of victims",
        "mean_victimisations_among_victims": "Mean number of victimisations (victims)",
        "victim_type": "Victim of {type} (among victims)",
    },
}

UNITS: dict[str, dict[str, str]] = {
    "nl": {"pct": "%", "pct_of_blsu": "%", "pct_of_cases": "%", "ratio": "\u00d7", "count": "keer",
           "persons": "personen", "years": "jaar", "cases": "zaken", "test": ""},
    "en": {"pct": "%", "pct_of_blsu": "%", "pct_of_cases": "%", "ratio": "\u00d7", "count": "times",
           "persons": "persons", "years": "years", "cases": "cases", "test": ""},
}


def measure_label(measure: str, lang: str) -> str:
    """A measure's name in words ('victim_type_pct_among_victims_geweld' -> 'Slachtoffer van
    geweld (onder slachtoffers)'); an unknown measure keeps its code."""
    names = MEASURES[lang]
    if measure.startswith(VICTIM_TYPE_PREFIX):
        kind = measure.removeprefix(VICTIM_TYPE_PREFIX)
        return names["victim_type"].format(type=labels(lang).get(kind, kind).lower())
    return names.get(measure, measure)


def unit_label(unit: str, lang: str) -> str:
    """The unit written after a value ('%', 'x', 'years'); an unknown unit as given."""
    return UNITS[lang].get(unit, unit)
