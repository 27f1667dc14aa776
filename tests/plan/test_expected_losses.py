"""The plan's ``expected_losses`` against a hand derivation (scenario-format.md,
disruptions: "loss_prob: probability that a carrier transit on the target is lost").

Two ships of 1,000 t carry 4,000 t over one sea lane with ``loss_prob`` 0.3: four
loaded transits, and between each ship's two trips one empty return over the same lane.
Cargo at risk: 4,000 t x 0.3 = 1,200 t. Carriers at risk: (4 + 2) transits x 0.3 = 1.8.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.plan import PlanResult, solve_plan
from corridor.scenario import load_scenario

SCENARIO = """format: corridor/1
name: loss
description: one sea lane under a standing threat
start_date: 2025-01-15
horizon_days: 20
seed: 1
planner: {step_h: 6}
nodes:
  - {id: p1, name: Port 1, kind: port, lat: 54.0, lon: 10.0, country: DE}
  - {id: p2, name: Port 2, kind: port, lat: 54.0, lon: 20.0, country: PL}
links:
  - {id: sea1, from: p1, to: p2, mode: sea, distance_km: 720}
carriers:
  - {id: ship, mode: sea, count: 2, home: p1, capacity_t: 1000, speed_kmh: 30}
movements:
  - {id: m1, origin: p1, destination: p2, ready_day: 0, due_day: 10, supplies_t: 4000,
     kind: supply}
disruptions:
  - {id: subs, target: sea1, loss_prob: 0.3}
"""


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    path = tmp_path_factory.mktemp("loss") / "loss.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return solve_plan(load_scenario(Path(path)), progress=False)


def test_the_plan_makes_four_loaded_transits_and_two_empty_returns(plan: PlanResult) -> None:
    assert int(plan.trips["trips"].sum()) == 4
    empty = plan.carriers[plan.carriers["was_at"] != plan.carriers["from"]]
    assert list(zip(empty["was_at"], empty["from"], strict=True)) == [("p2", "p1")] * 2
    assert plan.summary["expected_losses"]["cargo_t"] == pytest.approx(1200.0)


def test_expected_carrier_losses_count_the_empty_returns(plan: PlanResult) -> None:
    assert plan.summary["expected_losses"]["carriers"] == pytest.approx(1.8)
    empty = plan.carriers[plan.carriers["was_at"] != plan.carriers["from"]]
    assert list(empty["empty_links"]) == ["sea1"] * 2
