"""The priority / earliest-due-date heuristic: route choice by estimated completion."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from corridor.network.graph import build_network
from corridor.scenario import Scenario
from corridor.sim.dispatch import _water_level, choose_routes

ScenarioYaml = Callable[[str], Scenario]


def test_water_level_fills_the_earliest_fleet_first() -> None:
    """Fleet 1 is free from day 0, fleet 2 from day 2, each moving 1 unit a day: 4 units
    take fleet 1 alone to day 2 (2 units), then both for a day."""
    assert _water_level(np.array([0.0, 2.0]), np.array([1.0, 1.0]), 4.0) == 3.0
    assert _water_level(np.array([2.0, 0.0]), np.array([1.0, 1.0]), 1.0) == 1.0


AIR_OR_ROAD = """
name: air or road
horizon_days: 30
nodes:
  - {id: a, kind: origin, lat: 50, lon: 10}
  - {id: b, kind: staging_area, lat: 50, lon: 17}
links:
  - {id: fly, from: a, to: b, mode: air, distance_km: 500}
  - {id: drive, from: a, to: b, mode: road, distance_km: 520}
carriers:
  - {id: plane, mode: air, count: 1, home: a, capacity_t: 80, capacity_m2: 120,
     speed_kmh: 800, load_h: 2, unload_h: 2}
  - {id: hets, mode: road, count: 20, home: a, capacity_t: 70, capacity_m2: 45,
     speed_kmh: 60, load_h: 2, unload_h: 2}
movements:
  - {id: m, origin: a, destination: b, due_day: 10, equipment: "leopard2a6:%d"}
"""


@pytest.mark.parametrize("tanks, mode", [(1, "air"), (40, "road")])
def test_a_big_class_takes_the_fleet_that_finishes_first(scenario_yaml: ScenarioYaml,
                                                         tanks: int, mode: str) -> None:
    """One tank flies (fastest); forty go by 20 transporters rather than queue for the
    single aircraft (1 tank a 5 h round trip: 40 tanks take 8 days, the road 2 rounds)."""
    s = scenario_yaml(AIR_OR_ROAD % tanks)
    plan = choose_routes(s, build_network(s))
    [(route, share)] = next(iter(plan.routes.values()))
    assert share == 1.0 and route.modes == (mode,)
