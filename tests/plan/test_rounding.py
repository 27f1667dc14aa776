"""Relax-and-fix rounding (``round_trips``): a fraction of a carrier-load gets its own
trip where the LP plan leaves a carrier of the fleet free (rounding up costs nothing),
and is rounded to the nearest whole trip where the fleet is saturated, the remainder
waiting for the run's next departure (a half-empty truck would cost cargo elsewhere)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tests.plan.conftest import yaml_scenario
from tests.plan.test_trip_share import TWO_CAMPS

from corridor.network.graph import build_network
from corridor.network.routing import Router
from corridor.plan.commodities import commodities
from corridor.plan.disruptions import capacity_factors
from corridor.plan.model import PlanModel
from corridor.plan.rounding import ROUND_UP, round_trips
from corridor.plan.services import build_services
from corridor.plan.structure import build_structure
from corridor.plan.timegrid import TimeGrid
from corridor.scenario import load_scenario

TRUCKS = 3
LOAD = 1.3  # carrier-loads the LP sends on the first departure: 0.3 < ROUND_UP


def _model(tmp_path: Path) -> PlanModel:
    text = TWO_CAMPS.replace("count: 1,", f"count: {TRUCKS},")
    s = load_scenario(yaml_scenario(tmp_path, "trucks", text))
    net = build_network(s)
    grid = TimeGrid.of(s.step_h, s.horizon_days)
    coms, groups = commodities(s, net)
    sv = build_services(net, coms, 3, Router(net))
    factors = capacity_factors(s, net, grid)
    st = build_structure(net, sv, coms, grid, factors, budget=8_000)
    return PlanModel(s, net, coms, groups, sv, st, factors, trips="integer")


def _first_and_last(pm: PlanModel) -> tuple[int, int]:
    """The first and last departure of a carrier run with several departures."""
    st = pm.st
    for r in np.unique(st.y_run):
        ys = np.flatnonzero(st.y_run == r)
        if len(ys) > 2 and st.run_pool[r] >= 0:
            ys = ys[np.argsort(st.y_t[ys])]
            return int(ys[0]), int(ys[-1])
    raise AssertionError("no carrier run with several departures")


def test_a_fraction_rides_where_the_lp_leaves_a_truck_free(tmp_path: Path) -> None:
    pm = _model(tmp_path)
    first, _ = _first_and_last(pm)
    loads = np.zeros(pm.st.n_y)
    loads[first] = LOAD
    out = round_trips(pm, loads, plan=loads)  # the LP uses 1.3 of 3 trucks
    assert LOAD % 1 < ROUND_UP
    assert out[first] == np.ceil(LOAD)
    assert out.sum() == np.ceil(LOAD)  # nothing carried on


def test_on_a_saturated_fleet_the_fraction_waits_for_the_next_departure(tmp_path: Path
                                                                        ) -> None:
    pm = _model(tmp_path)
    first, last = _first_and_last(pm)
    loads = np.zeros(pm.st.n_y)
    loads[first] = LOAD
    plan = loads.copy()
    plan[first] = TRUCKS  # the LP has every truck busy over that trip's time
    out = round_trips(pm, loads, plan=plan)
    assert out[first] == np.floor(LOAD)  # nearest whole trip
    assert out[last] == 1  # the run's last departure takes the 0.3 left over
    assert out.sum() == np.floor(LOAD) + 1
    # without an LP plan to say the fleet is full, the fraction gets its trip at once
    assert round_trips(pm, loads)[first] == np.ceil(LOAD)
