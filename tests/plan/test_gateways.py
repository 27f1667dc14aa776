"""A movement's `via` ports are designated gateways: equipment sent to a port of
embarkation sails from it to the port of debarkation, even where flying from an
airfield nearby would be faster for one load (docs/planner.md, "Routes")."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.plan.conftest import library, yaml_scenario

from corridor.network.graph import build_network
from corridor.network.routing import Router
from corridor.plan import solve_plan
from corridor.plan.commodities import commodities
from corridor.plan.services import build_services, diverse_routes, gateway_mode
from corridor.scenario import load_scenario

# A port of embarkation (poe) with a C-17 base 30 km away; the fastest way from poe
# to the port of debarkation (pod) is to drive to the airbase and fly, 8 days' sailing
# the designated one. Capacity is plentiful either way, so only the rule decides.
GATEWAYS = """\
format: corridor/1
name: gateways
horizon_days: 30
seed: 1
planner: {step_h: 6}
nodes:
  - {id: fort, kind: origin, lat: 32.0, lon: -81.5}
  - {id: poe, kind: port, lat: 32.08, lon: -81.09}
  - {id: afb, kind: airbase, lat: 32.2, lon: -81.3}
  - {id: pod, kind: port, lat: 53.54, lon: 8.58}
  - {id: apod, kind: airbase, lat: 53.4, lon: 8.9}
  - {id: camp, kind: staging_area, lat: 53.0, lon: 9.5}
links:
  - {id: rd_fort_poe, from: fort, to: poe, mode: road}
  - {id: rd_poe_afb, from: poe, to: afb, mode: road}
  - {id: air_afb_apod, from: afb, to: apod, mode: air}
  - {id: sea_poe_pod, from: poe, to: pod, mode: sea}
  - {id: rd_apod_pod, from: apod, to: pod, mode: road}
  - {id: rd_pod_camp, from: pod, to: camp, mode: road}
carriers:
  - {id: het, type: het_m1070, count: 40, home: fort}
  - {id: roro, type: lmsr, count: 2, home: poe}
  - {id: c17, type: c17, count: 20, home: afb}
  - {id: het_eu, type: het_m1070, count: 40, home: pod}
movements:
  - {id: tanks, origin: fort, destination: camp, via: poe;pod, equipment: m1a2_sepv3:10,
     ready_day: 0, due_day: 25, priority: 1}
"""


@pytest.fixture(scope="module")
def gateways(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return yaml_scenario(tmp_path_factory.mktemp("gw"), "gateways", GATEWAYS)


def test_gateway_mode_is_the_mode_both_ports_share(gateways: Path) -> None:
    net = build_network(load_scenario(gateways))
    assert gateway_mode(net, "poe", "pod") == "sea"
    assert gateway_mode(net, "afb", "apod") == "air"
    assert gateway_mode(net, "fort", "camp") is None


def test_the_crossing_between_designated_ports_is_by_sea(gateways: Path) -> None:
    s = load_scenario(gateways)
    net = build_network(s)
    router = Router(net)
    # without the rule the router's fastest route from poe to pod flies (the premise)
    tank = next(c for c in commodities(s, net)[0] if c.unit == "item")
    assert "air" in router.route("poe", "pod", tank.cls).modes
    r = solve_plan(s, progress=False)
    f = r.flows
    assert r.movements().at["tanks", "closure_day"] is not None
    assert set(f["mode"]) == {"road", "sea"}  # driven to poe, sailed, driven on
    assert (f.loc[f["mode"] == "sea", "from"] == "poe").all()


def test_eastern_flank_lmsr_equipment_sails_from_its_port() -> None:
    """US01 (2ABCT/3ID equipment, via Savannah and Bremerhaven): every route of the
    Savannah-Bremerhaven leg sails; none is flown from an airfield in Texas."""
    s = library("eastern-flank")
    net = build_network(s)
    coms, _ = commodities(s, net)
    mine = [c for c in coms if c.group == "US01"]
    sv = build_services(net, mine, 3, Router(net))
    for c in mine:
        for legs in sv.routes[c.index]:
            assert len(legs) == 3  # fort -> Savannah, Savannah -> Bremerhaven, -> Orzysz
            for route in legs[1]:
                assert "sea" in route.modes and "air" not in route.modes, route.modes


# A second port (other) a day's sailing nearer than pod and 300 km by road from it:
# sailing poe -> other and driving on is faster, and a crossing by sea, but not to the
# POD.
OTHER_PORT = GATEWAYS.replace("""  - {id: sea_poe_pod, from: poe, to: pod, mode: sea}
""", """  - {id: sea_poe_pod, from: poe, to: pod, mode: sea, distance_km: 8000}
""").replace("""  - {id: camp, kind: staging_area, lat: 53.0, lon: 9.5}
""", """  - {id: camp, kind: staging_area, lat: 53.0, lon: 9.5}
  - {id: other, kind: port, lat: 51.3, lon: 4.3}
""").replace("""  - {id: rd_pod_camp, from: pod, to: camp, mode: road}
""", """  - {id: rd_pod_camp, from: pod, to: camp, mode: road}
  - {id: sea_poe_other, from: poe, to: other, mode: sea, distance_km: 7000}
  - {id: rd_other_pod, from: other, to: pod, mode: road, distance_km: 300}
""")


def test_alternatives_between_gateways_debark_at_the_pod(tmp_path: Path) -> None:
    """Helper QA 18a: the planner's other routes for a POE -> POD leg used to include
    sailing to another port and driving on (UK01: Antwerp and 2,700 km of road to
    Paldiski); routes reach and leave the sea by land no farther than the steered route
    does, give or take a quay (``QUAY_KM``)."""
    s = load_scenario(yaml_scenario(tmp_path, "other", OTHER_PORT))
    net = build_network(s)
    router = Router(net)
    tank = next(c for c in commodities(s, net)[0] if c.unit == "item")
    # the premise: without the rule's filter an alternative sails to the other port
    plain = diverse_routes(router, "poe", "pod", tank.cls, 4)
    assert any("sea_poe_other" in [leg.link for leg in r.legs] for r in plain)
    routes = diverse_routes(router, "poe", "pod", tank.cls, 4, gateway="sea")
    assert routes and all([leg.link for leg in r.legs] == ["sea_poe_pod"] for r in routes)
