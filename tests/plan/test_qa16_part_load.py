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


QUAY = """\
format: corridor/1
name: quay
horizon_days: 6
planner: {step_h: 1}
nodes:
  - {id: r1, kind: port, lat: 48.0, lon: 16.0}
  - {id: r2, kind: port, lat: 48.0, lon: 17.5, handling_t_per_day: 500}
links:
  - {id: r12, from: r1, to: r2, mode: inland_water, distance_km: 120}
carriers:
  - {id: tug, mode: inland_water, count: 1, home: r1, capacity_t: 5, speed_kmh: 24}
  - {id: big, mode: inland_water, count: 1, home: r1, capacity_t: 2000, speed_kmh: 12}
  - {id: small, mode: inland_water, count: 1, home: r1, capacity_t: 50, speed_kmh: 6}
movements:
  - {id: m, origin: r1, destination: r2, due_day: 3, supplies_t: 20}
"""


def test_other_fleets_are_ranked_by_the_class_they_would_carry(tmp_path: Path) -> None:
    """20 t: the 2,000 t barge unloads them at the 500 t/day quay in under an hour and
    is in after 11 h; the 50 t one after 20 h. Ranked by a full load the big barge
    needed four days and was dropped for the slow one."""
    from corridor.network.graph import build_network
    from corridor.plan.commodities import commodities
    from corridor.plan.services import FleetArcs, alternatives

    s = load_scenario(yaml_scenario(tmp_path, "quay", QUAY))
    net = build_network(s)
    coms, _ = commodities(s, net)
    com = next(c for c in coms if c.unit == "t")
    runs = alternatives(net, FleetArcs(net), com, "tug", (0,), n_other=1)
    assert [str(net.fleets.ids[r.fleet]) for r in runs] == ["tug", "big"]
