"""Shuttles: a carrier whose round trip is shorter than a decision step makes several
trips in it (docs/planner.md, "Carriers"). Two trucks on a 40 km road, a 3 h round
trip, 12 h steps: each truck makes 4 trips a step, not 1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.plan.conftest import yaml_scenario

from corridor.plan import solve_plan
from corridor.scenario import load_scenario

STEP_H = 12.0
KM, SPEED, LOAD_H, UNLOAD_H = 40.0, 40.0, 0.5, 0.5
TRUCKS, TRUCK_T, TONNES = 2, 20.0, 320.0

SHUTTLE = f"""\
format: corridor/1
name: shuttle
horizon_days: 10
seed: 1
planner: {{step_h: {STEP_H:g}}}
nodes:
  - {{id: depot, kind: depot, lat: 50.0, lon: 10.0}}
  - {{id: camp, kind: staging_area, lat: 50.3, lon: 10.0}}
links:
  - {{id: rd, from: depot, to: camp, mode: road, distance_km: {KM:g}}}
carriers:
  - {{id: trucks, mode: road, count: {TRUCKS}, home: depot, capacity_t: {TRUCK_T:g},
     capacity_m2: 30, speed_kmh: {SPEED:g}, load_h: {LOAD_H:g}, unload_h: {UNLOAD_H:g}}}
movements:
  - {{id: sup, origin: depot, destination: camp, supplies_t: {TONNES:g}, ready_day: 0,
     due_day: 5, kind: supply}}
"""


def test_short_round_trips_are_flown_several_times_a_step(tmp_path: Path) -> None:
    r = solve_plan(load_scenario(yaml_scenario(tmp_path, "shuttle", SHUTTLE)), progress=False)
    loaded = LOAD_H + KM / SPEED + UNLOAD_H  # 2 h
    cycle = loaded + KM / SPEED  # 3 h: back empty to the depot
    per = int(STEP_H // cycle)  # 4 trips per truck and step
    loads = int(np.ceil(TONNES / TRUCK_T))  # 16
    steps = int(np.ceil(loads / (TRUCKS * per)))  # 2 steps of departures
    # the last step's last wave leaves (per - 1) round trips after the step starts
    expected = ((steps - 1) * STEP_H + (per - 1) * cycle + loaded) / 24.0
    got = r.movements().at["sup", "closure_day"]
    assert got == pytest.approx(expected, abs=1e-6)  # day 0.96; one trip a step: 3.6
    trips = r.trips
    assert int(trips["trips"].sum()) == loads
    # waves a round trip apart: never more trucks on the road than the fleet has
    ev = pd.concat([pd.DataFrame({"day": trips["depart_day"], "d": trips["trips"]}),
                    pd.DataFrame({"day": trips["back_day"], "d": -trips["trips"]})])
    ev = ev.sort_values(["day", "d"])
    assert ev["d"].cumsum().max() <= TRUCKS
    assert r.carriers["on_time"].all()  # each wave's truck is back at the depot in time


ONE_WAVE = """\
format: corridor/1
name: one wave
horizon_days: 3
planner: {step_h: 6}
nodes:
  - {id: town, kind: population_center, lat: 50.0, lon: 10.0}
  - {id: safe, kind: shelter, lat: 50.45, lon: 10.0}
links:
  - {id: rd, from: town, to: safe, mode: road, distance_km: 50}
carriers:
  - {id: coach, mode: road, count: 2, home: town, capacity_pax: 50, speed_kmh: 100,
     load_h: 0.5, unload_h: 0.5}
movements:
  - {id: evac, origin: town, destination: safe, due_day: 1, pax: 100}
"""


def test_cargo_one_wave_carries_arrives_with_that_wave(tmp_path: Path) -> None:
    """Two coaches of 50 for 100 people: both go at once and arrive after 0.5 + 0.5 +
    0.5 h, although each could make three round trips in a 6 h step (the step's last
    wave, 4 h later, would carry nothing)."""
    s = load_scenario(yaml_scenario(tmp_path, "wave", ONE_WAVE))
    plan = solve_plan(s, progress=False)
    assert plan.movements().at["evac", "closure_day"] == pytest.approx(1.5 / 24)
