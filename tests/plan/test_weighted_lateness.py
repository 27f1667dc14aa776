"""``priority_weighted_late_days``: days late / priority summed over movements, one that
never closes counted as closing 30 days after the horizon (as the objective counts it),
so a what-if that stops a movement closing never looks less late."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.plan import solve_plan
from corridor.plan.constraints import NEVER_EXTRA_DAYS
from corridor.scenario import load_scenario

from .conftest import yaml_scenario

SCENARIO = """format: corridor/1
name: avail
horizon_days: 10
planner: {{step_h: 1}}
nodes:
  - {{id: a, kind: depot, lat: 52.0, lon: 10.0}}
  - {{id: b, kind: staging_area, lat: 52.0, lon: 11.0}}
links:
  - {{id: ab, from: a, to: b, mode: road, distance_km: 120}}
carriers:
  - {{id: trk, mode: road, count: 2, home: a, capacity_t: 20, speed_kmh: 60, load_h: 1,
     unload_h: 1, available_day: {available}}}
movements:
  - {{id: m1, origin: a, destination: b, due_day: 2, supplies_t: 200, kind: supply,
     priority: 2}}
"""


def test_a_movement_that_stops_closing_counts_as_later(tmp_path: Path) -> None:
    """Trucks from day 1: ten loads of 20 t on two trucks, a 4 h trip (1 h loading,
    2 h driving, 1 h unloading) and a 6 h round trip: closure 24 + 4 x 6 + 4 h = 52 h,
    4 h late at priority 2. Trucks from day 20, past the horizon: never, counted as
    closing on day 10 + 30."""
    on = solve_plan(load_scenario(yaml_scenario(tmp_path, "on", SCENARIO.format(
        available=1))), progress=False).summary
    assert on["movements"][0]["closure_day"] == pytest.approx(52 / 24)
    assert on["priority_weighted_late_days"] == pytest.approx((52 / 24 - 2) / 2, abs=1e-4)
    off = solve_plan(load_scenario(yaml_scenario(tmp_path, "off", SCENARIO.format(
        available=20))), progress=False).summary
    assert off["movements"][0]["closure_day"] is None
    assert off["priority_weighted_late_days"] == pytest.approx(
        (10 + NEVER_EXTRA_DAYS - 2) / 2)
    assert off["priority_weighted_late_days"] > on["priority_weighted_late_days"]
