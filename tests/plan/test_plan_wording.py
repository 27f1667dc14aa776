"""What a planner reads in a plan: unmet reasons name equipment types and fleets (never
the planner's internal class keys), a sustainment shortfall names its chunks by due day,
a carrier is called what its data says it is, and ``status`` follows docs/planner.md
("Unmet movements"): ``infeasible`` only where no capacity could help."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from corridor.network.graph import MODES
from corridor.plan import solve_plan
from corridor.plan.bottlenecks import carrier_noun
from corridor.scenario import load_scenario

from .conftest import closure, yaml_scenario

TWO_NODES = """nodes:
  - {id: a, name: A, kind: staging_area, lat: 52.0, lon: 10.0, country: DE}
  - {id: b, name: B, kind: staging_area, lat: 52.0, lon: 11.0, country: DE}"""


def _unmet(summary: dict[str, object]) -> dict[str, dict[str, object]]:
    return {str(u["movement"]): u for u in summary["unmet"]}  # type: ignore[attr-defined]


def test_no_route_reason_names_equipment_types_not_class_keys(tmp_path: Path) -> None:
    """Two tank types in one MLC band, a bridge rated MLC 60: the reason lists each type
    with its own MLC, as the spec's example does, and no internal class key."""
    path = yaml_scenario(tmp_path, "mlc", f"""
format: corridor/1
name: mlc
start_date: 2025-01-15
horizon_days: 5
planner: {{step_h: 1}}
{TWO_NODES}
links:
  - {{id: ab, from: a, to: b, mode: road, distance_km: 120, max_mlc: 60}}
equipment:
  - {{id: tank_a, name: Tank A, mass_t: 62, footprint_m2: 30, mlc: 70, seats: 4,
      road_march_km_per_day: 0}}
  - {{id: tank_b, name: Tank B, mass_t: 58, footprint_m2: 30, mlc: 65, seats: 4,
      road_march_km_per_day: 0}}
carriers:
  - {{id: het, mode: road, count: 2, home: a, capacity_t: 70, capacity_m2: 45,
      max_item_mlc: 70, speed_kmh: 60}}
movements:
  - {{id: tanks, origin: a, destination: b, ready_day: 0, due_day: 2,
      equipment: "tank_a:2;tank_b:1"}}
  - {{id: cars, origin: a, destination: b, ready_day: 0, due_day: 2, equipment: "hmmwv:2"}}
""")
    r = solve_plan(load_scenario(path), progress=False)
    u = _unmet(r.summary)
    assert set(u) == {"tanks"}
    reason = str(u["tanks"]["reason"])
    assert "no road path for tank_a (MLC 70) and tank_b (MLC 65): link ab max_mlc 60" \
        in reason, reason
    assert reason.startswith("2 tank_a, 1 tank_b: "), reason
    for cl in u["tanks"]["classes"]:  # type: ignore[attr-defined]
        assert cl["class"] not in reason and cl["class"] not in cl["reason"]
    assert "carried-" not in reason and "mlc70" not in reason
    assert r.summary["status"] == "infeasible"  # no capacity would get them across
    assert closure(r, "cars") is not None


def test_sustainment_shortfall_names_its_chunks_by_due_day(tmp_path: Path) -> None:
    """Depot d holds 50 t; the camp draws 10 t/day over days 0-10 (four 25 t chunks due
    days 0, 2.5, 5 and 7.5): the chunks due days 5 and 7.5 get nothing, and the reason
    says so once, with the amounts."""
    path = yaml_scenario(tmp_path, "supply", """
format: corridor/1
name: supply
start_date: 2025-01-15
horizon_days: 10
planner: {step_h: 6}
nodes:
  - {id: d, name: Depot, kind: depot, lat: 52.0, lon: 10.0, country: DE, storage_t: 50}
  - {id: b, name: Camp, kind: staging_area, lat: 52.0, lon: 11.0, country: DE}
links:
  - {id: db, from: d, to: b, mode: road, distance_km: 120}
carriers:
  - {id: trk, mode: road, count: 1, home: d, capacity_t: 20, speed_kmh: 60}
supply:
  - {node: b, class: V, t_per_day: 10, start_day: 0, end_day: 10, source: d}
""")
    r = solve_plan(load_scenario(path), progress=False)
    reason = str(_unmet(r.summary)["supply1:V@b"]["reason"])
    assert reason.startswith("25 t due day 5, 25 t due day 7.5: none arrives by day 10"), \
        reason
    assert "25 t, 25 t" not in reason and "only 0%" not in reason
    assert reason.count("due day 5,") == 1 and reason.count("due day 7.5") == 1
    # 100 t of demand on 50 t of stock: the stock alone is named (QA 18a finding 4)
    assert "stock at depot d (50 t): the 100 t of sustainment demand" in reason, reason
    assert "1 carriers" not in reason
    # sustainment short by capacity (the depot's stock): the solver's status stands
    assert r.summary["status"] == "optimal"
    chunks = r.summary["sustainment"]  # one entry per chunk (QA14 F6)
    assert [c["id"] for c in chunks] == [f"supply1:V@b/day{d}" for d in ("0", "2.5", "5",
                                                                          "7.5")]
    assert sum(c["arrived_t"] for c in chunks) == pytest.approx(50.0)
    assert [c["closure_day"] for c in chunks[2:]] == [None, None]


def test_a_plain_truck_is_not_called_a_low_loader(tmp_path: Path) -> None:
    """One 100 t truck with no max_item_mlc carries 10 crates, 3 a trip by deck area:
    one more of it is 'one more truck'."""
    path = yaml_scenario(tmp_path, "deck", f"""
format: corridor/1
name: deck
start_date: 2025-01-15
horizon_days: 5
planner: {{step_h: 1}}
{TWO_NODES}
links:
  - {{id: ab, from: a, to: b, mode: road, distance_km: 120}}
equipment:
  - {{id: crate, name: Crate, mass_t: 1, footprint_m2: 10, mlc: 2, seats: 0,
      road_march_km_per_day: 0}}
units:
  - {{id: cratepl, name: Crate platoon, pax: 5, equipment: "crate:5"}}
carriers:
  - {{id: trk, mode: road, count: 1, home: a, capacity_t: 100, capacity_m2: 30,
      capacity_pax: 10, speed_kmh: 60}}
movements:
  - {{id: m1, unit: cratepl, count: 2, origin: a, destination: b, ready_day: 0, due_day: 2}}
""")
    r = solve_plan(load_scenario(path), progress=False)
    (top,) = [b for b in r.summary["bottlenecks"] if b["id"] == "trk"]
    assert top["explanation"].startswith("one more truck in fleet trk (1 → 2)"), \
        top["explanation"]
    assert "low-loader" not in top["explanation"]
    assert top["capacity"] == "1 carrier"


def _fleet(mode: str, capacity_t: float = 0.0, max_item_mlc: float = np.inf,
           capacity_pax: float = 0.0, capacity_litters: float = 0.0) -> SimpleNamespace:
    fleets = SimpleNamespace(
        mode=np.array([MODES.index(mode)]), capacity_t=np.array([capacity_t]),
        capacity_pax=np.array([capacity_pax]), capacity_litters=np.array([capacity_litters]),
        max_item_mlc=np.array([float(max_item_mlc)]))
    return SimpleNamespace(net=SimpleNamespace(fleets=fleets))


@pytest.mark.parametrize(("fleet", "noun"), [
    (_fleet("road", 100.0), "truck"),  # no max_item_mlc: nothing says it takes armour
    (_fleet("road", 70.0, 70), "low-loader"),  # rated MLC 70 and lifts 70 t
    (_fleet("road", 40.0, 40), "low-loader"),
    (_fleet("road", 20.0, 30), "truck"),  # rated for light vehicles only
    (_fleet("road", 20.0, 70), "truck"),  # a rating it cannot lift is no low-loader
    (_fleet("road", 0.0, capacity_pax=50), "bus"),
    (_fleet("road", 0.0, capacity_litters=4), "ambulance"),
    (_fleet("rail", 1000.0), "train"),
    (_fleet("sea", 20000.0), "ship"),
    (_fleet("air", 70.0), "aircraft"),
    (_fleet("inland_water", 1500.0), "barge"),
])
def test_carrier_noun_follows_the_fleet_data(fleet: SimpleNamespace, noun: str) -> None:
    assert carrier_noun(fleet, 0) == noun  # type: ignore[arg-type]


def test_one_way_fleet_shortfall_is_explained_and_not_called_infeasible(
        tmp_path: Path) -> None:
    """A one-way link: 2 trucks of 20 t make one trip each, 40 of 60 t arrive. One more
    truck would close it, so this is a capacity shortfall: the solver's status stands
    (docs/planner.md, "Unmet movements"), closure_day is null and unmet says why."""
    path = yaml_scenario(tmp_path, "oneway", f"""
format: corridor/1
name: oneway
start_date: 2025-01-15
horizon_days: 5
planner: {{step_h: 1}}
{TWO_NODES}
links:
  - {{id: ab, from: a, to: b, mode: road, distance_km: 120, bidirectional: false}}
carriers:
  - {{id: trk, mode: road, count: 2, home: a, capacity_t: 20, speed_kmh: 60}}
movements:
  - {{id: m1, origin: a, destination: b, ready_day: 0, due_day: 2, supplies_t: 60,
      kind: supply}}
""")
    r = solve_plan(load_scenario(path), progress=False)
    assert r.summary["status"] == "optimal" and r.summary["closure_day"] is None
    reason = str(_unmet(r.summary)["m1"]["reason"])
    assert reason.startswith("60 t: only 67% arrives by day 5 (40 of 60 t)"), reason
    assert ("the remaining 20 t need 1 more trip, but each of its 2 carriers can make "
            "only one: no route leads back to where it loads") in reason, reason
    assert not _unmet(r.summary)["m1"]["provable"]
