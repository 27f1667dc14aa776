"""QA15 F3 and F5: flows.parquet agrees with trips.parquet and arrivals.parquet.

F3: a shuttle step's flow is listed per wave, as trips.parquet lists the waves (each
wave its share of the step's trips, tonnes and people, leaving and arriving when the
wave does); its last wave arrives when arrivals.parquet and the closure say.
F5: people riding in the seats of self-moving vehicles are counted in ``pax`` with
those vehicles, so the people flowing into the destination are the people delivered.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corridor.plan import solve_plan
from corridor.scenario import load_scenario

from .conftest import yaml_scenario

SHUTTLE = """format: corridor/1
name: shuttle
horizon_days: 10
planner: {{step_h: 24}}
nodes:
  - {{id: A, kind: depot, lat: 50.0, lon: 10.0}}
  - {{id: B, kind: staging_area, lat: 50.0, lon: 11.0}}
links:
  - {{id: l_ab, from: A, to: B, mode: road, distance_km: 100{cap}}}
carriers:
  - {{id: trucks, mode: road, count: 10, home: A, capacity_t: 25, capacity_m2: 40,
      speed_kmh: 50, load_h: 0, unload_h: 0}}
movements:
  - {{id: m1, origin: A, destination: B, due_day: 10, supplies_t: 1000, kind: supply}}
"""


def _check_against_trips(r: object) -> None:
    flows, trips = r.flows, r.trips  # type: ignore[attr-defined]
    f = flows.groupby("depart_day").agg(trips=("trips", "sum"), arrive=("arrive_day", "max"))
    t = trips.groupby("depart_day").agg(trips=("trips", "sum"), arrive=("arrive_day", "max"))
    assert np.allclose(f.index, t.index)
    assert np.allclose(f["trips"], t["trips"]) and np.allclose(f["arrive"], t["arrive"])


def test_shuttle_flows_are_listed_per_wave(tmp_path: Path) -> None:
    """10 trucks of 25 t, 2 h each way: at 24 h steps four waves of the ten trucks a
    round trip (4 h) apart carry the 1000 t: 250 t leaving at 0, 4, 8 and 12 h and
    arriving at 2, 6, 10 and 14 h; the last is the closure (14 h). Before, one row said
    all 1000 t arrived at 2 h."""
    r = solve_plan(load_scenario(yaml_scenario(tmp_path, "s", SHUTTLE.format(cap=""))),
                   progress=False)
    f = r.flows.sort_values("depart_day")
    assert np.allclose(f["depart_day"] * 24, [0, 4, 8, 12])
    assert np.allclose(f["arrive_day"] * 24, [2, 6, 10, 14])
    assert np.allclose(f["t"], 250.0) and np.allclose(f["trips"], 10.0)
    assert r.summary["closure_day"] == pytest.approx(14 / 24)
    assert r.arrivals["day"].max() == pytest.approx(f["arrive_day"].max())
    _check_against_trips(r)


def test_shuttle_flows_under_a_link_limit(tmp_path: Path) -> None:
    """20 departures a day: 500 t a day, in four waves of five trucks (125 t) each day,
    at 0, 4, 8, 12 h and 24, 28, 32, 36 h; the last arrives at 38 h (day 1.583), the
    closure. Before, each day's 500 t was one row arriving at 2 h of its day."""
    text = SHUTTLE.format(cap=", capacity_per_day: 20")
    r = solve_plan(load_scenario(yaml_scenario(tmp_path, "s", text)), progress=False)
    f = r.flows.sort_values("depart_day")
    assert np.allclose(f["depart_day"] * 24, [0, 4, 8, 12, 24, 28, 32, 36])
    assert np.allclose(f["arrive_day"] * 24, [2, 6, 10, 14, 26, 30, 34, 38])
    assert np.allclose(f["t"], 125.0) and np.allclose(f["trips"], 5.0)
    assert r.summary["closure_day"] == pytest.approx(38 / 24)
    assert r.arrivals["day"].max() == pytest.approx(f["arrive_day"].max())
    _check_against_trips(r)


MARCH = """format: corridor/1
name: march
horizon_days: 10
planner: {{step_h: 1}}
nodes:
  - {{id: A, kind: depot, lat: 50.0, lon: 10.0}}
  - {{id: B, kind: staging_area, lat: 50.0, lon: 11.0}}
links:
  - {{id: l_ab, from: A, to: B, mode: road, distance_km: 100, flow_per_h: 2}}
equipment:
  - {{id: jeep, name: jeep, mass_t: 5, footprint_m2: 10, mlc: 10, seats: 4,
      road_march_km_per_day: 480}}
{carriers}
movements:
  - {{id: jeeps, origin: A, destination: B, due_day: 5, pax: {pax}, equipment: "jeep:10",
      kind: force}}
"""
BUS = """carriers:
  - {id: bus, mode: road, count: 1, home: A, capacity_t: 0, capacity_pax: 20,
      speed_kmh: 50}"""


def test_people_riding_self_moving_vehicles_are_in_flows(tmp_path: Path) -> None:
    """10 jeeps of 4 seats and 40 people: all ride. 2 jeeps an hour (flow_per_h), 5 h
    of driving (100 km at 480 km/day): 2 jeeps and 8 people leave every hour from 0 to
    4 h; the last arrive at 9 h. Before, every row had 0 people."""
    text = MARCH.format(carriers="", pax=40)
    r = solve_plan(load_scenario(yaml_scenario(tmp_path, "m", text)), progress=False)
    f = r.flows
    assert r.summary["closure_day"] == pytest.approx(9 / 24)
    assert f["pax"].sum() == pytest.approx(40.0)
    assert np.allclose(f["pax"], 8.0) and np.allclose(f["t"], 10.0)


def test_riders_and_bus_passengers_add_up_to_the_people(tmp_path: Path) -> None:
    """50 people, 40 seats in the jeeps: 40 ride with the jeeps, 10 go by bus; the
    people flowing into B are all 50."""
    text = MARCH.format(carriers=BUS, pax=50)
    r = solve_plan(load_scenario(yaml_scenario(tmp_path, "m", text)), progress=False)
    f = r.flows
    into = f[f["to"] == "B"]
    assert into["pax"].sum() == pytest.approx(50.0)
    assert into.loc[into["carrier"] == "", "pax"].sum() == pytest.approx(40.0)
    assert into.loc[into["carrier"] == "bus", "pax"].sum() == pytest.approx(10.0)
