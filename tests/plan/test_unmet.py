"""Movements that cannot close are explained by a diagnosis pass, not guessed."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.plan.conftest import library

from corridor.plan import solve_plan
from corridor.plan.diagnose import ROUNDING
from corridor.plan.pipeline import PlanOptions
from corridor.scenario import load_scenario
from corridor.scenario.whatif import apply_sets

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from synthetic import make_synthetic


def test_mlc70_tanks_with_only_weak_bridges_name_the_bridge() -> None:
    s = apply_sets(library("bridge-detour"), ["links.rd_detour_w.max_mlc=40"])
    r = solve_plan(s, progress=False)
    unmet = {u["movement"]: u for u in r.summary["unmet"]}
    assert set(unmet) == {"heavy"}
    reason = unmet["heavy"]["reason"]
    assert "MLC 70" in reason
    assert "rd_bridge" in reason or "rd_detour_w" in reason
    assert r.summary["status"] == "infeasible"
    assert r.movements().at["light", "closure_day"] is not None  # the rest still plans


def test_a_fleet_that_never_becomes_available_is_named() -> None:
    s = apply_sets(library("fleet-cycle"), ["carriers.hets.available_day=30"])
    r = solve_plan(s, progress=False)
    reason = r.summary["unmet"][0]["reason"]
    assert "hets" in reason and ("available" in reason or "horizon" in reason)


def test_a_fleet_too_late_to_finish_is_explained_by_its_round_trips() -> None:
    s = apply_sets(library("fleet-cycle"), ["carriers.hets.count=1"])
    r = solve_plan(s, progress=False)
    u = r.summary["unmet"][0]
    assert u["movement"] == "tanks"
    assert "hets" in u["reason"] and "round trips" in u["reason"]
    assert r.summary["status"] != "infeasible"  # capacity, not impossibility


def test_a_shortfall_the_relaxation_closes_is_blamed_on_the_rounding(tmp_path: Path) -> None:
    """A synthetic instance planned by relax-and-fix, as a large one is: classes left a
    little short by whole trips, which the LP relaxation delivers in full, are
    explained as rounding, and such a class is never called provably infeasible.
    (eastern-flank had such classes until its fleets were split by region.)"""
    s = load_scenario(make_synthetic(80, seed=3, days=6, out=tmp_path / "s"))
    r = solve_plan(s, progress=False, options=PlanOptions(exact_limit=0))
    classes = [c for u in r.summary["unmet"] for c in u["classes"]]
    rounded = [c for c in classes if ROUNDING in c["reason"]]
    assert rounded, [c["reason"] for c in classes]
    assert not any(c["provable"] for c in rounded)
    assert all(("only" in c["reason"] and "% arrives" in c["reason"])
               or "none arrives" in c["reason"] for c in rounded)
