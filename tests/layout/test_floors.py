"""The packages stand in floors, and every import goes down: no package imports one on its own
floor or above it, so none imports the command line back and no two packages import each other.

FLOORS is the one declaration of the floors (docs/architecture.md draws them). The imports are
read from every module's source (`ast`), at any depth: those inside functions and under
TYPE_CHECKING count as much as those at the top.
"""

from __future__ import annotations

import ast
import fnmatch
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: The floors from the bottom up. A module may import modules of its own package and of the
#: packages on floors below its own; never of another package on its floor or of one above.
FLOORS: tuple[tuple[str, ...], ...] = (
    # the foundation: vocabularies and vars of the dbt project, paths, the raw-extract contract,
    # the warehouse record, the command line's common ground
    ("blsu_core",),
    # the data's way into the warehouse: synthetic raw extracts, their ingestion, and the
    # trajectory model that the dbt build runs
    ("blsu_synth", "blsu_ingest", "gbtm"),
    # the statistics on the marts: disclosure-controlled results
    ("python_stats",),
    # the `blsu` command and the orchestration: build, refresh, swap, lock, sql, docs
    ("blsu",),
)

Edge = tuple[str, str, str, int]  # importing package, imported package, file, line


def floor_of(floors: tuple[tuple[str, ...], ...]) -> dict[str, int]:
    return {package: level for level, packages in enumerate(floors) for package in packages}


def imported_modules(source: str, here: list[str]) -> Iterator[tuple[str, int]]:
    """The absolute names of the modules a module's source imports, with their lines; `here`
    is the module's package path (for relative imports)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the file's own package
                base = here[: len(here) - node.level + 1]
                yield ".".join([*base, *([node.module] if node.module else [])]), node.lineno
            else:
                yield node.module or "", node.lineno


def package_imports(packages: Iterable[str]) -> list[Edge]:
    """Every import of one project package by another."""
    known = set(packages)
    edges = []
    for package in sorted(known):
        for path in sorted((ROOT / package).rglob("*.py")):
            here = [package, *path.relative_to(ROOT / package).parent.parts]
            for module, line in imported_modules(path.read_text(encoding="utf-8"), here):
                target = module.split(".")[0]
                if target in known and target != package:
                    edges.append((package, target, str(path.relative_to(ROOT)), line))
    return edges


def wrong_way(edges: Iterable[Edge], floors: tuple[tuple[str, ...], ...]) -> list[str]:
    """The imports that go up a floor or sideways, in words."""
    level = floor_of(floors)
    found = []
    for source, target, file, line in edges:
        if level[target] >= level[source]:
            way = "up a floor" if level[target] > level[source] else "sideways, on its floor"
            found.append(f"{file}:{line}: {source} imports {target} ({way})")
    return found


def circles(edges: Iterable[Edge]) -> list[list[str]]:
    """The circles of packages that import each other, each from its smallest name."""
    graph: dict[str, set[str]] = {}
    for source, target, _, _ in edges:
        graph.setdefault(source, set()).add(target)
    found: set[tuple[str, ...]] = set()

    def walk(path: list[str]) -> None:
        for nxt in sorted(graph.get(path[-1], ())):
            if nxt == path[0]:
                start = path.index(min(path))
                found.add(tuple(path[start:] + path[:start]))
            elif nxt not in path and nxt > path[0]:
                walk([*path, nxt])

    for package in sorted(graph):
        walk([package])
    return [list(circle) for circle in sorted(found)]


def packages_on_disk() -> set[str]:
    return {path.parent.name for path in ROOT.glob("*/__init__.py")}


def with_subpackages(package: str) -> list[str]:
    """A package and every package inside it, by the dotted names the wheel's `include`
    patterns are matched against."""
    return sorted(".".join(path.parent.relative_to(ROOT).parts)
                  for path in (ROOT / package).rglob("__init__.py"))


def test_every_package_has_one_floor_and_is_installed() -> None:
    declared = [package for floor in FLOORS for package in floor]
    assert len(declared) == len(set(declared))
    assert set(declared) == packages_on_disk()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = project["tool"]["setuptools"]["packages"]["find"]["include"]
    for package in (name for top in declared for name in with_subpackages(top)):
        assert any(fnmatch.fnmatch(package, pattern) for pattern in include), package
    for pattern in include:
        assert any(fnmatch.fnmatch(package, pattern) for package in declared), pattern


def test_every_import_goes_down_a_floor() -> None:
    edges = package_imports(packages_on_disk())
    assert edges, "no import between packages found: the reading of imports is broken"
    assert wrong_way(edges, FLOORS) == []
    assert circles(edges) == []


@pytest.mark.parametrize(("source", "code", "expected"), [
    ("blsu_synth", "from blsu.cli import main", "blsu_synth imports blsu (up a floor)"),
    ("gbtm", "import blsu_synth.params", "gbtm imports blsu_synth (sideways, on its floor)"),
    ("python_stats", "def f():\n    from blsu_core import record",
     None),  # down: allowed, however deep in a function
])
def test_the_rule_finds_an_import_up_or_sideways(source: str, code: str,
                                                  expected: str | None) -> None:
    [(module, line)] = imported_modules(code, [source])
    target = module.split(".")[0]
    found = wrong_way([(source, target, "x.py", line)], FLOORS)
    assert found == ([] if expected is None else [f"x.py:{line}: {expected}"])


def test_relative_imports_are_read_from_their_package() -> None:
    code = "from .inventory import FileEntry\nfrom .. import paths\nfrom . import readers"
    assert [name for name, _ in imported_modules(code, ["blsu_ingest", "sub"])] == [
        "blsu_ingest.sub.inventory", "blsu_ingest", "blsu_ingest.sub"]


def test_circles_are_named() -> None:
    edges = [("a", "b", "a.py", 1), ("b", "c", "b.py", 1), ("c", "a", "c.py", 1),
             ("c", "d", "c.py", 2)]
    assert circles(edges) == [["a", "b", "c"]]
    assert circles(edges[:2]) == []
