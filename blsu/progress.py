"""Progress of a dbt run in one line: which node runs and how far the run is, not dbt's log.

dbt prints `12 of 179 START sql table model marts.fct_study_persons ... [RUN]` and
`12 of 179 OK created ... [OK in 0.41s]` for every node. `DbtProgress` reads those lines from
dbt's output and shows `[ 12/179] fct_study_persons (table model)`: rewritten in place on a
terminal, one line per finished model elsewhere (a log file, a scheduler), nothing for the tests.
With `verbose` it passes dbt's log through unchanged instead. The output is kept, so that a
failure can still show dbt's own words. A command that runs dbt more than once under one
progress (a Spark build: dbt, the trajectory estimate, dbt again) counts the runs' nodes
together: each run numbers its nodes from 1, so a run begins where the numbering starts again.

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
    runs: int = 0
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._before = 0  # nodes of the runs before the current one
        self._run_total = 0
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
        if self._starts_a_run(event):
            self.runs += 1
            self._before = self.total
            self.total += event.total
            self._run_total = event.total
        if event.state == "START":
            if self.live:
                self._status(f"[{self.done}/{self.total} done] {event.name} ({event.kind})")
            return
        self.done += 1
        if event.state in PROBLEMS:
            self.problems.append(f"{event.state} {event.kind} {event.name}")
            self._line(f"{event.state}: {event.kind} {event.name}")
        elif not self.live and event.kind.endswith("model"):
            self._line(f"[{self.done}/{self.total}] built {event.name}")

    def _starts_a_run(self, event: NodeEvent) -> bool:
        """The first node line of a dbt run: the first line at all, another run's total, or
        node 1 starting again once the current run has started nodes."""
        if not self.runs:
            return True
        if event.total != self._run_total:
            return True
        return event.state == "START" and event.index == 1 and self.done > self._before

    def finish(self) -> None:
        """End the progress line with what was done."""
        if self.verbose or not self.total:
            return
        runs = f" in {self.runs} dbt runs" if self.runs > 1 else ""
        end = f"dbt: {self.done} of {self.total} nodes done{runs}"
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
