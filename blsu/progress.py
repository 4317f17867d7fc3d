"""Progress of a dbt run in one line: which node runs and how far the run is, not dbt's log.

dbt prints `12 of 179 START sql table model marts.fct_study_persons ... [RUN]` and
`12 of 179 OK created ... [OK in 0.41s]` for every node. `DbtProgress` reads those lines from
dbt's output and shows `[ 12/179] fct_study_persons (table model)`: rewritten in place on a
terminal, one line per finished model elsewhere (a log file, a scheduler), nothing for the tests.
With `verbose` it passes dbt's log through unchanged instead. The output is kept, so that a
failure can still show dbt's own words.

`blsu.dbt_runner.run_dbt` feeds dbt's output to the progress that is active (`showing`), if any.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TextIO

ANSI = re.compile(r"\x1b\[[0-9;]*m")
NODE_LINE = re.compile(
    r"^\s*(?:\d\d:\d\d:\d\d\s+)?(?P<index>\d+) of (?P<total>\d+) (?P<state>START|OK|PASS|WARN|"
    r"ERROR|FAIL|SKIP|NO-OP)\b(?P<rest>.*)$"
)
NODE_KIND = re.compile(r"(?:(?:sql|python) )?(?P<kind>\w+ model|seed file|test|unit_test|"
                       r"snapshot|exposure)\s+(?P<name>[\w.]+)")
PROBLEMS = ("ERROR", "FAIL", "WARN")


@dataclass(frozen=True)
class NodeEvent:
    """One node line of dbt's log."""

    index: int
    total: int
    state: str
    kind: str
    name: str


def parse_node_line(line: str) -> NodeEvent | None:
    """The node event a line of dbt's log reports (None for every other line)."""
    match = NODE_LINE.match(ANSI.sub("", line))
    if not match or match["rest"].strip().startswith("hook"):
        return None  # on-run-start/-end hooks count themselves apart from the nodes
    rest = re.sub(r"^\d+\s+", "", match["rest"].strip())  # `FAIL 2 <test>`: 2 failing rows
    found = NODE_KIND.search(rest)
    if found:
        kind, name = found["kind"], found["name"]
    else:  # a failing or warning test names only itself
        kind = "test" if match["state"] in ("FAIL", "WARN", "PASS") else "node"
        name = rest.split(" ")[0]
    return NodeEvent(int(match["index"]), int(match["total"]), match["state"], kind,
                     name.rsplit(".", 1)[-1])


@dataclass
class DbtProgress:
    """Renders dbt's node lines as progress on `stream`."""

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    verbose: bool = False
    live: bool | None = None  # rewrite one line in place; default: when stream is a terminal
    done: int = 0
    total: int = 0
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.live is None:
            self.live = bool(getattr(self.stream, "isatty", lambda: False)())

    def feed(self, line: str) -> None:
        """Take one line of dbt's output."""
        if self.verbose:
            self.stream.write(line if line.endswith("\n") else line + "\n")
            return
        event = parse_node_line(line)
        if event is None:
            return
        self.total = event.total
        if event.state == "START":
            if self.live:
                self._status(f"[{self.done}/{event.total} done] {event.name} ({event.kind})")
            return
        self.done += 1
        if event.state in PROBLEMS:
            self.problems.append(f"{event.state} {event.kind} {event.name}")
            self._line(f"{event.state}: {event.kind} {event.name}")
        elif not self.live and event.kind.endswith("model"):
            self._line(f"[{self.done}/{event.total}] built {event.name}")

    def finish(self) -> None:
        """End the progress line with what was done."""
        if self.verbose or not self.total:
            return
        end = f"dbt: {self.done} of {self.total} nodes done"
        if self.problems:
            end += f", {len(self.problems)} with errors or warnings"
        self._line(end)

    def _status(self, text: str) -> None:
        self.stream.write("\r\x1b[2K" + text[:119])
        self.stream.flush()

    def _line(self, text: str) -> None:
        self.stream.write(("\r\x1b[2K" if self.live else "") + text + "\n")
        self.stream.flush()


_ACTIVE: ContextVar[DbtProgress | None] = ContextVar("dbt_progress", default=None)


def active() -> DbtProgress | None:
    """The progress the dbt runs of this command report to (None: dbt's own output rules)."""
    return _ACTIVE.get()


@contextmanager
def showing(progress: DbtProgress | None) -> Iterator[None]:
    """Make `progress` the active one for the dbt runs inside the block."""
    token = _ACTIVE.set(progress)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
