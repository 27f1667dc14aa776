"""QA round 18a, findings 3 and 4 (planner results against the spec).

3. ``closure_day`` ("when the last movement is complete; null if never") was null for a
   plan of sustainment alone that delivered everything, and a date while sustainment
   listed in ``unmet`` never arrived.
4. ``unmet`` reasons named a limit that was not the cause: a coach's ``capacity_t 0``
   for a tank only a low-loader's ``max_item_mlc`` keeps off the road, and a fleet 5 %
   used beside the depot stock that really runs out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.plan.conftest import yaml_scenario

from corridor.plan import solve_plan
from corridor.plan.result import plan_closure
from corridor.scenario import load_scenario

SUSTAIN = """format: corridor/1
name: sustain
horizon_days: 10
planner: {step_h: 2}
nodes:
  - {id: dep, kind: depot, lat: 50, lon: 10, storage_t: %s}
  - {id: front, kind: front, lat: 50, lon: 11}
links:
  - {id: rd, from: dep, to: front, mode: road, distance_km: 100}
carriers:
  - {id: trk, mode: road, count: 2, home: dep, capacity_t: 20, speed_kmh: 50}
supply:
  - {node: front, class: V, t_per_day: 40, start_day: 2, end_day: 6, source: dep}
"""


def test_a_plan_of_sustainment_alone_closes_with_its_last_chunk(tmp_path: Path) -> None:
    """40 t/day from day 2 to 6 with ample stock: four chunks due days 2, 3, 4, 5, each
    closing on its due day (2 trucks of 20 t, 2 h each way: 40 t in 4 h)."""
    res = solve_plan(load_scenario(yaml_scenario(tmp_path, "s", SUSTAIN % 1000)),
                     progress=False)
    s = res.summary
    assert s["unmet"] == [] and s["movements"] == []
    assert [r["closure_day"] for r in s["sustainment"]] == pytest.approx([2, 3, 4, 5])
    assert s["closure_day"] == pytest.approx(5.0)


def test_stock_short_of_the_demand_is_named_alone(tmp_path: Path) -> None:
    """100 t of stock against 160 t of demand that has no other depot: the chunks due
    days 4 and 5 cannot be met whatever the transport does, so the plan never closes
    and the reason names the stock, not the trucks (5 % used). Stock is a capacity (more
    of it is a what-if): the solver's status stands, as for any capacity shortfall."""
    res = solve_plan(load_scenario(yaml_scenario(tmp_path, "s", SUSTAIN % 100)),
                     progress=False)
    s = res.summary
    assert s["status"] == "optimal" and s["closure_day"] is None
    [row] = s["unmet"]
    assert not row["provable"] and sum(c["arrived"] for c in row["classes"]) == pytest.approx(
        20.0, abs=1e-3)  # 100 t: days 2 and 3 whole, half of day 4
    assert "binding: stock at depot dep (100 t): the 160 t of sustainment demand that " \
        "can draw on nothing else exceed it" in row["reason"]
    assert "fleet trk" not in row["reason"]


def test_stock_enough_for_its_own_demand_is_not_called_short(tmp_path: Path) -> None:
    """160 t of stock for 160 t of demand: nothing is unmet, the status is the solver's."""
    res = solve_plan(load_scenario(yaml_scenario(tmp_path, "s", SUSTAIN % 160)),
                     progress=False)
    assert res.summary["unmet"] == [] and res.summary["status"] == "optimal"


@pytest.mark.parametrize("movements, supply, expected", [
    ([{"closure_day": 3.0}], [{"closure_day": 5.0}], 3.0),  # movements close the plan
    ([{"closure_day": 3.0}], [{"closure_day": None}], None),  # sustainment never met
    ([{"closure_day": None}], [], None),
    ([], [{"closure_day": 2.0}, {"closure_day": 5.0}], 5.0),  # sustainment alone
    ([], [], None),
])
def test_plan_closure(movements: list[dict[str, float | None]],
                      supply: list[dict[str, float | None]], expected: float | None) -> None:
    assert plan_closure(movements, supply) == expected


TANKS = """format: corridor/1
name: tanks
horizon_days: 10
planner: {step_h: 2}
nodes:
  - {id: a, kind: origin, lat: 50, lon: 10}
  - {id: b, kind: front, lat: 50, lon: 11}
links:
  - {id: rd, from: a, to: b, mode: road, distance_km: 100}
carriers:
  - {id: het, mode: road, count: 4, home: a, capacity_t: 80, capacity_m2: 50,
     max_item_mlc: 70, speed_kmh: 50}
  - {id: bus, mode: road, count: 2, home: a, capacity_pax: 50, speed_kmh: 60}
movements:
  - {id: tanks, origin: a, destination: b, due_day: 2, equipment: "m1a2_sepv3:4"}
"""


def test_a_tank_no_fleet_takes_is_told_the_low_loaders_limit(tmp_path: Path) -> None:
    """M1A2 SEPv3 is MLC 80 (no road march here: carried); the HET takes MLC 70, the
    coach (faster, so the relaxed route's) no cargo at all: the HET's limit binds."""
    res = solve_plan(load_scenario(yaml_scenario(tmp_path, "t", TANKS)), progress=False)
    [row] = res.summary["unmet"]
    assert row["reason"].endswith("no fleet can carry m1a2_sepv3 (MLC 80): het "
                                  "max_item_mlc 70")
    assert res.summary["status"] == "infeasible"
