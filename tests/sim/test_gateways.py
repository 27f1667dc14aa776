"""The gateway rule in the simulator (docs/model.md, "Via stops"): between a movement's
`via` port of embarkation and its port of debarkation the cargo sails, as the planner
routes it (tests/plan/test_gateways.py), even where one load would fly faster."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from corridor.network.graph import MODES
from corridor.scenario import Scenario
from corridor.sim.engine import Run
from corridor.sim.model import SimModel, compile_model
from corridor.sim.options import options_from

ScenarioYaml = Callable[[str], Scenario]

# 20 t from fort to camp via poe then pod. Trucks run 60 km/h on 60 km roads (1 h a
# link); the ship 30 km/h over 6,000 km (200 h); the aircraft 750 km/h over 6,000 km
# (8 h). Flying (fort-poe-afb, afb-apod, apod-pod-camp) takes one load 12 h, sailing
# (fort-poe, poe-pod, pod-camp) 202 h; no load, unload or transfer times.
GATEWAY = """
name: gateway
horizon_days: 20
nodes:
  - {id: fort, kind: training_site, lat: 32.0, lon: -81.5}
  - {id: poe, kind: port, lat: 32.08, lon: -81.09}
  - {id: afb, kind: airbase, lat: 32.2, lon: -81.3}
  - {id: pod, kind: port, lat: 53.54, lon: 8.58}
  - {id: apod, kind: airbase, lat: 53.4, lon: 8.9}
  - {id: camp, kind: staging_area, lat: 53.0, lon: 9.5}
links:
  - {id: rd_fort_poe, from: fort, to: poe, mode: road, distance_km: 60}
  - {id: rd_poe_afb, from: poe, to: afb, mode: road, distance_km: 60}
  - {id: air_afb_apod, from: afb, to: apod, mode: air, distance_km: 6000}
  - {id: sea_poe_pod, from: poe, to: pod, mode: sea, distance_km: 6000}
  - {id: rd_apod_pod, from: apod, to: pod, mode: road, distance_km: 60}
  - {id: rd_pod_camp, from: pod, to: camp, mode: road, distance_km: 60}
carriers:
  - {id: trucks_us, mode: road, count: 1, home: fort, capacity_t: 20, speed_kmh: 60}
  - {id: ship, mode: sea, count: 1, home: poe, capacity_t: 1000, speed_kmh: 30}
  - {id: aircraft, mode: air, count: 1, home: afb, capacity_t: 40, speed_kmh: 750}
  - {id: trucks_eu, mode: road, count: 1, home: pod, capacity_t: 20, speed_kmh: 60}
movements:
  - {id: mv, origin: fort, destination: camp, via: poe;pod, supplies_t: 20, ready_day: 0,
     due_day: 15, kind: supply}
"""


def test_cargo_sails_between_its_via_ports(scenario_yaml: ScenarioYaml) -> None:
    """The stages are: truck to poe, ship to pod, truck to camp; the truck arrives at
    poe at 1 h, the ship sails at once (nothing more is coming) and reaches pod at
    201 h, the truck is in camp at 202 h. Without the rule the aircraft took it:
    closure 13 h."""
    model = compile_model(s := scenario_yaml(GATEWAY), options_from(s, True))
    nodes = model.node_ids
    (mc,) = model.consignments
    chain, stage = [], mc.first_stage
    while stage >= 0:
        lane = int(model.stage_lane[stage])
        chain.append((nodes[model.lane_src[lane]], nodes[model.lane_dst[lane]],
                      MODES[model.lane_mode[lane]]))
        stage = int(model.stage_next[stage])
    assert chain == [("fort", "poe", "road"), ("poe", "pod", "sea"), ("pod", "camp", "road")]
    closure = Run(model, np.random.SeedSequence(0)).run().closure
    assert closure.tolist() == pytest.approx([202 / 24])


def test_without_a_ship_the_cargo_flies(scenario_yaml: ScenarioYaml) -> None:
    """The rule holds whenever the ports' mode can be used: with no ship the cargo is
    trucked past poe to afb (2 h) and flown to apod (10 h); the European truck drives
    empty from pod to apod (11 h) and on to camp (13 h)."""
    s = scenario_yaml("\n".join(line for line in GATEWAY.splitlines()
                                 if "id: ship" not in line))
    model = compile_model(s, options_from(s, True))
    closure = Run(model, np.random.SeedSequence(0)).run().closure
    assert closure.tolist() == pytest.approx([13 / 24])


# 2,000 t from a to c via the ports p1 then p2 (QA t14_via). Roads a-p1 and p2-c are
# 60 km (1 h at 60 km/h), the sea p1-p2 600 km (30 h at 20 km/h; the ship loads and
# unloads 12 h each); a direct road a-c of 300 km makes p1 -> a -> c -> p2 by road
# (7 h) the fastest way between the ports, back through the origin and ahead through
# the destination.
VIA_SEA = """
name: viasea
horizon_days: 10
nodes:
  - {id: a, kind: origin, lat: 52.0, lon: 10.0}
  - {id: p1, kind: port, lat: 52.5, lon: 10.0}
  - {id: p2, kind: port, lat: 55.0, lon: 10.0}
  - {id: c, kind: staging_area, lat: 54.5, lon: 10.0}
links:
  - {id: ap1, from: a, to: p1, mode: road, distance_km: 60}
  - {id: sea, from: p1, to: p2, mode: sea, distance_km: 600}
  - {id: p2c, from: p2, to: c, mode: road, distance_km: 60}
  - {id: ac, from: a, to: c, mode: road, distance_km: 300}
carriers:
  - {id: trka, mode: road, count: 10, home: a, capacity_t: 40, speed_kmh: 60}
  - {id: trkb, mode: road, count: 10, home: p2, capacity_t: 40, speed_kmh: 60}
  - {id: ship, mode: sea, count: 1, home: p1, capacity_t: 5000, speed_kmh: 20,
     load_h: 12, unload_h: 12}
movements:
  - {id: m1, origin: a, destination: c, via: p1;p2, supplies_t: 2000, ready_day: 0,
     due_day: 5, kind: supply, priority: 1}
"""


def _stages(model: SimModel) -> list[tuple[str, str, str]]:
    nodes = model.node_ids
    (mc,) = model.consignments
    chain, stage = [], mc.first_stage
    while stage >= 0:
        lane = int(model.stage_lane[stage])
        chain.append((nodes[model.lane_src[lane]], nodes[model.lane_dst[lane]],
                      MODES[model.lane_mode[lane]]))
        stage = int(model.stage_next[stage])
    return chain


def test_supply_sails_between_its_via_ports_rather_than_zigzag_by_road(
        scenario_yaml: ScenarioYaml) -> None:
    """It used to go a -> p1 -> a -> c -> p2 -> c on one truck (closure 1.54 d): the
    steering only keeps the ports' stretch off the *other* gateway modes, and every
    candidate made the detour. Now: trucks to p1, the ship, trucks to c.

    By hand (no handling limits, no transfer time): the 10 trucks at a take 400 t at
    0, 2 and 4 h and at 6 h; the 10 at p2 are fetched at once (p2-c-a, 6 h) and take
    400 t at 6 h, so all 2,000 t are at p1 at 7 h. Nothing more coming, the ship
    loads (12 h), sails (30 h) and unloads (12 h): 2,000 t at p2 at 61 h. The 20
    trucks wait at p1, where they unloaded; they drive empty to p2 (p1-a-c-p2, 420 km,
    7 h) and carry 800 t at 68 and 70 h and 400 t at 72 h: closure 73 h (3.04 d). The
    planner's plan closes at 3.50 d (its own schedule, which `--plan` reproduces)."""
    model = compile_model(s := scenario_yaml(VIA_SEA), options_from(s, True))
    assert _stages(model) == [("a", "p1", "road"), ("p1", "p2", "sea"), ("p2", "c", "road")]
    closure = Run(model, np.random.SeedSequence(0)).run().closure
    assert closure.tolist() == pytest.approx([73 / 24])


def test_a_route_through_one_via_port_does_not_pass_the_origin_again(
        scenario_yaml: ScenarioYaml) -> None:
    """Via p1 alone (no gateway pair): from p1 the fastest way on is back through a and
    by the direct road (6 h); the route that does not pass a twice sails to p2."""
    s = scenario_yaml(VIA_SEA.replace("via: p1;p2", "via: p1"))
    model = compile_model(s, options_from(s, True))
    assert _stages(model) == [("a", "p1", "road"), ("p1", "p2", "sea"), ("p2", "c", "road")]


# From a via the ports q then p to d. The ship is fastest to r (100 km), whence the
# railway runs r - y - p and y - d: the fastest way to p lands at r and rails through
# y, and the way on from p goes back through y. Sailing to p (1,000 km) passes no
# place twice.
OVERSHOOT = """
name: overshoot
horizon_days: 20
nodes:
  - {id: a, kind: origin, lat: 50.0, lon: 0.0}
  - {id: q, kind: port, lat: 50.1, lon: 0.0}
  - {id: r, kind: port, lat: 51.0, lon: 1.0}
  - {id: y, kind: rail_terminal, lat: 51.5, lon: 1.5}
  - {id: p, kind: port, lat: 51.6, lon: 1.4}
  - {id: d, kind: staging_area, lat: 52.0, lon: 2.0}
links:
  - {id: aq, from: a, to: q, mode: road, distance_km: 10}
  - {id: qr, from: q, to: r, mode: sea, distance_km: 100}
  - {id: qp, from: q, to: p, mode: sea, distance_km: 1000}
  - {id: ry, from: r, to: y, mode: rail, distance_km: 100}
  - {id: yp, from: y, to: p, mode: rail, distance_km: 50}
  - {id: yd, from: y, to: d, mode: rail, distance_km: 100}
carriers:
  - {id: trucks, mode: road, count: 5, home: a, capacity_t: 40, speed_kmh: 60}
  - {id: ship, mode: sea, count: 1, home: q, capacity_t: 5000, speed_kmh: 30}
  - {id: trains, mode: rail, count: 2, home: y, capacity_t: 1000, speed_kmh: 60}
movements:
  - {id: m1, origin: a, destination: d, via: q;p, supplies_t: 200, ready_day: 0,
     due_day: 10, kind: supply}
"""


def test_a_route_does_not_run_past_its_port_of_debarkation_and_back(
        scenario_yaml: ScenarioYaml) -> None:
    """It used to land at r and rail through y to p, then back through y to d."""
    model = compile_model(s := scenario_yaml(OVERSHOOT), options_from(s, True))
    assert _stages(model) == [("a", "q", "road"), ("q", "p", "sea"), ("p", "d", "rail")]
