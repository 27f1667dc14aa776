"""Running HiGHS on the linopy model (``io_api="direct"``): the MIP, then the LPs the
bottleneck analysis reads duals from, with time limits, the solver log forwarded to
the caller and Ctrl-C turned into "stop and keep the best plan so far"."""

from __future__ import annotations

import contextlib
import copy
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import highspy
import linopy
import numpy as np
from numpy.typing import NDArray

from corridor.plan.lp import LPBuilder

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Log = Callable[[str], None]


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence the banner HiGHS prints from C++ when an instance is created."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(null)


def _clear_interrupt(e: highspy.highs.HighsCallbackEvent) -> None:
    e.interrupt(False)


def _interruptible(h: highspy.Highs) -> None:
    """Ctrl-C (and ``cancelSolve``) stops the solve under way, and only that one."""
    # highspy's Ctrl-C handler sets HiGHS's user-interrupt flag, which nothing clears:
    # every later solve on this instance would stop at once, "interrupted". Cleared at
    # every check before that handler runs (it is subscribed after this), a solve is
    # stopped only by a Ctrl-C during it.
    for event in (h.cbSimplexInterrupt, h.cbIpmInterrupt, h.cbMipInterrupt):
        event.subscribe(_clear_interrupt)
    h.HandleKeyboardInterrupt = True


@dataclass
class Outcome:
    status: str  # optimal | time_limit | interrupted | infeasible | error
    objective: float
    bound: float
    gap: float
    seconds: float
    values: F64  # per linopy variable label
    duals: F64 | None = None  # per linopy constraint label (LPs only)
    activity: F64 | None = None  # row values per linopy constraint label (LPs only)


STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kModelEmpty: "optimal",  # nothing can move: the empty plan
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kInterrupt: "interrupted",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kSolutionLimit: "time_limit",
    highspy.HighsModelStatus.kIterationLimit: "time_limit",
}


class Solver:
    """One highspy instance mirroring the model, re-used for every phase."""

    def __init__(self, lp: LPBuilder, log: Log | None = None) -> None:
        self.lp = lp
        M = lp.model.matrices
        self.vlabels = np.asarray(M.vlabels, dtype=np.int64)
        self.clabels = np.asarray(M.clabels, dtype=np.int64)
        with _quiet_stdout():
            self.h: highspy.Highs = linopy.io.to_highspy(lp.model)
        h = self.h
        h.changeObjectiveOffset(lp.offset)
        h.setOptionValue("output_flag", log is not None)
        h.setOptionValue("log_to_console", False)
        h.setOptionValue("mip_abs_gap", 1e-4)
        if log is not None:
            h.cbLogging.subscribe(lambda e: log(str(e.message).rstrip()))
        _interruptible(h)
        n = int(self.vlabels.max()) + 1 if len(self.vlabels) else 0
        self.n_labels = n
        self.n_clabels = int(self.clabels.max()) + 1 if len(self.clabels) else 0
        ints = [np.arange(s, s + k) for name, (s, k) in lp.blocks.items()
                if name in lp.integer_blocks and k]
        int_labels = np.concatenate(ints) if ints else np.zeros(0, np.int64)
        col_of = np.full(max(n, 1), -1, dtype=np.int64)
        col_of[self.vlabels] = np.arange(len(self.vlabels))
        self.col_of = col_of
        row_of = np.full(max(self.n_clabels, 1), -1, dtype=np.int64)
        row_of[self.clabels] = np.arange(len(self.clabels))
        self.row_of = row_of
        self.int_cols = col_of[int_labels]
        self.int_cols = self.int_cols[self.int_cols >= 0].astype(np.int32)
        lp_ = h.getLp()
        self.col_lower = np.asarray(lp_.col_lower_, dtype=float)
        self.col_upper = np.asarray(lp_.col_upper_, dtype=float)
        self.row_lower = np.asarray(lp_.row_lower_, dtype=float)
        self.row_upper = np.asarray(lp_.row_upper_, dtype=float)
        self.interrupted = False  # a solve on this instance was stopped by Ctrl-C
        self.beside = False  # a clone solving in another thread (see clone)

    def clone(self) -> Solver:
        """A second HiGHS instance with this one's model as it stands (bounds, rows,
        integrality) and its options, logging nothing: for LPs solved in another thread
        beside this instance's solves (highspy releases the GIL while HiGHS runs). Stop
        one early with ``h.cancelSolve()``."""
        other = copy.copy(self)
        with _quiet_stdout():
            h = highspy.Highs()
        h.passOptions(self.h.getOptions())
        h.setOptionValue("output_flag", False)
        h.passModel(self.h.getModel())
        _interruptible(h)
        other.h = h
        for name in ("clabels", "col_lower", "col_upper", "row_lower", "row_upper"):
            setattr(other, name, getattr(self, name).copy())
        other.interrupted = False
        other.beside = True
        return other

    @property
    def n_cols(self) -> int:
        return len(self.vlabels)

    @property
    def n_rows(self) -> int:
        return len(self.clabels)

    def _by_label(self, values: list[float] | F64, labels: I64, n: int) -> F64:
        out = np.zeros(n)
        out[labels] = np.asarray(values, dtype=float)
        return out

    def _run(self, time_limit: float | None, lp: bool = False) -> tuple[str, float]:
        h = self.h
        limit = float(time_limit) if time_limit else np.inf
        if lp:
            # HiGHS's LP solvers compare time_limit with the instance's run clock, which
            # keeps counting over every solve (its MIP solver restarts it): the limit is
            # that clock now plus what this solve gets (tests/plan/test_solver.py).
            limit += h.getRunTime()
        h.setOptionValue("time_limit", limit)
        t0 = time.perf_counter()
        if self.beside:
            # highspy's solve() guards with locks all its instances share: a second
            # instance's solve would refuse to start. run() is HiGHS itself (GIL
            # released); cancelSolve() still stops it, through the interrupt callback.
            h.run()
        else:
            h.solve()
        seconds = time.perf_counter() - t0
        status = STATUS.get(h.getModelStatus(), "error")
        if status == "interrupted":
            self.interrupted = True
        return status, seconds

    def mip(self, time_limit: float | None, gap: float,
            start: F64 | None = None) -> Outcome:
        h = self.h
        h.setOptionValue("mip_rel_gap", float(gap))
        if start is not None:
            sol = highspy.HighsSolution()
            sol.col_value = list(start[self.vlabels])
            sol.value_valid = True
            h.setSolution(sol)
        status, seconds = self._run(time_limit)
        info = h.getInfo()
        if self.n_cols == 0:
            return Outcome("optimal", self.lp.offset, self.lp.offset, 0.0, seconds,
                           np.zeros(self.n_labels))
        has = info.primal_solution_status >= 2 if len(self.int_cols) else status == "optimal"
        values = self._by_label(h.getSolution().col_value, self.vlabels, self.n_labels) \
            if has else np.zeros(self.n_labels)
        obj = h.getObjectiveValue() if has else np.inf
        bound = info.mip_dual_bound if len(self.int_cols) else obj
        gap_v = float(info.mip_gap) if len(self.int_cols) else 0.0
        return Outcome(status, float(obj), float(bound), gap_v, seconds, values)

    def set_integer(self, integer: bool) -> None:
        kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
        n = len(self.int_cols)
        if n:
            self.h.changeColsIntegrality(n, self.int_cols,
                                         np.full(n, int(kind), dtype=np.uint8))

    def fix_integers(self, values: F64 | None) -> None:
        """Fix the integer columns at ``values`` (by label), or free them again (None)."""
        c = self.int_cols
        if not len(c):
            return
        if values is None:
            lo, up = self.col_lower[c], self.col_upper[c]
        else:
            v = np.round(values[self.vlabels[c]])
            lo = up = v
        self.h.changeColsBounds(len(c), c, np.asarray(lo, dtype=float),
                                np.asarray(up, dtype=float))

    def solve_lp(self, time_limit: float | None) -> Outcome:
        """Solve the current model as an LP (integrality must be off) and read duals."""
        status, seconds = self._run(time_limit, lp=True)
        if self.n_cols == 0:
            z = np.zeros(self.n_clabels)
            return Outcome("optimal", self.lp.offset, self.lp.offset, 0.0, seconds,
                           np.zeros(self.n_labels), z, z)
        if status != "optimal":
            return Outcome(status, np.inf, -np.inf, np.inf, seconds, np.zeros(self.n_labels))
        sol = self.h.getSolution()
        values = self._by_label(sol.col_value, self.vlabels, self.n_labels)
        duals = self._by_label(sol.row_dual, self.clabels, self.n_clabels)
        activity = self._by_label(sol.row_value, self.clabels, self.n_clabels)
        obj = self.h.getObjectiveValue()
        return Outcome(status, float(obj), float(obj), 0.0, seconds, values, duals, activity)

    def set_rows_upper(self, labels: I64, upper: F64) -> F64:
        """Change row upper bounds (by constraint label); returns the old ones."""
        pos = self.row_of[labels]
        old = self.row_upper[pos].copy()
        for p, u in zip(pos, upper, strict=True):
            self.h.changeRowBounds(int(p), float(self.row_lower[p]) if np.isfinite(
                self.row_lower[p]) else -np.inf, float(u))
        self.row_upper[pos] = upper
        return old

    def add_rows(self, row: I64, col: I64, val: F64, upper: F64) -> int:
        """Add rows ``sum(val * x[col]) <= upper[row]`` (``col`` variable labels; rows
        without terms are skipped) after the model's own; their duals and activities
        read back under labels after the model's. Returns how many were added, for
        :meth:`delete_last_rows`."""
        order = np.argsort(row, kind="stable")
        row, pos, val = row[order], self.col_of[col][order], val[order]
        used = np.unique(row)
        local = np.searchsorted(used, row)
        starts = np.searchsorted(local, np.arange(len(used))).astype(np.int32)
        self.h.addRows(len(used), np.full(len(used), -np.inf), upper[used].astype(float),
                       len(val), starts, pos.astype(np.int32), val.astype(float))
        self.clabels = np.concatenate([self.clabels, self.n_clabels + np.arange(len(used))])
        self.n_clabels += len(used)
        return len(used)

    def delete_last_rows(self, n: int) -> None:
        """Delete the ``n`` rows :meth:`add_rows` added last."""
        if n <= 0:
            return
        last = self.h.getNumRow()
        self.h.deleteRows(n, np.arange(last - n, last, dtype=np.int32))
        self.clabels = self.clabels[:-n]
        self.n_clabels -= n

    def set_rows_equal(self, labels: I64, value: F64) -> F64:
        pos = self.row_of[labels]
        old = self.row_upper[pos].copy()
        for p, v in zip(pos, value, strict=True):
            self.h.changeRowBounds(int(p), float(v), float(v))
        self.row_lower[pos] = value
        self.row_upper[pos] = value
        return old
