"""What-ifs: one more carrier never makes a plan later; ``--set`` edits reach the plan."""

from __future__ import annotations

import pytest
from tests.plan.conftest import eastern_subset, library

from corridor.plan import solve_plan
from corridor.scenario.whatif import apply_sets


@pytest.mark.parametrize(("name", "fleet"), [("fleet-cycle", "hets"),
                                             ("single-link", "trucks"),
                                             ("gauge-break", "trains_1520")])
def test_one_more_carrier_never_makes_closure_later(name: str, fleet: str) -> None:
    s = library(name)
    base = solve_plan(s, progress=False)
    n = int(s.carriers.at[fleet, "count"])
    more = solve_plan(apply_sets(s, [f"carriers.{fleet}.count={n + 1}"]), progress=False)
    b, m = base.movements(), more.movements()
    for mid in b.index:
        assert m.at[mid, "closure_day"] <= b.at[mid, "closure_day"] + 1e-9
    # within the solver's tolerance (HiGHS mip_abs_gap 1e-4, solve.py)
    assert more.summary["objective"]["value"] <= base.summary["objective"]["value"] + 1e-4


def test_fleet_cycle_one_more_het_matches_the_hand_answer() -> None:
    s = library("fleet-cycle")
    r = solve_plan(apply_sets(s, ["carriers.hets.count=5"]), progress=False)
    assert r.movements().at["tanks", "closure_day"] * 24 == pytest.approx(44.0, abs=1e-3)


def test_one_more_carrier_on_a_slice_of_eastern_flank() -> None:
    s = eastern_subset(["PL03", "DE05"])
    base = solve_plan(s, progress=False)
    more = solve_plan(apply_sets(s, ["carriers.het_m1070_pl.count=31"]), progress=False)
    assert more.summary["objective"]["value"] <= base.summary["objective"]["value"] * 1.0 \
        + base.summary["gap_days"] + 1e-6
