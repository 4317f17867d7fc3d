"""`blsu sql`: ad-hoc SQL on the warehouse, interactive or one query, on DuckDB's Python API.

The warehouse is opened read-only unless `--write` is given, so a query that would change it is
refused by DuckDB itself (temporary tables still work). Files of `analysis/` run by name, with
ref() and var() resolved: the SQL the warehouse's build compiled for it when it still belongs to
this warehouse and these vars, else compiled by dbt now, without opening the warehouse
(blsu.analyses).
Results print as a table, or go to a CSV or Parquet file (`-o FILE`). The descriptions the
listing shows are the dbt descriptions, stored in the warehouse as comments (persist_docs).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from blsu.analyses import ANALYSIS_DIR, analysis_names, compile_all, store, stored
from blsu.lock import lock_holder
from blsu_core.command import ENV_HELP, Command
from blsu_core.paths import PROJECT_ROOT, Paths
from blsu_core.record import (
    VarsError,
    WarehouseRecord,
    code_version,
    normalise_vars,
    read_record,
    record_in,
)

FORMATS = ("table", "csv", "parquet")
HISTORY_FILE = Path.home() / ".blsu_sql_history"
READ_ONLY_HINT = (
    "refused: this statement would change the warehouse, which `blsu sql` opens read-only "
    "(temporary tables are allowed). Rerun with `blsu sql --write` if you mean it; the next "
    "`blsu build` replaces the file and your changes with it."
)
SHELL_HELP = """Type SQL ending in `;` (it may span lines). Commands:
  .tables [SCHEMA]      tables and views with their descriptions
  .columns TABLE        columns of a table (schema.table) with types and descriptions
  .analyses             the queries of analysis/
  .run NAME             run analysis/NAME.sql (compiled by dbt)
  .output FILE|off      also write each result to FILE (.csv or .parquet)
  .help                 this text
  .quit                 leave (or Ctrl-D)"""


class SqlError(RuntimeError):
    """A query or an option the shell cannot carry out; the message says what to do."""


def warehouse_activity(db: Path) -> str | None:
    """What is rewriting the warehouse right now, in words; None when nothing is.

    Every command that writes the warehouse holds its lock (blsu.lock) and builds in a scratch
    file that it swaps in when checked.
    """
    holder = lock_holder(db)
    if holder:
        return f"the warehouse is being rebuilt by {holder}"
    return None


def connect(db: Path, *, write: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (read-only by default), with a message a user can act on."""
    if not db.exists():
        raise SqlError(
            f"no warehouse at {db}: run `blsu run` or `blsu build` first (or set BLSU_DB)"
        )
    busy = warehouse_activity(db)
    if write and busy:
        raise SqlError(f"{busy}; writes now would be lost when it swaps its file in. Try later.")
    try:
        return duckdb.connect(str(db), read_only=not write)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" not in text.lower():
            raise SqlError(f"cannot open the warehouse {db}: {text}") from exc
        who = busy or "another process (a dbt run on the file itself, or `blsu sql --write`)"
        raise SqlError(
            f"the warehouse {db} is open for writing by {who}; try again when it has finished "
            f"(DuckDB: {text.splitlines()[0]})"
        ) from exc


def analysis_name(target: str) -> str | None:
    """The analysis a command-line target names (`name`, `name.sql`, `analysis/name.sql`)."""
    if "\n" in target or ";" in target:
        return None
    path = Path(target)
    if path.suffix not in ("", ".sql") or path.stem not in analysis_names():
        return None
    if len(path.parts) == 1:
        return path.stem
    own = ANALYSIS_DIR / f"{path.stem}.sql"
    places = (path.resolve(), (PROJECT_ROOT / path).resolve())
    return path.stem if own in places else None


def compile_analysis(name: str, paths: Paths, dbt_vars: str | None = None,
                     record: WarehouseRecord | None = None) -> str:
    """The SQL of analysis/<name>.sql with ref() and var() resolved, for the warehouse
    `paths.db` (whose `record` the caller may have read) and `dbt_vars` (default: the
    warehouse's): as its build stored it when that still holds (blsu.analyses), else compiled by
    `dbt compile` now, which says why on stderr."""
    record = record if record is not None else read_record(paths.db)
    try:
        asked = normalise_vars(dbt_vars) if dbt_vars else None
    except VarsError as exc:
        raise SqlError(str(exc)) from exc
    sql, why = stored(name, paths.db, record, asked)
    if sql is not None:
        return sql
    print(f"blsu sql: compiling analysis/{name}.sql with dbt ({why})", file=sys.stderr)
    own_vars = record.vars if record is not None else {}
    from blsu.dbt_runner import BuildError

    try:
        queries = compile_all(paths, own_vars if asked is None else asked)
    except BuildError as exc:
        raise SqlError(f"dbt could not compile analysis/{name}.sql: {exc}") from exc
    if record is not None and asked in (None, own_vars) and record.code_version == code_version():
        store(paths.db, record, queries)  # the next query of this warehouse needs no dbt
    if name not in queries:
        raise SqlError(f"dbt compiled nothing for analysis/{name}.sql")
    return queries[name]


def query_text(target: str, paths: Paths, dbt_vars: str | None = None) -> str:
    """The SQL a command-line target stands for: an analysis, a .sql file, or SQL itself."""
    name = analysis_name(target)
    if name:
        return compile_analysis(name, paths, dbt_vars)
    path = Path(target)
    if path.suffix == ".sql":
        if not path.exists():
            raise SqlError(f"{target}: no such file (analyses: {', '.join(analysis_names())})")
        text = path.read_text(encoding="utf-8")
        if "{{" in text:
            raise SqlError(
                f"{target} uses dbt's Jinja (ref(), var()): put it in {ANALYSIS_DIR} and run it "
                "by name, so that dbt compiles it"
            )
        return text
    return target


def output_format(path: Path | None, fmt: str | None) -> str:
    """`--format`, else the output file's suffix, else a table."""
    if fmt:
        return fmt
    if path is None:
        return "table"
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("csv", "parquet"):
        raise SqlError(f"{path}: say --format csv or --format parquet (suffix not recognised)")
    return suffix


def execute(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.DuckDBPyRelation | None:
    """Run every statement; the result of the last one that returns rows (None when none)."""
    statements = duckdb.extract_statements(sql)
    if not statements:
        raise SqlError("no SQL statement given")
    result = None
    try:
        for statement in statements:
            result = con.sql(statement.query)
    except duckdb.InvalidInputException as exc:
        if "read-only mode" in str(exc):
            raise SqlError(READ_ONLY_HINT) from exc
        raise SqlError(str(exc)) from exc
    except duckdb.Error as exc:
        raise SqlError(str(exc)) from exc
    return result


def write_result(rel: duckdb.DuckDBPyRelation, path: Path, fmt: str) -> str:
    """Write a result to CSV or Parquet; the one line that says what was written where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        rel.write_csv(str(path), header=True)
    else:
        rel.write_parquet(str(path))
    n_rows = duckdb.execute(f"select count(*) from read_{fmt}('{_quoted(path)}')").fetchall()[0][0]
    return f"wrote {n_rows} rows to {path} ({fmt})"


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def show(rel: duckdb.DuckDBPyRelation, max_rows: int) -> None:
    """A readable box table, wide enough for the terminal."""
    width = _terminal_width()
    rel.show(max_rows=max_rows, max_width=width, max_col_width=max(20, width // 3))


def _terminal_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 160


@dataclass(frozen=True)
class Listing:
    """The listing queries of the shell: what is in the warehouse, with dbt's descriptions."""

    con: duckdb.DuckDBPyConnection

    def tables(self, schema: str | None = None) -> duckdb.DuckDBPyRelation:
        where = "not internal and schema_name not in ('main', 'information_schema', 'pg_catalog')"
        params: list[str] = []
        if schema:
            where += " and schema_name = ?"
            params.append(schema)
        return self.con.sql(
            "select schema_name as schema, table_name as name, kind, "
            "trim(coalesce(comment, '')) as description from ("
            " select schema_name, table_name, 'table' as kind, comment, internal "
            " from duckdb_tables()"
            " union all select schema_name, view_name, 'view', comment, internal "
            " from duckdb_views()"
            f") where {where} order by 1, 2",
            params=params,
        )

    def columns(self, table: str) -> duckdb.DuckDBPyRelation:
        schema, _, name = table.rpartition(".")
        rel = self.con.sql(
            "select column_name as column, data_type as type, "
            "trim(coalesce(comment, '')) as description from duckdb_columns() "
            "where table_name = ? and (? = '' or schema_name = ?) order by column_index",
            params=[name, schema, schema],
        )
        if not rel.fetchall():
            raise SqlError(f"no table or view {table!r}; `.tables` lists them")
        return rel


class Shell:
    """The interactive prompt: SQL statements ending in `;` and a few dot-commands."""

    def __init__(self, con: duckdb.DuckDBPyConnection, paths: Paths, dbt_vars: str | None,
                 max_rows: int, *, tty: bool = True) -> None:
        self.con = con
        self.prompts = ("blsu> ", "   ...> ") if tty else ("", "")
        self.paths = paths
        self.dbt_vars = dbt_vars
        self.max_rows = max_rows
        self.output: Path | None = None

    def run(self) -> None:
        with kept_history(bool(self.prompts[0])):
            self.read_loop()

    def read_loop(self) -> None:
        buffer: list[str] = []
        while True:
            try:
                line = input(self.prompts[1] if buffer else self.prompts[0])
            except EOFError:
                if self.prompts[0]:
                    print()
                break
            except KeyboardInterrupt:
                print()
                buffer = []
                continue
            if not buffer and line.strip().startswith("."):
                if self.command(line.strip()) is False:
                    return
                continue
            buffer.append(line)
            if line.rstrip().endswith(";"):
                self.answer("\n".join(buffer))
                buffer = []
        if buffer and "".join(buffer).strip():
            self.answer("\n".join(buffer))

    def answer(self, sql: str) -> None:
        try:
            rel = execute(self.con, sql)
            if rel is not None:
                show(rel, self.max_rows)
                if self.output:
                    print(write_result(rel, self.output, output_format(self.output, None)))
        except (SqlError, duckdb.Error) as exc:
            print(f"error: {exc}", file=sys.stderr)

    def command(self, line: str) -> bool:
        """A dot-command; False to leave the shell."""
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        listing = Listing(self.con)
        try:
            if word in (".quit", ".exit", ".q"):
                return False
            if word == ".tables":
                show(listing.tables(rest or None), 1000)
            elif word in (".columns", ".schema", ".describe") and rest:
                show(listing.columns(rest), 1000)
            elif word == ".analyses":
                print("\n".join(analysis_names()))
            elif word == ".run" and rest:
                self.answer(compile_analysis(Path(rest).stem, self.paths, self.dbt_vars,
                                             record_in(self.con)))
            elif word == ".output":
                self.output = None if rest in ("", "off") else Path(rest)
                if self.output:
                    output_format(self.output, None)
            else:
                print(SHELL_HELP)
        except SqlError as exc:
            self.output = None if word == ".output" else self.output
            print(f"error: {exc}", file=sys.stderr)
        return True


@contextlib.contextmanager
def kept_history(enabled: bool) -> Iterator[None]:
    """Line editing and a history file kept across sessions (readline, where there is one)."""
    try:
        import readline
    except ImportError:
        enabled = False
    if not enabled:
        yield
        return
    history = Path(os.environ.get("BLSU_SQL_HISTORY", HISTORY_FILE))
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    readline.set_history_length(2000)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            readline.write_history_file(history)


SQL_HELP = """Without QUERY: an interactive SQL prompt on the warehouse ($BLSU_DB), read-only,
with history and `.tables`, `.columns TABLE`, `.analyses`, `.run NAME` (`.help` lists them).

With QUERY: run it and print the result, or write it with -o FILE (.csv or .parquet).
QUERY is SQL text, a .sql file, or the name of a query in analysis/ (compiled by dbt, so that
ref() resolves), e.g.
  blsu sql "select study_group, count(*) from marts.fct_study_persons group by 1"
  blsu sql lvb_share_by_group -o lvb.csv
  blsu sql my_query.sql -o out.parquet

Person-level results stay inside the secure environment: only disclosure-controlled numbers
may leave it (see `blsu stats`).
"""


DESCRIPTION = SQL_HELP


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `blsu sql`."""
    parser.add_argument("query", nargs="?", help="SQL text, a .sql file, or an analysis name")
    parser.add_argument("-o", "--output", type=Path, help="write the result to FILE")
    parser.add_argument("--format", choices=FORMATS, help="table, csv or parquet (default: "
                        "from the suffix of -o, else table)")
    parser.add_argument("--write", action="store_true",
                        help="open the warehouse for writing (refused while a build or "
                        "refresh runs); changes last until the next build")
    parser.add_argument("--max-rows", type=int, default=40, help="rows a table shows (40)")
    parser.add_argument("--vars", help="dbt vars for compiling analyses, as YAML")


COMMAND = Command("sql", add_arguments, description=DESCRIPTION, epilog=ENV_HELP,
                  as_written=True)


def run(args: argparse.Namespace) -> int:
    """`blsu sql`; exit 0 on success, 1 on a failed query or a warehouse that cannot be opened."""
    paths = Paths.from_env()
    try:
        fmt = output_format(args.output, args.format)
        if fmt != "table" and args.output is None:
            raise SqlError(f"--format {fmt} needs -o FILE")
        if args.query is None:
            return interactive(paths, args, tty=sys.stdin.isatty())
        sql = query_text(args.query, paths, args.vars)
        con = connect(paths.db, write=args.write)
        busy = warehouse_activity(paths.db)
        if busy:
            print(f"blsu sql: note: {busy}; this answer is from the warehouse before it",
                  file=sys.stderr)
        try:
            rel = execute(con, sql)
            if rel is None:
                print(f"done: no rows returned; {paths.db} {_changed(args.write)}")
            elif args.output:
                print(write_result(rel, args.output, fmt))
            else:
                show(rel, args.max_rows)
        finally:
            con.close()
    except (SqlError, duckdb.Error) as exc:
        print(f"blsu sql: {exc}", file=sys.stderr)
        return 1
    return 0


def _changed(write: bool) -> str:
    return "may have changed (--write)" if write else "unchanged (read-only)"


def interactive(paths: Paths, args: argparse.Namespace, *, tty: bool) -> int:
    """The prompt (statements and dot-commands from stdin when it is no terminal)."""
    con = connect(paths.db, write=args.write)
    busy = warehouse_activity(paths.db)
    if tty:
        mode = "read-write" if args.write else "read-only"
        print(f"{paths.db} ({mode}); `.tables` lists the tables, `.help` the commands, "
              "Ctrl-D leaves")
        if busy:
            print(f"note: {busy}; you query the warehouse as it was before it, until you "
                  "reconnect")
    try:
        Shell(con, paths, args.vars, args.max_rows, tty=tty).run()
    finally:
        con.close()
    if tty:
        print(f"left the shell; {paths.db} {_changed(args.write)}")
    return 0
