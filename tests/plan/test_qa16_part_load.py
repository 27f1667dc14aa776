"""A carrier that can only ever carry part of its capacity handles only that part: 100 t
on a 200 t truck unload in 10 h at a 240 t/day depot, not the 20 h a full load takes
(as the simulator books the tonnes aboard). A run that may carry a full load keeps the
full-load time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.plan.conftest import closure, yaml_scenario

from corridor.plan import solve_plan
from corridor.scenario import load_scenario
from corridor.sim import simulate

PART = """\
format: corridor/1
name: part
horizon_days: 4
planner: {{step_h: 1}}
nodes:
  - {{id: a, kind: depot, lat: 50.0, lon: 10.0}}
  - {{id: c, kind: depot, lat: 50.0, lon: 11.0, handling_t_per_day: 240}}
links:
  - {{id: ac, from: a, to: c, mode: road, distance_km: 100}}
carriers:
  - {{id: lorry, mode: road, count: 1, home: a, capacity_t: 200, speed_kmh: 50, load_h: 0,
     unload_h: 0}}
movements:
  - {{id: m, origin: a, destination: c, due_day: 3, supplies_t: {tonnes}}}
"""


@pytest.mark.parametrize("tonnes", [100, 200])
def test_unloading_takes_the_tonnes_that_can_ride(tmp_path: Path, tonnes: int) -> None:
    s = load_scenario(yaml_scenario(tmp_path, "part", PART.format(tonnes=tonnes)))
    expected = (2.0 + tonnes / 240 * 24.0) / 24.0  # 2 h on the road, then unloading
    plan = solve_plan(s, progress=False)
    assert plan.summary["unmet"] == []
    assert closure(plan, "m") == pytest.approx(expected, abs=1e-6)
    sim = simulate(s, 1, 1, workers=1, progress=False, deterministic=True)
    assert np.isclose(sim.summary["movements"][0]["closure_day"]["mean"], expected,
                      atol=1e-6)
