"""The dbt project's own files as Python reads them: the seeds (vocabularies, code lists) and the
vars of dbt_project.yml (the study parameters).

Both have one home in the dbt project; the generator, the statistics and the command read them
from there rather than restating a code, a label or a default.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILE = PROJECT_ROOT / "dbt_project.yml"
SEEDS_DIR = PROJECT_ROOT / "seeds"
LANGUAGES = ("nl", "en")

#: vocabulary seed -> its code column
VOCABULARIES: dict[str, str] = {
    "study_groups": "study_group",
    "profiles": "profile",
    "report_categories": "report_category",
    "lvb_sources": "source",
}


class ProjectError(ValueError):
    """A seed or dbt_project.yml that cannot be read; the message names file, row and column."""


@dataclass(frozen=True)
class Term:
    """One entry of a vocabulary seed: its code and its label per language."""

    code: str
    labels: dict[str, str]
    row: dict[str, str]


def read_seed(name: str, seeds_dir: Path = SEEDS_DIR) -> list[dict[str, str]]:
    """The rows of seeds/<name>.csv as dictionaries."""
    path = seeds_dir / f"{name}.csv"
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise ProjectError(f"seed {path} cannot be read: {exc}") from exc


@cache
def vocabulary(name: str) -> tuple[Term, ...]:
    """The terms of a vocabulary seed in its sort order (file order when it has none)."""
    column = VOCABULARIES[name]
    rows = read_seed(name)
    terms = []
    for lineno, row in enumerate(rows, start=2):
        missing = [c for c in (column, *(f"label_{lang}" for lang in LANGUAGES)) if not row.get(c)]
        if missing:
            raise ProjectError(
                f"{SEEDS_DIR / name}.csv line {lineno}: column {missing[0]} is empty")
        labels = {lang: row[f"label_{lang}"] for lang in LANGUAGES}
        terms.append(Term(row[column], labels, row))
    if "sort_order" in (rows[0] if rows else {}):
        terms.sort(key=lambda term: int(term.row["sort_order"]))
    return tuple(terms)


def codes(name: str) -> tuple[str, ...]:
    """The codes of a vocabulary seed in its sort order."""
    return tuple(term.code for term in vocabulary(name))


def vocabulary_labels(lang: str) -> dict[str, str]:
    """code -> label in one language, over every vocabulary seed."""
    return {term.code: term.labels[lang] for name in VOCABULARIES for term in vocabulary(name)}


def default_vars(project_file: Path = PROJECT_FILE) -> dict[str, Any]:
    """The vars of dbt_project.yml with their default values (the study parameters)."""
    try:
        project = yaml.safe_load(project_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProjectError(f"{project_file}: cannot read the vars: {exc}") from exc
    return dict((project or {}).get("vars") or {})


def study_var(name: str, project_file: Path = PROJECT_FILE) -> Any:
    """One var's default; an error naming the file when it is not there."""
    params = default_vars(project_file)
    if name not in params:
        raise ProjectError(f"{project_file}: vars lack {name}")
    return params[name]
