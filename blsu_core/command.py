"""The command line's common ground: how a command declares its options and how they are parsed.

A command is declared once (`Command`: its name, the texts of its `--help` and a function that
adds its options). The `blsu` command (blsu.cli) puts every command on its parser; a module that
runs on its own (`python -m blsu_synth`, `python -m python_stats`, `python -m gbtm.cli`) parses
its command line with its command alone (`module_main`), so it takes exactly the options, help
and usage errors of `blsu generate`, `blsu stats` or `blsu trajectories` without importing the
command line above it. Usage errors are one line naming the command (`Parser`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

PROG = "blsu"
ENV_HELP = """environment:
  BLSU_RAW_DIR   raw extracts folder (default data/raw)
  BLSU_DB        DuckDB warehouse file (default data/blsu.duckdb)
  BLSU_RESULTS   results folder (default results/)
  BLSU_INGEST_DIR  canonical files and inventory of the ingestion (default <BLSU_DB>.ingest)
Relative values are taken from the current directory; the defaults lie in the project folder.
"""

Run = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """Arguments a command does not take; the message names the command."""


class Parser(argparse.ArgumentParser):
    """A parser whose usage errors are one line that names the command and points to --help."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: error: {message} (see --help)")


@dataclass(frozen=True)
class Command:
    """One command of `blsu`: its name, the texts of its `--help` and its options."""

    name: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    description: str | None = None
    epilog: str | None = None
    as_written: bool = False  # description and epilog laid out as written, not re-wrapped

    def parser_options(self) -> dict[str, Any]:
        """The keywords its parser is made with."""
        options: dict[str, Any] = {"description": self.description, "epilog": self.epilog}
        if self.as_written:
            options["formatter_class"] = argparse.RawDescriptionHelpFormatter
        return options

    def parser(self) -> Parser:
        """Its parser on its own: the usage line, help and errors of `blsu NAME`."""
        parser = Parser(prog=f"{PROG} {self.name}", **self.parser_options())
        self.add_arguments(parser)
        return parser


def parse(parser: argparse.ArgumentParser, argv: Sequence[str],
          prog: str | None = None) -> argparse.Namespace:
    """Parse a command line; arguments no option takes are an error of `prog` (default: the
    parser's)."""
    args, rest = parser.parse_known_args(list(argv))
    if rest:
        raise UsageError(f"{prog or parser.prog}: error: unrecognized arguments: "
                         f"{' '.join(rest)} (see --help)")
    return args


def parse_command(command: Command, argv: Sequence[str]) -> argparse.Namespace | int:
    """The options of one command, or the exit code of `--help` (0) or a usage error (2)."""
    try:
        args = parse(command.parser(), argv)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    args.argv = list(argv)
    return args


def module_main(command: Command, run: Run, argv: Sequence[str] | None = None) -> int:
    """A module's own entry point (`python -m ...`): the options of `blsu COMMAND`, then `run`."""
    args = parse_command(command, sys.argv[1:] if argv is None else argv)
    return args if isinstance(args, int) else run(args)


def debugging() -> bool:
    """Whether errors show their traceback (`blsu --debug`, or BLSU_DEBUG set)."""
    return os.environ.get("BLSU_DEBUG", "") not in ("", "0")


def reporting_errors(prog: str, call: Callable[[], int]) -> int:
    """`call()`, with an interruption or an unforeseen error told in one message (its traceback
    only when debugging)."""
    try:
        return call()
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; warehouse and results unchanged", file=sys.stderr)
        return 130
    except Exception as exc:
        if debugging():
            raise
        print(
            f"{prog}: failed, warehouse and results unchanged: {type(exc).__name__}: {exc}\n"
            "(run `blsu --debug ...` for the traceback)",
            file=sys.stderr,
        )
        return 1
