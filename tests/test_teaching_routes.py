"""The teaching scenarios: each route and closure equals its hand-derived answer.

Every expected number is computed here from the scenario's own tables with the formula
its description states, and the description must state the same number, so data,
description and router cannot drift apart."""

from __future__ import annotations

import math
import re

import pytest

from corridor.network.graph import build_network
from corridor.network.routing import route
from corridor.scenario import Scenario, load_scenario


def _speed(s: Scenario, fleet: str, link: str) -> float:
    return float(min(s.carriers.at[fleet, "speed_kmh"], s.links.at[link, "speed_kmh"]))


def _states(s: Scenario, hours: float) -> None:
    """The description gives this number of hours (as '<n> h')."""
    pattern = rf"(?<![\d.,]){re.escape(f'{hours:g}')} h\b"
    assert re.search(pattern, s.description), f"description does not state {hours:g} h"


def test_single_link() -> None:
    s = load_scenario("single-link")
    (mid,) = s.movements.index
    m = s.movements.loc[mid]
    (lid,) = s.links.index
    (fid,) = s.carriers.index
    lk, fl = s.links.loc[lid], s.carriers.loc[fid]
    r = route(build_network(s), m["origin"], m["destination"], "bulk")
    travel = lk["distance_km"] / _speed(s, fid, lid)
    assert r.fleets == (fid,) and r.total_km == lk["distance_km"]
    assert r.total_h == pytest.approx(fl["load_h"] + travel + fl["unload_h"])
    # planner convention: departures at step starts, capacity_per_day spread over steps
    per_step = lk["capacity_per_day"] * s.step_h / 24
    assert per_step == int(per_step), "choose capacity_per_day as a multiple of steps/day"
    trips = math.ceil(m["supplies_t"] / fl["capacity_t"])
    steps = math.ceil(trips / per_step)
    closure_h = (steps - 1) * s.step_h + r.total_h
    _states(s, closure_h)
    assert closure_h / 24 <= m["due_day"] <= s.horizon_days
    # the link binds, not the fleet: trucks needed = departures per step x steps per cycle
    cycle_steps = math.ceil((2 * travel + fl["load_h"] + fl["unload_h"]) / s.step_h)
    assert per_step * cycle_steps <= fl["count"]


def test_fleet_cycle() -> None:
    s = load_scenario("fleet-cycle")
    (mid,) = s.movements.index
    m = s.movements.loc[mid]
    ((item, n),) = m["equipment"].items()
    (lid,) = s.links.index
    (fid,) = s.carriers.index
    fl, eq = s.carriers.loc[fid], s.equipment.loc[item]
    r = route(build_network(s), m["origin"], m["destination"], item)
    travel = s.links.at[lid, "distance_km"] / _speed(s, fid, lid)
    assert r.fleets == (fid,)
    assert r.total_h == pytest.approx(fl["load_h"] + travel + fl["unload_h"])
    assert eq["road_march_km_per_day"] == 0  # must be carried
    per_trip = int(min(fl["capacity_t"] // eq["mass_t"], fl["capacity_m2"] // eq["footprint_m2"]))
    round_trip = r.total_h + travel  # loaded trip, then back empty
    rounds = math.ceil(n / (fl["count"] * per_trip))
    closure_h = (rounds - 1) * round_trip + r.total_h
    _states(s, closure_h)
    for t in (r.total_h, round_trip, closure_h):  # every event on a planner step
        assert t % s.step_h == 0
    assert math.isinf(s.links.at[lid, "capacity_per_day"])  # the link does not bind


def test_bridge_detour() -> None:
    s = load_scenario("bridge-detour")
    net = build_network(s)
    (fid,) = s.carriers.index
    fl = s.carriers.loc[fid]
    heavy, light = s.movements.loc["heavy"], s.movements.loc["light"]
    (tank,) = heavy["equipment"]
    (car,) = light["equipment"]
    bridge = s.links[s.links["max_mlc"] < s.equipment.at[tank, "mlc"]]
    (bridge_id,) = bridge.index
    detour = s.links.drop(index=bridge_id)

    r = route(net, heavy["origin"], heavy["destination"], tank)
    assert bridge_id not in [leg.link for leg in r.legs]
    assert r.fleets == (fid,) * len(detour)
    assert r.total_km == detour["distance_km"].sum()
    heavy_h = fl["load_h"] + detour["distance_km"].sum() / fl["speed_kmh"] + fl["unload_h"]
    assert r.total_h == pytest.approx(heavy_h)
    assert heavy["equipment"][tank] <= fl["count"]  # one trip: closure = route time
    _states(s, heavy_h)

    r = route(net, light["origin"], light["destination"], car)
    assert [leg.link for leg in r.legs] == [bridge_id]
    assert r.fleets == (None,)  # drives itself
    km = s.links.at[bridge_id, "distance_km"]
    light_h = km / s.equipment.at[car, "road_march_km_per_day"] * 24
    assert r.total_h == pytest.approx(light_h)
    assert light_h < fl["load_h"] + km / fl["speed_kmh"] + fl["unload_h"]  # HET slower
    assert (r.binding_mlc, r.binding_link) == (bridge.at[bridge_id, "max_mlc"], bridge_id)
    _states(s, light_h)


def test_gauge_break() -> None:
    s = load_scenario("gauge-break")
    net = build_network(s)
    (mid,) = s.movements.index
    m = s.movements.loc[mid]
    station = s.nodes[s.nodes["transship_t_per_day"] > 0]
    (sid,) = station.index
    r = route(net, m["origin"], m["destination"], "bulk")
    (change,) = r.changes
    assert change.node == sid and change.transship
    gauges = [leg.gauge_mm for leg in r.legs]
    assert gauges == [1435, 1520]
    for leg in r.legs:  # each leg on the fleet of its gauge
        assert s.carriers.at[leg.fleet, "rail_gauge_mm"] == leg.gauge_mm
    travel = [leg.km / s.carriers.at[leg.fleet, "speed_kmh"] for leg in r.legs]
    handling = sum(s.carriers.at[f, c] for f in r.fleets for c in ("load_h", "unload_h"))
    route_h = sum(travel) + station.at[sid, "transfer_h"] + handling
    assert r.total_h == pytest.approx(route_h)
    _states(s, route_h)
    closure_h = route_h + m["supplies_t"] / station.at[sid, "transship_t_per_day"] * 24
    _states(s, closure_h)
    # the trains do not bind: each fleet moves more per day than the station transships
    for f in set(r.fleets):
        fl = s.carriers.loc[f]
        leg_h = next(t for t, leg in zip(travel, r.legs, strict=True) if leg.fleet == f)
        per_day = fl["count"] * fl["capacity_t"] * 24 / (2 * leg_h + fl["load_h"]
                                                        + fl["unload_h"])
        assert per_day > station.at[sid, "transship_t_per_day"]
