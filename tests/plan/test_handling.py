"""A node's ``handling_t_per_day`` sets how long a big carrier takes to unload there
(as the simulator books it): one 2,000 t barge, 10 h from the quay where 500 t/day
are handled, closes after 10 h + 4 days, whatever its own ``unload_h``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.plan.conftest import closure, yaml_scenario

from corridor.plan import solve_plan
from corridor.scenario import load_scenario
from corridor.sim import simulate

BARGE = """\
format: corridor/1
name: quay
horizon_days: 12
planner: {{step_h: 6}}
nodes:
  - {{id: r1, kind: port, lat: 48.0, lon: 16.0}}
  - {{id: r2, kind: port, lat: 48.0, lon: 17.5, handling_t_per_day: 500}}
links:
  - {{id: r12, from: r1, to: r2, mode: inland_water, distance_km: 120}}
carriers:
  - {{id: barge, mode: inland_water, count: 1, home: r1, capacity_t: 2000, speed_kmh: 12,
     load_h: 0, unload_h: {unload_h}}}
movements:
  - {{id: grain, origin: r1, destination: r2, due_day: 10, supplies_t: 2000, kind: aid}}
"""


@pytest.mark.parametrize("unload_h", [0, 24])
def test_a_full_load_takes_the_quays_handling_time(tmp_path: Path, unload_h: int) -> None:
    s = load_scenario(yaml_scenario(tmp_path, "quay", BARGE.format(unload_h=unload_h)))
    expected = (10.0 + 2000 / 500 * 24.0) / 24.0
    plan = solve_plan(s, progress=False)
    assert plan.summary["unmet"] == []
    assert closure(plan, "grain") == pytest.approx(expected, abs=1e-6)
    sim = simulate(s, 1, 1, workers=1, progress=False, deterministic=True)
    got = sim.summary["movements"][0]["closure_day"]["mean"]
    assert np.isclose(got, expected, atol=1e-6)
