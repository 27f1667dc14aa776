"""Relax-and-fix rounding (``round_trips``): a fraction of a carrier-load gets its own
trip where a carrier of the fleet is free beside the trips already rounded and the LP's
trips still to come (rounding up costs nothing), and is rounded to the nearest whole
trip where the fleet is saturated, the remainder waiting for the run's next departure
(a half-empty truck would cost cargo elsewhere)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tests.plan.conftest import plan_model, yaml_scenario
from tests.plan.test_trip_share import TWO_CAMPS

from corridor.plan.model import PlanModel
from corridor.plan.rounding import ROUND_UP, round_trips
from corridor.scenario import load_scenario

TRUCKS = 3
LOAD = 1.3  # carrier-loads the LP sends on the first departure: 0.3 < ROUND_UP


def _model(tmp_path: Path) -> PlanModel:
    text = TWO_CAMPS.replace("count: 1,", f"count: {TRUCKS},")
    return plan_model(load_scenario(yaml_scenario(tmp_path, "trucks", text)))


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


def _overlapping(pm: PlanModel, y: int) -> list[int]:
    """Trips of ``y``'s fleet, other than ``y``, holding a carrier when ``y`` departs."""
    st = pm.st
    start = st.gp(st.y_t)
    back = st.gp(st.y_t + st.run_occ[st.y_run])
    pool = st.run_pool[st.y_run]
    hit = (pool == pool[y]) & (start <= start[y]) & (back > start[y])
    hit[y] = False
    return [int(i) for i in np.flatnonzero(hit)]


def test_on_a_saturated_fleet_the_fraction_waits_for_the_next_departure(tmp_path: Path
                                                                        ) -> None:
    pm = _model(tmp_path)
    first, last = _first_and_last(pm)
    other = _overlapping(pm, first)[0]
    todo = np.zeros(pm.st.n_y, dtype=bool)
    todo[[first, last]] = True
    loads = np.zeros(pm.st.n_y)
    loads[first] = LOAD
    plan = loads.copy()
    plan[other] = TRUCKS - LOAD  # the LP's later trips take every other truck
    out = round_trips(pm, loads, todo, plan=plan)
    assert out[first] == np.floor(LOAD)  # nearest whole trip
    assert out[last] == 1  # the run's last departure takes the 0.3 left over
    assert out[todo].sum() == np.floor(LOAD) + 1
    # without an LP plan to say the fleet is full, the fraction gets its trip at once
    assert round_trips(pm, loads)[first] == np.ceil(LOAD)


def test_a_truck_nearest_rounding_leaves_idle_goes_to_the_next_trip_that_needs_it(
        tmp_path: Path) -> None:
    """The LP keeps 2.8 of the three trucks busy with 1.4 + 1.4 carrier-loads on two
    overlapping trips. The first is rounded to the nearest (1: the LP's second trip
    still needs its 1.4 trucks), which leaves a truck for the second to round up
    (2, not 1: no truck idle); the first's 0.4 waits for its run's later departures,
    and the fleet is never over-committed."""
    pm = _model(tmp_path)
    st = pm.st
    first, _ = _first_and_last(pm)
    other = _overlapping(pm, first)[0]
    loads = np.zeros(st.n_y)
    loads[[first, other]] = 1.4
    out = round_trips(pm, loads, plan=loads)
    assert (out[first], out[other]) == (1, 2)
    busy = np.zeros(st.n_points + 1)
    for y in np.flatnonzero(out):
        busy[st.gp(st.y_t[y]):st.gp(st.y_t[y] + st.run_occ[st.y_run[y]])] += out[y]
    assert busy.max() <= TRUCKS
