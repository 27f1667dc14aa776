"""Fleets split by region (corridor.plan.regions) on the relax-and-fix path: a trip
holds its truck for the run back to its own region's farthest loading place, not the
fleet's, and the model gives each region whole trucks of the fleet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.plan.conftest import closure, yaml_scenario

from corridor.plan import solve_plan
from corridor.plan.pipeline import PlanOptions
from corridor.plan.regions import regions
from corridor.scenario import load_scenario

INF = np.inf


def test_places_close_together_share_a_region() -> None:
    at = np.array([0.0, 2.0, 3.0, 50.0, 52.0])  # hours along a road
    hours = np.abs(at[:, None] - at[None, :])
    assert regions(hours, 12.0, 8).tolist() == [0, 0, 0, 1, 1]
    assert regions(hours, 100.0, 8).tolist() == [0, 0, 0, 0, 0]
    assert regions(hours, 12.0, 1).tolist() == [0, 0, 0, 0, 0]
    assert regions(hours, 0.5, 2).tolist() == [0, 0, 0, 1, 1]  # the 2 tightest clusters
    # numbered by first appearance
    assert regions(hours[::-1, ::-1], 12.0, 8).tolist() == [0, 0, 1, 1, 1]


def test_an_unreachable_place_is_a_region_of_its_own() -> None:
    hours = np.array([[0.0, 1.0, INF], [1.0, 0.0, INF], [INF, INF, 0.0]])
    assert regions(hours, 12.0, 8).tolist() == [0, 0, 1]
    one_way = np.array([[0.0, 1.0], [INF, 0.0]])  # apart unless reachable both ways
    assert regions(one_way, 12.0, 8).tolist() == [0, 1]


# Eight 10 t trucks at A1 serve two regions 100 h apart: 320 t from A1 to A2 (2 h) and
# one truckload from B1 to B2 (2 h).
FAR = """\
format: corridor/1
name: far
horizon_days: 10
planner: {step_h: 6}
nodes:
  - {id: A1, kind: road_hub, lat: 50.0, lon: 10.0}
  - {id: A2, kind: road_hub, lat: 50.0, lon: 11.4}
  - {id: B1, kind: road_hub, lat: 50.0, lon: 20.0}
  - {id: B2, kind: road_hub, lat: 50.0, lon: 21.4}
links:
  - {id: a, from: A1, to: A2, mode: road, distance_km: 100}
  - {id: b, from: B1, to: B2, mode: road, distance_km: 100}
  - {id: ab, from: A1, to: B1, mode: road, distance_km: 5000}
carriers:
  - {id: t, mode: road, count: 8, home: A1, capacity_t: 10, speed_kmh: 50, load_h: 0,
     unload_h: 0}
movements:
  - {id: ma, origin: A1, destination: A2, due_day: 5, supplies_t: 320}
  - {id: mb, origin: B1, destination: B2, due_day: 8, supplies_t: 10}
"""
ROUNDING = {"exact_limit": 0}  # the relax-and-fix path, as on a large instance


def test_a_region_keeps_its_trucks_cycling_close_to_home(tmp_path: Path) -> None:
    """Region A gets 7 trucks, region B the one its truckload needs. In A a trip and
    the run back take 4 h (one 6 h step): 70 t a step, so 320 t leave at 0, 6, 12, 18
    and 24 h and the last is in at 26 h. B's truck drives 100 h from home, leaves at the
    step after (102 h) and is in at 104 h."""
    s = load_scenario(yaml_scenario(tmp_path, "far", FAR))
    plan = solve_plan(s, progress=False, options=PlanOptions(**ROUNDING))
    assert closure(plan, "ma") == pytest.approx(26 / 24, abs=1e-5)
    assert closure(plan, "mb") == pytest.approx(104 / 24, abs=1e-5)
    c = plan.carriers
    assert c["on_time"].all()
    assert c["carrier"].between(1, 8).all()  # the regions number one fleet's trucks
    regions_of = c.groupby("carrier")["from"].agg(lambda v: {str(x)[0] for x in v})
    assert (regions_of.map(len) == 1).all()  # a truck stays in its region
    assert sorted(c.groupby("from")["carrier"].nunique().to_dict().items()) == \
        [("A1", 7), ("B1", 1)]


def test_one_pool_holds_every_truck_for_the_run_to_the_far_region(tmp_path: Path) -> None:
    """The fleet-wide rule: each A trip holds its truck 2 h + 102 h back to B1 (18
    steps), so 80 t leave every 108 h and the fourth load would leave at 324 h, past the
    10-day horizon: the plan cannot close ma."""
    s = load_scenario(yaml_scenario(tmp_path, "far", FAR))
    plan = solve_plan(s, progress=False, options=PlanOptions(**ROUNDING, region_h=None))
    ma = closure(plan, "ma")
    assert ma is None or not np.isfinite(ma) or ma > 10
