"""QA14 F2: a depot's ``storage_t`` is the stock ``supply.csv`` demand draws from
(model.md, "Nodes"); a movement's own cargo is at its origin from its ready day and
draws nothing from it, as in the simulator (/tmp/qa14/e2e/stock/s.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.plan.conftest import yaml_scenario

from corridor.plan import solve_plan
from corridor.scenario import load_scenario

STOCK = """format: corridor/1
name: stock-test
horizon_days: 12
planner: {step_h: 6}
nodes:
  - {id: d, kind: depot, lat: 50, lon: 10, storage_t: 100}
  - {id: n, kind: front, lat: 50, lon: 11}
links:
  - {id: dn, from: d, to: n, mode: road, distance_km: 70}
carriers:
  - {id: trucks, mode: road, count: 10, home: d, capacity_t: 20, capacity_m2: 30}
movements:
  - {id: M, origin: d, destination: n, due_day: 3, supplies_t: %s, kind: force}
"""
SUPPLY = """supply:
  - {node: n, class: V, t_per_day: 50, start_day: 0, end_day: 10, source: d}
"""


def _supply_arrived(summary: dict) -> float:  # type: ignore[type-arg]
    """Tonnes of the supply row arrived: its unmet classes' ``arrived`` (every chunk is
    short here: 500 t of demand against 100 t of stock)."""
    [row] = [u for u in summary["unmet"] if u["movement"].startswith("supply1")]
    return sum(float(c["arrived"]) for c in row["classes"])


def test_a_movements_own_cargo_does_not_use_up_the_depot_stock(tmp_path: Path) -> None:
    """500 t of class V demand (50 t/day, days 0-10) against 100 t of stock at d: all
    100 t are delivered, however much force movement M carries out of d itself (its
    50 t are its own, not the depot's: before, the plan gave the supply only 50 t)."""
    s = load_scenario(yaml_scenario(tmp_path, "stock", STOCK % 50 + SUPPLY))
    res = solve_plan(s, progress=False)
    assert res.movements().at["M", "share_arrived"] == pytest.approx(1.0)
    assert _supply_arrived(res.summary) == pytest.approx(100.0, abs=1e-3)
    assert "M" not in {u["movement"] for u in res.summary["unmet"]}


def test_a_movement_bigger_than_the_stock_still_closes(tmp_path: Path) -> None:
    """QA14 rzeszow RIVER: a 300 t movement out of a depot holding 100 t is not unmet.
    10 trucks of 20 t carry it in two rounds of 200 t + 100 t over 70 km: well inside
    its due day 3."""
    s = load_scenario(yaml_scenario(tmp_path, "river", STOCK % 300))
    res = solve_plan(s, progress=False)
    assert res.summary["unmet"] == []
    mv = res.movements().loc["M"]
    assert mv["share_arrived"] == pytest.approx(1.0)
    assert mv["closure_day"] is not None and mv["closure_day"] < 1.0
