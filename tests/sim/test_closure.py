"""When a movement closes: its last unit in (marching or carried), never if all of it
was lost; urgent cargo first when cargo is ready together; a plan's releases add up."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from corridor.scenario import Scenario
from corridor.sim import simulate
from corridor.sim.engine import Run
from corridor.sim.model import Consignment, _whole_quotas, compile_model
from corridor.sim.options import options_from

ScenarioYaml = Callable[[str], Scenario]


def closures(s: Scenario) -> dict[str, float]:
    r = Run(compile_model(s, options_from(s, True)), np.random.SeedSequence(0))
    o = r.run()
    return dict(zip(r.model.mv_ids, o.closure.tolist(), strict=True))


def test_a_movement_closes_when_its_marching_vehicles_arrive(
        scenario_yaml: ScenarioYaml) -> None:
    """2 APCs drive 100 km at 20 km/h (5 h) with 20 of the 30 soldiers aboard; the
    other 10 take a bus (1 h). The movement closes with the APCs: day 5/24."""
    s = scenario_yaml("""
name: mixed march
horizon_days: 2
nodes:
  - {id: a, kind: training_site, lat: 50, lon: 10}
  - {id: b, kind: staging_area, lat: 50, lon: 11}
links:
  - {id: ab, from: a, to: b, mode: road, distance_km: 100}
equipment:
  - {id: apc_x, mass_t: 20, footprint_m2: 20, mlc: 30, seats: 10,
     road_march_km_per_day: 480}
carriers:
  - {id: bus, mode: road, count: 1, home: a, capacity_pax: 50, speed_kmh: 100}
movements:
  - {id: mv, origin: a, destination: b, due_day: 1, equipment: "apc_x:2", pax: 30}
""")
    assert closures(s)["mv"] == pytest.approx(5 / 24)


PRIORITY = """
name: priority
horizon_days: 3
nodes:
  - {{id: o, kind: depot, lat: 50, lon: 10}}
  - {{id: d, kind: staging_area, lat: 50.5, lon: 10}}
links:
  - {{id: od, from: o, to: d, mode: road, distance_km: 60}}
carriers:
  - {{id: trk, mode: road, count: 1, home: o, capacity_t: 10, speed_kmh: 60}}
movements:
{rows}
"""


@pytest.mark.parametrize("order", [("lo", "hi"), ("hi", "lo")])
def test_cargo_ready_together_goes_most_urgent_first(scenario_yaml: ScenarioYaml,
                                                     order: tuple[str, str]) -> None:
    """One truck, two 10 t loads ready at day 0 and due together: priority 1 goes first
    (1 h), priority 3 on the second trip (3 h), whatever the file order."""
    prio = {"hi": 1, "lo": 3}
    rows = "\n".join(f"  - {{id: {m}, origin: o, destination: d, due_day: 0.05, "
                     f"supplies_t: 10, priority: {prio[m]}, kind: supply}}" for m in order)
    got = closures(scenario_yaml(PRIORITY.format(rows=rows)))
    assert got["hi"] == pytest.approx(1 / 24)
    assert got["lo"] == pytest.approx(3 / 24)


def test_a_movement_that_lost_everything_never_closes(scenario_yaml: ScenarioYaml) -> None:
    """Every crossing of the sea lane is lost: the movement is not complete (it used to
    close on the day its ship sank); the air movement closes as usual."""
    s = scenario_yaml("""
name: all lost
horizon_days: 20
nodes:
  - {id: p, kind: port, lat: 50, lon: 0}
  - {id: q, kind: port, lat: 50, lon: 5}
  - {id: r, kind: airbase, lat: 52, lon: 5}
links:
  - {id: pq, from: p, to: q, mode: sea, distance_km: 400}
  - {id: air, from: p, to: r, mode: air, distance_km: 400}
carriers:
  - {id: ship, mode: sea, count: 1, home: p, capacity_t: 1000, speed_kmh: 30}
  - {id: plane, mode: air, count: 1, home: p, capacity_t: 50, speed_kmh: 700}
movements:
  - {id: sea, origin: p, destination: q, due_day: 10, supplies_t: 500, kind: supply}
  - {id: lift, origin: p, destination: r, due_day: 10, supplies_t: 20, kind: supply}
disruptions:
  - {id: subs, target: pq, loss_prob: 1.0}
""")
    res = simulate(s, 3, 5, workers=1, progress=False)
    mv = {m["id"]: m for m in res.summary["movements"]}
    assert mv["sea"]["p_closed"] == 0.0 and mv["sea"]["closure_day"]["mean"] is None
    assert mv["lift"]["p_closed"] == 1.0


def _mc(amount: float, integral: bool) -> Consignment:
    return Consignment(0, "k", "item" if integral else "bulk", amount, 1.0, 1.0, 0.0,
                       integral, 0)


def test_a_plans_releases_add_up_to_the_consignment() -> None:
    """Rounding dust in the plan's tonnes and fractions of a vehicle are released in
    full, items whole; a plan that moves less releases only what it moves."""
    dust = tuple((float(d), 0, 1000 / 24 * (1 - 1e-9)) for d in range(24))
    got = _whole_quotas(dust, [_mc(1000.0, False)], [0])
    assert math.fsum(u for _, _, u in got) == pytest.approx(1000.0, abs=1e-12)
    items = ((0.0, 0, 2.2), (1.0, 0, 2.2), (2.0, 0, 1.1333))  # 5.5333 of 6 vehicles
    got = _whole_quotas(items, [_mc(6.0, True)], [0])
    units = [u for _, _, u in got]
    assert sum(units) == 6.0 and all(u == round(u) for u in units) and units[0] == 2.0
    part = ((0.0, 0, 300.0), (1.0, 0, 300.0))  # the plan moves 600 t of 1,000
    got = _whole_quotas(part, [_mc(1000.0, False)], [0])
    assert sum(u for _, _, u in got) == pytest.approx(600.0)


DECK = """
name: people and crates
horizon_days: 5
nodes:
  - {{id: h, kind: depot, lat: 52, lon: 9}}
  - {{id: a, kind: depot, lat: 52, lon: 10}}
  - {{id: b, kind: staging_area, lat: 52, lon: 11}}
links:
  - {{id: ha, from: h, to: a, mode: road, distance_km: 60}}
  - {{id: ab, from: a, to: b, mode: road, distance_km: 120}}
equipment:
  - {{id: crate, mass_t: 1, footprint_m2: 10, mlc: 2, seats: 0, road_march_km_per_day: 0}}
carriers:
  - {{id: trk, mode: road, count: 1, home: {home}, capacity_t: 100, capacity_m2: 30,
     capacity_pax: 10, speed_kmh: 60}}
movements:
  - {{id: people, origin: a, destination: b, due_day: 2, pax: 10, priority: {p_people}}}
  - {{id: crates, origin: a, destination: b, ready_day: {ready}, due_day: 2,
     equipment: "crate:{crates}", priority: {p_crates}}}
"""


@pytest.mark.parametrize("p_people, p_crates", [(1, 2), (2, 1)])
def test_a_carrier_fills_its_seats_and_deck_together(scenario_yaml: ScenarioYaml,
                                                     p_people: int, p_crates: int) -> None:
    """One truck (10 seats, 30 m2) at a; 10 people and 10 crates of 10 m2 ready there at
    day 0; 2 h each way. Seats and deck are separate room (scenario-format.md: capacities
    per trip), so the first trip takes the 10 people and 3 crates, then 3, 3, 1 crates:
    4 trips, the people in at 2 h, the crates at 3 x 4 + 2 = 14 h, whichever is more
    urgent. (It used to send the first class whose arrival event came first alone:
    people-only first trip, crates at 18 h; or crates first, people at 6 h.)"""
    s = scenario_yaml(DECK.format(home="a", ready=0, crates=10, p_people=p_people,
                                  p_crates=p_crates))
    got = closures(s)
    assert got["people"] * 24 == pytest.approx(2.0)
    assert got["crates"] * 24 == pytest.approx(14.0)
    res = simulate(s, 1, 1, workers=1, progress=False, deterministic=True)
    assert res.summary["trips"] == 4
    # with random travel and handling times, the same seed gives the same results
    one, two = (simulate(s, 6, 11, workers=1, progress=False).summary for _ in range(2))
    one.pop("wall_seconds"), two.pop("wall_seconds")
    assert one == two


def test_a_carrier_fetched_with_full_seats_takes_crates_come_meanwhile(
        scenario_yaml: ScenarioYaml) -> None:
    """The truck comes from h (1 h away) for the 10 people ready at a at day 0; 3 crates
    come in at a at 0.5 h. Its seats are full but its deck is empty: at a (1 h) it tops
    up with the crates, and both arrive at b at 1 + 2 = 3 h in one trip (not the crates
    on a second trip at 3 + 2 + 2 = 7 h)."""
    s = scenario_yaml(DECK.format(home="h", ready=0.5 / 24, crates=3, p_people=1,
                                  p_crates=1))
    got = closures(s)
    assert got["people"] * 24 == pytest.approx(3.0)
    assert got["crates"] * 24 == pytest.approx(3.0)


TWO_LANES = """
name: two lanes
horizon_days: 3
nodes:
  - {{id: o, kind: depot, lat: 50, lon: 10}}
  - {{id: d1, kind: staging_area, lat: 50.5, lon: 10}}
  - {{id: d2, kind: staging_area, lat: 49.5, lon: 10}}
links:
  - {{id: l1, from: o, to: d1, mode: road, distance_km: 60}}
  - {{id: l2, from: o, to: d2, mode: road, distance_km: 60}}
carriers:
  - {{id: trk, mode: road, count: 2, home: o, capacity_t: 10, speed_kmh: 60}}
movements:
{rows}
"""


@pytest.mark.parametrize("order", [("a", "b", "x"), ("x", "b", "a")])
def test_cargo_ready_together_on_two_lanes_goes_most_urgent_first(
        scenario_yaml: ScenarioYaml, order: tuple[str, ...]) -> None:
    """Two 10 t trucks; 10 t each of a (priority 1) and x (priority 3) for d1 and b
    (priority 2) for d2, all ready at day 0, 1 h each way. The trucks take a and b
    (both in at 1 h); x, though it came in with a on a's lane, waits for a truck back
    at o at 2 h: in at 3 h."""
    rows = {"a": "d1, priority: 1", "b": "d2, priority: 2", "x": "d1, priority: 3"}
    text = "\n".join(f"  - {{id: {m}, origin: o, destination: {rows[m]}, due_day: 1, "
                     "supplies_t: 10, kind: supply}" for m in order)
    got = closures(scenario_yaml(TWO_LANES.format(rows=text)))
    assert got["a"] * 24 == pytest.approx(1.0)
    assert got["b"] * 24 == pytest.approx(1.0)
    assert got["x"] * 24 == pytest.approx(3.0)
