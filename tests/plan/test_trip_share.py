"""The ``share <= trips`` rows (``define_trip_share``): a class smaller than one
carrier-load still needs a whole trip. One truck at a depot, two camps 400 km away
that need 2 t each (a tenth of the truck): without the rows the LP relaxation sends a
tenth of a trip to each camp at once and both arrive on time; with them it must carry
the two loads one after the other, as every whole-trip plan does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.plan.conftest import plan_model, yaml_scenario

from corridor.plan.constraints import FAMILIES, define_trip_share
from corridor.plan.model import define_all
from corridor.plan.solve import Solver
from corridor.scenario import load_scenario

STEP_H, KM, SPEED_KMH, LOAD_H, UNLOAD_H, DUE_DAY = 6.0, 400.0, 50.0, 0.5, 0.5, 0.5
PRIORITY = 3  # a supply movement's default priority (docs/scenario-format.md)

TWO_CAMPS = f"""\
format: corridor/1
name: two camps, one truck
horizon_days: 6
planner: {{step_h: {STEP_H:g}}}
nodes:
  - {{id: depot, kind: depot, lat: 50.0, lon: 10.0}}
  - {{id: north, kind: staging_area, lat: 53.6, lon: 10.0}}
  - {{id: south, kind: staging_area, lat: 46.4, lon: 10.0}}
links:
  - {{id: rn, from: depot, to: north, mode: road, distance_km: {KM:g}}}
  - {{id: rs, from: depot, to: south, mode: road, distance_km: {KM:g}}}
carriers:
  - {{id: truck, mode: road, count: 1, capacity_t: 20, capacity_m2: 30, home: depot,
     speed_kmh: {SPEED_KMH:g}, load_h: {LOAD_H:g}, unload_h: {UNLOAD_H:g}}}
movements:
  - {{id: a, origin: depot, destination: north, supplies_t: 2, due_day: {DUE_DAY:g},
     kind: supply}}
  - {{id: b, origin: depot, destination: south, supplies_t: 2, due_day: {DUE_DAY:g},
     kind: supply}}
"""


def _solver(tmp_path: Path, with_share: bool) -> Solver:
    pm = plan_model(load_scenario(yaml_scenario(tmp_path, "two", TWO_CAMPS)))
    define_all(pm, [f for f in FAMILIES if with_share or f is not define_trip_share])
    assert ("trip_share" in pm.lp.families) == with_share
    return Solver(pm.lp)


def _lp(solver: Solver) -> float:
    solver.set_integer(False)
    out = solver.solve_lp(None)
    assert out.status == "optimal"
    return out.objective


def test_share_rows_tighten_the_relaxation_up_to_the_whole_trip_optimum(tmp_path: Path
                                                                      ) -> None:
    weak, strong = _lp(_solver(tmp_path, False)), _lp(_solver(tmp_path, True))
    mip = _solver(tmp_path, True).mip(None, 1e-9)
    mip_without = _solver(tmp_path, False).mip(None, 1e-9)
    assert mip.status == "optimal" and mip_without.status == "optimal"
    # valid: the whole-trip optimum is the same with or without the rows
    assert np.isclose(mip.objective, mip_without.objective, atol=1e-6)
    # The truck is back at the depot after 9 h loaded and 8 h empty, so the second
    # load leaves at the next step start (18 h) and arrives at 27 h: 0.625 days late,
    # 1/priority a day. The weak relaxation has both loads on time.
    loaded = LOAD_H + KM / SPEED_KMH + UNLOAD_H
    again = np.ceil((loaded + KM / SPEED_KMH) / STEP_H) * STEP_H
    late_days = (again + loaded) / 24.0 - DUE_DAY
    assert strong - weak == pytest.approx(late_days / PRIORITY, abs=0.005)
    assert strong <= mip.objective + 1e-6
    # here the rows close the gap: one load waits for the truck to come back
    assert np.isclose(strong, mip.objective, rtol=1e-3, atol=1e-3)
