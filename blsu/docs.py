"""`blsu docs`: the dbt documentation site as one self-contained HTML file, offline.

`dbt docs generate --static` writes `static_index.html` with the manifest inlined: every model,
column, test and exposure with its description, and the lineage graph from the raw files through
the marts to the statistics and the report (the exposures). It runs against an empty scratch
database named like the warehouse, never the warehouse itself, so it works while a shell or a
build has the warehouse open and puts no data of it (row counts, statistics) into the file: the
catalog is left empty, the column types shown are those the YAML declares. Without raw extracts
(a fresh clone) the site is made from the parsed project, without the compiled SQL.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path

from blsu.dbt_runner import BuildError, run_dbt
from blsu_core.command import ENV_HELP, Command
from blsu_core.paths import Paths, has_extracts

DOCS_FILE = "warehouse_docs.html"


def docs_path(paths: Paths) -> Path:
    """Where the site goes by default: beside the results, as `<results>/warehouse_docs.html`."""
    return paths.results / DOCS_FILE


def generate_docs(paths: Paths, out: Path, *, quiet: bool = True) -> Path:
    """Write the static dbt docs site to `out`; return it."""
    with tempfile.TemporaryDirectory(prefix="blsu-docs-") as tmp:
        scratch = Paths(raw_dir=paths.raw_dir, db=Path(tmp) / paths.db.name, results=paths.results)
        target = Path(tmp) / "target"
        generate = ["docs", "generate", "--static", "--empty-catalog"]
        if not has_extracts(paths.raw_dir):
            # compiling reads the sources' columns from the raw folder: without one, document
            # the project as parsed (the lineage and descriptions, no compiled SQL)
            run_dbt(["parse"], scratch, quiet=quiet, target_path=target)
            generate.append("--no-compile")
        run_dbt(generate, scratch, quiet=quiet, target_path=target)
        site = target / "static_index.html"
        if not site.exists():
            raise BuildError(f"dbt docs generate wrote no {site.name}")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(site, out)
    return out


DESCRIPTION = (
    "Write the dbt documentation site (models, columns, tests, exposures and the lineage "
    "graph) as one HTML file that opens in any browser, offline. Reads the project, not the "
    "warehouse's data."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `blsu docs`."""
    parser.add_argument("-o", "--output", type=Path,
                        help=f"the HTML file (default: $BLSU_RESULTS/{DOCS_FILE})")
    parser.add_argument("--verbose", action="store_true", help="show dbt's log")


COMMAND = Command("docs", add_arguments, description=textwrap.fill(DESCRIPTION, 78),
                  epilog=ENV_HELP, as_written=True)


def run(args: argparse.Namespace) -> int:
    """`blsu docs`: 0 when the site is written, 1 when dbt fails."""
    paths = Paths.from_env()
    out = (args.output or docs_path(paths)).resolve()
    try:
        generate_docs(paths, out, quiet=not args.verbose)
    except BuildError as exc:
        print(f"blsu docs: {exc}", file=sys.stderr)
        return 1
    print(f"wrote the dbt docs site to {out} (open it in a browser)")
    return 0
