"""Ctrl-C in the planner (docs/planner.md): HiGHS stops, the best plan so far is written,
marked ``time_limit`` and ``"interrupted": true``; before any plan exists nothing is
written and the command says so (exit 130).

The interrupt is HiGHS's own: a callback sets its user-interrupt flag during the n-th
solve, as highspy's Ctrl-C handler does (and, as with Ctrl-C, nothing unsets it), so
the solves after it show whether the interrupt is still pending."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from highspy.highs import HighsCallbackEvent
from typer.testing import CliRunner

from corridor.cli import app
from corridor.plan import PlanOptions, solve_plan
from corridor.plan import engine as engine_mod
from corridor.plan import solve as solve_mod
from corridor.plan.engine import RoundingEngine
from corridor.plan.solve import Outcome, Solver
from corridor.scenario import load_scenario

from .test_polish import _engine, make_synthetic
from .test_solver import _chain_lp

runner = CliRunner()


def _press_ctrl_c(e: HighsCallbackEvent) -> None:
    e.interrupt()


def _interrupting(monkeypatch: pytest.MonkeyPatch, at: int) -> list[str]:
    """Solver.solve_lp with HiGHS interrupted during the ``at``-th call (1-based, over
    every Solver); returns the statuses of the calls."""
    original = Solver.solve_lp
    seen: list[str] = []

    def solve_lp(self: Solver, time_limit: float | None) -> Outcome:
        hit = len(seen) + 1 == at
        events = (self.h.cbSimplexInterrupt, self.h.cbIpmInterrupt)
        if hit:
            for ev in events:
                ev.subscribe(_press_ctrl_c)
        try:
            out = original(self, time_limit)
        finally:
            if hit:
                for ev in events:
                    ev.unsubscribe(_press_ctrl_c)
        seen.append(out.status)
        return out

    monkeypatch.setattr(Solver, "solve_lp", solve_lp)
    return seen


def test_a_solve_after_an_interrupted_one_runs_to_the_end() -> None:
    s = Solver(_chain_lp())
    s.h.setOptionValue("solver", "simplex")
    s.h.setOptionValue("presolve", "off")
    s.h.cbSimplexInterrupt.subscribe(_press_ctrl_c)
    assert s.solve_lp(None).status == "interrupted"
    assert s.interrupted
    s.h.cbSimplexInterrupt.unsubscribe(_press_ctrl_c)
    assert s.solve_lp(None).status == "optimal"  # HiGHS's flag is not left set


@pytest.fixture
def engine(tmp_path: Path) -> RoundingEngine:
    e = _engine(tmp_path)
    e.blocks = 4
    return e


def test_relax_and_fix_interrupted_still_rounds_every_trip(
        engine: RoundingEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _interrupting(monkeypatch, at=3)  # the LP relaxation, block 1, then block 2
    solved = engine.solve(None)
    # block 2's LP stopped; the rest were rounded at once and the cargo re-solved once
    assert seen == ["optimal", "optimal", "interrupted", "optimal"]
    assert solved.status == "interrupted" and engine.stopped == "interrupted"
    assert engine.lp is not None and np.isfinite(solved.objective)
    assert solved.objective >= engine.lp.objective - 1e-6
    y = solved.values[engine.pm.y_var]
    assert np.allclose(y, np.round(y), atol=1e-6)  # whole trips, every one fixed
    assert np.allclose(y, engine.trips, atol=1e-6)
    st = engine.pm.st
    late = st.y_t >= np.linspace(0, st.grid.steps, engine.blocks + 1).round()[2]
    assert engine.trips[late].sum() > 0  # the blocks never solved got trips too


def test_a_second_ctrl_c_in_the_last_solve_leaves_no_plan(
        engine: RoundingEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    original = Solver.solve_lp
    calls: list[float | None] = []

    def solve_lp(self: Solver, time_limit: float | None) -> Outcome:
        calls.append(time_limit)
        if len(calls) >= 3:  # block 2, then the final re-solve: both cut by Ctrl-C
            self.interrupted = True
            return Outcome("interrupted", np.inf, -np.inf, np.inf, 0.0,
                           np.zeros(self.n_labels))
        return original(self, time_limit)

    monkeypatch.setattr(Solver, "solve_lp", solve_lp)
    solved = engine.solve(None)
    assert len(calls) == 4 and calls[-1] is None  # the re-solve has no time limit
    assert solved.status == "interrupted" and not np.isfinite(solved.objective)


def test_ctrl_c_while_rounding_still_gives_whole_trips(
        engine: RoundingEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in Python, between two HiGHS solves (rounding block 2)."""
    original = engine_mod.round_trips
    calls: list[int] = []

    def round_trips(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(engine_mod, "round_trips", round_trips)
    solved = engine.solve(None)
    assert len(calls) == 3  # block 1, block 2 (cut), then the rest at once
    assert solved.status == "interrupted" and np.isfinite(solved.objective)
    y = solved.values[engine.pm.y_var]
    assert np.allclose(y, np.round(y), atol=1e-6)
    assert np.allclose(y, engine.trips, atol=1e-6)


def test_ctrl_c_between_polishing_mips_keeps_the_plan(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    e = _engine(tmp_path)

    def polish_mip(*args: Any) -> Outcome | None:
        raise KeyboardInterrupt

    monkeypatch.setattr(e, "_polish_mip", polish_mip)
    solved = e.solve(None)
    assert e.final is not None
    assert solved.status == "interrupted"
    assert solved.objective == pytest.approx(e.final.objective)  # the rounded plan


def test_interrupted_relax_and_fix_plan_is_written_as_time_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_scenario(make_synthetic(80, seed=3, days=6, out=tmp_path / "s"))
    # exact_limit=0: the coarse LP, the fine relaxation, then relax-and-fix
    seen = _interrupting(monkeypatch, at=3)  # ... block 1's LP
    try:
        result = solve_plan(s, progress=False,
                            options=PlanOptions(exact_limit=0, blocks=4, verify=0))
    except KeyboardInterrupt:  # what the pipeline raises when no plan came back
        pytest.fail(f"no plan after the interrupt (solves: {seen})")
    assert seen[1:] == ["optimal", "interrupted", "optimal"]
    sm = result.summary
    assert sm["status"] == "time_limit" and sm["interrupted"] is True
    assert sm["solver_status"] == "interrupted"
    trips = result.trips["trips"].to_numpy(dtype=float)
    assert len(trips) and np.allclose(trips, np.round(trips))


def _ctrl_c_in_every_solve(monkeypatch: pytest.MonkeyPatch, run: bool) -> None:
    """Every HiGHS solve ends "interrupted"; ``run=False``: before finding anything."""
    original = solve_mod.Solver._run

    def interrupted(self: Solver, time_limit: float | None, lp: bool = False
                    ) -> tuple[str, float]:
        status, seconds = original(self, time_limit, lp) if run else ("optimal", 0.0)
        self.interrupted = True
        return ("interrupted" if status == "optimal" else status), seconds

    monkeypatch.setattr(solve_mod.Solver, "_run", interrupted)


def test_ctrl_c_before_any_plan_says_nothing_was_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _ctrl_c_in_every_solve(monkeypatch, run=False)
    out = tmp_path / "none"
    res = runner.invoke(app, ["plan", "fleet-cycle", "--out", str(out), "--quiet"])
    assert res.exit_code == 130, res.output
    assert "interrupted before a plan was found: nothing written" in res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_ctrl_c_with_a_plan_writes_it_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _ctrl_c_in_every_solve(monkeypatch, run=True)
    out = tmp_path / "some"
    res = runner.invoke(app, ["plan", "fleet-cycle", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    assert "interrupted: the best plan so far was written" in res.output
    sm = json.loads((out / "summary.json").read_text())
    assert sm["status"] == "time_limit" and sm["interrupted"] is True
