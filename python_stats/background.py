"""A second process for a step of the statistics run that does not depend on the others.

Drawing and saving the figures takes about as long as all significance tests together and needs
only the controlled estimates table, so the run hands it to a helper process while it computes
the tests. The helper is forked (Linux) at the start of the run, before the statistics libraries
are imported; it imports matplotlib meanwhile (`warm_up`), which the main process then never
loads, and draws as soon as the table arrives. Where forking is not available or not safe
(Windows, macOS), where the helper cannot be started, or when it dies, a step simply runs in the
main process when its result is asked for. Either way a step runs the same code on the same
data, so the files it writes are the same.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    """True on Linux, where a forked process safely continues the parent's state."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


class Helper:
    """One helper process (forked), or none: then steps run in the calling process."""

    def __init__(self, warm_up: Callable[[], object] | None = None, *,
                 fork: bool | None = None) -> None:
        self.pool: ProcessPoolExecutor | None = None
        if not (can_fork() if fork is None else fork):
            return
        try:
            context = multiprocessing.get_context("fork")
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
            # the first submission forks the helper; a failing warm-up is not an error here:
            # the step that needs it fails with the same error and reports it
            self.pool.submit(warm_up or int)
        except OSError:  # no process or semaphore could be made: run steps here
            self.close()

    def submit(self, step: Callable[..., T], *args: object) -> Callable[[], T]:
        """Start `step(*args)`; call the returned function for its value (or its exception).

        Arguments and value are pickled between the processes.
        """
        if self.pool is not None:
            try:
                return partial(self._outcome, self.pool.submit(step, *args), step, args)
            except BrokenProcessPool:  # the helper died before the step was handed over
                self.close()
        return partial(step, *args)

    @staticmethod
    def _outcome(future: Future[T], step: Callable[..., T], args: tuple[object, ...]) -> T:
        """The helper's value; the step is run here instead if the helper died."""
        try:
            return future.result()
        except BrokenProcessPool:
            return step(*args)

    def close(self) -> None:
        """Stop the helper, waiting for a step that is still running."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def __enter__(self) -> Helper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
