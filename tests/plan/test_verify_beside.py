"""Verification re-solves beside the polishing (``RoundingEngine._verify_beside``): a
copy of the HiGHS model (``Solver.clone``) re-solves the LP relaxation with one more
unit of each bottleneck in another thread while the polishing MIPs run; the results
are what the same re-solves on the engine's own instance give afterwards, and no
thread outlives the plan."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from corridor.plan import PlanOptions, bottlenecks, solve_plan
from corridor.plan.changes import Change
from corridor.plan.engine import RoundingEngine, Solved
from corridor.plan.solve import Solver
from corridor.scenario import load_scenario

from .test_polish import _engine, make_synthetic
from .test_solver import N, _chain_lp


def _lp_solver() -> Solver:
    s = Solver(_chain_lp())
    s.h.setOptionValue("solver", "simplex")
    s.h.setOptionValue("presolve", "off")
    return s


def test_a_clone_solves_the_same_lp_and_its_edits_stay_its_own() -> None:
    s = _lp_solver()
    base = s.solve_lp(None)
    c = s.clone()
    assert c.beside and not s.beside
    same = c.solve_lp(None)
    assert same.status == "optimal"
    assert same.objective == pytest.approx(base.objective, abs=1e-9)
    # x_0 + x_1 >= 1 raised to >= 3 on the clone only: x_0 = 2 more at cost 1
    c.h.changeRowBounds(0, 3.0, np.inf)
    assert c.solve_lp(None).objective == pytest.approx(base.objective + 2.0, abs=1e-6)
    s.h.changeColBounds(N - 1, 0.0, np.inf)  # a no-op edit: HiGHS solves again
    assert s.solve_lp(None).objective == pytest.approx(base.objective, abs=1e-9)


def test_a_cancelled_clone_stops_and_stays_stopped() -> None:
    """``RoundingEngine.close`` cancels the clone's solve; one cancelled before it
    starts must not run either (the clone runs HiGHS directly: nothing resets it)."""
    c = _lp_solver().clone()
    c.h.cancelSolve()
    assert c.solve_lp(None).status == "interrupted"
    assert c.solve_lp(None).status == "interrupted"


def _verified(e: RoundingEngine, n: int) -> list[Solved | None]:
    cands = bottlenecks.candidates(e.duals(None))[:n]
    assert cands, "the instance must have bottlenecks to verify"
    return [e.resolve(c.change, None) for c in cands]


def test_re_solves_beside_the_polishing_give_the_sequential_results(tmp_path: Path) -> None:
    alone = _engine(tmp_path / "a")
    alone.solve(None)
    expected = _verified(alone, 3)

    beside = _engine(tmp_path / "b")
    asked: list[int] = []

    def ahead(e: RoundingEngine) -> list[Change]:
        asked.append(1)
        return [c.change for c in bottlenecks.candidates(e.duals(None))[:3]]

    beside.ahead = ahead
    solved = beside.solve(None)
    assert asked == [1] and beside._pending  # started once, before the polishing
    got = _verified(beside, 3)
    assert set(beside._done) == set(beside._pending)  # all handed over, none re-run
    for want, have in zip(expected, got, strict=True):
        assert (want is None) == (have is None)
        if want is not None and have is not None:
            assert have.objective == pytest.approx(want.objective, abs=1e-6)
    # the engine's own instance still holds the plan: whole trips, fixed
    assert np.allclose(solved.values[beside.pm.y_var], beside.trips, atol=1e-6)
    beside.close()
    assert beside._worker is None


def test_no_verification_thread_outlives_a_plan(tmp_path: Path) -> None:
    s = load_scenario(make_synthetic(80, seed=3, days=6, out=tmp_path / "s"))
    p = solve_plan(s, progress=False, options=PlanOptions(exact_limit=0))
    assert p.summary["model"]["method"] == "lp-relax-and-fix"
    verified = [b for b in p.summary["bottlenecks"] if b.get("verified_by") == "lp"]
    assert verified, "relax-and-fix verifies its top bottlenecks by LP re-solves"
    assert not [t for t in threading.enumerate() if t.name == "corridor-verify"]
