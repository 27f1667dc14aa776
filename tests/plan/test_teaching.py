"""The four teaching scenarios: the plan's closure equals the answer derived by hand
from the scenario's own numbers (docs/planner.md, "Time": departures at step starts)."""

from __future__ import annotations

import math

import pytest
from tests.plan.conftest import closure, library, planned


def test_single_link_closure_is_cargo_over_link_capacity_plus_travel() -> None:
    s = library("single-link")
    mv = s.movements.loc["sup1"]
    truck = s.carriers.loc["trucks"]
    link = s.links.loc["rd_depot_camp"]
    trips = math.ceil(mv["supplies_t"] / truck["capacity_t"])
    per_step = link["capacity_per_day"] * s.step_h / 24
    travel_h = truck["load_h"] + link["distance_km"] / truck["speed_kmh"] + truck["unload_h"]
    last_departure_h = (math.ceil(trips / per_step) - 1) * s.step_h
    expected = (last_departure_h + travel_h) / 24
    got = closure(planned("single-link"), "sup1")
    assert got == pytest.approx(expected, abs=s.step_h / 24)
    assert got == pytest.approx(6.0)  # the description's hand answer


def test_fleet_cycle_closure_comes_from_round_trips() -> None:
    s = library("fleet-cycle")
    het = s.carriers.loc["hets"]
    link = s.links.loc["rd_yard_area"]
    tanks = s.movements.loc["tanks", "equipment"]["leopard2a6"]
    one_way = link["distance_km"] / het["speed_kmh"]
    trip = het["load_h"] + one_way + het["unload_h"]
    rounds = math.ceil(tanks / het["count"])  # one tank per het: 2 x 62.3 t > 70 t
    expected = ((rounds - 1) * (trip + one_way) + trip) / 24
    got = closure(planned("fleet-cycle"), "tanks")
    assert got == pytest.approx(expected, abs=s.step_h / 24)
    assert got * 24 == pytest.approx(56.0)


def test_bridge_detour_sends_heavy_armour_round_and_light_vehicles_over() -> None:
    s = library("bridge-detour")
    het = s.carriers.loc["hets"]
    links = s.links
    detour = links.loc["rd_detour_w", "distance_km"] + links.loc["rd_detour_e", "distance_km"]
    heavy = (het["load_h"] + detour / het["speed_kmh"] + het["unload_h"]) / 24
    march = s.equipment.loc["hmmwv", "road_march_km_per_day"]
    light = links.loc["rd_bridge", "distance_km"] / march
    r = planned("bridge-detour")
    assert closure(r, "heavy") == pytest.approx(heavy, abs=s.step_h / 24)
    assert closure(r, "light") == pytest.approx(light, abs=s.step_h / 24)
    heavy_legs = r.flows[r.flows["movement"] == "heavy"]
    assert "rd_bridge" not in set(heavy_legs["link"])  # MLC 70 > the bridge's 50
    assert set(r.flows[r.flows["movement"] == "light"]["carrier"]) == {""}  # drives itself


def test_gauge_break_closure_is_set_by_transshipment() -> None:
    s = library("gauge-break")
    n = s.nodes
    aid = s.movements.loc["aid1", "supplies_t"]
    rate = n.loc["border", "transship_t_per_day"]
    speed = s.carriers.loc["trains_1435", "speed_kmh"]
    to_border = s.links.loc["rl_hub_border", "distance_km"] / speed
    to_city = s.links.loc["rl_border_city", "distance_km"] / speed
    expected = (to_border + n.loc["border", "transfer_h"] + aid / rate * 24 + to_city) / 24
    r = planned("gauge-break")
    assert closure(r, "aid1") == pytest.approx(expected, abs=s.step_h / 24)
    top = r.summary["bottlenecks"][0]
    assert (top["kind"], top["id"], top["resource"]) == ("node", "border", "transshipment")


@pytest.mark.parametrize("name", ["single-link", "fleet-cycle", "bridge-detour",
                                  "gauge-break"])
def test_teaching_plans_are_proven_optimal(name: str) -> None:
    sm = planned(name).summary
    assert sm["status"] == "optimal"
    assert sm["model"]["method"] == "mip"
    assert not sm["unmet"]
