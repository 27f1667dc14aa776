"""Progress of a plan and the solver's log, through rich (or silent)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from types import TracebackType

from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from corridor.console import err_console

STAGES = ("network", "routes", "model", "solve", "bottlenecks", "diagnosis")


class Reporter:
    """A progress bar over the planning stages; the HiGHS log is printed above it."""

    def __init__(self, enabled: bool, solver_log: bool = True) -> None:
        self.enabled = enabled
        self.solver_log = enabled and solver_log
        self.timings: dict[str, float] = {}
        self._progress: Progress | None = None
        self._task = TaskID(0)

    def __enter__(self) -> Reporter:
        if self.enabled:
            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                      BarColumn(), TimeElapsedColumn(), console=err_console,
                                      transient=True)
            self._progress.__enter__()
            self._task = self._progress.add_task("planning", total=len(STAGES))
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.__exit__(et, e, tb)
            self._progress = None

    @contextlib.contextmanager
    def stage(self, name: str, text: str) -> Iterator[None]:
        if self._progress is not None:
            self._progress.update(self._task, description=text)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t0
            if self._progress is not None and name in STAGES:
                self._progress.advance(self._task)

    def note(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(f"[dim]{text}[/]", highlight=False, markup=True)

    def log(self, line: str) -> None:
        """One line of the HiGHS log."""
        if self.solver_log and self._progress is not None and line.strip():
            self._progress.console.print(line, style="dim", highlight=False, markup=False)
