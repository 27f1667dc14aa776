"""QA14 F6: the plan's ``sustainment`` entries. Every due-dated chunk of a supply row is
listed with the spec's movement fields; a chunk never closes before it is ready (the day
its consumption starts); a bottleneck's explanation quotes the days its entries list."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from tests.plan.conftest import yaml_scenario

from corridor.plan import solve_plan
from corridor.plan.bottlenecks import Candidate, closure_changes, explain
from corridor.plan.changes import Change
from corridor.scenario import load_scenario

LATER = """format: corridor/1
name: later
horizon_days: 20
planner: {step_h: 6}
nodes:
  - {id: d, kind: depot, lat: 52.0, lon: 10.0, storage_t: 1000}
  - {id: b, kind: staging_area, lat: 52.0, lon: 11.0}
links:
  - {id: db, from: d, to: b, mode: road, distance_km: 120}
carriers:
  - {id: trk, mode: road, count: 2, home: d, capacity_t: 20, capacity_m2: 30, speed_kmh: 60}
supply:
  - {node: b, class: V, t_per_day: 10, start_day: 12, end_day: 16, source: d}
"""


def test_every_chunk_is_listed_and_none_closes_before_it_is_ready(tmp_path: Path) -> None:
    """10 t/day over days 12-16 is four 10 t chunks due days 12, 13, 14 and 15 (one day
    each: commodities.SUPPLY_CHUNK_MIN_DAYS). The depot's stock is there from day 0 and
    two trucks take 2 h each way, so every chunk can be in by its due day: each closes
    on its due day (in and needed), none late. Before, one entry for the row said ready
    day 12 and closed on the day the stock happened to arrive (day 0.08)."""
    r = solve_plan(load_scenario(yaml_scenario(tmp_path, "later", LATER)), progress=False)
    sus = r.summary["sustainment"]
    assert [e["id"] for e in sus] == [f"supply1:V@b/day{d}" for d in (12, 13, 14, 15)]
    for e, due in zip(sus, (12, 13, 14, 15), strict=True):
        assert e["supply"] == "supply1:V@b"
        assert e["due_day"] == e["ready_day"] == due
        assert e["t"] == pytest.approx(10.0) and e["arrived_t"] == pytest.approx(10.0)
        assert e["closure_day"] == pytest.approx(due) and e["late_days"] == 0.0
        assert e["on_time"] and e["share_arrived"] == pytest.approx(1.0)
    # days quoted by a re-solved explanation are the entries' own
    days = {e["id"]: e["closure_day"] for e in [*r.summary["movements"], *sus]}
    for b in r.summary["bottlenecks"]:
        m = re.search(r"brings (\S+)'s closure [\d.]+ days earlier \(day ([\d.]+)",
                      b["explanation"])
        if m:
            assert float(m.group(2)) == pytest.approx(days[m.group(1)], abs=0.005)


def _frame(chunks: list[tuple[str, float | None]]) -> pd.DataFrame:
    clo = [c for _, c in chunks]
    return pd.DataFrame([{
        "id": "supply1:V@b", "kind": "supply", "due_day": 12.0,
        "closure_day": float("nan") if None in clo else max(c for c in clo if c is not None),
        "late_days": 0.0, "share_arrived": 1.0, "priority": 3,
        "chunks": [{"id": i, "closure_day": c} for i, c in chunks]}]).set_index("id")


def test_explanations_name_chunks_and_quote_only_the_plans_days() -> None:
    """A supply row is compared chunk by chunk, under the ids ``sustainment`` lists. A
    MIP re-solve compares with the plan, so its days are quoted; a rounded plan's
    re-solve compares LP relaxations, whose days are not the plan's: none is quoted."""
    base = _frame([("supply1:V@b/day12", 12.0), ("supply1:V@b/day13", 14.5)])
    new = _frame([("supply1:V@b/day12", 12.0), ("supply1:V@b/day13", 13.25)])
    earlier, closed, both = closure_changes(base, new)
    assert earlier == {"supply1:V@b/day13": pytest.approx(1.25)} and not closed
    assert both == {"supply1:V@b/day13": (14.5, 13.25)}
    c = Candidate(Change("fleet", 0), "trk", "one more truck in fleet trk (2 → 3)",
                  "2", 0.4, verified=0.4, verified_by="mip", closure_change=earlier,
                  before_after=both)
    assert "supply1:V@b/day13's closure 1.25 days earlier (day 14.50 → 13.25)" in explain(c)
    c.verified_by = "lp"
    text = explain(c)
    assert "1.25 days earlier (in the LP relaxation)" in text and "14.50" not in text
