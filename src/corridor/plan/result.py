"""A plan as the rest of Corridor sees it: ``summary.json`` (format ``corridor-result/1``)
and the tables beside it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corridor.plan.extract import chunks_of
from corridor.results import FORMAT, replace_folder, write_json, write_parquet

FILES = ("flows", "arrivals", "trips", "carriers")


@dataclass
class PlanResult:
    """``summary`` is the summary.json content; ``flows`` one row per leg of every flow
    (movement, cargo_class, link, from, to, mode, carrier, depart_day, arrive_day,
    trips, t, pax, m2, items as JSON of type:count); ``arrivals`` the cumulative share
    of each movement arrived (movement, day, share); ``trips`` the carrier trips per
    run and departure; ``carriers`` each carrier's own trips."""

    summary: dict[str, Any]
    flows: pd.DataFrame
    arrivals: pd.DataFrame
    trips: pd.DataFrame = field(default_factory=pd.DataFrame)
    carriers: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def status(self) -> str:
        return str(self.summary["status"])

    @property
    def closure_day(self) -> float | None:
        v = self.summary.get("closure_day")
        return None if v is None else float(v)

    def movements(self) -> pd.DataFrame:
        return pd.DataFrame(self.summary["movements"]).set_index("id")

    def write(self, out_dir: str | Path) -> Path:
        """Write the result folder as a whole, replacing any earlier result there
        (:func:`corridor.results.replace_folder`; raises ``ResultFolderError`` for a
        folder that is not a result)."""
        with replace_folder(out_dir) as stage:
            for name in FILES:
                write_parquet(stage / f"{name}.parquet", getattr(self, name))
            write_json(stage / "summary.json", self.summary)
        return Path(out_dir)


def _num(v: float) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 6)


def movement_rows(closures: pd.DataFrame, groups: list[Any], kind: str) -> list[dict[str, Any]]:
    """The summary's entries of ``kind``: one per movement; for ``supply``, one per
    due-dated chunk of each supply row (:func:`chunk_rows`)."""
    if kind == "supply":
        return chunk_rows(closures, groups)
    rows = []
    for g in groups:
        if g.kind != kind:
            continue
        r = closures.loc[g.id]
        closure = _num(r["closure_day"])
        late = _num(r["late_days"])
        rows.append({
            "id": g.id, "due_day": g.due_day, "closure_day": closure, "late_days": late,
            "ready_day": g.ready_day, "priority": g.priority, "origin": g.origin,
            "destination": g.destination, "label": g.label,
            "share_arrived": round(float(r["share_arrived"]), 6),
            "on_time": bool(closure is not None and late is not None and late <= 1e-9),
        })
    return rows


def chunk_rows(closures: pd.DataFrame, groups: list[Any]) -> list[dict[str, Any]]:
    """``sustainment``: every chunk the planner cuts a supply row's demand into, with the
    spec's movement fields (``id``, ``due_day``, ``closure_day``, ``late_days`` =
    ``max(0, closure_day - due_day)``) and ``supply`` (the row's id, as ``unmet`` names
    it), ``ready_day`` (= ``due_day``: the day the chunk's consumption starts),
    ``t``, ``arrived_t``, ``share_arrived``, ``on_time``. A chunk closes when its stock
    is in and needed, never before its ready day (``extract.supply_chunks``)."""
    rows = []
    for g in groups:
        if g.kind != "supply":
            continue
        for ch in chunks_of(closures, g.id):
            closure = None if ch["closure_day"] is None else _num(ch["closure_day"])
            late = None if ch["late_days"] is None else _num(ch["late_days"])
            rows.append({
                "id": ch["id"], "due_day": _num(ch["due_day"]), "closure_day": closure,
                "late_days": late, "supply": g.id, "ready_day": _num(ch["ready_day"]),
                "priority": g.priority, "origin": g.origin, "destination": g.destination,
                "label": g.label, "t": _num(ch["t"]), "arrived_t": _num(ch["arrived_t"]),
                "share_arrived": round(float(ch["share_arrived"]), 6),
                "on_time": bool(closure is not None and late is not None and late <= 1e-9),
            })
    return rows


def plan_closure(rows: list[dict[str, Any]],
                 supply_rows: list[dict[str, Any]] | None = None) -> float | None:
    """When the last movement is complete; None if never. Sustainment that never
    arrives is a requirement never met too (None), and a plan of sustainment alone
    closes when its last chunk does (docs/planner.md, "Results")."""
    supply_rows = supply_rows or []
    if any(r["closure_day"] is None for r in supply_rows):
        return None
    rows = rows or supply_rows
    if not rows or any(r["closure_day"] is None for r in rows):
        return None
    return max(float(r["closure_day"]) for r in rows)


def weighted_lateness(rows: list[dict[str, Any]], never_day: float) -> float:
    """Sum of days late / priority over the movements; one that never closes counts as
    closing on ``never_day`` (as the objective counts it: docs/planner.md), so a plan
    that stops closing a movement never looks less late."""
    total = 0.0
    for r in rows:
        late = r["late_days"] if r["closure_day"] is not None else \
            max(0.0, never_day - float(r["due_day"]))
        total += float(late or 0.0) / r["priority"]
    return total


def summary(scenario_name: str, status: str, rows: list[dict[str, Any]],
            supply_rows: list[dict[str, Any]], never_day: float, **extra: Any
            ) -> dict[str, Any]:
    out: dict[str, Any] = {
        "format": FORMAT,
        "kind": "plan",
        "scenario": scenario_name,
        "status": status,
        "closure_day": plan_closure(rows, supply_rows),
        "movements": rows,
        "sustainment": supply_rows,
        "priority_weighted_late_days": round(weighted_lateness(rows, never_day), 4),
    }
    out.update(extra)
    return out


def expected_losses(trips: pd.DataFrame, flows: pd.DataFrame, link_loss: dict[str, float],
                    carriers_df: pd.DataFrame | None = None) -> dict[str, float]:
    """Carriers and cargo the plan should expect to lose to the scenario's threats
    (the planner does not plan losses: docs/model.md, "Disruptions"). A carrier is at
    risk on every transit, loaded (``trips``) or empty (the runs to its next loading
    place in ``carriers_df``'s ``empty_links``); cargo only on loaded ones."""
    if not link_loss or trips.empty:
        return {"carriers": 0.0, "cargo_t": 0.0}

    def lost(links: object) -> float:
        names = [lk for lk in str(links).split(";") if lk]
        return 1.0 - float(np.prod([1.0 - link_loss.get(lk, 0.0) for lk in names]))

    carriers = sum(float(n) * lost(links)
                   for links, n in zip(trips["links"], trips["trips"], strict=True))
    if carriers_df is not None and "empty_links" in carriers_df:
        carriers += sum(lost(links) for links in carriers_df["empty_links"])
    p = flows["link"].map(link_loss).fillna(0.0) if not flows.empty else pd.Series(dtype=float)
    cargo = float((flows["t"] * p).sum()) if not flows.empty else 0.0
    return {"carriers": round(carriers, 3), "cargo_t": round(cargo, 1)}
