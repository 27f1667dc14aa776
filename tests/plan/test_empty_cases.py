"""Scenarios the planner has little or nothing to do for: no movements at all (an
evacuation-only scenario) and no carriers (vehicles march). Both give a whole plan,
never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.plan import solve_plan
from corridor.scenario import load_scenario

from .conftest import closure, yaml_scenario

NODES = """nodes:
  - {id: w, name: West, kind: staging_area, lat: 50.0, lon: 20.0, country: PL}
  - {id: e, name: East, kind: staging_area, lat: 50.0, lon: 21.3, country: PL}"""


def test_no_movements_gives_an_empty_plan(tmp_path: Path) -> None:
    path = yaml_scenario(tmp_path, "evac_only", """
format: corridor/1
name: evac_only
start_date: 2025-01-15
horizon_days: 1
evacuation: {step_min: 10, speed_kmh: 30}
nodes:
  - {id: w, name: Town, kind: population_center, lat: 50.0, lon: 20.0, population: 1000}
  - {id: e, name: Camp, kind: shelter, lat: 50.0, lon: 21.3, shelter_capacity: 2000}
links:
  - {id: we, from: w, to: e, mode: road, distance_km: 10, flow_per_h: 500}
""")
    r = solve_plan(load_scenario(path), progress=False)
    assert r.summary["status"] == "optimal"
    assert r.summary["movements"] == [] and r.summary["unmet"] == []
    assert r.flows.empty and r.trips.empty
    out = r.write(tmp_path / "plan")
    assert (out / "summary.json").is_file()


def test_marching_without_carriers(tmp_path: Path) -> None:
    """20 HMMWVs drive 100 km at 25 km/h (4 h) with no carriers table; 10 may enter
    the road per hour, so at 1 h steps ten leave at 0 h and ten at 1 h: the last
    arrive at 1 + 4 = 5 h."""
    path = yaml_scenario(tmp_path, "march", f"""
format: corridor/1
name: march
start_date: 2025-01-15
horizon_days: 2
planner: {{step_h: 1}}
{NODES}
links:
  - {{id: we, from: w, to: e, mode: road, distance_km: 100, flow_per_h: 10}}
movements:
  - {{id: cars, origin: w, destination: e, ready_day: 0, due_day: 1, equipment: "hmmwv:20"}}
""")
    s = load_scenario(path)
    r = solve_plan(s, progress=False)
    march_h = 100 / (s.equipment.loc["hmmwv", "road_march_km_per_day"] / 24)
    assert closure(r, "cars") == pytest.approx((1 + march_h) / 24, abs=1e-6)
    assert r.flows["carrier"].fillna("").eq("").all()
