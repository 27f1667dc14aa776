"""Whole-trip limits finer than a decision step are spacings, as the simulator books
them: a link of 8 departures a day has a path every 3 h, so at 1 h steps the plan may
not send a day's 8 trucks in one 8-hour burst; a capacity factor spaces them wider; a
berth of one ship a day is visited when the ship reaches it. Each closure is derived by
hand and a deterministic simulation of the plan reproduces it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from corridor.plan import solve_plan
from corridor.scenario import Scenario, load_scenario
from corridor.sim import simulate

from .conftest import yaml_scenario


def _plan_and_follow(s: Scenario, tmp_path: Path) -> tuple[float, float]:
    plan = solve_plan(s, progress=False)
    plan.write(tmp_path / "plan")
    sim = simulate(s, 1, 1, workers=1, progress=False, deterministic=True,
                   plan_dir=tmp_path / "plan")
    planned, got = plan.summary["closure_day"], sim.summary["closure_day"]["mean"]
    assert planned is not None and got is not None
    return float(planned), float(got)


def test_single_link_at_hourly_steps_sends_a_truck_every_three_hours(
        tmp_path: Path) -> None:
    """48 loads of 25 t on a link of 8 a day (a path every 3 h), 6 h of driving: the
    48th leaves at 47 x 3 = 141 h and arrives at 147 h (at 6 h steps two leave every
    step and the answer is 144 h; at 1 h steps the plan used to send 8 in 8 hours)."""
    s = load_scenario("single-link")
    s = dataclasses.replace(s, planner={**s.planner, "step_h": 1.0})
    planned, got = _plan_and_follow(s, tmp_path)
    assert planned == pytest.approx(147 / 24, abs=1e-6)
    assert got == pytest.approx(planned, abs=1 / 24 + 1e-9)


HALVED = """format: corridor/1
name: halved
horizon_days: 10
planner: {step_h: 1}
nodes:
  - {id: a, kind: depot, lat: 52.0, lon: 10.0}
  - {id: b, kind: staging_area, lat: 52.0, lon: 11.0}
links:
  - {id: ab, from: a, to: b, mode: road, distance_km: 120, capacity_per_day: 4}
carriers:
  - {id: trk, mode: road, count: 10, home: a, capacity_t: 20, speed_kmh: 60}
movements:
  - {id: m1, origin: a, destination: b, due_day: 2, supplies_t: 160, kind: supply}
disruptions:
  - {id: half, target: ab, start_day: 0, end_day: 10, capacity_factor: 0.5}
"""


def test_a_halved_link_spaces_departures_twice_as_wide(tmp_path: Path) -> None:
    """4 a day halved to 2 a day: one every 12 h; 8 loads leave at 0, 12, ..., 84 h and
    the last arrives 2 h later, at 86 h."""
    s = load_scenario(yaml_scenario(tmp_path, "halved", HALVED))
    planned, got = _plan_and_follow(s, tmp_path)
    assert planned == pytest.approx(86 / 24, abs=1e-6)
    assert got == pytest.approx(planned, abs=1 / 24 + 1e-9)


BERTH = """format: corridor/1
name: berth
horizon_days: 10
planner: {step_h: 6}
nodes:
  - {id: p1, kind: port, lat: 54.0, lon: 10.0}
  - {id: p2, kind: port, lat: 54.0, lon: 20.0, sea_per_day: 1}
links:
  - {id: sea1, from: p1, to: p2, mode: sea, distance_km: 720}
carriers:
  - {id: ship, mode: sea, count: 4, home: p1, capacity_t: 1000, speed_kmh: 30}
movements:
  - {id: m1, origin: p1, destination: p2, due_day: 10, supplies_t: 4000, kind: supply}
"""


def test_one_ship_a_day_at_the_berth(tmp_path: Path) -> None:
    """Four ships of 1,000 t, 24 h at sea, a berth of one visit a day: they reach it at
    24, 48, 72 and 96 h (a ship in at 24 h visits on day 1, so a second cannot also
    count on day 0): closure day 4."""
    s = load_scenario(yaml_scenario(tmp_path, "berth", BERTH))
    planned, got = _plan_and_follow(s, tmp_path)
    assert planned == pytest.approx(4.0, abs=1e-6)
    assert got == pytest.approx(planned, abs=6 / 24 + 1e-9)
