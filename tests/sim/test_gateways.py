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
from corridor.sim.model import compile_model
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
