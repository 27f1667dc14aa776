"""Following a plan: routes, fleets and departure quotas read from flows.parquet."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from corridor.network.graph import build_network
from corridor.results.folder import write_parquet
from corridor.scenario import Scenario, load_scenario
from corridor.sim import simulate
from corridor.sim.model import movement_classes


def flows_row(mid: str, key: str, link: str, a: str, b: str, carrier: str, dep_h: float,
              hours: float, t: float = 0.0, items: dict[str, float] | None = None
              ) -> dict[str, object]:
    return {"movement": mid, "cargo_class": key, "link": link, "from": a, "to": b,
            "mode": "road", "carrier": carrier, "depart_day": dep_h / 24,
            "arrive_day": (dep_h + hours) / 24, "trips": 1.0, "t": t, "pax": 0.0,
            "m2": 0.0, "items": json.dumps(items or {})}


def write_plan(folder: Path, rows: list[dict[str, object]]) -> Path:
    write_parquet(folder / "flows.parquet", pd.DataFrame(rows))
    return folder


def test_fleet_cycle_plan_is_followed_to_the_hour(tmp_path: Path) -> None:
    """A plan that sends 4 tanks every 12 h (departures after the 2 h load) closes
    when its last load arrives and is unloaded: 48 + 2 + 4 + 2 = 56 h."""
    s = load_scenario("fleet-cycle")
    key = movement_classes(s, "tanks", build_network(s))[0].key
    rows = [flows_row("tanks", key, "rd_yard_area", "rail_yard", "training_area", "hets",
                      12 * k + 2, 4, items={"leopard2a6": 4}) for k in range(5)]
    res = simulate(s, 1, 1, workers=1, progress=False, deterministic=True,
                   plan_dir=write_plan(tmp_path, rows))
    assert res.summary["policy"] == "plan"
    assert res.summary["movements"][0]["closure_day"]["mean"] * 24 == pytest.approx(56.0)


def test_a_later_plan_holds_the_cargo_back(tmp_path: Path) -> None:
    """Releasing the tanks a day later delays the closure by exactly a day."""
    s = load_scenario("fleet-cycle")
    key = movement_classes(s, "tanks", build_network(s))[0].key
    rows = [flows_row("tanks", key, "rd_yard_area", "rail_yard", "training_area", "hets",
                      24 + 12 * k + 2, 4, items={"leopard2a6": 4}) for k in range(5)]
    res = simulate(s, 1, 1, workers=1, progress=False, deterministic=True,
                   plan_dir=write_plan(tmp_path, rows))
    assert res.summary["movements"][0]["closure_day"]["mean"] * 24 == pytest.approx(80.0)


def test_a_plan_of_another_scenario_is_refused(tmp_path: Path) -> None:
    from corridor.scenario import ScenarioError

    s = load_scenario("fleet-cycle")
    rows = [flows_row("tanks", "x", "no_such_link", "rail_yard", "training_area", "hets",
                      2, 4, items={"leopard2a6": 4})]
    with pytest.raises(ScenarioError, match="no_such_link"):
        simulate(s, 1, 1, workers=1, progress=False, plan_dir=write_plan(tmp_path, rows))


@pytest.mark.parametrize("name", ["single-link", "fleet-cycle", "bridge-detour",
                                  "gauge-break"])
def test_deterministic_simulation_of_the_plan_closes_within_one_step(
        name: str, tmp_path: Path) -> None:
    from corridor.plan import solve_plan

    s: Scenario = load_scenario(name)
    plan = solve_plan(s)
    plan.write(tmp_path / "plan")
    res = simulate(s, 1, 1, workers=1, progress=False, deterministic=True,
                   plan_dir=tmp_path / "plan")
    sim = res.summary["closure_day"]["mean"]
    planned = plan.summary["closure_day"]
    assert sim is not None and planned is not None
    assert math.isclose(sim, planned, abs_tol=s.step_h / 24 + 1e-9), (sim, planned)


def test_a_two_fleet_plan_through_a_gauge_change(tmp_path: Path) -> None:
    """gauge-break: 1,435 mm trains bring 6 x 1,000 t to the border by 30 h; the plan
    sends the 1,520 mm trains on as transshipment frees each 1,000 t (36, 60, ... 156 h);
    the last arrives 6 h later: 162 h, the hand-derived closure."""
    s = load_scenario("gauge-break")
    rows = [flows_row("aid1", "bulk", "rl_hub_border", "hub", "border", "trains_1435",
                      12 * (k // 2), 6, t=1000.0) for k in range(6)]
    rows += [flows_row("aid1", "bulk", "rl_border_city", "border", "city", "trains_1520",
                       36 + 24 * k, 6, t=1000.0) for k in range(6)]
    res = simulate(s, 1, 1, workers=1, progress=False, deterministic=True,
                   plan_dir=write_plan(tmp_path, rows))
    assert res.summary["movements"][0]["closure_day"]["mean"] * 24 == pytest.approx(162.0)
    assert res.summary["trips"] == 12


SAILING = """
format: corridor/1
name: shared-sailing
start_date: 2025-01-15
horizon_days: 10
planner: {step_h: 12}
nodes:
  - {id: pol, kind: port, lat: 50, lon: 0}
  - {id: pod, kind: port, lat: 55, lon: 8}
links:
  - {id: sea, from: pol, to: pod, mode: sea, distance_km: 960}
equipment:
  - {id: box, mass_t: 50, footprint_m2: 30, mlc: 40}
carriers:
  - {id: ship, mode: sea, count: 1, home: pol, capacity_t: 30000, capacity_m2: 35000,
     speed_kmh: 40, load_h: 24, unload_h: 24}
movements:
  - {id: e1, origin: pol, destination: pod, due_day: 8, equipment: "box:100"}
  - {id: s1, origin: pol, destination: pod, ready_day: %s, due_day: 8, supplies_t: 5000,
     kind: supply}
"""


def _one_sailing(tmp_path: Path, s1_ready: float) -> dict[str, object]:
    """The plan sends the one ship on day 1 (loading from day 0) with both movements
    aboard, its trip split between them as the planner writes it (0.51 / 0.49)."""
    p = tmp_path / "case.yaml"
    p.write_text(SAILING % s1_ready, encoding="utf-8")
    s = load_scenario(p)
    key = movement_classes(s, "e1", build_network(s))[0].key
    rows = [flows_row("e1", key, "sea", "pol", "pod", "ship", 24, 24, t=5000.0,
                      items={"box": 100}),
            flows_row("s1", "bulk", "sea", "pol", "pod", "ship", 24, 24, t=5000.0)]
    rows[0]["trips"], rows[1]["trips"] = 0.51, 0.49
    (tmp_path / "plan").mkdir()
    res = simulate(s, 1, 1, workers=1, progress=False, deterministic=True,
                   plan_dir=write_plan(tmp_path / "plan", rows))
    return {m["id"]: m for m in res.summary["movements"]} | {"trips": res.summary["trips"]}


def test_movements_sharing_a_planned_trip_ride_it_together(tmp_path: Path) -> None:
    """Two movements the plan loads onto one sailing are released at the same moment:
    the ship takes both (load 24 h, sail 24 h, unload 24 h: both close on day 3), not
    the first alone, leaving the other for its return after the horizon."""
    mv = _one_sailing(tmp_path, 0.0)
    for mid in ("e1", "s1"):
        m = mv[mid]
        assert m["p_closed"] == 1.0, mid  # type: ignore[index]
        assert m["closure_day"]["mean"] == pytest.approx(3.0), mid  # type: ignore[index]
        assert m["delivered_t"]["mean"] == pytest.approx(5000.0), mid  # type: ignore[index]
    assert mv["trips"] == 1


def test_a_planned_trip_waits_for_its_cargo_still_on_the_way(tmp_path: Path) -> None:
    """The supplies reach the port 6 h after the plan releases the sailing's load (within
    its 12 h step): the ship waits for them rather than leaving with the equipment
    only, so both close 6 h after day 3 on the one planned trip."""
    mv = _one_sailing(tmp_path, 0.25)
    for mid in ("e1", "s1"):
        assert mv[mid]["closure_day"]["mean"] == pytest.approx(3.25), mid  # type: ignore[index]
    assert mv["trips"] == 1


POSITIONING = """\
format: corridor/1
name: positioning
horizon_days: 2
planner: {step_h: 1}
nodes:
  - {id: a, kind: depot, lat: 50.0, lon: 10.0}
  - {id: b, kind: port, lat: 50.0, lon: 11.5}
  - {id: c, kind: staging_area, lat: 50.5, lon: 11.5}
links:
  - {id: ab, from: a, to: b, mode: road, distance_km: 120}
  - {id: bc, from: b, to: c, mode: road, distance_km: 60}
carriers:
  - {id: trk, mode: road, count: 2, home: a, capacity_t: 10, speed_kmh: 60}
movements:
  - {id: m1, origin: b, destination: c, due_day: 1, supplies_t: 20}
"""


def test_a_plan_followed_has_its_carriers_in_place_in_time(tmp_path: Path) -> None:
    """Both trucks are 2 h from the cargo: the plan sends them ahead and departs at 2 h,
    arriving at 3 h. Following it, the trucks are called as far ahead (they used to
    set off only when the cargo was released, an hour late)."""
    from corridor.plan import solve_plan

    p = tmp_path / "positioning.yaml"
    p.write_text(POSITIONING, encoding="utf-8")
    s = load_scenario(p)
    plan = solve_plan(s, progress=False)
    assert plan.summary["closure_day"] == pytest.approx(3 / 24)
    plan.write(tmp_path / "plan")
    res = simulate(s, 1, 1, workers=1, progress=False, deterministic=True,
                   plan_dir=tmp_path / "plan")
    assert res.summary["closure_day"]["mean"] == pytest.approx(3 / 24)
