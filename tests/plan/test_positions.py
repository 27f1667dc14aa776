"""Carriers counted by place (corridor.plan.positions): in a small model a truck that
ends its trip where the next one starts takes it at once, instead of being held for the
empty run to the farthest place its fleet loads at (QA16: a via stop planned 6 h where
4 h is the hand answer). Every trip still starts where its carrier is."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.plan.conftest import closure, yaml_scenario

from corridor.plan import solve_plan
from corridor.scenario import load_scenario

HEAD = """\
format: corridor/1
name: places
horizon_days: 3
planner: {step_h: 1}
nodes:
  - {id: A, kind: road_hub, lat: 50.0, lon: 10.0}
  - {id: B, kind: road_hub, lat: 50.0, lon: 11.4}
  - {id: C, kind: road_hub, lat: 50.0, lon: 12.8}
links:
  - {id: ab, from: A, to: B, mode: road, distance_km: 100}
  - {id: bc, from: B, to: C, mode: road, distance_km: 100}
  - {id: ac, from: A, to: C, mode: road, distance_km: 100}
carriers:
  - {id: t, mode: road, count: 1, home: A, capacity_t: 20, speed_kmh: 50, load_h: 0,
     unload_h: 0}
movements:
"""

VIA = HEAD + "  - {id: m, origin: A, destination: C, via: B, due_day: 2, supplies_t: 20}\n"
# the truck carries A -> C, then (already at C) C -> B
CHAIN = HEAD + """\
  - {id: m1, origin: A, destination: C, due_day: 0.05, supplies_t: 20}
  - {id: m2, origin: C, destination: B, due_day: 0.5, supplies_t: 20}
"""


def _starts_where_carrier_is(plan: object) -> None:
    c = plan.carriers  # type: ignore[attr-defined]
    assert len(c) and c["on_time"].all()
    for _, g in c.groupby(["fleet", "carrier"]):
        g = g.sort_values("depart_day")
        # each trip starts where the carrier's last one ended (or at home) ...
        assert list(g["was_at"].iloc[1:]) == list(g["to"].iloc[:-1])
        # ... and the carrier gets there before it departs
        assert (g["free_day"].to_numpy()[1:] <= g["depart_day"].to_numpy()[1:] + 1e-9).all()


def test_a_via_stop_does_not_hold_the_truck_for_an_empty_run(tmp_path: Path) -> None:
    plan = solve_plan(load_scenario(yaml_scenario(tmp_path, "via", VIA)), progress=False)
    assert closure(plan, "m") == pytest.approx(4 / 24, abs=1e-5)  # A -> B 2 h, B -> C 2 h
    _starts_where_carrier_is(plan)
    assert plan.carriers["empty_links"].fillna("").eq("").all()  # never drives empty


def test_the_next_trip_starts_where_the_last_one_ended(tmp_path: Path) -> None:
    plan = solve_plan(load_scenario(yaml_scenario(tmp_path, "chain", CHAIN)), progress=False)
    assert closure(plan, "m1") == pytest.approx(2 / 24, abs=1e-5)
    # pooled: 6 h (the truck is held for the run back to A first)
    assert closure(plan, "m2") == pytest.approx(4 / 24, abs=1e-5)
    _starts_where_carrier_is(plan)


def test_one_more_truck_at_home_is_verified(tmp_path: Path) -> None:
    """Two truckloads via B with one truck: A→B, B→C, back to A, A→B, B→C closes at
    10 h; one more truck (at home A on day 0, the what-if row of a fleet counted by
    place) takes the second load alongside: 4 h."""
    text = VIA.replace("due_day: 2, supplies_t: 20", "due_day: 0.2, supplies_t: 40")
    plan = solve_plan(load_scenario(yaml_scenario(tmp_path, "via2", text)), progress=False)
    assert closure(plan, "m") == pytest.approx(10 / 24, abs=1e-5)
    _starts_where_carrier_is(plan)
    fleet = [b for b in plan.summary["bottlenecks"] if b["kind"] == "fleet"]
    assert fleet, plan.summary["bottlenecks"]
    assert fleet[0]["closure_change_days"]["m"] == pytest.approx(6 / 24, abs=1e-5)  # earlier


ROUND = """\
format: corridor/1
name: round
horizon_days: 3
nodes:
  - {id: A, kind: road_hub, lat: 50.0, lon: 10.0}
  - {id: B, kind: road_hub, lat: 50.0, lon: 11.4}
links:
  - {id: ab, from: A, to: B, mode: road, distance_km: 100}
carriers:
  - {id: t, mode: road, count: 1, home: A, capacity_t: 20, speed_kmh: 50, load_h: 0,
     unload_h: 0}
movements:
  - {id: m1, origin: A, destination: B, due_day: 0.1, supplies_t: 40}
  - {id: m2, origin: B, destination: A, due_day: 2, supplies_t: 20}
"""


def test_never_later_than_the_pooled_rows_at_long_steps(tmp_path: Path) -> None:
    """At 6 h steps a 2 h trip and the 2 h run back fit one step pooled; by place each
    would take a step of its own (m1's second load at 12 h, in at 14 h). Such a fleet
    keeps the pooled rows: the second load leaves at 6 h and is in at 8 h."""
    plan = solve_plan(load_scenario(yaml_scenario(tmp_path, "round", ROUND)), progress=False)
    assert closure(plan, "m1") == pytest.approx(8 / 24, abs=1e-5)
    _starts_where_carrier_is(plan)


def test_a_truck_already_there_takes_the_next_leg(tmp_path: Path) -> None:
    """With five trucks the B→C leg goes to the truck standing at B, not to a fresh one
    driving A→B empty over a threatened link (expected carrier losses 0.1, not 0.2)."""
    text = VIA.replace("count: 1", "count: 5") + \
        "disruptions:\n  - {id: th, target: ab, loss_prob: 0.1}\n"
    plan = solve_plan(load_scenario(yaml_scenario(tmp_path, "via5", text)), progress=False)
    assert plan.summary["expected_losses"]["carriers"] == pytest.approx(0.1)
    assert plan.carriers["empty_links"].fillna("").eq("").all()
    assert plan.carriers["carrier"].nunique() == 1
