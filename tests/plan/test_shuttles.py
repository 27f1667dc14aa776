"""Shuttles: a carrier whose round trip is shorter than a decision step makes several
trips in it (docs/planner.md, "Carriers"). Two trucks on a 40 km road, a 3 h round
trip, 12 h steps: each truck makes 4 trips a step, not 1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.plan.conftest import plan_model, yaml_scenario

from corridor.plan import solve_plan
from corridor.plan.constraints import FAMILIES
from corridor.plan.model import PlanModel, define_all
from corridor.plan.pipeline import PlanOptions
from corridor.plan.rounding import carriers_fit, held
from corridor.plan.solve import Solver
from corridor.scenario import load_scenario

STEP_H = 12.0
KM, SPEED, LOAD_H, UNLOAD_H = 40.0, 40.0, 0.5, 0.5
TRUCKS, TRUCK_T, TONNES = 2, 20.0, 320.0

SHUTTLE = f"""\
format: corridor/1
name: shuttle
horizon_days: 10
seed: 1
planner: {{step_h: {STEP_H:g}}}
nodes:
  - {{id: depot, kind: depot, lat: 50.0, lon: 10.0}}
  - {{id: camp, kind: staging_area, lat: 50.3, lon: 10.0}}
links:
  - {{id: rd, from: depot, to: camp, mode: road, distance_km: {KM:g}}}
carriers:
  - {{id: trucks, mode: road, count: {TRUCKS}, home: depot, capacity_t: {TRUCK_T:g},
     capacity_m2: 30, speed_kmh: {SPEED:g}, load_h: {LOAD_H:g}, unload_h: {UNLOAD_H:g}}}
movements:
  - {{id: sup, origin: depot, destination: camp, supplies_t: {TONNES:g}, ready_day: 0,
     due_day: 5, kind: supply}}
"""


def test_short_round_trips_are_flown_several_times_a_step(tmp_path: Path) -> None:
    r = solve_plan(load_scenario(yaml_scenario(tmp_path, "shuttle", SHUTTLE)), progress=False)
    loaded = LOAD_H + KM / SPEED + UNLOAD_H  # 2 h
    cycle = loaded + KM / SPEED  # 3 h: back empty to the depot
    per = int(STEP_H // cycle)  # 4 trips per truck and step
    loads = int(np.ceil(TONNES / TRUCK_T))  # 16
    steps = int(np.ceil(loads / (TRUCKS * per)))  # 2 steps of departures
    # the last step's last wave leaves (per - 1) round trips after the step starts
    expected = ((steps - 1) * STEP_H + (per - 1) * cycle + loaded) / 24.0
    got = r.movements().at["sup", "closure_day"]
    assert got == pytest.approx(expected, abs=1e-6)  # day 0.96; one trip a step: 3.6
    trips = r.trips
    assert int(trips["trips"].sum()) == loads
    # waves a round trip apart: never more trucks on the road than the fleet has
    ev = pd.concat([pd.DataFrame({"day": trips["depart_day"], "d": trips["trips"]}),
                    pd.DataFrame({"day": trips["back_day"], "d": -trips["trips"]})])
    ev = ev.sort_values(["day", "d"])
    assert ev["d"].cumsum().max() <= TRUCKS
    assert r.carriers["on_time"].all()  # each wave's truck is back at the depot in time


ONE_WAVE = """\
format: corridor/1
name: one wave
horizon_days: 3
planner: {step_h: 6}
nodes:
  - {id: town, kind: population_center, lat: 50.0, lon: 10.0}
  - {id: safe, kind: shelter, lat: 50.45, lon: 10.0}
links:
  - {id: rd, from: town, to: safe, mode: road, distance_km: 50}
carriers:
  - {id: coach, mode: road, count: 2, home: town, capacity_pax: 50, speed_kmh: 100,
     load_h: 0.5, unload_h: 0.5}
movements:
  - {id: evac, origin: town, destination: safe, due_day: 1, pax: 100}
"""


def test_cargo_one_wave_carries_arrives_with_that_wave(tmp_path: Path) -> None:
    """Two coaches of 50 for 100 people: both go at once and arrive after 0.5 + 0.5 +
    0.5 h, although each could make three round trips in a 6 h step (the step's last
    wave, 4 h later, would carry nothing)."""
    s = load_scenario(yaml_scenario(tmp_path, "wave", ONE_WAVE))
    plan = solve_plan(s, progress=False)
    assert plan.movements().at["evac", "closure_day"] == pytest.approx(1.5 / 24)


TWO_RUNS = SHUTTLE.replace(f"count: {TRUCKS},", "count: 1,").replace(
    "  - {id: camp, kind: staging_area, lat: 50.3, lon: 10.0}\n",
    "  - {id: camp, kind: staging_area, lat: 50.3, lon: 10.0}\n"
    "  - {id: camp2, kind: staging_area, lat: 49.7, lon: 10.0}\n").replace(
    f"distance_km: {KM:g}}}\n",
    f"distance_km: {KM:g}}}\n  - {{id: rd2, from: depot, to: camp2, mode: road, "
    f"distance_km: {KM:g}}}\n").replace(
    f"supplies_t: {TONNES:g}, ready_day: 0,\n     due_day: 5, kind: supply}}\n",
    "supplies_t: 40, ready_day: 0,\n     due_day: 5, kind: supply}\n"
    "  - {id: sup2, origin: depot, destination: camp2, supplies_t: 40, ready_day: 0,\n"
    "     due_day: 5, kind: supply}\n")


def _model(tmp_path: Path, whole: bool = False) -> PlanModel:
    return plan_model(load_scenario(yaml_scenario(tmp_path, "two", TWO_RUNS)),
                      shuttle_carriers=whole)


@pytest.mark.parametrize("whole", [False, True])
def test_the_exact_mip_counts_whole_carriers_per_shuttle_run(tmp_path: Path,
                                                             whole: bool) -> None:
    """The exact MIP's fleet rows with a waves variable per shuttle trip: one trip to
    each camp in the first step (half the truck each by the shares) is infeasible for
    one truck; without the waves variables the rows accept it."""
    pm = _model(tmp_path, whole)
    define_all(pm, list(FAMILIES))
    solver = Solver(pm.lp, None)
    first = np.flatnonzero(pm.st.y_t == 0)
    cols = solver.col_of[pm.y_var[first]].astype(np.int32)
    solver.h.changeColsBounds(len(cols), cols, np.ones(len(cols)), np.ones(len(cols)))
    out = solver.mip(30.0, 0.01)
    assert (out.status == "optimal") is not whole, out.status
    if whole:
        assert len(pm.waves) == len(pm.wave_y) > 0


def test_a_shuttle_run_holds_whole_trucks_in_its_step(tmp_path: Path) -> None:
    """One truck, two camps of two loads each: each run makes 2 trips a step (its two
    loads). The fleet rows count a trip as half a truck, so one trip to each camp in
    the same step fits them; the waves cannot run it (each run's wave needs a truck of
    its own), and whole-trip plans are checked with whole trucks per run and step."""
    pm = _model(tmp_path)
    st = pm.st
    first = np.flatnonzero(st.y_t == 0)
    assert len(first) == 2 and (st.run_per[st.y_run[first]] == 2).all()
    assert held(np.array([1.0, 2.0, 3.0]), 2).tolist() == [1, 1, 2]
    one = np.ones(1)
    trips = np.zeros(st.n_y)
    trips[first] = 1.0  # half a truck each by the rows: one truck in all
    assert not carriers_fit(pm, trips, one)
    assert carriers_fit(pm, trips, 2 * one)
    trips[first] = [2.0, 0.0]  # both trips on one run: its waves take one truck
    assert carriers_fit(pm, trips, one)


def test_two_shuttle_runs_share_one_truck_step_by_step(tmp_path: Path) -> None:
    """Relaxation and rounding, as on a large instance: one camp's loads in at 2 h and
    5 h, the other's in the next step, at 12 + 3 + 2 = 17 h; never two trucks out."""
    s = load_scenario(yaml_scenario(tmp_path, "two", TWO_RUNS))
    r = solve_plan(s, progress=False, options=PlanOptions(exact_limit=0))
    closures = sorted(r.movements()["closure_day"].astype(float))
    assert closures == pytest.approx([5 / 24, 17 / 24], abs=1e-6)
    trips = r.trips
    ev = pd.concat([pd.DataFrame({"day": trips["depart_day"], "d": trips["trips"]}),
                    pd.DataFrame({"day": trips["back_day"], "d": -trips["trips"]})])
    assert ev.sort_values(["day", "d"])["d"].cumsum().max() <= 1
    assert r.carriers["on_time"].all()


def test_a_wave_is_back_exactly_when_the_next_leaves(tmp_path: Path) -> None:
    """At 31 km a round trip is 2.55 h, which floats do not add exactly: the first
    wave's return (start + 2.55 + 2.55) came out an ulp after the next wave's departure
    (start + 2 x 2.55), so trips.parquet showed four trucks of two on the road
    (eastern-flank's invariant test found 9 C-130Js of 8). The return is now the next
    departure's own sum."""
    body = SHUTTLE.replace(f"distance_km: {KM:g}", "distance_km: 31")
    r = solve_plan(load_scenario(yaml_scenario(tmp_path, "shuttle31", body)), progress=False)
    trips = r.trips.sort_values("depart_day")
    assert len(trips) > 2
    ev = pd.concat([pd.DataFrame({"day": trips["depart_day"], "d": trips["trips"]}),
                    pd.DataFrame({"day": trips["back_day"], "d": -trips["trips"]})])
    assert ev.sort_values(["day", "d"])["d"].cumsum().max() <= TRUCKS
    back = set(trips["back_day"])
    follow = trips["depart_day"].iloc[1:]
    assert follow.isin(back).sum() >= len(trips) // 2  # wave after wave, same instant
