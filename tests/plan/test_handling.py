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


TRUCKS = """\
format: corridor/1
name: handling
horizon_days: 10
planner: {step_h: 1}
nodes:
  - {id: a, kind: depot, lat: 52.0, lon: 10.0}
  - {id: b, kind: staging_area, lat: 52.0, lon: 11.0, handling_t_per_day: 100}
links:
  - {id: ab, from: a, to: b, mode: road, distance_km: 120}
carriers:
  - {id: trk, mode: road, count: 10, home: a, capacity_t: 20, speed_kmh: 60, load_h: 0,
     unload_h: 0}
movements:
  - {id: m1, origin: a, destination: b, due_day: 2, supplies_t: 400, kind: supply}
"""


def test_many_small_loads_queue_for_the_handling_limit(tmp_path: Path) -> None:
    """Ten 20 t trucks, 400 t, 2 h away, and 100 t/day of handling where they unload
    (4.8 h a truck) at 1 h steps: the whole-trip MIP (a general integer per run and
    step, a few hundred of them) must finish at its optimum, not stall at its root.
    Unloading back to back ends at 2 h + 400 t at 100 t/day = 98 h; with departures on
    whole hours a truck's 4.8 h take at most 5, so at the latest the twentieth load
    leaves at 95 h and is unloaded at 95 + 2 + 4.8 h."""
    s = load_scenario(yaml_scenario(tmp_path, "trucks", TRUCKS))
    plan = solve_plan(s, progress=False)
    assert plan.summary["status"] == "optimal"
    assert plan.summary["unmet"] == []
    day = closure(plan, "m1")
    assert day is not None
    assert (2 + 400 / 100 * 24) / 24 - 1e-6 <= day <= (95 + 2 + 4.8) / 24 + 1e-6
